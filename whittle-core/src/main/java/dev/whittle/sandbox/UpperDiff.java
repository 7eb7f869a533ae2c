package dev.whittle.sandbox;

import dev.whittle.store.LayerWriter;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.Whiteouts;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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

    private void walk(Path dir, String rel, LayerWriter out) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) children.add(p);
        }
        children.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        for (Path p : children) {
            String name = rel.isEmpty() ? p.getFileName().toString() : rel + "/" + p.getFileName();
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime,ino,dev,nlink,rdev", NOFOLLOW);
            int mode = (Integer) a.get("mode");
            int type = mode & S_IFMT;
            long uid = (Integer) a.get("uid"), gid = (Integer) a.get("gid");
            long mtime = ((FileTime) a.get("lastModifiedTime")).toMillis() / 1000;
            if (clampMtime >= 0 && mtime > clampMtime) mtime = clampMtime;
            if (type == Posix.S_IFCHR && (Long) a.get("rdev") == 0) {
                // overlay whiteout: the path was deleted
                String parent = rel;
                out.entry(new TarEntry((parent.isEmpty() ? "" : parent + "/") + Whiteouts.PREFIX + p.getFileName(), TarEntry.Type.FILE,
                        0, 0, 0, 0, mtime, "", 0, 0, null));
                continue;
            }
            Map<String, byte[]> xattrs = xattrs(p, type == S_IFLNK);
            switch (type) {
                case S_IFDIR -> {
                    byte[] opaque = Posix.lgetxattr(p, "trusted.overlay.opaque");
                    out.entry(new TarEntry(name, TarEntry.Type.DIR, mode, uid, gid, 0, mtime, "", 0, 0, xattrs));
                    if (opaque != null && opaque.length == 1 && opaque[0] == 'y') {
                        out.entry(new TarEntry(name + "/" + Whiteouts.OPAQUE, TarEntry.Type.FILE, 0, 0, 0, 0, mtime, "", 0, 0, null));
                    }
                    walk(p, name, out);
                }
                case S_IFREG -> {
                    String key = a.get("dev") + ":" + a.get("ino");
                    if ((Integer) a.get("nlink") > 1) {
                        String first = inodes.putIfAbsent(key, name);
                        if (first != null) {
                            out.entry(new TarEntry(name, TarEntry.Type.HARDLINK, mode, uid, gid, 0, mtime, first, 0, 0, null));
                            continue;
                        }
                    }
                    long size = (Long) a.get("size");
                    out.entry(new TarEntry(name, TarEntry.Type.FILE, mode, uid, gid, size, mtime, "", 0, 0, xattrs));
                    try (InputStream in = Files.newInputStream(p)) {
                        out.content(in);
                    }
                }
                case S_IFLNK -> out.entry(new TarEntry(name, TarEntry.Type.SYMLINK, 0777, uid, gid, 0, mtime,
                        Files.readSymbolicLink(p).toString(), 0, 0, xattrs));
                default -> {
                    long rdev = (Long) a.get("rdev");
                    int major = (int) (((rdev >> 8) & 0xfff) | ((rdev >> 32) & ~0xfff));
                    int minor = (int) ((rdev & 0xff) | ((rdev >> 12) & ~0xff));
                    TarEntry.Type t = type == Posix.S_IFCHR ? TarEntry.Type.CHAR : type == Posix.S_IFBLK ? TarEntry.Type.BLOCK : TarEntry.Type.FIFO;
                    out.entry(new TarEntry(name, t, mode, uid, gid, 0, mtime, "", major, minor, null));
                }
            }
        }
    }

    /** Extended attributes worth keeping: all but overlay's own bookkeeping and SELinux labels. */
    static Map<String, byte[]> xattrs(Path p, boolean symlink) throws IOException {
        List<String> names = Posix.llistxattr(p);
        if (names.isEmpty()) return null;
        Map<String, byte[]> out = new TreeMap<>();
        for (String n : names) {
            if (n.startsWith("trusted.overlay.") || n.equals("security.selinux")) continue;
            if (symlink && !n.startsWith("user.") && !n.startsWith("trusted.")) continue;
            byte[] v = Posix.lgetxattr(p, n);
            if (v != null) out.put(n, v);
        }
        return out.isEmpty() ? null : out;
    }
}
