package dev.whittle.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * JSON as plain Java values: {@code Map<String,Object>} (insertion ordered), {@code List<Object>}, String,
 * Long/BigInteger/Double, Boolean and null. Read by {@link JsonReader}; written with jackson-core's streaming
 * generator (databind would cost a few hundred milliseconds of start-up on every command, and the image formats need
 * nothing it offers).
 */
public final class Json {
    /** Manifests may legally be 4 MB; archives from other tools are capped at 20 MiB as containerd does. */
    public static final int MAX_DOCUMENT = 20 << 20;

    /** For writing only: reading is {@link JsonReader}'s. */
    private static final JsonFactory FACTORY = new JsonFactory();

    private Json() {}

    /** Parses a UTF-8 document; a syntax error or a bad encoding becomes a {@link JsonException} naming line and column. */
    public static Object parse(byte[] bytes) {
        return JsonReader.read(bytes);
    }

    /** Parses text (no encoding detection: "[" followed by NULs is not UTF-32 here, as it would be as bytes). */
    public static Object parse(String text) {
        return JsonReader.read(text);
    }

    /** Parses a document that must be an object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(byte[] bytes) {
        Object v = parse(bytes);
        if (!(v instanceof Map)) throw new JsonException("expected a JSON object, found " + typeName(v));
        return (Map<String, Object>) v;
    }

    public static String typeName(Object v) {
        if (v == null) return "null";
        if (v instanceof Map) return "object";
        if (v instanceof List) return "array";
        if (v instanceof String) return "string";
        if (v instanceof Boolean) return "boolean";
        return "number";
    }

    // ---------------------------------------------------------------------------------------------- writing

    /** How a value is written. */
    public record Style(String indent, boolean goEscapes) {
        /** Compact, no HTML escaping: what whittle writes into image configs and manifests. */
        public static final Style COMPACT = new Style(null, false);
        /** Compact with Go's encoding/json HTML escaping, as docker's API and {@code {{json .}}} print. */
        public static final Style GO = new Style(null, true);
        /** Go's MarshalIndent with four spaces, as {@code docker inspect} prints. */
        public static final Style GO_INDENT = new Style("    ", true);

        public static final Style INDENT = new Style("  ", false);
    }

    public static byte[] write(Object value) {
        return write(value, Style.COMPACT);
    }

    public static byte[] write(Object value, Style style) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        write(value, style, out);
        return out.toByteArray();
    }

    public static String writeString(Object value, Style style) {
        return new String(write(value, style), StandardCharsets.UTF_8);
    }

    public static void write(Object value, Style style, OutputStream out) {
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            if (style.goEscapes()) g.setCharacterEscapes(GoEscapes.INSTANCE);
            if (style.indent() != null) {
                var pp = new com.fasterxml.jackson.core.util.DefaultPrettyPrinter()
                        .withObjectIndenter(new com.fasterxml.jackson.core.util.DefaultIndenter(style.indent(), "\n"))
                        .withArrayIndenter(new com.fasterxml.jackson.core.util.DefaultIndenter(style.indent(), "\n"))
                        .withSeparators(com.fasterxml.jackson.core.util.Separators.createDefaultInstance()
                                .withObjectFieldValueSpacing(com.fasterxml.jackson.core.util.Separators.Spacing.AFTER)
                                .withObjectEmptySeparator("")
                                .withArrayEmptySeparator(""));
                g.setPrettyPrinter(pp);
            }
            emit(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void emit(JsonGenerator g, Object v) throws IOException {
        switch (v) {
            case null -> g.writeNull();
            case JsonNull n -> g.writeNull();
            case Map<?, ?> m -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    g.writeFieldName(String.valueOf(e.getKey()));
                    emit(g, e.getValue());
                }
                g.writeEndObject();
            }
            case List<?> l -> {
                g.writeStartArray();
                for (Object o : l) emit(g, o);
                g.writeEndArray();
            }
            case String s -> g.writeString(s);
            case Boolean b -> g.writeBoolean(b);
            case Integer i -> g.writeNumber(i);
            case Long l -> g.writeNumber(l);
            case BigInteger b -> g.writeNumber(b);
            case BigDecimal b -> g.writeNumber(b);
            case Double d -> g.writeNumber(d);
            case Number n -> g.writeNumber(n.toString());
            case RawJson r -> g.writeRawValue(r.text());
            default -> g.writeString(v.toString());
        }
    }

    /** A value that is written as JSON null but is not Java null (see the template engine's typed nils). */
    public interface JsonNull {}

    /** Pre-serialised JSON inserted verbatim. */
    public record RawJson(String text) {}

    /** Go's encoding/json escapes &lt; &gt; &amp; U+2028 U+2029 and control characters as \\u00XX. */
    private static final class GoEscapes extends CharacterEscapes {
        static final GoEscapes INSTANCE = new GoEscapes();
        private final int[] table;

        private GoEscapes() {
            table = standardAsciiEscapesForJSON();
            table['<'] = ESCAPE_CUSTOM;
            table['>'] = ESCAPE_CUSTOM;
            table['&'] = ESCAPE_CUSTOM;
            table['\b'] = ESCAPE_CUSTOM;
            table['\f'] = ESCAPE_CUSTOM;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return table;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            if (ch < 128 || ch == 0x2028 || ch == 0x2029) {
                return new SerializedString(String.format("\\u%04x", ch));
            }
            return null;
        }
    }
}
