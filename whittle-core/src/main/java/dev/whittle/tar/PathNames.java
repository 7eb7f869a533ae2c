package dev.whittle.tar;

import java.util.ArrayDeque;
import java.util.Deque;

/** Lexical path handling for names inside images and archives. */
public final class PathNames {
    private PathNames() {}

    /**
     * Normalises a tar entry name: strips leading {@code /} and {@code ./}, removes empty and {@code .} components,
     * resolves {@code ..}. Returns "" for the root itself.
     *
     * @throws TarFormatException if {@code ..} would climb above the root (a breakout attempt)
     */
    public static String normalize(String name) {
        String cleaned = clean(name);
        if (cleaned == null) throw new TarFormatException("path \"" + name + "\" escapes the root with \"..\"");
        return cleaned;
    }

    /** Like {@link #normalize} but returns null instead of throwing. */
    public static String clean(String name) {
        if (name.indexOf('\0') >= 0) return null;
        Deque<String> parts = new ArrayDeque<>();
        int i = 0, n = name.length();
        while (i < n) {
            int j = name.indexOf('/', i);
            if (j < 0) j = n;
            String c = name.substring(i, j);
            if (c.isEmpty() || c.equals(".")) {
                // skip
            } else if (c.equals("..")) {
                if (parts.isEmpty()) return null;
                parts.removeLast();
            } else {
                parts.addLast(c);
            }
            i = j + 1;
        }
        return String.join("/", parts);
    }

    /** Cleans a path like Go's path.Clean relative to the root, clamping {@code ..} at the root (chroot semantics). */
    public static String clampToRoot(String name) {
        Deque<String> parts = new ArrayDeque<>();
        for (String c : name.split("/")) {
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) {
                if (!parts.isEmpty()) parts.removeLast();
            } else {
                parts.addLast(c);
            }
        }
        return String.join("/", parts);
    }

    public static String parent(String path) {
        int i = path.lastIndexOf('/');
        return i < 0 ? "" : path.substring(0, i);
    }

    public static String baseName(String path) {
        int i = path.lastIndexOf('/');
        return i < 0 ? path : path.substring(i + 1);
    }

    public static String join(String dir, String name) {
        if (dir.isEmpty()) return name;
        if (name.isEmpty()) return dir;
        return dir + "/" + name;
    }

    /** True if {@code path} is {@code dir} or lies below it ("" is the root and contains everything). */
    public static boolean isWithin(String path, String dir) {
        return dir.isEmpty() || path.equals(dir) || (path.startsWith(dir) && path.charAt(dir.length()) == '/');
    }
}
