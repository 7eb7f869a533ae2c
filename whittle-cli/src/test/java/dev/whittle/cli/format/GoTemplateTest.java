package dev.whittle.cli.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * What the golden tables ({@link GoTemplateGoldenTest}) cannot hold: whittle's limits, which Go does not have, and
 * Go 1.23's {@code {{else with}}}, which docker 20.10's Go 1.19 refuses.
 */
class GoTemplateTest {
    /** docker's image inspect object with a few values, as ImageViews builds one. */
    static GoValue inspect() {
        Map<Object, Object> labels = new TreeMap<>();
        labels.put("org.opencontainers.image.source", "https://example.test/src");
        GoStruct cfg = new GoStruct(DockerTypes.CONFIG)
                .set("Env", new ArrayList<>(List.of("PATH=/bin", "A=b")))
                .set("Labels", labels);
        return new GoStruct(DockerTypes.IMAGE_INSPECT)
                .set("ID", "sha256:abc")
                .set("RepoTags", new ArrayList<>(List.of("site:static", "site:latest")))
                .set("Size", 8012345L)
                .set("Config", cfg.pointer())
                .set("ContainerConfig", new GoStruct(DockerTypes.CONFIG).pointer())
                .value();
    }

    static String run(String t) {
        return GoTemplate.parse(t).execute(inspect());
    }

    /**
     * Go 1.19 parses as deep as its stacks grow; whittle counts every nesting (parentheses, if, with, range, block)
     * against a limit of 100, ten times what a --format needs and ten times below a stack overflow, and says it with
     * the words Go later gave its own limit. Deeper templates once ended in a StackOverflowError.
     */
    @Test
    void nestingDeeperThanTheLimitIsAnErrorNotAStackOverflow() {
        int limit = TemplateParser.MAX_DEPTH;
        assertThat(limit).isEqualTo(100);
        assertThat(run("{{" + "(".repeat(limit) + ".ID" + ")".repeat(limit) + "}}"))
                .isEqualTo("sha256:abc");
        assertThat(run("{{if 1}}".repeat(limit) + "x" + "{{end}}".repeat(limit)))
                .isEqualTo("x");
        assertThat(run("{{with .ID}}" + "{{with .}}".repeat(limit / 2 - 1) + "{{range split . \":\"}}".repeat(limit / 2)
                        + "{{.}}" + "{{end}}".repeat(limit)))
                .isEqualTo("sha256abc");
        assertThat(run("{{if 0}}" + "{{else if 0}}".repeat(limit - 1) + "{{else}}y{{end}}"))
                .isEqualTo("y");
        for (String deep : List.of(
                "{{" + "(".repeat(limit + 1) + "1" + ")".repeat(limit + 1) + "}}",
                "{{if 1}}".repeat(limit + 1) + "x" + "{{end}}".repeat(limit + 1),
                "{{if 0}}" + "{{else if 0}}".repeat(limit) + "{{else}}y{{end}}",
                "{{if 1}}".repeat(limit / 2) + "{{" + "(".repeat(limit / 2 + 1) + "1" + ")".repeat(limit / 2 + 1) + "}}"
                        + "{{end}}".repeat(limit / 2),
                "{{" + "(".repeat(100_000) + "1" + ")".repeat(100_000) + "}}",
                "{{range .}}".repeat(100_000),
                "{{with 0}}" + "{{else with 1}}".repeat(100_000),
                "{{block \"a\" .}}".repeat(limit + 1))) {
            assertThatThrownBy(() -> GoTemplate.parse(deep))
                    .isInstanceOf(TemplateException.class)
                    .hasMessage("template: :1: max expression depth exceeded");
        }
    }

