package dev.whittle.store;

import dev.whittle.ffi.Posix;
import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageIndex;
import dev.whittle.image.MediaType;
import dev.whittle.io.Compression;
import dev.whittle.json.Json;
import dev.whittle.tar.TarFormatException;
import dev.whittle.tar.TarReader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.lang.ref.SoftReference;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;

/**
 * whittle's content store: an OCI image layout ({@code oci-layout}, {@code index.json}, {@code blobs/sha256}) whose
 * index.json entries carry the image names, plus whittle's own state under {@code whittle/} (layer metadata and
 * tables of contents, snapshots, build cache, temp files, locks), which OCI tools ignore.
 *
 * <p>Every process holds a shared lock on the store while it works; garbage collection takes it exclusively, so a
 * blob that a running build has written but not yet referenced is never collected. index.json is rewritten
 * atomically under its own short exclusive lock, so concurrent tags and builds never lose each other's names.
 */
public final class Store implements AutoCloseable {
    public static final String REF_NAME = "org.opencontainers.image.ref.name";
    public static final String CONTAINERD_NAME = "io.containerd.image.name";
    private static final Map<Path, Holder> OPEN = new ConcurrentHashMap<>();

    private final Path root;
    private final Holder holder;
    private boolean closed;

    private Store(Path root, Holder holder) {
        this.root = root;
        this.holder = holder;
    }

    /**
     * The default root: $WHITTLE_ROOT, else /var/lib/whittle for root, else $XDG_DATA_HOME/whittle. A rootless whittle
     * is root of its own user namespace, but the store stays the user's.
     */
    public static Path defaultRoot() {
        String env = System.getenv("WHITTLE_ROOT");
        if (env != null && !env.isEmpty()) return Path.of(env);
        if (Posix.isRoot() && !Posix.inUserNamespace()) return Path.of("/var/lib/whittle");
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isEmpty()
                ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("whittle");
    }

    /**
     * Opens (creating if needed) the store at {@code root} and takes the shared process lock. The root is kept private
     * to the user whittle runs as ({@link PrivateRoot}); a store another user owns is refused.
     */
    public static Store open(Path root) {
        Path abs = root.toAbsolutePath().normalize();
        try {
            PrivateRoot.ensure(abs);
            Files.createDirectories(abs.resolve("blobs/sha256"));
            Files.createDirectories(abs.resolve("whittle/tmp"));
            Files.createDirectories(abs.resolve("whittle/layers"));
            Files.createDirectories(abs.resolve("whittle/toc"));
            Files.createDirectories(abs.resolve("whittle/pending"));
            if (!Files.exists(abs.resolve("oci-layout"))) {
                AtomicFiles.write(abs.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes());
            }
            if (!Files.exists(abs.resolve("index.json"))) {
                AtomicFiles.write(
                        abs.resolve("index.json"), ImageIndex.create(List.of()).raw());
            }
        } catch (AccessDeniedException e) {
            throw new StoreException(
                    "cannot use the store at " + abs + ": permission denied (set WHITTLE_ROOT to a directory you own)");
        } catch (IOException e) {
            throw new StoreException("cannot open the store at " + abs + ": " + e.getMessage(), e);
        }
        Holder h = OPEN.compute(abs, (k, cur) -> {
            if (cur != null) {
                cur.refs++;
                return cur;
            }
            return Holder.lockShared(abs);
        });
        return new Store(abs, h);
    }

    public Path root() {
        return root;
    }

    public Path stateDir() {
        return root.resolve("whittle");
    }

    // ------------------------------------------------------------------------------------------------ blobs

    public Path blobPath(Digest d) {
        return root.resolve("blobs").resolve(d.algorithm()).resolve(d.hex());
    }

    public boolean hasBlob(Digest d) {
        return Files.exists(blobPath(d));
    }

    public long blobSize(Digest d) {
        try {
            return Files.size(blobPath(d));
        } catch (IOException e) {
            throw new StoreException("blob " + d + " is missing from the store", e);
        }
    }

    public InputStream openBlob(Digest d) throws IOException {
        try {
            return Files.newInputStream(blobPath(d));
        } catch (NoSuchFileException e) {
            throw new StoreException("blob " + d + " is missing from the store (run whittle system fsck)");
        }
    }

