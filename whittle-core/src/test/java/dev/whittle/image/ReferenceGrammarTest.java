package dev.whittle.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written matchers of docker's reference grammar against the regexes of distribution/reference. */
class ReferenceGrammarTest {
    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
    private static final Pattern PATH = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
                    + "(?::[0-9]+)?|\\[[0-9a-fA-F:]+\\](?::[0-9]+)?");
    private static final Pattern HEX64 = Pattern.compile("[a-f0-9]{64}");

    private static void agree(String s) {
        assertThat(ImageRef.isPath(s))
                .as("path %s", s)
                .isEqualTo(PATH.matcher(s).matches());
        assertThat(ImageRef.isTag(s)).as("tag %s", s).isEqualTo(TAG.matcher(s).matches());
        assertThat(ImageRef.isDomain(s))
                .as("domain %s", s)
                .isEqualTo(DOMAIN.matcher(s).matches());
        assertThat(Digest.isLowerHex(s, 64))
                .as("hex %s", s)
                .isEqualTo(HEX64.matcher(s).matches());
    }

    @Test
    void knownCases() {
        for (String s : List.of(
                "",
                "a",
                "library/golang",
                "a.b",
                "a..b",
                "a_b",
                "a__b",
                "a___b",
                "a-b",
                "a---b",
                "a-_b",
                "a/",
                "/a",
                "a//b",
                "_a",
                "a_",
                "A",
                "abc/Def",
                "localhost",
                "localhost:5000",
                "127.0.0.1:5000",
                "[::1]:5000",
                "[::1]",
                "[]",
                "[g::1]",
                "host-.x",
                "-host",
                "ho-st.example.com:443",
                "host:",
                "host:port",
                "x".repeat(128),
                "x".repeat(129),
                "v1.2.3-rc.1_x",
                ".tag",
                "-tag",
                "é",
                "a".repeat(64),
                "0123456789abcdef".repeat(4),
                "0123456789ABCDEF".repeat(4))) {
            agree(s);
        }
    }

    @Test
    void randomStrings() {
        Random r = new Random(11);
        String alphabet = "ab0Z._-/:[]é";
        for (int n = 0; n < 200_000; n++) {
            StringBuilder b = new StringBuilder();
            for (int k = r.nextInt(12); k > 0; k--) b.append(alphabet.charAt(r.nextInt(alphabet.length())));
            agree(b.toString());
        }
    }
}
