package dev.whittle.gotext;

/**
 * Go's strconv quoting, exactly: image history written as BuildKit writes it ({@code %q} of a HEALTHCHECK) and the
 * {@code --format} templates ({@code printf "%q"}, error messages) both need Go's escapes, so they share this copy.
 */
public final class Strconv {
    /** utf8.RuneError: what Go reads for an invalid rune. */
    public static final int RUNE_ERROR = 0xFFFD;

    private Strconv() {}

    /** strconv.Quote (or QuoteToASCII): Go's escapes for what is not printable. */
    public static String quote(String s, boolean ascii) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(r -> appendEscaped(sb, r, '"', ascii));
        return sb.append('"').toString();
    }

    /** strconv.QuoteRune (or QuoteRuneToASCII). */
    public static String quoteRune(int r, boolean ascii) {
        StringBuilder sb = new StringBuilder("'");
        appendEscaped(sb, r, '\'', ascii);
        return sb.append('\'').toString();
    }

    private static void appendEscaped(StringBuilder sb, int r, char quote, boolean ascii) {
        if (r >= 0xD800 && r <= 0xDFFF) r = RUNE_ERROR; // a lone surrogate: Go sees an invalid rune
        if (r == quote || r == '\\') {
            sb.append('\\').append((char) r);
            return;
        }
        if (ascii ? r < 0x80 && isPrint(r) : isPrint(r)) {
            sb.appendCodePoint(r);
            return;
        }
        switch (r) {
            case 7 -> sb.append("\\a");
            case '\b' -> sb.append("\\b");
            case '\f' -> sb.append("\\f");
            case '\n' -> sb.append("\\n");
            case '\r' -> sb.append("\\r");
            case '\t' -> sb.append("\\t");
            case 11 -> sb.append("\\v");
            default -> {
                if (r < ' ' || r == 0x7F) sb.append(String.format("\\x%02x", r));
                else if (r < 0x10000) sb.append(String.format("\\u%04x", r));
                else sb.append(String.format("\\U%08x", r));
            }
        }
    }

    /** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
    public static boolean isPrint(int r) {
        if (r == ' ') return true;
        return switch (Character.getType(r)) {
            case Character.CONTROL,
                    Character.FORMAT,
                    Character.SURROGATE,
                    Character.PRIVATE_USE,
                    Character.UNASSIGNED,
                    Character.SPACE_SEPARATOR,
                    Character.LINE_SEPARATOR,
                    Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }

    /** strconv.CanBackquote: no control characters but tab, no backquote, no BOM. */
    public static boolean canBackquote(String s) {
        return s.codePoints()
                .noneMatch(r -> r == '`'
                        || r == 0xFEFF
                        || r == RUNE_ERROR
                        || (r < ' ' && r != '\t')
                        || r == 0x7F
                        || (r >= 0xD800 && r <= 0xDFFF));
    }
}
