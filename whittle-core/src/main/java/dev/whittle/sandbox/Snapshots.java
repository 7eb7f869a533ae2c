package dev.whittle.sandbox;

import dev.whittle.image.Digest;
import dev.whittle.store.AtomicFiles;
import dev.whittle.store.LayerInfo;
import dev.whittle.store.Maintenance;
import dev.whittle.store.Store;
import dev.whittle.tar.TarReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Unpacked layers, one directory per diffID, in overlayfs's own format (whiteouts as 0/0 character devices, opaque
 * directories marked with {@code trusted.overlay.opaque}), so a stage's root filesystem is an overlay mount of its
 * layers' snapshots. Each layer is unpacked once; a RUN's upper directory is adopted as the snapshot of the layer
 * made from it, never unpacked again. Paths are kept short because overlay's mount options fit in one page.
 */
public final class Snapshots {
    private final Store store;
    private final Path dir;
    /**
     * Per layer, for every Snapshots of this process: each platform of a multi-platform build has its own, and the
     * file lock below excludes other processes only (the JVM refuses a second lock of the file, and the temporary
     * directory is named by process).
     */
    private static final ConcurrentHashMap<Digest, Object> locks = new ConcurrentHashMap<>();

    public Snapshots(Store store) throws IOException {
        this.store = store;
        this.dir = store.stateDir().resolve("s");
        Files.createDirectories(dir);
    }

    private Path home(Digest diffId) {
        return dir.resolve(diffId.hex().substring(0, 16));
    }

    /** Told when a layer is unpacked (never for one already unpacked), and how far it has got. */
    public interface Unpacking {
        Unpacking NONE = (diffId, size) -> new Watch() {
            @Override
            public void read(long bytes) {}

            @Override
            public void close() {}
        };

        /** A layer of {@code size} tar bytes starts unpacking. */
        Watch started(Digest diffId, long size);

        interface Watch extends AutoCloseable {
            /** {@code bytes} of its tar read so far. */
            void read(long bytes);

            @Override
            void close();
        }
    }

    /** The directory holding a layer's files, unpacking the layer first if needed. */
    public Path get(Digest diffId) throws IOException {
        return get(diffId, Unpacking.NONE);
    }

    /** As {@link #get(Digest)}, telling {@code unpacking} about an unpack (a build shows it as a sub-row). */
    public Path get(Digest diffId, Unpacking unpacking) throws IOException {
        Path fs = home(diffId).resolve("fs");
        if (isReady(diffId)) {
            // when a build last used it, for builder prune (until=, --keep-storage)
            home(diffId).resolve("diffid").toFile().setLastModified(System.currentTimeMillis());
            return fs;
        }
        synchronized (locks.computeIfAbsent(diffId, k -> new Object())) {
            try (FileChannel ch = FileChannel.open(
                            dir.resolve(diffId.hex().substring(0, 16) + ".lock"),
                            StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE);
                    FileLock _ = ch.lock()) {
                if (isReady(diffId)) return fs;
                Path tmp = dir.resolve(diffId.hex().substring(0, 16) + ".tmp-"
                        + ProcessHandle.current().pid());
                Maintenance.deleteTree(tmp);
                Path tmpFs = Files.createDirectories(tmp.resolve("fs"));
                LayerInfo info = store.layer(diffId);
                try (Unpacking.Watch watch = unpacking.started(diffId, info == null ? 0 : info.tarSize());
                        InputStream in = new Counting(store.openLayer(diffId), watch)) {
                    new OverlayExtractor(tmpFs).extract(new TarReader(in));
                }
                writeMarker(tmp, diffId);
                Maintenance.deleteTree(home(diffId));
                Files.move(tmp, home(diffId));
                AtomicFiles.syncDir(dir);
            }
        }
        return fs;
    }

    /** Tells a watch how many bytes went through, at most every 256 KiB (and at the end). */
    private static final class Counting extends FilterInputStream {
        private final Unpacking.Watch watch;
        private long count, told;

        Counting(InputStream in, Unpacking.Watch watch) {
            super(in);
            this.watch = watch;
        }

        @Override
        public int read() throws IOException {
            int c = super.read();
            if (c >= 0) add(1);
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) add(n);
            return n;
        }

        private void add(long n) {
            count += n;
            if (count - told >= 256 * 1024) {
                told = count;
                watch.read(count);
            }
        }

        @Override
        public void close() throws IOException {
            watch.read(count);
            super.close();
        }
    }

    /**
     * A snapshot is written without fsync (RUN's overlay is mounted volatile, unpacking does not sync either), so it
     * is trusted only within the boot that wrote it: after a crash or reboot it is made again from the layer's blob,
     * which is always fsynced.
     */
    public boolean isReady(Digest diffId) {
        Path id = home(diffId).resolve("diffid");
        try {
            if (!Files.isRegularFile(id)) return false;
            List<String> lines = Files.readAllLines(id);
            return lines.size() == 2
                    && lines.get(0).equals(diffId.toString())
                    && lines.get(1).equals(BOOT_ID);
        } catch (IOException e) {
            return false;
        }
    }

    private static final String BOOT_ID = bootId();

    private static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void writeMarker(Path dir, Digest diffId) throws IOException {
        Files.writeString(dir.resolve("diffid"), diffId + "\n" + BOOT_ID + "\n");
    }

    /** Takes an upper directory (already in snapshot format) as the snapshot of the layer made from it. */
    public void adopt(Path upper, Digest diffId) throws IOException {
        synchronized (locks.computeIfAbsent(diffId, k -> new Object())) {
            if (isReady(diffId)) {
                Maintenance.deleteTree(upper);
                return;
            }
            Path tmp = dir.resolve(diffId.hex().substring(0, 16) + ".tmp-"
                    + ProcessHandle.current().pid());
            Maintenance.deleteTree(tmp);
            Files.createDirectories(tmp);
            Files.move(upper, tmp.resolve("fs"));
            writeMarker(tmp, diffId);
            Maintenance.deleteTree(home(diffId));
            Files.move(tmp, home(diffId));
        }
    }

    /** Removes one snapshot (a provisional one nothing else refers to). */
    public void remove(Digest id) throws IOException {
        synchronized (locks.computeIfAbsent(id, k -> new Object())) {
            Maintenance.deleteTree(home(id));
            Files.deleteIfExists(dir.resolve(id.hex().substring(0, 16) + ".lock"));
        }
    }

    public Path root() {
        return dir;
    }

    /** Removes every snapshot whose layer is not in {@code keep} (under the store's exclusive lock); returns how many. */
    public int removeExcept(Set<Digest> keep) throws IOException {
        int n = 0;
        try (var ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.contains(".tmp-")) {
                    Maintenance.deleteTree(p);
                    continue;
                }
                if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) continue;
                Digest id;
                try {
                    id = Digest.parse(
                            Files.readAllLines(p.resolve("diffid")).getFirst().trim());
                } catch (IOException | RuntimeException e) {
                    id = null; // half-made: nothing refers to it
                }
                if (id == null || !keep.contains(id)) {
                    Maintenance.deleteTree(p);
                    Files.deleteIfExists(dir.resolve(name + ".lock"));
                    n++;
                }
            }
        }
        return n;
    }
}
