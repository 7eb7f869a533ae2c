package dev.whittle.sandbox;

import dev.whittle.ffi.Posix;
import dev.whittle.store.LayerWriter;
import dev.whittle.tar.EntryRules;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.Whiteouts;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Turns an overlay upper directory — the change one RUN made — into a layer, without looking at the rest of the
 * root filesystem: 0/0 character devices become {@code .wh.} whiteouts, opaque directories get
 * {@code .wh..wh..opq}, hardlinks within the change stay hardlinks, setuid bits and file capabilities are kept.
 */
public final class UpperDiff {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final int S_IFMT = 0170000, S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000;

    private final Path upper;
    private final long clampMtime;
    private final Map<String, String> inodes = new HashMap<>();

    /** @param clampMtime SOURCE_DATE_EPOCH in seconds (times after it are clamped), or -1 */
    public UpperDiff(Path upper, long clampMtime) {
        this.upper = upper;
        this.clampMtime = clampMtime;
    }

    public void write(LayerWriter out) throws IOException {
        walk(upper, "", out);
    }

    /** What is read from the file system about one entry, so large directories can be read in parallel. */
    private record Info(
            int mode,
            long uid,
            long gid,
            long size,
            long mtimeSeconds,
            String inode,
            long nlink,
            int rdevMajor,
            int rdevMinor,
            Map<String, byte[]> xattrs,
            byte[] opaque) {
        /** Seconds as the JDK's FileTime.toMillis()/1000 gives them (truncated towards zero), so both paths agree. */
        static long seconds(long sec, int nanos) {
            return (sec * 1_000_000_000L + nanos) / 1_000_000 / 1000;
        }
    }

    private static final int PARALLEL_FROM = 512;
    private static volatile ExecutorService readers;

    private static ExecutorService readers() {
        ExecutorService r = readers;
        if (r == null) {
            synchronized (UpperDiff.class) {
                if (readers == null) {
                    readers = Executors.newFixedThreadPool(
                            Math.max(2, Runtime.getRuntime().availableProcessors()),
                            Thread.ofPlatform()
                                    .daemon()
                                    .name("whittle-stat-", 0)
                                    .factory());
                }
                r = readers;
            }
        }
        return r;
    }

    private static Info info(Path p) throws IOException {
        int mode, major, minor;
        long uid, gid, size, mtime, nlink;
        String inode;
        if (Posix.canStat()) {
            Posix.Stat st = Posix.lstat(p);
            if (st == null) throw new NoSuchFileException(p.toString());
            mode = st.mode();
            uid = st.uid();
            gid = st.gid();
            size = st.size();
            mtime = Info.seconds(st.mtimeSeconds(), st.mtimeNanos());
            inode = st.dev() + ":" + st.ino();
            nlink = st.nlink();
            major = st.rdevMajor();
            minor = st.rdevMinor();
        } else {
            Map<String, Object> a =
                    Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime,ino,dev,nlink,rdev", NOFOLLOW);
            mode = (Integer) a.get("mode");
            uid = (Integer) a.get("uid");
            gid = (Integer) a.get("gid");
            size = (Long) a.get("size");
            mtime = ((FileTime) a.get("lastModifiedTime")).toMillis() / 1000;
            inode = a.get("dev") + ":" + a.get("ino");
            nlink = (Integer) a.get("nlink");
            long rdev = (Long) a.get("rdev");
            major = (int) (((rdev >> 8) & 0xfff) | ((rdev >> 32) & ~0xfff));
            minor = (int) ((rdev & 0xff) | ((rdev >> 12) & ~0xff));
        }
        int type = mode & S_IFMT;
        boolean whiteout = type == Posix.S_IFCHR && major == 0 && minor == 0;
        Map<String, byte[]> xattrs = whiteout ? null : xattrs(p, type == S_IFLNK);
        byte[] opaque = whiteout || type != S_IFDIR
                ? null
                : Posix.canStat()
                        ? Posix.lgetxattrSmall(p, OverlayMount.opaqueXattr())
                        : Posix.lgetxattr(p, OverlayMount.opaqueXattr());
        return new Info(mode, uid, gid, size, mtime, inode, nlink, major, minor, xattrs, opaque);
    }

