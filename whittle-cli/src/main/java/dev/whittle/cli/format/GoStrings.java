package dev.whittle.cli.format;

import java.nio.charset.StandardCharsets;

/** Go strings are UTF-8 bytes: their length, order and indexing count bytes, not Java's UTF-16 units. */
final class GoStrings {
    private GoStrings() {}

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** len(s) in Go: the UTF-8 length, counted without encoding (a lone surrogate is U+FFFD, 3 bytes). */
    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) n++;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else n += 3;
        }
        return n;
    }

    /** Go's string comparison, byte by byte in UTF-8, which is code point order. */
    static int compare(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i), y = b.codePointAt(j);
            if (x != y) return Integer.compare(x, y);
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    /** s[from:to] by UTF-8 bytes; a cut through a character leaves U+FFFD for its pieces, as Java decodes them. */
    static String slice(String s, int from, int to) {
        if (from == 0 && to == utf8Length(s)) return s;
        byte[] b = utf8(s);
        return new String(b, from, to - from, StandardCharsets.UTF_8);
    }
}
