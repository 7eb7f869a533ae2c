package dev.whittle.tar;

import java.util.Map;

/**
 * What one layer entry may ask of the kernel that unpacks it. A tar can describe more than any runtime can create:
 * names longer than the kernel takes, capability sets it refuses to store, and overlayfs's own metadata, which an
 * overlay-backed runtime would obey (hiding or redirecting the files of the layers below) instead of storing it.
 * Each check names the entry and what is wrong; {@link #isOverlayXattr} also guards unpacking.
 */
public final class EntryRules {
    /** The longest path the kernel takes, its terminating NUL included (linux/limits.h). */
    public static final int PATH_MAX = 4096;
    /** The longest name of one path component on Linux filesystems. */
    public static final int NAME_MAX = 255;

    private static final String CAPABILITY = "security.capability";
    private static final int CAP_REVISION_2 = 0x02000000, CAP_REVISION_3 = 0x03000000, CAP_FLAGS_EFFECTIVE = 0x1;
    private static final int CAP_SIZE_2 = 20, CAP_SIZE_3 = 24;

    private EntryRules() {}

    /** Refuses an entry no runtime can create as the tar describes it. */
    public static void check(TarEntry e) {
        checkName(e);
        if (e.type() == TarEntry.Type.SYMLINK && utf8Length(e.linkName()) >= PATH_MAX) {
            throw refused(
                    e,
                    "is a symlink whose target is " + utf8Length(e.linkName())
                            + " bytes long; symlink(2) takes at most " + (PATH_MAX - 1));
        }
        checkDevice(e);
        for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
            if (isOverlayXattr(x.getKey())) {
                throw refused(
                        e,
                        "carries the xattr " + x.getKey() + ", overlayfs's own metadata, which would hide or redirect"
                                + " files of the layers below");
            }
            if (x.getKey().equals(CAPABILITY)) checkCapability(e, x.getValue());
        }
    }

    /**
     * Refuses a 0/0 character device: that is how overlayfs marks a whiteout, so an overlay-backed runtime would delete
     * the path from the layers below instead of creating a device (OCI layers delete with {@code .wh.} entries).
     */
    public static void checkDevice(TarEntry e) {
        if (e.type() == TarEntry.Type.CHAR && e.devMajor() == 0 && e.devMinor() == 0) {
            throw refused(
                    e, "is a 0/0 character device, overlayfs's whiteout (OCI layers delete with \".wh.\" entries)");
        }
    }

    /**
     * Whether an xattr is overlayfs's metadata: {@code trusted.overlay.*}, or {@code user.overlay.*} for an overlay
     * mounted with {@code userxattr}, or fuse-overlayfs's {@code user.fuseoverlayfs.*} (rootless whittle's fallback).
     * Only whittle's own translation of OCI whiteouts may write these in a snapshot.
     */
    public static boolean isOverlayXattr(String name) {
        return name.startsWith("trusted.overlay.")
                || name.startsWith("user.overlay.")
                || name.startsWith("user.fuseoverlayfs.");
    }

    private static void checkName(TarEntry e) {
        String name = e.name();
        // the path as a process in the container names it, "/" + name, must fit PATH_MAX with its NUL
        if (utf8Length(name) + 2 > PATH_MAX) {
            throw refused(
                    e,
                    "is too long: with its leading / and NUL it needs " + (utf8Length(name) + 2)
                            + " bytes, more than the kernel takes (PATH_MAX, " + PATH_MAX + ")");
        }
        for (int i = 0, n = name.length(); i < n; ) {
            int j = name.indexOf('/', i);
            if (j < 0) j = n;
            int len = utf8Length(name, i, j);
            if (len > NAME_MAX) {
                throw refused(
                        e,
                        "has a path component of " + len + " bytes; names longer than " + NAME_MAX
                                + " bytes (NAME_MAX) cannot be created");
            }
            i = j + 1;
        }
    }

    /**
     * The kernel stores a file capability set only in its version 2 (20 bytes) or version 3 (24 bytes, with the
     * owning namespace's root uid) form, with no flag but "effective" (security/commoncap.c, validheader); any other
     * value makes setxattr fail with EINVAL, so no runtime can unpack the file.
     */
    private static void checkCapability(TarEntry e, byte[] v) {
        int magic = v.length >= 4 ? (v[0] & 0xff) | (v[1] & 0xff) << 8 | (v[2] & 0xff) << 16 | (v[3] & 0xff) << 24 : 0;
        int revision = magic & ~CAP_FLAGS_EFFECTIVE;
        boolean v2 = v.length == CAP_SIZE_2 && revision == CAP_REVISION_2;
        boolean v3 = v.length == CAP_SIZE_3
                && revision == CAP_REVISION_3
                && !(v[20] == -1 && v[21] == -1 && v[22] == -1 && v[23] == -1);
        if (!v2 && !v3) {
            throw refused(
                    e,
                    "has a malformed " + CAPABILITY + " xattr (" + v.length + " bytes, header 0x"
                            + String.format("%08x", magic)
                            + "); the kernel stores only version 2 (20 bytes) or version 3 (24 bytes)"
                            + " capability sets and refuses this one");
        }
    }

    private static TarFormatException refused(TarEntry e, String why) {
        return new TarFormatException("entry \"" + shortName(e.name()) + "\" " + why);
    }

    /** The name, or its start and length when it is too long to print whole. */
    static String shortName(String name) {
        return name.length() <= 120 ? name : name.substring(0, 80) + "…(" + utf8Length(name) + " bytes)";
    }

    private static int utf8Length(String s) {
        return utf8Length(s, 0, s.length());
    }

    /** The UTF-8 length of {@code s[from, to)}, without encoding it (every entry of every layer passes here). */
    private static int utf8Length(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < 0x80) n++;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else n += 3;
        }
        return n;
    }
}