    /**
     * Go stops template recursion at 100000 calls; whittle stops bodies and template calls nested more than 300
     * deep (a Java stack holds a few thousand such levels), with Go's words and its own number.
     */
    @Test
    void recursionThroughTemplatesStopsWithGosError() {
        assertThatThrownBy(() -> run("{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\" .}}"))
                .isInstanceOf(TemplateException.class)
                .hasMessage(
                        "template: :1:25: executing \"r\" at <{{template \"r\" .}}>: exceeded maximum template depth (300)");
        String nested = "{{define \"r\"}}" + "{{if 1}}".repeat(99) + "{{template \"r\" .}}" + "{{end}}".repeat(99)
                + "{{end}}{{template \"r\" .}}";
        assertThatThrownBy(() -> run(nested))
                .isInstanceOf(TemplateException.class)
                .hasMessageEndingWith("exceeded maximum template depth (300)");
        // at the limit, half a default thread stack is enough
        Throwable[] thrown = new Throwable[1];
        Thread small = new Thread(
                null,
                () -> {
                    try {
                        run(
                                "{{define \"r\"}}{{with .}}{{if .}}{{range split . \"\"}}{{printf \"%v\" (len (index (slice (split . \"\") 0) 0))}}"
                                        + "{{end}}{{template \"r\" .}}{{end}}{{end}}{{end}}{{template \"r\" .ID}}");
                    } catch (Throwable e) {
                        thrown[0] = e;
                    }
                },
                "small-stack",
                512 * 1024);
        small.start();
        try {
            small.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertThat(thrown[0])
                .isInstanceOf(TemplateException.class)
                .hasMessageEndingWith("exceeded maximum template depth (300)");
        // within the limit: 140 calls, each in an if, is 280 levels
        assertThat(
                        run(
                                "{{define \"r\"}}{{if .}}{{template \"r\" (slice . 1)}}x{{end}}{{end}}{{template \"r\" (printf \"%140s\" \"\")}}"))
                .hasSize(140);
    }

    /**
     * Go bounds neither the text a template makes nor the time it takes; whittle stops one execution at 64 MiB of
     * text or ten million steps with an error, so a --format cannot exhaust memory or run for hours.
     */
    @Test
    void executionIsBoundedInTextAndSteps() {
        assertThatThrownBy(
                        () -> run("{{range split (printf \"%10000000d\" 0) \"\"}}{{printf \"%10000000d\" 0}}{{end}}"))
                .isInstanceOf(TemplateException.class)
                .hasMessageStartingWith("template: :1:")
                .hasMessageEndingWith("exceeds whittle's limit of 64 MiB of text");
        assertThatThrownBy(
                        () -> run(
                                "{{$x := \"ab\"}}{{range split (printf \"%100d\" 0) \"\"}}{{$x = printf \"%s%s\" $x $x}}{{end}}"))
                .isInstanceOf(TemplateException.class)
                .hasMessageEndingWith("exceeds whittle's limit of 64 MiB of text");
        assertThatThrownBy(() -> run("{{pad .ID 100000000 0}}"))
                .isInstanceOf(TemplateException.class)
                .hasMessageEndingWith("exceeds whittle's limit of 64 MiB of text");
        String l = "{{$l := split (printf \"%3000d\" 0) \"\"}}";
        assertThatThrownBy(() -> run(l + "{{range $l}}{{range $l}}{{range $l}}{{end}}{{end}}{{end}}"))
                .isInstanceOf(TemplateException.class)
                .hasMessageEndingWith("exceeds whittle's limit of 10000000 steps");
        // within the limits: Go's widest directive, and a range over a thousand items
        assertThat(run("{{printf \"%10000009d\" 0 | len}}")).isEqualTo("10000009");
        assertThat(run(l.replace("3000", "1000") + "{{range $l}}{{range $l}}.{{end}}{{end}}"))
                .hasSize(1_000_000);
    }

    /**
     * {@code {{with A}}..{{else with B}}..{{end}}}, Go 1.23's form (docker 27 and later), is accepted: it is
     * {@code {{with A}}..{{else}}{{with B}}..{{end}}{{end}}}. Go 1.19 refuses it ("unexpected <with> in else").
     */
    @Test
    void elseWithChainsAsElseIf() {
        assertThat(
                        run(
                                "{{with .Config.Labels.x}}x={{.}}{{else with .Config.Labels.y}}y={{.}}{{else with .ID}}id={{.}}{{else}}none{{end}}"))
                .isEqualTo("id=sha256:abc");
        assertThat(run("{{with .Config.Labels.x}}x{{else with .Config.Labels.y}}y{{else}}none{{end}}"))
                .isEqualTo("none");
        assertThat(run("{{with $v := .Config.Labels.x}}{{$v}}{{else with $v := index .RepoTags 1}}{{$v}}{{end}}"))
                .isEqualTo("site:latest");
        assertThatThrownBy(() -> GoTemplate.parse("{{if 1}}{{else with 2}}{{end}}"))
                .hasMessage("template: :1: unexpected <with> in input");
        assertThatThrownBy(() -> GoTemplate.parse("{{range .}}{{else with 2}}{{end}}"))
                .hasMessage("template: :1: unexpected <with> in input");
    }

    /** A table's header row ignores errors, as docker's does, and keeps what it wrote before one. */
    @Test
    void headerErrorsAreIgnored() {
        GoValue headers = GoValue.of(DockerTypes.SUB_HEADER, new TreeMap<>(Map.of("ID", "IMAGE ID")));
        assertThat(GoTemplate.parse("{{.ID}}|{{lower 1}}|{{.ID}}").executeHeader(headers))
                .isEqualTo("IMAGE ID|");
    }
}
