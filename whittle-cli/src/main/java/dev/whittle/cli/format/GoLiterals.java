package dev.whittle.cli.format;

/**
 * The parts of Go's strconv the template parser reads literals with: ParseInt, ParseUint and ParseFloat with base
 * prefixes ({@code 0x 0o 0b}, a leading 0 for octal), underscores between digits and hex floats, and Unquote and
 * UnquoteChar for strings and character constants. Errors are {@link Invalid}, "invalid syntax" or a range error.
 */
final class GoLiterals {
    private GoLiterals() {}

    /** strconv's NumError: {@code range} when the value is well-formed but does not fit. */
    static final class Invalid extends RuntimeException {
        final boolean range;

        Invalid(boolean range) {
            super(range ? "value out of range" : "invalid syntax", null, false, false);
            this.range = range;
        }
    }

    private static char lower(char c) {
        return (char) (c | ('x' - 'X'));
    }

    /** strconv.ParseUint(s, 0, 64): the bits of the uint64. */
    static long parseUint(String s) {
        if (s.isEmpty()) throw new Invalid(false);
        String s0 = s;
        int base = 10;
        if (s.charAt(0) == '0') {
            if (s.length() >= 3 && lower(s.charAt(1)) == 'b') {
                base = 2;
                s = s.substring(2);
            } else if (s.length() >= 3 && lower(s.charAt(1)) == 'o') {
                base = 8;
                s = s.substring(2);
            } else if (s.length() >= 3 && lower(s.charAt(1)) == 'x') {
                base = 16;
                s = s.substring(2);
            } else {
                base = 8;
                s = s.substring(1);
            }
        }
        long cutoff = Long.divideUnsigned(-1L, base) + 1;
        boolean underscores = false;
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int d;
            if (c == '_') {
                underscores = true;
                continue;
            } else if ('0' <= c && c <= '9') {
                d = c - '0';
            } else if ('a' <= lower(c) && lower(c) <= 'z') {
                d = lower(c) - 'a' + 10;
            } else {
                throw new Invalid(false);
            }
            if (d >= base) throw new Invalid(false);
            if (Long.compareUnsigned(n, cutoff) >= 0) throw new Invalid(true);
            n *= base;
            long n1 = n + d;
            if (Long.compareUnsigned(n1, n) < 0) throw new Invalid(true);
            n = n1;
        }
        if (underscores && !underscoreOK(s0)) throw new Invalid(false);
        return n;
    }

    /** strconv.ParseInt(s, 0, 64). */
    static long parseInt(String s) {
        if (s.isEmpty()) throw new Invalid(false);
        boolean neg = false;
        String u = s;
        if (s.charAt(0) == '+') {
            u = s.substring(1);
        } else if (s.charAt(0) == '-') {
            neg = true;
            u = s.substring(1);
        }
        long un;
        try {
            un = parseUint(u);
        } catch (Invalid e) {
            if (!e.range) throw e;
            throw new Invalid(true);
        }
        long cutoff = 1L << 63;
        if (!neg && Long.compareUnsigned(un, cutoff) >= 0) throw new Invalid(true);
        if (neg && Long.compareUnsigned(un, cutoff) > 0) throw new Invalid(true);
        return neg ? -un : un;
    }

    /** strconv's underscoreOK: underscores only between digits, or between a base prefix and a digit. */
    static boolean underscoreOK(String s) {
        char saw = '^';
        int i = 0;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) s = s.substring(1);
        boolean hex = false;
        if (s.length() >= 2
                && s.charAt(0) == '0'
                && (lower(s.charAt(1)) == 'b' || lower(s.charAt(1)) == 'o' || lower(s.charAt(1)) == 'x')) {
            i = 2;
            saw = '0';
            hex = lower(s.charAt(1)) == 'x';
        }
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if ('0' <= c && c <= '9' || hex && 'a' <= lower(c) && lower(c) <= 'f') {
                saw = '0';
                continue;
            }
            if (c == '_') {
                if (saw != '0') return false;
                saw = '_';
                continue;
            }
            if (saw == '_') return false;
            saw = '!';
        }
        return saw != '_';
    }

    /**
     * strconv.ParseFloat(s, 64) for the numbers the lexer lets through: decimal with optional exponent, or hex with
     * a mandatory p exponent; a value beyond float64's range is a range error, as in Go.
     */
    static double parseFloat(String s) {
        int i = 0;
        StringBuilder clean = new StringBuilder(s.length());
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) clean.append(s.charAt(i++));
        boolean hex = false;
        if (i + 2 <= s.length() && s.charAt(i) == '0' && lower(s.charAt(i + 1)) == 'x') {
            hex = true;
            clean.append("0x");
            i += 2;
        }
        boolean sawDot = false, sawDigits = false, underscores = false;
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '_') {
                underscores = true;
            } else if (c == '.') {
                if (sawDot) break;
                sawDot = true;
                clean.append(c);
            } else if ('0' <= c && c <= '9' || hex && 'a' <= lower(c) && lower(c) <= 'f') {
                sawDigits = true;
                clean.append(c);
            } else {
                break;
            }
        }
        if (!sawDigits) throw new Invalid(false);
        boolean sawExp = false;
        if (i < s.length() && lower(s.charAt(i)) == (hex ? 'p' : 'e')) {
            clean.append(hex ? 'p' : 'e');
            i++;
            if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) clean.append(s.charAt(i++));
            boolean expDigits = false;
            for (; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '_') {
                    underscores = true;
                } else if ('0' <= c && c <= '9') {
                    expDigits = true;
                    clean.append(c);
                } else {
                    break;
                }
            }
            if (!expDigits) throw new Invalid(false);
            sawExp = true;
        }
        if (hex && !sawExp) throw new Invalid(false); // a hexadecimal mantissa requires a 'p' exponent
        if (i != s.length()) throw new Invalid(false);
        if (underscores && !underscoreOK(s)) throw new Invalid(false);
        double d = Double.parseDouble(clean.toString());
        if (Double.isInfinite(d)) throw new Invalid(true);
        return d;
    }

    /**
     * strconv.UnquoteChar: the character at {@code at[0]} of {@code s} (which it moves past), escapes decoded. A
     * {@code \x} or octal escape gives a byte, which a string holds as is; here it is the code point of that value.
     */
    static int unquoteChar(String s, int[] at, char quote) {
        int i = at[0];
        if (i >= s.length()) throw new Invalid(false);
        char c = s.charAt(i);
        if (c == quote && (quote == '\'' || quote == '"')) throw new Invalid(false);
        if (c != '\\') {
            int cp = s.codePointAt(i);
            at[0] = i + Character.charCount(cp);
            return cp;
        }
        if (i + 1 >= s.length()) throw new Invalid(false);
        char e = s.charAt(i + 1);
        at[0] = i + 2;
        return switch (e) {
            case 'a' -> 7;
            case 'b' -> '\b';
            case 'f' -> '\f';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'v' -> 11;
            case '\\' -> '\\';
            case '\'', '"' -> {
                if (e != quote) throw new Invalid(false);
                yield e;
            }
            case 'x', 'u', 'U' -> {
                int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                int v = 0;
                for (int j = 0; j < n; j++) {
                    int x = at[0] + j < s.length() ? hexDigit(s.charAt(at[0] + j)) : -1;
                    if (x < 0) throw new Invalid(false);
                    v = v << 4 | x;
                }
                at[0] += n;
                // x gives a byte; u and U a code point, which must be valid (no surrogates)
                if (e != 'x' && (v < 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))) throw new Invalid(false);
                yield v;
            }
            case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                int v = e - '0';
                for (int j = 0; j < 2; j++) {
                    int x = at[0] + j < s.length() ? s.charAt(at[0] + j) - '0' : -1;
                    if (x < 0 || x > 7) throw new Invalid(false);
                    v = v << 3 | x;
                }
                at[0] += 2;
                if (v > 255) throw new Invalid(false);
                yield v;
            }
            default -> throw new Invalid(false);
        };
    }

    static int hexDigit(char c) {
        return c >= '0' && c <= '9'
                ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    /** strconv.Unquote of a "..." or `...` literal (raw strings lose their carriage returns). */
    static String unquote(String q) {
        if (q.length() < 2 || q.charAt(q.length() - 1) != q.charAt(0)) throw new Invalid(false);
        String body = q.substring(1, q.length() - 1);
        if (q.charAt(0) == '`') {
            if (body.indexOf('`') >= 0) throw new Invalid(false);
            return body.indexOf('\r') < 0 ? body : body.replace("\r", "");
        }
        if (q.charAt(0) != '"') throw new Invalid(false);
        if (body.indexOf('\\') < 0 && body.indexOf('"') < 0 && body.indexOf('\n') < 0) return body;
        StringBuilder sb = new StringBuilder(body.length());
        int[] at = {0};
        while (at[0] < body.length()) {
            if (body.charAt(at[0]) == '\n') throw new Invalid(false);
            sb.appendCodePoint(unquoteChar(body, at, '"'));
        }
        return sb.toString();
    }
}
