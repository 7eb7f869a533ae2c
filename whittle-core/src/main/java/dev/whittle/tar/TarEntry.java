package dev.whittle.tar;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One tar entry's metadata. {@code name} is normalised ({@link PathNames#normalize}): relative, no leading
 * {@code ./} or {@code /}, no trailing slash. {@code mode} holds the permission and setuid/setgid/sticky bits only.
 * Extended attributes keep their raw bytes (security.capability is binary).
 */
public record TarEntry(
        String name,
        Type type,
        int mode,
        long uid,
        long gid,
        long size,
        long mtime,
        String linkName,
        int devMajor,
        int devMinor,
        Map<String, byte[]> xattrs) {

    public enum Type {
        FILE('0'),
        HARDLINK('1'),
        SYMLINK('2'),
        CHAR('3'),
        BLOCK('4'),
        DIR('5'),
        FIFO('6');

        final char flag;

        Type(char flag) {
            this.flag = flag;
        }
    }

    public TarEntry {
        mode &= 07777;
        if (linkName == null) linkName = "";
        xattrs = xattrs == null || xattrs.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(xattrs));
        if (type != Type.FILE) size = 0;
    }

    public static TarEntry dir(String name, int mode, long mtime) {
        return new TarEntry(name, Type.DIR, mode, 0, 0, 0, mtime, "", 0, 0, null);
    }

    public static TarEntry file(String name, int mode, long size, long mtime) {
        return new TarEntry(name, Type.FILE, mode, 0, 0, size, mtime, "", 0, 0, null);
    }

    public static TarEntry symlink(String name, String target, long mtime) {
        return new TarEntry(name, Type.SYMLINK, 0777, 0, 0, 0, mtime, target, 0, 0, null);
    }

    public boolean isDir() {
        return type == Type.DIR;
    }

    public boolean isFile() {
        return type == Type.FILE;
    }

    /**
     * The bytes this entry adds to a layer's size as docker reports it: docker measures the unpacked layer directory
     * ({@code directory.Size}: lstat sizes of everything but directories), so a file counts its content and a
     * symlink the length of its target.
     */
    public long diskSize() {
        return switch (type) {
            case FILE -> size;
            case SYMLINK -> linkName.getBytes(StandardCharsets.UTF_8).length;
            default -> 0;
        };
    }

    /** The last path component. */
    public String baseName() {
        int i = name.lastIndexOf('/');
        return i < 0 ? name : name.substring(i + 1);
    }

    /** The parent directory ("" for a top-level entry). */
    public String parent() {
        int i = name.lastIndexOf('/');
        return i < 0 ? "" : name.substring(0, i);
    }

    public TarEntry withName(String n) {
        return new TarEntry(n, type, mode, uid, gid, size, mtime, linkName, devMajor, devMinor, xattrs);
    }

    public TarEntry withLinkName(String l) {
        return new TarEntry(name, type, mode, uid, gid, size, mtime, l, devMajor, devMinor, xattrs);
    }

    public TarEntry withOwner(long u, long g) {
        return new TarEntry(name, type, mode, u, g, size, mtime, linkName, devMajor, devMinor, xattrs);
    }

    public TarEntry withMode(int m) {
        return new TarEntry(name, type, m, uid, gid, size, mtime, linkName, devMajor, devMinor, xattrs);
    }

    public TarEntry withMtime(long t) {
        return new TarEntry(name, type, mode, uid, gid, size, t, linkName, devMajor, devMinor, xattrs);
    }

    public TarEntry withSize(long s) {
        return new TarEntry(name, type, mode, uid, gid, s, mtime, linkName, devMajor, devMinor, xattrs);
    }

    public TarEntry asFile(long s) {
        return new TarEntry(name, Type.FILE, mode, uid, gid, s, mtime, "", 0, 0, xattrs);
    }

    public TarEntry withXattrs(Map<String, byte[]> x) {
        return new TarEntry(name, type, mode, uid, gid, size, mtime, linkName, devMajor, devMinor, x);
    }

    /** {@code ls -l} style type and permission string, e.g. {@code -rwsr-xr-x}. */
    public String modeString() {
        char t = switch (type) {
            case DIR -> 'd';
            case SYMLINK -> 'l';
            case CHAR -> 'c';
            case BLOCK -> 'b';
            case FIFO -> 'p';
            case HARDLINK -> 'h';
            default -> '-';
        };
        StringBuilder sb = new StringBuilder().append(t);
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) sb.append((mode & (0400 >> i)) != 0 ? rwx.charAt(i) : '-');
        if ((mode & 04000) != 0) sb.setCharAt(3, (mode & 0100) != 0 ? 's' : 'S');
        if ((mode & 02000) != 0) sb.setCharAt(6, (mode & 010) != 0 ? 's' : 'S');
        if ((mode & 01000) != 0) sb.setCharAt(9, (mode & 01) != 0 ? 't' : 'T');
        return sb.toString();
    }
}
