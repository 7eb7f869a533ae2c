package dev.whittle.json;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 reader into plain Java values. jackson-core read JSON here before; in a young JVM its first
 * parser cost about 16 ms, most of it {@code java.math.BigDecimal}'s class initialisation (its parser base class
 * holds BigDecimal constants), paid by every command that reads a manifest or the store's index. This reader needs
 * nothing but the text: objects become insertion-ordered maps (a repeated name keeps its last value), integers Long
 * (BigInteger past 64 bits), other numbers Double. Errors say what and where, by line and column.
 */
final class JsonReader {
    private static final int MAX_DEPTH = 200;

    private final String s;
    private int i;
    private int depth;

    private JsonReader(String s) {
        this.s = s;
    }

    static Object read(String text) {
        if (text.length() > Json.MAX_DOCUMENT)
            throw new JsonException("JSON document longer than " + Json.MAX_DOCUMENT + " characters");
        JsonReader r = new JsonReader(text);
        if (text.startsWith("\uFEFF")) r.i = 1;
        r.skipSpace();
        if (r.i >= text.length()) throw new JsonException("empty JSON document");
        Object v = r.value();
        r.skipSpace();
        if (r.i < text.length()) throw new JsonException("trailing data after JSON value at " + r.where(r.i));
        return v;
    }

    static Object read(byte[] utf8) {
        if (utf8.length > Json.MAX_DOCUMENT)
            throw new JsonException("JSON document longer than " + Json.MAX_DOCUMENT + " bytes");
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new JsonException("invalid character encoding: not UTF-8 (" + e.getMessage() + ")");
        }
        return read(text);
    }

    private Object value() {
        if (i >= s.length()) throw error("unexpected end of input", i);
        char c = s.charAt(i);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("unexpected character " + describe(c), i);
            }
        };
    }

    private Map<String, Object> object() {
        int start = i++;
        enter(start);
        Map<String, Object> m = new LinkedHashMap<>();
        skipSpace();
        if (peek() == '}') {
            i++;
            depth--;
            return m;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') throw error("expected a field name in double quotes", i);
            String name = string();
            skipSpace();
            expect(':');
            skipSpace();
            m.put(name, value());
            skipSpace();
            char c = peek();
            i++;
            if (c == ',') continue;
            if (c == '}') break;
            throw error("expected ',' or '}' in the object that starts at " + where(start), i - 1);
        }
        depth--;
        return m;
    }

    private List<Object> array() {
        int start = i++;
        enter(start);
        List<Object> l = new ArrayList<>();
        skipSpace();
        if (peek() == ']') {
            i++;
            depth--;
            return l;
        }
        while (true) {
            skipSpace();
            l.add(value());
            skipSpace();
            char c = peek();
            i++;
            if (c == ',') continue;
            if (c == ']') break;
            throw error("expected ',' or ']' in the array that starts at " + where(start), i - 1);
        }
        depth--;
        return l;
    }

    private void enter(int at) {
        if (++depth > MAX_DEPTH) throw error("JSON nested deeper than " + MAX_DEPTH + " levels", at);
    }

    private String string() {
        int start = i++;
        StringBuilder b = null;
        int run = i;
        while (true) {
            if (i >= s.length()) throw error("unterminated string", start);
            char c = s.charAt(i);
            if (c == '"') {
                String out =
                        b == null ? s.substring(run, i) : b.append(s, run, i).toString();
                i++;
                return out;
            }
            if (c < 0x20) throw error("control character " + describe(c) + " in a string (it must be escaped)", i);
            if (c != '\\') {
                i++;
                continue;
            }
            if (b == null) b = new StringBuilder();
            b.append(s, run, i);
            i++;
            if (i >= s.length()) throw error("unterminated string", start);
            char e = s.charAt(i++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (i + 4 > s.length()) throw error("incomplete \\u escape", i - 2);
                    int v = 0;
                    for (int k = 0; k < 4; k++) {
                        int d = Character.digit(s.charAt(i + k), 16);
                        if (d < 0) throw error("invalid \\u escape", i - 2);
                        v = v * 16 + d;
                    }
                    i += 4;
                    b.append((char) v);
                }
                default -> throw error("invalid escape \\" + e, i - 2);
            }
            run = i;
        }
    }

    private Object number() {
        int start = i;
        if (peek() == '-') i++;
        if (peek() == '0') {
            i++;
        } else if (isDigit(peek())) {
            while (isDigit(peek())) i++;
        } else {
            throw error("a number needs digits after '-'", start);
        }
        boolean integer = true;
        if (peek() == '.') {
            integer = false;
            i++;
            if (!isDigit(peek())) throw error("a number needs digits after '.'", i);
            while (isDigit(peek())) i++;
        }
        if (peek() == 'e' || peek() == 'E') {
            integer = false;
            i++;
            if (peek() == '+' || peek() == '-') i++;
            if (!isDigit(peek())) throw error("a number needs digits in its exponent", i);
            while (isDigit(peek())) i++;
        }
        String text = s.substring(start, i);
        if (!integer) return Double.parseDouble(text);
        if (text.length() <= 18) return Long.parseLong(text);
        BigInteger big = new BigInteger(text);
        return big.bitLength() < 64 ? (Object) big.longValue() : big;
    }

    private Object literal(String word, Object v) {
        if (!s.startsWith(word, i)) throw error("unrecognized token (expected " + word + ")", i);
        i += word.length();
        return v;
    }

    private void expect(char c) {
        if (peek() != c) throw error("expected '" + c + "'", i);
        i++;
    }

    /** The next character, or NUL at the end (never valid where it is checked). */
    private char peek() {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void skipSpace() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            i++;
        }
    }

    private JsonException error(String what, int at) {
        if (at >= s.length() && !what.startsWith("unterminated")) what = "unexpected end of input";
        return new JsonException(what + " at " + where(at));
    }

    /** "line L, column C" of an offset, both counted from 1. */
    private String where(int at) {
        int line = 1, lineStart = 0;
        for (int k = 0; k < Math.min(at, s.length()); k++) {
            if (s.charAt(k) == '\n') {
                line++;
                lineStart = k + 1;
            }
        }
        return "line " + line + ", column " + (at - lineStart + 1);
    }

    private static String describe(char c) {
        return c < 0x20 || c > 0x7e ? String.format("U+%04X", (int) c) : "'" + c + "'";
    }
}
