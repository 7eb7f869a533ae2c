package dev.whittle.cli.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Expected outputs are what Go's text/template prints for the same template and data. */
class GoTemplateTest {
    static Object data() {
        GoValues.Struct cfg = new GoValues.Struct();
        cfg.put("Env", List.of("PATH=/bin", "A=b"));
        cfg.put("Cmd", List.of("/app/site"));
        cfg.put("Entrypoint", GoValues.NIL_SLICE);
        cfg.put("Labels", GoValues.NIL_MAP);
        Map<String, Object> ports = new TreeMap<>();
        ports.put("4242/tcp", GoValues.EMPTY_STRUCT);
        ports.put("80/tcp", GoValues.EMPTY_STRUCT);
        cfg.put("ExposedPorts", ports);
        cfg.put("WorkingDir", "/app");
        GoValues.Struct s = new GoValues.Struct();
        s.put("Id", "sha256:abc");
        s.alias("ID", "Id");
        s.put("RepoTags", List.of("site:static", "site:latest"));
        s.put("Size", 8012345L);
        s.put("Config", cfg);
        s.put("RootFS", Map.of("Type", "layers", "Layers", List.of("sha256:1", "sha256:2")));
        s.put("Empty", "");
        s.put("Nothing", null);
        return s;
    }

    static String run(String t) {
        return GoTemplate.parse(t).execute(data());
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", value = {
            "{{.Id}} => 'sha256:abc'",
            "{{.ID}} => 'sha256:abc'",
            "{{.Config.Cmd}} => '[/app/site]'",
            "{{.Config.Entrypoint}} => '[]'",
            "{{.Config.Labels}} => 'map[]'",
            "{{.Config.ExposedPorts}} => 'map[4242/tcp:{} 80/tcp:{}]'",
            "{{json .Config.ExposedPorts}} => '{\"4242/tcp\":{},\"80/tcp\":{}}'",
            "{{json .Config.Entrypoint}} => 'null'",
            "{{json .RepoTags}} => '[\"site:static\",\"site:latest\"]'",
            "{{.Size}} => '8012345'",
            "{{.Nothing}} => '<nil>'",
            "{{join .RepoTags \",\"}} => 'site:static,site:latest'",
            "{{index .RepoTags 1}} => 'site:latest'",
            "{{len .RepoTags}} => '2'",
            "{{upper .Config.WorkingDir}} => '/APP'",
            "{{if .Empty}}yes{{else}}no{{end}} => 'no'",
            "{{if eq .Config.WorkingDir \"/app\"}}app{{else if .Empty}}x{{else}}other{{end}} => 'app'",
            "{{with .Config}}{{.WorkingDir}}{{end}} => '/app'",
            "{{range $i, $t := .RepoTags}}{{$i}}={{$t}};{{end}} => '0=site:static;1=site:latest;'",
            "{{range .Config.Entrypoint}}x{{else}}none{{end}} => 'none'",
            "{{range $k, $v := .Config.ExposedPorts}}{{$k}} {{end}} => '4242/tcp 80/tcp '",
            "{{printf \"%s has %d tags\" .Id (len .RepoTags)}} => 'sha256:abc has 2 tags'",
            "{{printf \"%-8s|\" \"ab\"}} => 'ab      |'",
            "{{print 1 2 \"a\" 3}} => '1 2a3'",
            "{{.Config.Cmd | json}} => '[\"/app/site\"]'",
            "{{- \"  x  \" -}} => '  x  '",
            "{{/* a comment */}}ok => 'ok'",
            "{{split \"a:b:c\" \":\"}} => '[a b c]'",
            "{{pad \"x\" 1 2}} => ' x  '",
            "{{truncate \"abcdef\" 3}} => 'abc'",
            "{{title \"hello world\"}} => 'Hello World'",
            "{{and .Empty .Id}} => ''",
            "{{or .Empty .Id}} => 'sha256:abc'",
            "{{not .Empty}} => 'true'",
            "{{$x := .Id}}{{$x}} => 'sha256:abc'",
            "{{(index .RootFS.Layers 0)}} => 'sha256:1'",
            "{{lt 1 2}} {{ge 2 3}} => 'true false'",
    })
    void printsWhatGoPrints(String template, String expected) {
        assertThat(run(template)).isEqualTo(expected == null ? "" : expected);
    }

    @Test
    void theSeedWriteUpsInspectLine() {
        assertThat(run("{{range .RootFS.Layers}}{{println .}}{{end}}")).isEqualTo("sha256:1\nsha256:2\n");
    }

    @Test
    void trimMarkersEatWhitespace() {
        assertThat(run("a  {{- .Id -}}  \n b")).isEqualTo("asha256:abcb");
    }

    @Test
    void errorsAreWordedAsGosAndNamePosition() {
        assertThatThrownBy(() -> run("{{.Nope}}")).isInstanceOf(TemplateException.class)
                .hasMessageContaining("executing \"\" at <.Nope>: can't evaluate field Nope");
        assertThatThrownBy(() -> GoTemplate.parse("{{.Id")).hasMessageContaining("unclosed action");
        assertThatThrownBy(() -> GoTemplate.parse("{{if .Id}}x")).hasMessageContaining("unexpected EOF");
        assertThatThrownBy(() -> GoTemplate.parse("{{nosuch .Id}}")).hasMessageContaining("function \"nosuch\" not defined");
        assertThatThrownBy(() -> run("{{index .RepoTags 5}}")).hasMessageContaining("index out of range: 5");
        assertThatThrownBy(() -> run("{{.Nothing.X}}")).hasMessageContaining("nil pointer evaluating");
    }

    @Test
    void jsonOfARowEscapesHtmlLikeDockersRowTypes() {
        GoValues.Struct row = new GoValues.Struct().htmlEscaped();
        row.put("Repository", "<none>");
        assertThat(GoTemplate.parse("{{json .}}").execute(row)).isEqualTo("{\"Repository\":\"\\u003cnone\\u003e\"}");
        Map<String, Object> plain = new LinkedHashMap<>();
        plain.put("b", "<x>");
        plain.put("a", new ArrayList<>());
        assertThat(GoTemplate.parse("{{json .}}").execute(plain)).isEqualTo("{\"a\":[],\"b\":\"<x>\"}");
    }

    static Arguments go(String template, String output, String error) {
        return Arguments.of(template, output, error);
    }

    /** docker's pad and truncate, Go's index and slice, and literals as Go's strconv reads them: Go 1.19's answers. */
    static Stream<Arguments> goCases() {
        return Stream.of(
                go("{{truncate .Id -5}}", null, "template: :1:2: executing \"\" at <truncate .Id -5>: error calling truncate: runtime error: slice bounds out of range [:-5]"),
                go("{{truncate .Id 1000}}", "sha256:abc", null),
                go("{{truncate .Id 0}}", "", null),
                go("{{truncate .Id 99999999999}}", "sha256:abc", null),
                go("{{truncate .Id 4294967296}}", "sha256:abc", null),
                go("{{truncate .Id -4294967296}}", null, "template: :1:2: executing \"\" at <truncate .Id -4294967296>: error calling truncate: runtime error: slice bounds out of range [:-4294967296]"),
                go("{{truncate .Id}}", null, "template: :1:2: executing \"\" at <truncate>: wrong number of args for truncate: want 2 got 1"),
                go("{{truncate \"\" -1}}", null, "template: :1:2: executing \"\" at <truncate \"\" -1>: error calling truncate: runtime error: slice bounds out of range [:-1]"),
                go("{{pad .Id -1 0}}", null, "template: :1:2: executing \"\" at <pad .Id -1 0>: error calling pad: strings: negative Repeat count"),
                go("{{pad .Id 0 -1}}", null, "template: :1:2: executing \"\" at <pad .Id 0 -1>: error calling pad: strings: negative Repeat count"),
                go("{{pad .Id 2 1}}", "  sha256:abc ", null),
                go("{{pad \"\" -1 -1}}", "", null),
                go("{{pad .Id -4294967296 0}}", null, "template: :1:2: executing \"\" at <pad .Id -4294967296 0>: error calling pad: strings: negative Repeat count"),
                go("{{index .RepoTags 5}}", null, "template: :1:2: executing \"\" at <index .RepoTags 5>: error calling index: index out of range: 5"),
                go("{{index .RepoTags -1}}", null, "template: :1:2: executing \"\" at <index .RepoTags -1>: error calling index: index out of range: -1"),
                go("{{index .RepoTags 2}}", null, "template: :1:2: executing \"\" at <index .RepoTags 2>: error calling index: reflect: slice index out of range"),
                go("{{index .Id 10}}", null, "template: :1:2: executing \"\" at <index .Id 10>: error calling index: reflect: string index out of range"),
                go("{{index .Id 3}}", "50", null),
                go("{{index .RepoTags 99999999999}}", null, "template: :1:2: executing \"\" at <index .RepoTags 99999999999>: error calling index: index out of range: 99999999999"),
                go("{{index .RepoTags 4294967297}}", null, "template: :1:2: executing \"\" at <index .RepoTags 4294967297>: error calling index: index out of range: 4294967297"),
                go("{{index nil 1}}", null, "template: :1:2: executing \"\" at <index nil 1>: error calling index: index of untyped nil"),
                go("{{index .RepoTags \"a\"}}", null, "template: :1:2: executing \"\" at <index .RepoTags \"a\">: error calling index: cannot index slice/array with type string"),
                go("{{index .RepoTags nil}}", null, "template: :1:2: executing \"\" at <index .RepoTags nil>: error calling index: cannot index slice/array with nil"),
                go("{{index .RepoTags 1 0}}", "115", null),
                go("{{index .Size 0}}", null, "template: :1:2: executing \"\" at <index .Size 0>: error calling index: can't index item of type int64"),
                go("{{slice .Id 5 2}}", null, "template: :1:2: executing \"\" at <slice .Id 5 2>: error calling slice: invalid slice index: 5 > 2"),
                go("{{slice .Id -1}}", null, "template: :1:2: executing \"\" at <slice .Id -1>: error calling slice: index out of range: -1"),
                go("{{slice .Id 1 2 3}}", null, "template: :1:2: executing \"\" at <slice .Id 1 2 3>: error calling slice: cannot 3-index slice a string"),
                go("{{slice .RepoTags 0 1 2}}", "[site:static]", null),
                go("{{slice .Id 0 100}}", null, "template: :1:2: executing \"\" at <slice .Id 0 100>: error calling slice: index out of range: 100"),
                go("{{slice .RepoTags 0 99999999999}}", null, "template: :1:2: executing \"\" at <slice .RepoTags 0 99999999999>: error calling slice: index out of range: 99999999999"),
                go("{{slice .RepoTags 0 4294967297}}", null, "template: :1:2: executing \"\" at <slice .RepoTags 0 4294967297>: error calling slice: index out of range: 4294967297"),
                go("{{slice .RepoTags 1 2 3}}", null, "template: :1:2: executing \"\" at <slice .RepoTags 1 2 3>: error calling slice: index out of range: 3"),
                go("{{slice .RepoTags 0 2 1}}", null, "template: :1:2: executing \"\" at <slice .RepoTags 0 2 1>: error calling slice: invalid slice index: 2 > 1"),
                go("{{slice .Id 1 2 3 4}}", null, "template: :1:2: executing \"\" at <slice .Id 1 2 3 4>: error calling slice: too many slice indexes: 4"),
                go("{{slice nil}}", null, "template: :1:2: executing \"\" at <slice nil>: error calling slice: slice of untyped nil"),
                go("{{slice .Size}}", null, "template: :1:2: executing \"\" at <slice .Size>: error calling slice: can't slice item of type int64"),
                go("{{slice .Id \"a\"}}", null, "template: :1:2: executing \"\" at <slice .Id \"a\">: error calling slice: cannot index slice/array with type string"),
                go("{{slice .Id}}", "sha256:abc", null),
                go("{{slice .RepoTags 2}}", "[]", null),
                go("{{slice .Id 10}}", "", null),
                go("{{slice .Id 3 5}}", "25", null),
                go("{{slice .RepoTags 1 2}}", "[site:latest]", null),
                go("{{slice .RepoTags 0 1 1}}", "[site:static]", null),
                go("{{\"\\x\"}}", null, "template: :1: invalid syntax"),
                go("{{\"\\u12\"}}", null, "template: :1: invalid syntax"),
                go("{{\"\\8\"}}", null, "template: :1: invalid syntax"),
                go("{{\"\\777\"}}", null, "template: :1: invalid syntax"),
                go("{{\"\\ud800\"}}", null, "template: :1: invalid syntax"),
                go("{{\"\\U00110000\"}}", null, "template: :1: invalid syntax"),
                go("{{\"\\a\\b\\f\\v\\\\\"}}", "\u0007\u0008\u000c\u000b\\", null),
                go("{{'\\''}}", "39", null),
                go("{{'\\\"'}}", null, "template: :1: invalid syntax"),
                go("{{\"\\'\"}}", null, "template: :1: invalid syntax"),
                go("{{'x'}}", "120", null),
                go("{{'\\x41'}}", "65", null),
                go("{{'\\u00e9'}}", "233", null),
                go("{{'\u00e9'}}", "233", null),
                go("{{\"\\x41\\101\\u0041\\U00000041\"}}", "AAAA", null),
                go("{{''}}", null, "template: :1: invalid syntax"),
                go("{{'ab'}}", null, "template: :1: malformed character constant: 'ab'"),
                go("{{'\\x4'}}", null, "template: :1: invalid syntax"),
                go("{{\"\\q\"}}", null, "template: :1: invalid syntax"),
                go("{{\"\\\"}}", null, "template: :1: unterminated quoted string"),
                go("{{\"\\x4\"}}", null, "template: :1: invalid syntax"),
                go("{{\"\\12\"}}", null, "template: :1: invalid syntax"),
                go("{{\"\\U0001F600\"}}", "\ud83d\ude00", null),
                go("{{\"\\uD83D\\uDE00\"}}", null, "template: :1: invalid syntax"),
                go("{{'\\U0001F600'}}", "128512", null),
                go("{{'\ud83d\ude00'}}", "128512", null),
                go("{{'\\n'}}", "10", null)
,
                // $x = assigns the variable declared outside, so the value outlives the range or if
                go("{{$x := 1}}{{range .RepoTags}}{{$x = .}}{{end}}{{$x}}", "site:latest", null),
                go("{{$x := \"a\"}}{{if true}}{{$x = \"b\"}}{{end}}{{$x}}", "b", null),
                // errors in an if or range pipeline name it and where it starts, as Go's do
                go("{{if 0}}{{else if index .RepoTags 5}}{{end}}", null,
                        "template: :1:18: executing \"\" at <index .RepoTags 5>: error calling index: index out of range: 5"),
                go("{{range index .RepoTags 5}}{{end}}", null,
                        "template: :1:8: executing \"\" at <index .RepoTags 5>: error calling index: index out of range: 5"),
                go("{{  truncate .Id -1}}", null,
                        "template: :1:4: executing \"\" at <truncate .Id -1>: error calling truncate: runtime error: slice bounds out of range [:-1]")
        );
    }

    @ParameterizedTest
    @MethodSource("goCases")
    void functionsAndLiteralsAnswerAsGos(String template, String output, String error) {
        if (error == null) assertThat(run(template)).isEqualTo(output);
        else assertThatThrownBy(() -> run(template)).isInstanceOf(TemplateException.class).hasMessage(error);
    }

    /**
     * Go's parser refuses parentheses nested deeper than 10000 ("max expression depth exceeded"); whittle counts every
     * nesting (parentheses, if, with, range) against a limit of 100, as its stack is not Go's growable one. Deeper
     * templates once ended in a StackOverflowError.
     */
    @Test
    void nestingDeeperThanTheLimitIsAnErrorNotAStackOverflow() {
        int limit = GoTemplate.MAX_DEPTH;
        assertThat(limit).isEqualTo(100);
        assertThat(run("{{" + "(".repeat(limit) + ".Id" + ")".repeat(limit) + "}}")).isEqualTo("sha256:abc");
        assertThat(run("{{if 1}}".repeat(limit) + "x" + "{{end}}".repeat(limit))).isEqualTo("x");
        assertThat(run("{{with .Id}}" + "{{with .}}".repeat(limit / 2 - 1) + "{{range split . \":\"}}".repeat(limit / 2) + "{{.}}"
                + "{{end}}".repeat(limit)))
                .isEqualTo("sha256abc");
        assertThat(run("{{if 0}}" + "{{else if 0}}".repeat(limit - 1) + "{{else}}y{{end}}")).isEqualTo("y");
        for (String deep : List.of("{{" + "(".repeat(limit + 1) + "1" + ")".repeat(limit + 1) + "}}",
                "{{if 1}}".repeat(limit + 1) + "x" + "{{end}}".repeat(limit + 1),
                "{{if 0}}" + "{{else if 0}}".repeat(limit) + "{{else}}y{{end}}",
                "{{if 1}}".repeat(limit / 2) + "{{" + "(".repeat(limit / 2 + 1) + "1" + ")".repeat(limit / 2 + 1) + "}}" + "{{end}}".repeat(limit / 2),
                "{{" + "(".repeat(100_000) + "1" + ")".repeat(100_000) + "}}", "{{range .}}".repeat(100_000), "{{if 0}}" + "{{else with 1}}".repeat(100_000))) {
            assertThatThrownBy(() -> GoTemplate.parse(deep)).isInstanceOf(TemplateException.class)
                    .hasMessage("template: :1: max expression depth exceeded");
        }
    }

    /**
     * Go bounds neither the text a template makes nor the time it takes; whittle stops one execution at 64 MiB of
     * text or ten million steps with an error, so a --format cannot exhaust memory or run for hours.
     */
    @Test
    void executionIsBoundedInTextAndSteps() {
        assertThatThrownBy(() -> run("{{range split (printf \"%10000000d\" 0) \"\"}}{{printf \"%10000000d\" 0}}{{end}}"))
                .isInstanceOf(TemplateException.class)
                .hasMessageStartingWith("template: :1:").hasMessageEndingWith("exceeds whittle's limit of 64 MiB of text");
        assertThatThrownBy(() -> run("{{$x := \"ab\"}}{{range split (printf \"%100d\" 0) \"\"}}{{$x = printf \"%s%s\" $x $x}}{{end}}"))
                .isInstanceOf(TemplateException.class).hasMessageEndingWith("exceeds whittle's limit of 64 MiB of text");
        assertThatThrownBy(() -> run("{{pad .Id 100000000 0}}")).isInstanceOf(TemplateException.class)
                .hasMessageEndingWith("exceeds whittle's limit of 64 MiB of text");
        String l = "{{$l := split (printf \"%3000d\" 0) \"\"}}";
        assertThatThrownBy(() -> run(l + "{{range $l}}{{range $l}}{{range $l}}{{end}}{{end}}{{end}}"))
                .isInstanceOf(TemplateException.class).hasMessageEndingWith("exceeds whittle's limit of 10000000 steps");
        // within the limits: Go's widest directive, and a range over a thousand items
        assertThat(run("{{printf \"%10000009d\" 0 | len}}")).isEqualTo("10000009");
        assertThat(run(l.replace("3000", "1000") + "{{range $l}}{{range $l}}.{{end}}{{end}}")).hasSize(1_000_000);
    }
}
