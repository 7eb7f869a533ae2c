package dev.whittle.cli.format;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Coverage-guided fuzzing (Jazzer) of {@code --format}: any text is parsed as a template and, when it parses,
 * executed over docker's data (an image inspect object, the same as raw JSON with missingkey=error as inspect's second
 * try, an {@code images} row whose values are methods, and the header row of a table). The property: a result or a {@link TemplateException} worded as
 * Go's ("template: :line..."), nothing else: no other exception, no OutOfMemoryError, no StackOverflowError, and
 * no input that runs for seconds. Executions get a sixteenth of the real {@link Budget}: the same code paths, and
 * the fuzzer does not spend its minute on inputs that make 64 MiB. Seeds and past findings are under
 * {@code src/test/resources/.../FormatFuzzTargetsInputs/}; every test run replays them.
 */
class FormatFuzzTargets {
    static final GoValue INSPECT = inspect();
    static final GoValue RAW = DockerTypes.fromJson(GoJson.tree(INSPECT));
    static final GoValue ROW = row();
    static final GoValue HEADERS = GoValue.of(
            DockerTypes.SUB_HEADER,
            new TreeMap<Object, Object>(Map.of(
                    "ID",
                    "IMAGE ID",
                    "Repository",
                    "REPOSITORY",
                    "Tag",
                    "TAG",
                    "CreatedSince",
                    "CREATED",
                    "Size",
                    "SIZE")));

    /** docker's ImageInspect as ImageViews builds it: nil slices and maps, struct{} sets, pointers, a time. */
    static GoValue inspect() {
        Map<Object, Object> ports = new TreeMap<>();
        ports.put("443/tcp", DockerTypes.EMPTY);
        ports.put("80/tcp", DockerTypes.EMPTY);
        Map<Object, Object> labels = new TreeMap<>();
        labels.put("org.opencontainers.image.title", "site");
        labels.put("a", "");
        GoStruct cfg = new GoStruct(DockerTypes.CONFIG)
                .set("User", "app")
                .set("ExposedPorts", ports)
                .set("Env", new ArrayList<>(List.of("PATH=/usr/local/bin:/usr/bin", "LANG=C.UTF-8", "EMPTY=")))
                .set("Cmd", new ArrayList<>(List.of("/bin/sh", "-c", "exec \"$@\" <x> & y")))
                .set("Image", "sha256:0123")
                .set("WorkingDir", "/srv/ü")
                .set("Labels", labels)
                .set("StopTimeout", new GoValue.Ptr(10L))
                .set(
                        "Healthcheck",
                        new GoStruct(DockerTypes.HEALTH_CONFIG)
                                .set("Test", new ArrayList<>(List.of("CMD", "true")))
                                .set("Interval", 30_000_000_000L)
                                .pointer());
        return new GoStruct(DockerTypes.IMAGE_INSPECT)
                .set("ID", "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945")
                .set("RepoTags", new ArrayList<>(List.of("site:latest", "registry.example:5000/site:1")))
                .set("RepoDigests", new ArrayList<>())
                .set("Created", "-5000000-06-15T12:00:00Z")
                .set("Config", cfg.pointer())
                .set("ContainerConfig", new GoStruct(DockerTypes.CONFIG).pointer())
                .set("Architecture", "amd64")
                .set("Size", 8012345L)
                .set(
                        "RootFS",
                        new GoStruct(DockerTypes.ROOT_FS)
                                .set("Type", "layers")
                                .set("Layers", new ArrayList<>(List.of("sha256:1", "sha256:2")))
                                .data())
                .set(
                        "Metadata",
                        new GoStruct(DockerTypes.METADATA)
                                .set("LastTagTime", DockerTypes.time(GoTime.ZERO))
                                .data())
                .value();
    }

    /** An images row: a *formatter.imageContext whose values are methods, whose json escapes HTML. */
    static GoValue row() {
        Map<String, String> cols = new HashMap<>();
        for (String c : DockerTypes.IMAGE_COLUMNS) cols.put(c, "N/A");
        cols.put("CreatedSince", "292 years ago");
        cols.put("ID", "4f53cda18c2b");
        cols.put("Repository", "<none>");
        cols.put("Size", "8.01MB");
        Object[] summary = new GoStruct(DockerTypes.IMAGE_SUMMARY)
                .set("ID", "sha256:4f53")
                .set("Size", 8012345L)
                .data();
        return DockerTypes.row(
                DockerTypes.IMAGE_CONTEXT,
                List.of(true, summary, "<none>", "<none>", "<none>"),
                cols,
                DockerTypes.IMAGE_COLUMNS);
    }

    /** The template language's words, so mutations build actions rather than random bytes. */
    @DictionaryEntries({
        "{{",
        "}}",
        "{{- ",
        " -}}",
        "{{end}}",
        "{{else}}",
        "{{else if ",
        "{{if ",
        "{{range ",
        "{{with ",
        "$x := ",
        "$i, $e := ",
        "$x = ",
        "$x",
        "$",
        ".",
        ".Id",
        ".ID",
        "{{define \"a\"}}",
        "{{template \"a\" .}}",
        "{{block \"b\" .}}",
        "{{break}}",
        "{{continue}}",
        "{{else with ",
        "call ",
        "html ",
        "js ",
        "urlquery ",
        "0x1p-2",
        "0b1",
        "0o7",
        "1i",
        "'a'",
        ".RepoTags",
        ".Config",
        ".Config.Env",
        ".Config.Labels",
        ".Size",
        "(",
        ")",
        " | ",
        "\"",
        "`",
        "'",
        "\\x",
        "\\u",
        "\\U",
        "\\777",
        "printf ",
        "print ",
        "println ",
        "json ",
        "join ",
        "split ",
        "index ",
        "slice ",
        "len ",
        "truncate ",
        "pad ",
        "lower ",
        "upper ",
        "title ",
        "eq ",
        "ne ",
        "lt ",
        "and ",
        "or ",
        "not ",
        "nil",
        "true",
        "%",
        "%*d",
        "%.*f",
        "%[2]",
        "%-08.3",
        "%#x",
        "%q",
        "%U",
        "%c",
        "%v",
        "%T",
        "%e",
        "%g",
        "1000001",
        "10000000",
        "9999999",
        "-1",
        "-9223372036854775808",
        "4294967297",
        "0x",
        "1e400",
        "/* */"
    })
    @FuzzTest(maxDuration = "20s")
    void parseAndExecute(byte[] input) {
        long start = System.nanoTime();
        GoTemplate t;
        try {
            t = GoTemplate.parse(new String(input, StandardCharsets.UTF_8));
        } catch (TemplateException e) {
            assertThat(e.getMessage()).startsWith("template: :");
            return;
        }
        for (GoValue data : List.of(INSPECT, ROW)) execute(t, data, false);
        execute(t, RAW, true);
        t.executeHeader(HEADERS, new Budget(Budget.TEXT / 16, Budget.STEPS / 16));
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("time for one input")
                .isLessThan(Duration.ofSeconds(5));
    }

    private static void execute(GoTemplate t, GoValue data, boolean missingKeyError) {
        try {
            Budget b = new Budget(Budget.TEXT / 16, Budget.STEPS / 16);
            if (missingKeyError) t.executeMissingKeyError(data, b);
            else t.execute(data, b);
        } catch (TemplateException e) {
            assertThat(e.getMessage()).startsWith("template: :");
        }
    }
}
