package dev.whittle.gotext;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Expected values are what Go 1.19's strconv returns for the same input. */
class StrconvTest {
    @Test
    void quoteEscapesAsGo() {
        assertThat(Strconv.quote("a\u0007\b\f\n\r\t\u000b\u007f\"\\", false))
                .isEqualTo("\"a\\a\\b\\f\\n\\r\\t\\v\\x7f\\\"\\\\\"");
        assertThat(Strconv.quote("\u0001é\u00a0\u2028", false)).isEqualTo("\"\\x01é\\u00a0\\u2028\"");
        assertThat(Strconv.quote("é😀", true)).isEqualTo("\"\\u00e9\\U0001f600\"");
        assertThat(Strconv.quote("\ud800", false)).isEqualTo("\"�\"");
    }

    @Test
    void quoteRuneEscapesAsGo() {
        assertThat(Strconv.quoteRune('\'', false)).isEqualTo("'\\''");
        assertThat(Strconv.quoteRune(3, false)).isEqualTo("'\\x03'");
        assertThat(Strconv.quoteRune('"', false)).isEqualTo("'\"'");
    }

    @Test
    void canBackquoteAsGo() {
        assertThat(Strconv.canBackquote("a\tb")).isTrue();
        assertThat(Strconv.canBackquote("a`b")).isFalse();
        assertThat(Strconv.canBackquote("a\nb")).isFalse();
        assertThat(Strconv.canBackquote("\ufeff")).isFalse();
    }
}