    /** Reads every entry's metadata: one stat and one listxattr each, spread over the CPUs for large directories. */
    private static List<Info> infos(List<Path> paths) throws IOException {
        List<Info> out = new ArrayList<>(paths.size());
        if (paths.size() < PARALLEL_FROM) {
            for (Path p : paths) out.add(info(p));
            return out;
        }
        int workers = Math.max(2, Runtime.getRuntime().availableProcessors());
        int chunk = (paths.size() + workers - 1) / workers;
        List<Future<List<Info>>> parts = new ArrayList<>();
        for (int from = 0; from < paths.size(); from += chunk) {
            List<Path> slice = paths.subList(from, Math.min(paths.size(), from + chunk));
            parts.add(readers().submit(() -> {
                List<Info> r = new ArrayList<>(slice.size());
                for (Path p : slice) r.add(info(p));
                return r;
            }));
        }
        try {
            for (Future<List<Info>> f : parts) out.addAll(f.get());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
        return out;
    }

    private void walk(Path dir, String rel, LayerWriter out) throws IOException {
        // names are taken once: a RUN that makes 100 000 files in one directory sorts them 1.7 million times
        TreeMap<String, Path> children = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) children.put(p.getFileName().toString(), p);
        }
        List<Path> paths = List.copyOf(children.values());
        List<Info> infos = infos(paths);
        int index = 0;
        for (Map.Entry<String, Path> child : children.entrySet()) {
            Path p = child.getValue();
            Info info = infos.get(index++);
            String name = rel.isEmpty() ? child.getKey() : rel + "/" + child.getKey();
            int mode = info.mode();
            int type = mode & S_IFMT;
            long uid = info.uid(), gid = info.gid();
            long mtime = info.mtimeSeconds();
            if (clampMtime >= 0 && mtime > clampMtime) mtime = clampMtime;
            if (type == Posix.S_IFCHR && info.rdevMajor() == 0 && info.rdevMinor() == 0) {
                // overlay whiteout: the path was deleted
                String parent = rel;
                out.entry(new TarEntry(
                        (parent.isEmpty() ? "" : parent + "/") + Whiteouts.PREFIX + child.getKey(),
                        TarEntry.Type.FILE,
                        0,
                        0,
                        0,
                        0,
                        mtime,
                        "",
                        0,
                        0,
                        null));
                continue;
            }
            Map<String, byte[]> xattrs = info.xattrs();
            switch (type) {
                case S_IFDIR -> {
                    byte[] opaque = info.opaque();
                    out.entry(new TarEntry(name, TarEntry.Type.DIR, mode, uid, gid, 0, mtime, "", 0, 0, xattrs));
                    if (opaque != null && opaque.length == 1 && opaque[0] == 'y') {
                        out.entry(new TarEntry(
                                name + "/" + Whiteouts.OPAQUE, TarEntry.Type.FILE, 0, 0, 0, 0, mtime, "", 0, 0, null));
                    }
                    walk(p, name, out);
                }
                case S_IFREG -> {
                    String key = info.inode();
                    if (info.nlink() > 1) {
                        String first = inodes.putIfAbsent(key, name);
                        if (first != null) {
                            out.entry(new TarEntry(
                                    name, TarEntry.Type.HARDLINK, mode, uid, gid, 0, mtime, first, 0, 0, null));
                            continue;
                        }
                    }
                    long size = info.size();
                    out.entry(new TarEntry(name, TarEntry.Type.FILE, mode, uid, gid, size, mtime, "", 0, 0, xattrs));
                    if (size > 0) {
                        try (InputStream in = Files.newInputStream(p)) {
                            out.content(in);
                        }
                    }
                }
                case S_IFLNK ->
                    out.entry(new TarEntry(
                            name,
                            TarEntry.Type.SYMLINK,
                            0777,
                            uid,
                            gid,
                            0,
                            mtime,
                            Files.readSymbolicLink(p).toString(),
                            0,
                            0,
                            xattrs));
                default -> {
                    int major = info.rdevMajor(), minor = info.rdevMinor();
                    TarEntry.Type t = type == Posix.S_IFCHR
                            ? TarEntry.Type.CHAR
                            : type == Posix.S_IFBLK ? TarEntry.Type.BLOCK : TarEntry.Type.FIFO;
                    out.entry(new TarEntry(name, t, mode, uid, gid, 0, mtime, "", major, minor, null));
                }
            }
        }
    }

    /**
     * Extended attributes worth keeping: all but overlay's own bookkeeping ({@code trusted.overlay.*}, and
     * {@code user.overlay.*}, which an overlay mounted with {@code userxattr} obeys: layers never carry either, see
     * {@link EntryRules}) and SELinux labels.
     */
    static Map<String, byte[]> xattrs(Path p, boolean symlink) throws IOException {
        if (Posix.canStat() && !Posix.hasXattrs(p)) return null; // the usual case, answered without allocating
        List<String> names = Posix.llistxattr(p);
        if (names.isEmpty()) return null;
        Map<String, byte[]> out = new TreeMap<>();
        for (String n : names) {
            if (EntryRules.isOverlayXattr(n) || n.equals("security.selinux")) continue;
            if (symlink && !n.startsWith("user.") && !n.startsWith("trusted.")) continue;
            byte[] v = Posix.lgetxattr(p, n);
            if (v != null) out.put(n, v);
        }
        return out.isEmpty() ? null : out;
    }
}
