package dev.whittle.dockerfile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Expected values follow BuildKit's shell.Lex (frontend/dockerfile/shell/lex_test.go and envVarTest). */
class ShellLexTest {
    static final Map<String, String> ENV = Map.of("PWD", "/home", "SHELL", "bash", "KOREAN", "한국어", "EMPTY", "",
            "FILE", "archive.tar.gz", "PATHV", "/usr/local/bin:/usr/bin:/bin", "BIG", "aAbBaA");

    static String word(String in) {
        return new ShellLex('\\').processWord(in, ENV::get);
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", value = {
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
        assertThat(new ShellLex('\\').processWords("x$SP", Map.of("SP", "1 2")::get)).containsExactly("x1", "2");
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
}
