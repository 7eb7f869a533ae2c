package dev.whittle.tar;

/** OCI layer whiteouts: {@code .wh.<name>} deletes a lower path, {@code .wh..wh..opq} hides a directory's lower children. */
public final class Whiteouts {
    public static final String PREFIX = ".wh.";
    public static final String OPAQUE = ".wh..wh..opq";
    /** AUFS metadata names other than the opaque marker, skipped as docker does. */
    public static final String META_PREFIX = ".wh..wh.";

    private Whiteouts() {}

    public static boolean isWhiteout(String baseName) {
        return baseName.startsWith(PREFIX);
    }

    /** The name a whiteout deletes, or null for the opaque marker and AUFS metadata. Refuses {@code .wh.}, {@code .wh..}. */
    public static String target(String baseName) {
        if (baseName.equals(OPAQUE) || baseName.startsWith(META_PREFIX)) return null;
        String t = baseName.substring(PREFIX.length());
        if (t.isEmpty() || t.equals(".") || t.equals("..")) {
            throw new TarFormatException("invalid whiteout entry \"" + baseName + "\"");
        }
        return t;
    }
}
