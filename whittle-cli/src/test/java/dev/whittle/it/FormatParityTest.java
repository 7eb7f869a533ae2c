package dev.whittle.it;

import static dev.whittle.it.DockerDaemon.docker;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --format} against docker 20.10 itself: two images made by {@code docker import} (one with labels, exposed
 * ports and a healthcheck, one with nothing) are saved into whittle's store, and each template prints the same, fails
 * with the same message (whittle adds its {@code Error: } prefix) and exits with the same code in both. The formats
 * avoid what the two stores hold differently (graph driver, tag times).
 */
@Tag("docker")
class FormatParityTest {
    @TempDir
    static Path dir;

    static Whittle whittle;
    static final String LABELS = "whittle-it/format:labels", PLAIN = "whittle-it/format:plain";

    @BeforeAll
    static void images() throws IOException {
        DockerDaemon.require();
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(root.resolve("f"), "hi\n");
        // 1234570 bytes: Size has three digits (1.23MB), VirtualSize four (1.235MB)
        Files.write(root.resolve("big"), new byte[1_234_567]);
        Path tar = dir.resolve("root.tar");
        Exec.run("tar", "-C", root.toString(), "-cf", tar.toString(), "f", "big")
                .ok();
        docker(
                        "import",
                        "--change",
                        "LABEL org.opencontainers.image.source=https://example.test/src a=b",
                        "--change",
                        "EXPOSE 80/tcp 443",
                        "--change",
                        "ENV A=b",
                        "--change",
                        "CMD [\"/bin/sh\"]",
                        "--change",
                        "HEALTHCHECK --interval=30s --timeout=1500ms CMD true",
                        tar.toString(),
                        LABELS)
                .ok();
        try {
            Thread.sleep(1100); // docker lists images by creation second, and leaves ties in no particular order
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        docker("import", tar.toString(), PLAIN).ok();
        Path saved = dir.resolve("images.tar");
        docker("save", "-o", saved.toString(), LABELS, PLAIN).ok();
        whittle = new Whittle(dir.resolve("store"));
        whittle.run("load", "-i", saved.toString()).ok();
    }

    @AfterAll
    static void removeImages() {
        if (whittle != null) docker("rmi", LABELS, PLAIN);
    }

    static Stream<String> inspectFormats() {
        return Stream.of(
                // labels: absent keys, absent maps, the usual OCI one
                "{{.Config.Labels.x}}",
                "{{index .Config.Labels \"x\"}}",
                "{{index .Config.Labels \"org.opencontainers.image.source\"}}",
                "{{.Config.Labels}}",
                "{{json .Config.Labels}}",
                "{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}",
                "{{with index .Config.Labels \"org.opencontainers.image.source\"}}{{.}}{{else}}none{{end}}",
                // the JSON name and the Go name, and inspect's second try over raw JSON
                "{{.Id}}",
                "{{.ID}}",
                "{{.Id}}|{{.ID}}",
                "{{.Nope}}",
                "{{.Config.Nope}}",
                "{{index .Config.ExposedPorts \"80/tcp\"}}",
                "{{eq .Size \"x\"}}",
                "{{lt .Size 1.5}}",
                "{{eq .Size 1}}",
                // printing Go values
                "{{.Config.Healthcheck}}",
                "{{json .Config.Healthcheck}}",
                "{{.ContainerConfig}}",
                "{{json .Config}}",
                "{{json .RootFS}}",
                "{{printf \"%T|%T|%T|%T|%T\" . .Config .Config.Cmd .Size .Config.ExposedPorts}}",
                "{{printf \"%#v\" .RootFS}}",
                "{{printf \"%#v\" .Config.Labels}}",
                "{{printf \"%+v\" .Config.Env}}",
                "{{.Config.Cmd}} {{.Config.Env}} {{json .Config.Entrypoint}}",
                "{{printf \"%d %T %v %s\" 1.5 1 .Size .Os}}",
                "{{printf \"%v %v\" 1}}",
                "{{printf \"%#v %x\" .Os .Os}}",
                // errors: where and which
                "{{if}}",
                "{{.Id",
                "x\n{{ (index .RepoTags 5) }}",
                "{{nosuch}}",
                "{{index .Config.Labels 1}}",
                "{{call .Size}}",
                "{{template \"nope\"}}",
                "{{range 3}}{{end}}",
                // the rest of the language
                "{{define \"a\"}}[{{.}}]{{end}}{{template \"a\" .Os}}",
                "{{block \"b\" .Architecture}}<{{.}}>{{end}}",
                "{{range .RepoTags}}{{.}}{{break}}{{end}};{{range $i, $e := .Config.Env}}{{continue}}{{end}}ok",
                "{{len .RootFS.Layers}} {{slice .Id 0 7}} {{index .Id 0}}",
                "{{upper .Os}} {{title \"a b\"}} {{join .Config.Env \",\"}} "
                        + "{{split .Os \"n\"}} {{pad .Os 1 1}} {{truncate .Id 10}}",
                "{{html \"<a>\"}} {{urlquery \"a b\"}} {{js \"'\"}} {{print 1 2 \"a\"}} {{017}} {{0x1p2}} {{'a'}}");
    }

    @ParameterizedTest
    @MethodSource("inspectFormats")
    void inspectPrintsWhatDockerPrints(String format) {
        same(List.of("inspect", "--format", format, LABELS, PLAIN));
    }

    /** An empty --format is no format: the default table, or for inspect the default JSON. */
    @Test
    void anEmptyFormatIsTheDefault() {
        assertThat(whittle.run("inspect", "--format", "", LABELS).ok().out())
                .isEqualTo(whittle.run("inspect", LABELS).ok().out())
                .startsWith("[\n    {\n        \"Id\": ");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}} {{.VirtualSize}} {{.Digest}}",
                "{{printf \"%T\" .}}",
                "{{.Foo}}",
                "{{.ID",
                "{{.ID 1}}",
                "table {{.ID}}\t{{.Repository}}\t{{upper .Tag}}",
                "table {{.ID}}\t{{.Foo}}",
                "table {{.Repository}}\t{{join .Tag \",\"}}"
            })
    void imagesPrintsWhatDockerPrints(String format) {
        same(List.of("images", "--format", format, "whittle-it/format"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{{.CreatedBy}}|{{.Size}}|{{.Comment}}", "{{printf \"%T\" .}}", "{{.Foo}}", "{{.ID"})
    void historyPrintsWhatDockerPrints(String format) {
        same(List.of("history", "--no-trunc", "--format", format, LABELS));
    }

    private static void same(List<String> args) {
        Exec theirs = docker(args.toArray(String[]::new));
        Exec ours = whittle.run(args.toArray(String[]::new));
        // a second may pass between the two: relative times are compared by their words
        assertThat(ours.out().replaceAll("\\d+ seconds ago", "N seconds ago"))
                .as("stdout of " + args)
                .isEqualTo(theirs.out().replaceAll("\\d+ seconds ago", "N seconds ago"));
        assertThat(ours.code()).as("exit code of " + args + ": " + ours.err()).isEqualTo(theirs.code());
        assertThat(stripped(ours.err()))
                .as("stderr of " + args)
                .isEqualTo(theirs.err().strip());
    }

    /** whittle prints errors as {@code Error: message}; docker prints the message alone. */
    private static String stripped(String err) {
        List<String> lines = new ArrayList<>();
        for (String l : err.strip().split("\n", -1))
            lines.add(l.startsWith("Error: ") ? l.substring("Error: ".length()) : l);
        return String.join("\n", lines);
    }
}