    /** Reads a small blob (manifest, config) and verifies it against its digest. */
    public byte[] readBlob(Digest d) {
        try {
            Path p = blobPath(d);
            if (Files.size(p) > Json.MAX_DOCUMENT)
                throw new StoreException("blob " + d + " is too large to be a JSON document");
            byte[] b = Files.readAllBytes(p);
            if (!Digest.sha256(b).equals(d))
                throw new StoreException("blob " + d + " is corrupt: its content does not match its digest");
            return b;
        } catch (NoSuchFileException e) {
            throw new StoreException("blob " + d + " is missing from the store (run whittle system fsck)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts writing a blob; commit it or close it to discard. */
    public BlobSink newBlob() throws IOException {
        return new BlobSink(this, AtomicFiles.newTemp(root.resolve("whittle/tmp"), "blob-", ".part", false));
    }

    public Digest putBlob(byte[] data) throws IOException {
        Digest d = Digest.sha256(data);
        if (hasBlob(d)) return d;
        try (BlobSink s = newBlob()) {
            s.stream().write(data);
            return s.commit(d, data.length);
        }
    }

    public Path tempDir() {
        return root.resolve("whittle/tmp");
    }

    // ----------------------------------------------------------------------------------------------- layers

    private Path layerInfoPath(Digest diffId) {
        return root.resolve("whittle/layers").resolve(diffId.hex() + ".json");
    }

    private Path tocPath(Digest diffId) {
        return root.resolve("whittle/toc").resolve(diffId.hex());
    }

    /**
     * Metadata of a layer, or null if the store has never seen it. A layer whose blob was fetched but not yet read
     * (a pending claim, see {@link #pendingBlobs}) is verified against its diffID and indexed here, on its first use.
     */
    public LayerInfo layer(Digest diffId) {
        LayerInfo recorded = recordedLayer(diffId);
        if (recorded != null) return recorded;
        LayerInfo pending = verifyPending(diffId);
        return pending != null ? pending : fetchKnown(diffId);
    }

    /** Whether the store holds the layer, verified or waiting for its first use. */
    public boolean holdsLayer(Digest diffId) {
        return recordedLayer(diffId) != null || !pendingBlobs(diffId).isEmpty();
    }

    /**
     * Whether {@code blob} is in the store and holds the layer: recorded as one of its blobs, or fetched and waiting to
     * be verified as it. Nothing is read but the layer's record, so a lookup can ask it of every layer of an image.
     */
    public boolean holdsLayerIn(Digest diffId, Digest blob) {
        if (!hasBlob(blob)) return false;
        LayerInfo info = recordedLayer(diffId);
        return info != null && info.blobs().containsKey(blob)
                || pendingBlobs(diffId).containsKey(blob);
    }

    /**
     * The store's own descriptor of one of a layer's blobs: the media type the layer was recorded with and the blob's
     * size on disk; null when {@code info} names no such blob or the blob is gone. What a step-cache entry or an
     * imported cache says of the blob is never taken for it.
     */
    public Descriptor layerBlob(LayerInfo info, Digest blob) {
        String type = info.blobs().get(blob);
        if (type == null || !hasBlob(blob)) return null;
        return new Descriptor(type, blob, blobSize(blob));
    }

    /** The layer's recorded metadata; null when there is none, even if a fetched blob waits to be verified as it. */
    public LayerInfo recordedLayer(Digest diffId) {
        Path p = layerInfoPath(diffId);
        try {
            return LayerInfo.fromJson(Files.readAllBytes(p));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw new StoreException("layer metadata " + p + " is corrupt: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------------------- layers known by descriptor

    /**
     * Brings one layer into the store, verified, and returns its record; a layer it cannot bring is a
     * {@link StoreException} saying why and what to do.
     */
    @FunctionalInterface
    public interface LayerSource {
        LayerInfo fetch();
    }

    /** Layers this process knows by descriptor only, fetched on their first use (see {@link #fetchOnFirstUse}). */
    private final ConcurrentHashMap<Digest, LayerSource> known = new ConcurrentHashMap<>();

    /**
     * Makes {@link #layer} fetch the layer from {@code source} when something first needs it (its files, its size, its
     * blob), in this process only: a build's step that hit an imported cache records the layer's descriptor and
     * downloads nothing until a later step, or the image being stored, reads it.
     */
    public void fetchOnFirstUse(Digest diffId, LayerSource source) {
        known.putIfAbsent(diffId, source);
    }

    /** Whether the layer is known by descriptor only (not fetched yet). */
    public boolean isKnownOnly(Digest diffId) {
        return known.containsKey(diffId) && recordedLayer(diffId) == null;
    }

    private LayerInfo fetchKnown(Digest diffId) {
        LayerSource source = known.get(diffId);
        if (source == null) return null;
        synchronized (verifying.computeIfAbsent(diffId, k -> new Object())) {
            LayerInfo done = recordedLayer(diffId);
            return done != null ? done : source.fetch();
        }
    }

    // ------------------------------------------------------------------------------------- pending layers

    private Path pendingDir(Digest diffId) {
        return root.resolve("whittle/pending").resolve(diffId.hex());
    }

    /**
     * The fetched blobs waiting to be verified as the layer, with their media types: {@code whittle/pending/<diffID>/
     * <blob>} files, which whittle pull wrote before it checked layers behind their downloads (an image named with
     * such a claim came in unverified; its first use verifies it).
     */
    Map<Digest, String> pendingBlobs(Digest diffId) {
        Path dir = pendingDir(diffId);
        if (!Files.isDirectory(dir)) return Map.of();
        Map<Digest, String> out = new TreeMap<>();
        try (var ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (!Digest.isDigest("sha256:" + name)) continue;
                out.put(new Digest("sha256", name), Files.readString(p).trim());
            }
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private final ConcurrentHashMap<Digest, Object> verifying = new ConcurrentHashMap<>();

    /**
     * Verifies the waiting layers among {@code diffIds} and fetches those known by descriptor only, several at once
     * (each reads, inflates and hashes on its own threads, so two cover these machines' cores). Afterwards
     * {@link #layer} answers for them without reading.
     */
    public void verifyPendingLayers(List<Digest> diffIds) {
        verifyPendingLayers(diffIds, null);
    }

    /** Told when a layer known by descriptor only is fetched: a build shows the download as a progress row. */
    public interface FetchWatch {
        /** The fetch starts; the returned action runs when the layer is in the store (not when the fetch fails). */
        Runnable fetching(Digest diffId);
    }

    /** {@link #verifyPendingLayers(List)}, telling {@code watch} (null: nobody) about each layer it downloads. */
    public void verifyPendingLayers(List<Digest> diffIds, FetchWatch watch) {
        List<Digest> waiting = diffIds.stream()
                .distinct()
                .filter(d -> recordedLayer(d) == null
                        && (known.containsKey(d) || !pendingBlobs(d).isEmpty()))
                .toList();
        if (waiting.size() <= 1) {
            waiting.forEach(d -> watched(d, watch));
            return;
        }
        try (var pool = Executors.newFixedThreadPool(
                2, Thread.ofPlatform().daemon().name("layer-verify-", 0).factory())) {
            List<Future<LayerInfo>> results = new ArrayList<>();
            for (Digest d : waiting) results.add(pool.submit(() -> watched(d, watch)));
            for (var r : results) {
                try {
                    r.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException re) throw re;
                    throw new StoreException("cannot verify a layer: " + e.getCause(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StoreException("interrupted while verifying layers");
                }
            }
        }
    }

    private LayerInfo watched(Digest diffId, FetchWatch watch) {
        if (watch == null || !isKnownOnly(diffId)) return layer(diffId);
        Runnable fetched = watch.fetching(diffId);
        LayerInfo info = layer(diffId);
        fetched.run();
        return info;
    }

    /** Verifies the first waiting blob that holds the layer and records it; null when no blob waits. */
    private LayerInfo verifyPending(Digest diffId) {
        synchronized (verifying.computeIfAbsent(diffId, k -> new Object())) {
            return verifyPendingLocked(diffId);
        }
    }

    private LayerInfo verifyPendingLocked(Digest diffId) {
        LayerInfo done = recordedLayer(diffId);
        if (done != null) return done;
        Map<Digest, String> waiting = pendingBlobs(diffId);
        if (waiting.isEmpty()) return null;
        StoreException failure = null;
        for (Map.Entry<Digest, String> e : waiting.entrySet()) {
            if (!hasBlob(e.getKey())) continue;
            try {
                LayerInfo info = LayerIngest.verifyStored(this, e.getKey(), e.getValue(), diffId);
                Maintenance.deleteTree(pendingDir(diffId));
                return info;
            } catch (StoreException | TarFormatException ex) {
                // the claim is kept: it marks the image, so every use fails the same way (and fsck reports it) until
                // the image is removed
                failure = pendingFailure(diffId, e.getKey(), ex);
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        if (failure != null) throw failure;
        return null;
    }

    /** Why a pending blob is not the layer, naming the images that use it, the layer's place and what was expected. */
    private StoreException pendingFailure(Digest diffId, Digest blob, RuntimeException why) {
        List<Images.LayerUse> uses = new Images(this).usesOfLayerBlob(blob);
        StringBuilder m = new StringBuilder();
        for (Images.LayerUse u : uses) {
            m.append(m.isEmpty() ? "image " : "; image ")
                    .append(u.image())
                    .append(": layer ")
                    .append(u.index() + 1)
                    .append(" of ")
                    .append(u.count());
        }
        m.append(m.isEmpty() ? "layer blob " + blob : " (blob " + blob + ")");
        m.append(
                why instanceof DiffIdMismatchException x
                        ? " is not the layer its config names: expected diffID " + diffId + ", the blob holds "
                                + x.actual()
                        : ": " + why.getMessage());
        if (!uses.isEmpty())
            m.append(". The image cannot be used: remove it (whittle rmi ")
                    .append(uses.getFirst().image())
                    .append(") and pull it again");
        return new StoreException(m.toString(), why);
    }

    /** Records (or adds a blob variant to) a layer's metadata and writes its table of contents. */
    public synchronized LayerInfo recordLayer(
            Digest diffId, long contentSize, long tarSize, Digest blob, String mediaType, LayerToc toc)
            throws IOException {
        LayerInfo cur = recordedLayer(diffId);
        LayerInfo next =
                (cur == null ? new LayerInfo(diffId, contentSize, tarSize, Map.of()) : cur).withBlob(blob, mediaType);
        if (toc != null && !Files.exists(tocPath(diffId))) AtomicFiles.write(tocPath(diffId), toc.serialize());
        if (!next.equals(cur)) AtomicFiles.write(layerInfoPath(diffId), next.toJson());
        return next;
    }

    /**
     * Tables of contents already read by this process: a layer's never changes (it is named by its content), and a
     * build asks for a base image's again at every step that looks at the stage's files (25 000 entries for the Go
     * toolchain: 15–45 ms to read each time). Soft, so memory pressure drops them.
     */
    private final ConcurrentHashMap<Digest, SoftReference<LayerToc>> tocs = new ConcurrentHashMap<>();

    /** The layer's table of contents, rebuilt from its blob if it was never recorded. */
    public LayerToc toc(Digest diffId) throws IOException {
        SoftReference<LayerToc> cached = tocs.get(diffId);
        LayerToc hit = cached == null ? null : cached.get();
        if (hit != null) return hit;
        LayerToc read = readToc(diffId);
        tocs.put(diffId, new SoftReference<>(read));
        return read;
    }

    private LayerToc readToc(Digest diffId) throws IOException {
        Path p = tocPath(diffId);
        try (InputStream in = Files.newInputStream(p)) {
            return LayerToc.read(in);
        } catch (NoSuchFileException e) {
            LayerScanner s = new LayerScanner();
            try (InputStream in = openLayer(diffId)) {
                s.scan(new TarReader(in));
            }
            AtomicFiles.write(p, s.toc().serialize());
            return s.toc();
        }
    }

    /** The uncompressed tar of a layer, from whichever blob holds it (the uncompressed one when there is one). */
    public InputStream openLayer(Digest diffId) throws IOException {
        LayerInfo info = layer(diffId);
        if (info == null) throw new StoreException("layer " + diffId + " is not in the store");
        Digest best = null;
        for (Map.Entry<Digest, String> e : info.blobs().entrySet()) {
            if (!hasBlob(e.getKey())) continue;
            if (MediaType.layerCompression(e.getValue()) == MediaType.Compression.NONE) {
                best = e.getKey();
                break;
            }
            if (best == null) best = e.getKey();
        }
        if (best == null)
            throw new StoreException("no blob of layer " + diffId + " is in the store (run whittle system fsck)");
        return Compression.decompress(new BufferedInputStream(openBlob(best), 1 << 16));
    }

    /** The uncompressed blob file of a layer if the store has one (random access for readers), else null. */
    public Path uncompressedLayerFile(Digest diffId) {
        LayerInfo info = layer(diffId);
        if (info == null) return null;
        for (Map.Entry<Digest, String> e : info.blobs().entrySet()) {
            if (MediaType.layerCompression(e.getValue()) == MediaType.Compression.NONE && hasBlob(e.getKey())) {
                return blobPath(e.getKey());
            }
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------------ index

    /** The entries of index.json: one per image name, plus one per unnamed (dangling) image. */
    @SuppressWarnings("unchecked")
    public List<Descriptor> indexEntries() {
        Path index = root.resolve("index.json");
        try {
            // a command reads the index several times (resolve, name, list): parsed once while the file stays the same
            Object version = Files.readAttributes(index, "unix:ino,size,lastModifiedTime,ctime")
                    .values()
                    .toString();
            Object[] seen = indexSeen;
            if (seen != null && seen[0].equals(version)) return (List<Descriptor>) seen[1];
            List<Descriptor> entries = List.copyOf(parseIndex(Files.readAllBytes(index)));
            indexSeen = new Object[] {version, entries};
            return entries;
        } catch (IOException e) {
            throw new StoreException("cannot read " + index + ": " + e.getMessage(), e);
        }
    }

    /** The index as last read: {attributes, entries}. */
    private volatile Object[] indexSeen;

    private List<Descriptor> parseIndex(byte[] raw) {
        try {
            return ImageIndex.parse(raw, null).manifests();
        } catch (RuntimeException e) {
            throw new StoreException(root.resolve("index.json") + " is corrupt: " + e.getMessage(), e);
        }
    }

    /**
     * Reads, changes and atomically rewrites index.json under an exclusive lock; not rewritten when the change leaves
     * it as it was (a rebuild that names the image it named before: two fsyncs saved).
     */
    public List<Descriptor> updateIndex(UnaryOperator<List<Descriptor>> change) {
        Path lockFile = root.resolve("whittle/index.lock");
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock _ = lockQuietly(ch)) {
            Path index = root.resolve("index.json");
            byte[] before = Files.readAllBytes(index);
            List<Descriptor> next = change.apply(new ArrayList<>(parseIndex(before)));
            byte[] after = ImageIndex.create(next).raw();
            if (!Arrays.equals(before, after)) AtomicFiles.write(index, after);
            return next;
        } catch (IOException e) {
            throw new StoreException("cannot update " + root.resolve("index.json") + ": " + e.getMessage(), e);
        }
    }

    private static final Object INDEX_MONITOR = new Object();

    private static FileLock lockQuietly(FileChannel ch) throws IOException {
        // FileLock is per process: serialise threads of this JVM first
        synchronized (INDEX_MONITOR) {
            while (true) {
                try {
                    return ch.lock();
                } catch (OverlappingFileLockException e) {
                    try {
                        INDEX_MONITOR.wait(5);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException();
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ locks

    /**
     * Runs {@code action} with the store locked exclusively (no other whittle process at work). Used by garbage
     * collection. When {@code wait} is false and other processes hold the store, returns false without running.
     */
    public boolean withExclusiveLock(boolean wait, Runnable onWait, IORunnable action) throws IOException {
        return holder.exclusive(wait, onWait, action);
    }

    /**
     * Runs {@code action} with the store locked exclusively, but only when nothing else uses it: no other whittle
     * process, and no other open store of this process on the same root (tests run many commands in one JVM, and the
     * file lock is the process's). Never waits. Returns whether it ran.
     */
    public boolean whenAlone(IORunnable action) throws IOException {
        IOException[] failed = {null};
        boolean[] ran = {false};
        OPEN.computeIfPresent(root, (k, h) -> {
            if (h.refs == 1) {
                try {
                    ran[0] = h.exclusive(false, null, action);
                } catch (IOException e) {
                    failed[0] = e;
                }
            }
            return h;
        });
        if (failed[0] != null) throw failed[0];
        return ran[0];
    }

    /** An action that may fail with I/O errors. */
    public interface IORunnable {
        void run() throws IOException;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        OPEN.compute(root, (k, cur) -> {
            if (cur == null) return null;
            if (--cur.refs > 0) return cur;
            cur.release();
            return null;
        });
    }

    /** The process-wide shared lock on one store, shared by all Store objects of this JVM. */
    private static final class Holder {
        final Path root;
        FileChannel channel;
        FileLock lock;
        int refs = 1;

        private Holder(Path root) {
            this.root = root;
        }

        static Holder lockShared(Path root) {
            Holder h = new Holder(root);
            try {
                h.channel = FileChannel.open(
                        root.resolve("whittle/lock"),
                        StandardOpenOption.CREATE,
                        StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                h.lock = h.channel.lock(0, Long.MAX_VALUE, true);
            } catch (IOException e) {
                throw new StoreException("cannot lock the store at " + root + ": " + e.getMessage(), e);
            }
            return h;
        }

        synchronized boolean exclusive(boolean wait, Runnable onWait, IORunnable action) throws IOException {
            lock.release();
            FileLock ex = channel.tryLock(0, Long.MAX_VALUE, false);
            try {
                if (ex == null) {
                    if (!wait) return false;
                    if (onWait != null) onWait.run();
                    ex = channel.lock(0, Long.MAX_VALUE, false);
                }
                action.run();
                return true;
            } finally {
                if (ex != null) ex.release();
                lock = channel.lock(0, Long.MAX_VALUE, true);
            }
        }

        void release() {
            try {
                if (lock != null) lock.release();
                channel.close();
            } catch (IOException ignored) {
                // the OS releases it with the process anyway
            }
        }
    }
}
