package dev.whittle.cli.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
}
