package dev.whittle.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Expected values follow BuildKit's shell.Lex (frontend/dockerfile/shell/lex_test.go and envVarTest). */
class ShellLexTest {
    static final Map<String, String> ENV = Map.of(
            "PWD",
            "/home",
            "SHELL",
            "bash",
            "KOREAN",
            "한국어",
            "EMPTY",
            "",
            "FILE",
            "archive.tar.gz",
            "PATHV",
            "/usr/local/bin:/usr/bin:/bin",
            "BIG",
            "aAbBaA");

    static String word(String in) {
        return new ShellLex('\\').processWord(in, ENV::get);
    }

    @ParameterizedTest
    @CsvSource(
            delimiterString = " => ",
            value = {
                "hello => 'hello'",
                "he'll''o' => 'hello'",
                "'hello world' => 'hello world'",
                "\"hello world\" => 'hello world'",
                "$PWD => '/home'",
                "${PWD} => '/home'",
                "\\$PWD => '$PWD'",
                "\"$PWD\" => '/home'",
                "\"\\$PWD\" => '$PWD'",
                "$ => '$'",
                "a$ => 'a$'",
                "$UNSET => ''",
                "${UNSET:-def} => 'def'",
                "${EMPTY:-def} => 'def'",
                "${EMPTY-def} => ''",
                "${UNSET-def} => 'def'",
                "${PWD:-def} => '/home'",
                "${PWD:+alt} => 'alt'",
                "${EMPTY:+alt} => ''",
                "${EMPTY+alt} => 'alt'",
                "${UNSET+alt} => ''",
                "${FILE#*.} => 'tar.gz'",
                "${FILE##*.} => 'gz'",
                "${FILE%.*} => 'archive.tar'",
                "${FILE%%.*} => 'archive'",
                "${PATHV/bin/sbin} => '/usr/local/sbin:/usr/bin:/bin'",
                "${PATHV//bin/sbin} => '/usr/local/sbin:/usr/sbin:/sbin'",
                "${BIG/a/x} => 'xAbBaA'",
                "${KOREAN} => '한국어'",
                "a\\ b => 'a b'",
                "\"a\\\\b\" => 'a\\b'",
                "\"a\\nb\" => 'a\\nb'",
                "${PWD}/x/${SHELL} => '/home/x/bash'",
                "${UNSET:-${PWD}} => '/home'",
            })
    void expandsAsBuildKit(String in, String out) {
        assertThat(word(in)).isEqualTo(out);
    }

    @Test
    void singleQuotesSuppressExpansion() {
        assertThat(word("'$PWD'")).isEqualTo("$PWD");
        assertThat(word("\"'$PWD'\"")).isEqualTo("'/home'");
    }

    @Test
    void splitsWordsOnUnquotedWhitespaceOnly() {
        assertThat(new ShellLex('\\').processWords("a 'b c' \"d e\" $SHELL f\\ g", ENV::get))
                .containsExactly("a", "b c", "d e", "bash", "f g");
        // an expanded value is split on whitespace, as BuildKit does
        assertThat(new ShellLex('\\').processWords("x$SP", Map.of("SP", "1 2")::get))
                .containsExactly("x1", "2");
    }

    @Test
    void backtickEscape() {
        assertThat(new ShellLex('`').processWord("a`$PWD", ENV::get)).isEqualTo("a$PWD");
        assertThat(new ShellLex('`').processWord("C:\\dir", ENV::get)).isEqualTo("C:\\dir");
    }

    @Test
    void errorsAreBuildKits() {
        assertThatThrownBy(() -> word("${UNSET:?must be set}")).hasMessageContaining("UNSET: must be set");
        assertThatThrownBy(() -> word("${UNSET?}")).hasMessageContaining("UNSET: is not allowed to be unset");
        assertThatThrownBy(() -> word("${EMPTY:?}")).hasMessageContaining("EMPTY: is not allowed to be empty");
        assertThatThrownBy(() -> word("${}")).hasMessageContaining("bad substitution");
        assertThatThrownBy(() -> word("${:x}")).hasMessageContaining("bad substitution");
        assertThatThrownBy(() -> word("${PWD")).hasMessageContaining("missing '}'");
        assertThatThrownBy(() -> word("'abc")).hasMessageContaining("matching single-quote");
        assertThatThrownBy(() -> word("\"abc")).hasMessageContaining("matching double-quote");
        assertThatThrownBy(() -> word("${PWD:#x}")).hasMessageContaining("unsupported modifier");
    }

