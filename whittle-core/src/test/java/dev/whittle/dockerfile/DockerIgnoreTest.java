package dev.whittle.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Cases from moby/patternmatcher's tests and docker's documentation. */
class DockerIgnoreTest {
    @ParameterizedTest
    @CsvSource(
            delimiterString = " | ",
            value = {
                "*.go | main.go | true",
                "*.go | cmd/main.go | false",
                "**/*.go | cmd/site/main.go | true",
                "**/*.go | main.go | true",
                "node_modules | node_modules/a/b.js | true",
                "/node_modules | node_modules | true",
                "./tmp/ | tmp/x | true",
                "temp? | tempa | true",
                "temp? | temp/x | false",
                "temp? | tempa/x | true",
                "*/temp* | somedir/temporary.txt | true",
                "*/*/temp* | somedir/subdir/temporary.txt | true",
                "docs/** | docs/a/b.md | true",
                "docs/** | docs | false",
                "**/vendor | a/b/vendor/c | true",
                "a/**/b | a/b | true",
                "a/**/b | a/x/y/b | true",
                "[abc].txt | b.txt | true",
                "[^abc].txt | b.txt | false",
                "a\\*b | a*b | true",
                "a.b | axb | false",
                "** | anything/at/all | true",
            })
    void patterns(String pattern, String path, boolean excluded) {
        assertThat(DockerIgnore.parse(pattern, ".dockerignore").excluded(path)).isEqualTo(excluded);
    }

    @Test
    void lastMatchWinsAndExceptionsReinclude() {
        DockerIgnore d = DockerIgnore.parse("*.md\n!README*.md\nREADME-secret.md\n", ".dockerignore");
        assertThat(d.excluded("CHANGES.md")).isTrue();
        assertThat(d.excluded("README.md")).isFalse();
        assertThat(d.excluded("README-secret.md")).isTrue();
    }

    @Test
    void anExcludedDirectoryIsWalkedOnlyWhenAnExceptionNamesAPathBelowIt() {
        DockerIgnore d = DockerIgnore.parse("*\n!sub/keep.txt\n!deep/er/x\n", ".dockerignore");
        assertThat(d.excluded("sub")).isTrue();
        assertThat(d.mayReinclude("sub")).isTrue();
        assertThat(d.excluded("sub/keep.txt")).isFalse();
        assertThat(d.mayReinclude("deep")).isTrue();
        assertThat(d.mayReinclude("deep/er")).isTrue();
        assertThat(d.mayReinclude("other")).isFalse();
        assertThat(d.mayReinclude("su")).isFalse();
        // Docker 20.10 compares the exception's text: a wildcard in it re-includes nothing below an excluded directory
        assertThat(DockerIgnore.parse("*\n!*/keep.txt\n", ".dockerignore").mayReinclude("sub"))
                .isFalse();
        assertThat(DockerIgnore.parse("sub\n", ".dockerignore").mayReinclude("sub"))
                .isFalse();
    }

    @Test
    void commentsOnlyAtColumnOneAndBlankLinesIgnored() {
        DockerIgnore d = DockerIgnore.parse("# comment\n  # not a comment\n\n\uFEFFx\n", ".dockerignore");
        assertThat(d.excluded("# not a comment")).isTrue();
        assertThat(d.excluded("# comment")).isFalse();
    }

    @Test
    void badPatternsAreErrorsWithTheLine() {
        assertThatThrownBy(() -> DockerIgnore.parse("ok\n[unclosed\n", ".dockerignore"))
                .hasMessageContaining(".dockerignore:2");
        assertThatThrownBy(() -> DockerIgnore.parse("!\n", ".dockerignore"))
                .hasMessageContaining("illegal exclusion pattern");
    }
}
