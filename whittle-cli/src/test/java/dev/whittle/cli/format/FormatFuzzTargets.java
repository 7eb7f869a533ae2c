package dev.whittle.cli.format;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing (Jazzer) of {@code --format}: any text is parsed as a template and, when it parses,
 * executed over docker-shaped data (an image inspect object, an {@code images} row that escapes HTML in
 * {@code json}, and the header row of a table). The property: a result or a {@link TemplateException} worded as
 * Go's ("template: :line..."), nothing else: no other exception, no OutOfMemoryError, no StackOverflowError, and
 * no input that runs for seconds. Executions get a sixteenth of the real {@link Budget}: the same code paths, and
 * the fuzzer does not spend its minute on inputs that make 64 MiB. Seeds and past findings are under
 * {@code src/test/resources/.../FormatFuzzTargetsInputs/}; every test run replays them.
 */
class FormatFuzzTargets {
    static final Object INSPECT = inspect();
    static final Object ROW = row();
    static final Map<String, Object> HEADERS = Map.of("ID", "IMAGE ID", "Repository", "REPOSITORY", "Tag", "TAG",
            "CreatedSince", "CREATED", "Size", "SIZE");

    /** docker's ImageInspect as ImageViews builds it: typed nils, empty structs, sorted maps, a struct pointer. */
    static GoValues.Struct inspect() {
        GoValues.Struct cfg = new GoValues.Struct();
        cfg.put("Hostname", "");
        cfg.put("User", "app");
        cfg.put("AttachStdin", false);
        Map<String, Object> ports = new TreeMap<>();
        ports.put("443/tcp", GoValues.EMPTY_STRUCT);
        ports.put("80/tcp", GoValues.EMPTY_STRUCT);
        cfg.put("ExposedPorts", ports);
        cfg.put("Env", new ArrayList<>(List.of("PATH=/usr/local/bin:/usr/bin", "LANG=C.UTF-8", "EMPTY=")));
        cfg.put("Cmd", new ArrayList<>(List.of("/bin/sh", "-c", "exec \"$@\" <x> & y")));
        cfg.put("Healthcheck", GoValues.NIL_POINTER);
        cfg.put("Image", "sha256:0123");
        cfg.put("Volumes", GoValues.NIL_MAP);
        cfg.put("WorkingDir", "/srv/ü");
        cfg.put("Entrypoint", GoValues.NIL_SLICE);
        Map<String, Object> labels = new TreeMap<>();
        labels.put("org.opencontainers.image.title", "site");
        labels.put("a", "");
        cfg.put("Labels", labels);
        cfg.put("StopTimeout", 10L);
        cfg.omitEmpty("ExposedPorts", "Healthcheck", "StopTimeout");
        GoValues.Struct s = new GoValues.Struct();
        s.put("Id", "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945");
        s.alias("ID", "Id");
        s.put("RepoTags", new ArrayList<>(List.of("site:latest", "registry.example:5000/site:1")));
        s.put("RepoDigests", new ArrayList<>());
        s.put("Created", "-5000000-06-15T12:00:00Z");
        s.put("Config", cfg);
        s.put("Architecture", "amd64");
        s.put("Size", 8012345L);
        GoValues.Struct rootfs = new GoValues.Struct();
        rootfs.put("Type", "layers");
        rootfs.put("Layers", new ArrayList<>(List.of("sha256:1", "sha256:2")));
        s.put("RootFS", rootfs);
        s.put("Metadata", new GoValues.Struct());
        return s;
    }

    static GoValues.Struct row() {
        GoValues.Struct r = new GoValues.Struct().htmlEscaped();
        r.put("CreatedSince", "292 years ago");
        r.put("ID", "4f53cda18c2b");
        r.put("Repository", "<none>");
        r.put("Size", "8.01MB");
        r.put("Tag", "<none>");
        return r;
    }

    /** The template language's words, so mutations build actions rather than random bytes. */
    @DictionaryEntries({"{{", "}}", "{{- ", " -}}", "{{end}}", "{{else}}", "{{else if ", "{{if ", "{{range ", "{{with ", "$x := ",
            "$i, $e := ", "$x = ", "$x", "$", ".", ".Id", ".RepoTags", ".Config", ".Config.Env", ".Config.Labels", ".Size", "(", ")", " | ",
            "\"", "`", "'", "\\x", "\\u", "\\U", "\\777", "printf ", "print ", "println ", "json ", "join ", "split ", "index ", "slice ",
            "len ", "truncate ", "pad ", "lower ", "upper ", "title ", "eq ", "ne ", "lt ", "and ", "or ", "not ", "nil", "true", "%",
            "%*d", "%.*f", "%[2]", "%-08.3", "%#x", "%q", "%U", "%c", "%v", "%T", "%e", "%g", "1000001", "10000000", "9999999",
            "-1", "-9223372036854775808", "4294967297", "0x", "1e400", "/* */"})
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
        for (Object data : List.of(INSPECT, ROW)) execute(t, data);
        execute(t.forHeader(), HEADERS);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time for one input").isLessThan(Duration.ofSeconds(5));
    }

    private static void execute(GoTemplate t, Object data) {
        try {
            t.execute(data, new Budget(Budget.TEXT / 16, Budget.STEPS / 16));
        } catch (TemplateException e) {
            assertThat(e.getMessage()).startsWith("template: :");
        }
    }
}