    @Test
    void recordsWhichNamesWereFound() {
        ShellLex.Result r = new ShellLex('\\').process("$PWD ${NOPE:-x} $ALSO_NOPE", ENV::get);
        assertThat(r.matched()).containsExactly("PWD");
        assertThat(r.unmatched()).containsExactlyInAnyOrder("NOPE", "ALSO_NOPE");
        assertThat(List.of(r.word())).containsExactly("/home x ");
    }

    @Test
    void patternsOverLongValuesTakeLinearTime() {
        // java.util.regex backtracks: each star multiplies the attempts, so this never finished
        Map<String, String> env = Map.of("V", "a".repeat(60_000));
        ShellLex lex = new ShellLex('\\');
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            assertThat(lex.processWord("${V/*a*a*a*a*a*a*a*a*b/x}", env::get)).hasSize(60_000);
            assertThat(lex.processWord("${V#*a*a*a*a*a*a*a*a*b}", env::get)).hasSize(60_000);
            assertThat(lex.processWord("${V%%a*a*a*a*a*a*a*a*b*}", env::get)).hasSize(60_000);
            assertThat(lex.processWord("${V//a/bb}", env::get)).hasSize(120_000);
        });
    }

    @Test
    void aValueDoubledOverAndOverIsRefusedBeforeMemoryRunsOut() {
        // each ENV V=$V$V doubles V: a few dozen such lines would fill any memory
        ShellLex lex = new ShellLex('\\');
        String nineMi = "a".repeat(9 << 20);
        assertThatThrownBy(() -> lex.processWord("$V$V", k -> nineMi))
                .isInstanceOf(ShellLex.ExpansionException.class)
                .hasMessageContaining("longer than 16 Mi characters");
        assertThatThrownBy(() -> lex.processWord("\"$V$V\"", k -> nineMi))
                .hasMessageContaining("longer than 16 Mi characters");
        String oneMi = "a".repeat(1 << 20);
        assertThatThrownBy(() -> lex.processWord("${V//a/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}", k -> oneMi))
                .hasMessageContaining("longer than");
        assertThat(lex.processWord("$V$V", k -> oneMi)).hasSize(2 << 20);
    }

    /**
     * The pattern matching against what BuildKit runs (Go's leftmost-first regexp, whose preferences java.util.regex
     * shares): random patterns and values over a small alphabet, through first-match replace, Go's replace-all, and
     * shortest and longest prefix removal.
     */
    @Test
    void patternMatchingAgreesWithRegularExpressions() {
        Random r = new Random(42);
        ShellLex lex = new ShellLex('\\');
        for (int n = 0; n < 20_000; n++) {
            String pattern = random(r, "ab*?", 1 + r.nextInt(6));
            String value = random(r, "ab", r.nextInt(9));
            Pattern greedy = regex(pattern, true), lazy = regex(pattern, false);
            String why = pattern + " on " + value;
            Matcher first = greedy.matcher(value);
            assertThat(lex.processWord("${V/" + pattern + "/X}", k -> value))
                    .as(why)
                    .isEqualTo(
                            first.find()
                                    ? value.substring(0, first.start()) + "X" + value.substring(first.end())
                                    : value);
            assertThat(lex.processWord("${V//" + pattern + "/X}", k -> value))
                    .as(why)
                    .isEqualTo(goReplaceAll(greedy, value, "X"));
            Matcher shortest = lazy.matcher(value), longest = greedy.matcher(value);
            assertThat(lex.processWord("${V#" + pattern + "}", k -> value))
                    .as(why)
                    .isEqualTo(shortest.lookingAt() ? value.substring(shortest.end()) : value);
            assertThat(lex.processWord("${V##" + pattern + "}", k -> value))
                    .as(why)
                    .isEqualTo(longest.lookingAt() ? value.substring(longest.end()) : value);
        }
    }

    /** BuildKit's translation of a shell pattern of this alphabet. */
    private static Pattern regex(String pattern, boolean greedy) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray())
            regex.append(c == '*' ? (greedy ? ".*" : ".*?") : c == '?' ? "." : String.valueOf(c));
        return Pattern.compile(regex.toString());
    }

    private static String random(Random r, String alphabet, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        return b.toString();
    }

    /** Go's regexp.ReplaceAllString, written over java.util.regex. */
    private static String goReplaceAll(Pattern re, String src, String repl) {
        StringBuilder out = new StringBuilder();
        int lastEnd = 0, search = 0;
        Matcher m = re.matcher(src);
        while (search <= src.length() && m.find(search)) {
            out.append(src, lastEnd, m.start());
            if (m.end() > lastEnd || m.start() == 0) out.append(repl);
            lastEnd = m.end();
            search = m.end() > search ? m.end() : search + 1;
        }
        return out.append(src, lastEnd, src.length()).toString();
    }
}
