package dev.whittle.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** whittle's JSON reader against jackson-core (which read JSON here before): the same values, the same refusals. */
class JsonReaderTest {
    private static final JsonFactory JACKSON = JsonFactory.builder()
            .streamReadConstraints(
                    StreamReadConstraints.builder().maxNestingDepth(200).build())
            .build();

    /** What jackson-core makes of a text, in the shapes whittle uses; an exception for what it refuses. */
    private static Object jackson(String text) throws Exception {
        try (JsonParser p = JACKSON.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) throw new IllegalArgumentException("empty");
            Object v = read(p, t);
            if (p.nextToken() != null) throw new IllegalArgumentException("trailing");
            return v;
        }
    }

    private static Object read(JsonParser p, JsonToken t) throws Exception {
        return switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    String name = p.currentName();
                    m.put(name, read(p, p.nextToken()));
                }
                yield m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) l.add(read(p, e));
                yield l;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT ->
                switch (p.getNumberType()) {
                    case INT, LONG -> p.getLongValue();
                    default -> p.getBigIntegerValue();
                };
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new IllegalStateException(t.toString());
        };
    }

    private static void same(String text) {
        Object expected;
        try {
            expected = jackson(text);
        } catch (Exception e) {
            assertThatThrownBy(() -> Json.parse(text))
                    .as("jackson refuses %s (%s)", text, e.getMessage())
                    .isInstanceOf(JsonException.class);
            return;
        }
        assertThat(Json.parse(text)).as("%s", text).isEqualTo(expected);
        assertThat(Json.parse(text.getBytes(StandardCharsets.UTF_8)))
                .as("%s as bytes", text)
                .isEqualTo(expected);
    }

    static final String MANIFEST = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":\
            "application/vnd.oci.image.config.v1+json","digest":"sha256:4bfbbaa80fd65c3637a1013083bcb7370483e795f19887d49e83d2e0fd9aa0f4",\
            "size":1469},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":\
            "sha256:75264cd0cbbba28e749c9252bd59990655e8f8736f6f4eaefa0897a0e28b14b0","size":2817263}],\
            "annotations":{"org.opencontainers.image.ref.name":"docker.io/library/example:latest","x":"caf\\u00e9 \\"q\\" \\n\\\\/ ü €"}}""";

    @Test
    void readsWhatJacksonReads() {
        for (String t : List.of(
                MANIFEST,
                "[]",
                "{}",
                "  [ 1 , -2 , 0 , -0 ]  ",
                "\"\"",
                "\"a\\/b\"",
                "true",
                "false",
                "null",
                "1.5",
                "-1.5e10",
                "1E-7",
                "123456789012345678",
                "1234567890123456789",
                "9223372036854775807",
                "9223372036854775808",
                "-9223372036854775808",
                "-9223372036854775809",
                "123456789012345678901234567890",
                "1e400",
                "0.1",
                "{\"a\":1,\"a\":2}",
                "[\"\\ud83d\\ude00\", \"😀\"]",
                "{\"k\":{\"k\":{\"k\":[[],{}]}}}",
                "\t\r\n[\n1\n]\n")) {
            same(t);
        }
    }

    @Test
    void refusesWhatJacksonRefuses() {
        for (String t : List.of(
                "",
                " ",
                "[",
                "]",
                "{",
                "[1,]",
                "{\"a\":1,}",
                "[01]",
                "[1.]",
                "[.5]",
                "[-]",
                "[1e]",
                "['a']",
                "{a:1}",
                "[NaN]",
                "[Infinity]",
                "[tru]",
                "[nul]",
                "[\"a\nb\"]",
                "[\"\\x\"]",
                "[\"\\u12\"]",
                "[1 2]",
                "{\"a\" 1}",
                "[1]x",
                "[1] [2]",
                "// c\n[1]",
                "[\"unterminated]",
                "{\"a\":}",
                "[+1]",
                "[0x10]",
                "[\u0000]")) {
            same(t);
        }
    }

    @Test
    void nestingIsCappedAtTwoHundredLevelsAsBefore() {
        same("[".repeat(200) + "]".repeat(200));
        same("[".repeat(201) + "]".repeat(201));
        assertThatThrownBy(() -> Json.parse("[".repeat(5000) + "]".repeat(5000)))
                .isInstanceOf(JsonException.class)
                .hasMessageContaining("deeper than 200");
    }

    @Test
    void errorsSayWhereByLineAndColumn() {
        assertThatThrownBy(() -> Json.parse("{\n  \"a\": 1,\n  \"b\" 2\n}"))
                .isInstanceOf(JsonException.class)
                .hasMessage("expected ':' at line 3, column 7");
        assertThatThrownBy(() -> Json.parse("[1, 2")).hasMessage("unexpected end of input at line 1, column 6");
        assertThatThrownBy(() -> Json.parse("")).hasMessage("empty JSON document");
        assertThatThrownBy(() -> Json.parse("[1] x")).hasMessage("trailing data after JSON value at line 1, column 5");
        assertThatThrownBy(() -> Json.parse(new byte[] {'[', '"', (byte) 0xc3, '"', ']'}))
                .isInstanceOf(JsonException.class)
                .hasMessageStartingWith("invalid character encoding");
        assertThatThrownBy(() -> Json.parse(new byte[] {'[', 0, 0, 0})).isInstanceOf(JsonException.class);
    }

    @Test
    void numbersKeepTheirJavaTypes() {
        assertThat(Json.parse("[1, 9223372036854775808, 1.0]"))
                .isEqualTo(List.of(1L, new BigInteger("9223372036854775808"), 1.0));
    }

    @Test
    void mutationsOfARealManifestAreReadOrRefusedAsJacksonDoes() {
        Random r = new Random(42);
        String alphabet = "{}[]\":,.-+eE0123456789 \\ntfrulasxé\u0001";
        for (int n = 0; n < 20_000; n++) {
            StringBuilder b = new StringBuilder(MANIFEST);
            for (int k = 1 + r.nextInt(3); k > 0; k--) {
                int at = r.nextInt(b.length());
                switch (r.nextInt(3)) {
                    case 0 -> b.deleteCharAt(at);
                    case 1 -> b.insert(at, alphabet.charAt(r.nextInt(alphabet.length())));
                    default -> b.setCharAt(at, alphabet.charAt(r.nextInt(alphabet.length())));
                }
            }
            same(b.toString());
        }
    }
}
