package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code check}, {@code analyze}, {@code compare} and {@code lint} say about a program's needs once it has
 * started, on images built FROM scratch (no runc, no Docker: {@link RuntimeMatrixTest} compares with real runs).
 */
class RuntimeCheckTest {
    @TempDir
    static Path dir;

    static Whittle whittle;
    static Path tz, hello, server;

    @BeforeAll
    static void programs() throws IOException {
        Assumptions.assumeTrue(Exec.available("go"), "needs golang-go");
        whittle = new Whittle(dir.resolve("store"));
        tz = build("tz", """
                import ("fmt"; "os"; "time")
                func main() {
                	l, err := time.LoadLocation("Europe/Paris")
                	if err != nil { fmt.Println(err); os.Exit(1) }
                	fmt.Println("hello", l)
                }""");
        hello = build("hello", "import \"fmt\"\nfunc main() { fmt.Println(\"hello\") }");
        server = build("server", """
                import ("fmt"; "log"; "net/http")
                func main() {
                	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "hello") })
                	log.Fatal(http.ListenAndServe(":4242", nil))
                }""");
    }

    static Path build(String name, String body) throws IOException {
        Path d = Files.createDirectories(dir.resolve("src-" + name));
        Files.writeString(d.resolve("go.mod"), "module example.com/" + name + "\n\ngo 1.19\n");
        Files.writeString(d.resolve("main.go"), "package main\n\n" + body + "\n");
        Path out = dir.resolve("bin-" + name);
        Exec.run(
                        List.of(
                                "env",
                                "CGO_ENABLED=0",
                                "GOFLAGS=-mod=mod",
                                "GOCACHE=" + dir.resolve("gocache"),
                                "GOPATH=" + dir.resolve("gopath"),
                                "go",
                                "build",
                                "-o",
                                out.toString(),
                                "."),
                        d,
                        600)
                .ok();
        return out;
    }

    static String image(String tag, Path program, String dockerfile) throws IOException {
        Path ctx = Files.createDirectories(dir.resolve("ctx-" + tag.replaceAll("[/:]", "-")));
        Files.copy(program, ctx.resolve("prog"), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
        whittle.run("build", "-q", "--check=off", "-t", tag, ctx.toString()).ok();
        return tag;
    }

    static Map<?, ?> json(String tag) {
        return (Map<?, ?>)
                Json.parse(whittle.run("check", "--format", "json", tag).out());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> finding(Map<?, ?> report, String code) {
        return ((List<?>) report.get("findings"))
                .stream()
                        .map(f -> (Map<String, Object>) f)
                        .filter(f -> code.equals(f.get("code")))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no " + code + " in " + report));
    }

    @Test
    void aTimeZoneWithoutZoneinfoFailsOnceRunning() throws IOException {
        String tag = image("rt/tz:scratch", tz, "FROM scratch\nCOPY prog /app/prog\nCMD [\"/app/prog\"]\n");
        Exec text = whittle.run("check", tag);
        assertThat(text.code()).as("an error at run time is an error of check").isEqualTo(1);
        assertThat(text.out())
                .contains("rt/tz:scratch: the entrypoint can start, but fails once it runs")
                .contains("ERROR NoZoneinfo (at run time) /usr/share/zoneinfo")
                .contains("at run time: unknown time zone <name>")
                .contains("time.LoadLocation")
                .contains("import _ \"time/tzdata\"");
        Map<?, ?> j = json(tag);
        assertThat(j.get("canStart")).isEqualTo(true);
        assertThat(j.get("canRun")).isEqualTo(false);
        assertThat(finding(j, "NoZoneinfo")).containsEntry("phase", "runtime").containsEntry("severity", "error");
        assertThat(whittle.run("check", "--format", "sarif", tag).out())
                .contains("\"ruleId\": \"NoZoneinfo\"")
                .contains("\"phase\": \"runtime\"");
        // a build's verdict is about the start: it still passes
        Path ctx = dir.resolve("ctx-rt-tz-scratch");
        Exec b = whittle.run("build", "-t", "rt/tz:built", ctx.toString());
        assertThat(b.code()).as(b.err()).isZero();
        assertThat(b.err()).contains("NoZoneinfo");
        // the program that uses nothing of the kind gets nothing
        String plain = image("rt/hello:scratch", hello, "FROM scratch\nCOPY prog /app/prog\nCMD [\"/app/prog\"]\n");
        assertThat((List<?>) json(plain).get("findings")).isEmpty();
    }

    /** The seed's site on scratch: a server links TLS verification (for client certificates) but fetches nothing. */
    @Test
    void aServerOnScratchGetsNoCaOrZoneinfoFinding() throws IOException {
        String tag = image("rt/server:scratch", server, "FROM scratch\nCOPY prog /app/site\nCMD [\"/app/site\"]\n");
        Map<?, ?> j = json(tag);
        assertThat(j.get("canRun")).isEqualTo(true);
        List<String> codes = ((List<?>) j.get("findings"))
                .stream().map(f -> String.valueOf(((Map<?, ?>) f).get("code"))).toList();
        assertThat(codes).doesNotContain("NoCaCertificates", "NoZoneinfo").isEmpty();
    }

    @Test
    void analyzeAndCompareShowWhatFailsOnceRunning() throws IOException {
        String tag = image("rt/tz:analyze", tz, "FROM scratch\nCOPY prog /app/prog\nCMD [\"/app/prog\"]\n");
        String plain = image("rt/hello:analyze", hello, "FROM scratch\nCOPY prog /app/prog\nCMD [\"/app/prog\"]\n");
        assertThat(whittle.run("analyze", tag).ok().out())
                .contains("check: the entrypoint can start, but fails once it runs")
                .contains("error NoZoneinfo (at run time): unknown time zone <name>")
                .contains("fix: import _ \"time/tzdata\"");
        Map<?, ?> a = (Map<?, ?>)
                Json.parse(whittle.run("analyze", "--format", "json", tag).ok().out());
        assertThat(((Map<?, ?>) a.get("check")).get("canRun")).isEqualTo(false);
        String cmp = whittle.run("compare", tag, plain).ok().out();
        assertThat(cmp)
                .containsPattern("(?m)^rt/tz:analyze .* NoZoneinfo +yes$")
                .containsPattern("(?m)^rt/hello:analyze .* ok +yes$");
    }

    /** The misprediction of issue #22: a root-owned 0700 entrypoint with USER 65534 cannot be executed. */
    @Test
    void aNonRootUserCannotExecuteARootOnlyEntrypoint() throws IOException {
        String denied = image(
                "rt/perm:700",
                hello,
                "FROM scratch\nCOPY --chmod=700 prog /app/prog\nUSER 65534\nCMD [\"/app/prog\"]\n");
        Map<?, ?> j = json(denied);
        assertThat(j.get("canStart")).isEqualTo(false);
        assertThat(finding(j, "PermissionDenied"))
                .containsEntry("runtimeError", "exec /app/prog: permission denied")
                .containsEntry("phase", "start");
        String root =
                image("rt/perm:root", hello, "FROM scratch\nCOPY --chmod=700 prog /app/prog\nCMD [\"/app/prog\"]\n");
        assertThat(json(root).get("canStart")).isEqualTo(true);
        String owned = image(
                "rt/perm:owned",
                hello,
                "FROM scratch\nCOPY --chmod=700 --chown=65534:65534 prog /app/prog\nUSER 65534\nCMD [\"/app/prog\"]\n");
        assertThat(json(owned).get("canStart")).isEqualTo(true);
    }

    @Test
    void aHealthcheckGetsTheEntrypointsExecAnalysis() throws IOException {
        String curl = image(
                "rt/hc:curl",
                hello,
                "FROM scratch\nCOPY prog /app/prog\nHEALTHCHECK CMD curl -f http://localhost/\nCMD [\"/app/prog\"]\n");
        Map<?, ?> j = json(curl);
        assertThat(j.get("canStart")).isEqualTo(true);
        assertThat(j.get("healthcheckCanPass")).isEqualTo(false);
        assertThat(finding(j, "HealthcheckMissingExecutable"))
                .containsEntry("phase", "healthcheck")
                .containsEntry("runtimeError", "exec: \"/bin/sh\": stat /bin/sh: no such file or directory");
        assertThat(whittle.run("check", curl).out())
                .contains("the entrypoint can start, but its health check cannot pass");
        String exec = image(
                "rt/hc:exec",
                hello,
                "FROM scratch\nCOPY prog /app/prog\nHEALTHCHECK CMD [\"/app/prog\"]\nCMD [\"/app/prog\"]\n");
        assertThat(json(exec).get("healthcheckCanPass")).isEqualTo(true);
        String wget = image(
                "rt/hc:wget",
                hello,
                "FROM scratch\nCOPY prog /app/prog\nHEALTHCHECK CMD [\"wget\", \"-q\", \"localhost\"]\nCMD [\"/app/prog\"]\n");
        assertThat(finding(json(wget), "HealthcheckNotInPath")).containsEntry("severity", "error");
    }

    @Test
    void aVolumeTheUserCannotWriteIsAWarning() throws IOException {
        String tag = image(
                "rt/vol:root",
                hello,
                "FROM scratch\nCOPY prog /app/prog\nCOPY prog /data/keep\nUSER 65534\nVOLUME /data\nCMD [\"/app/prog\"]\n");
        Map<?, ?> j = json(tag);
        assertThat(finding(j, "VolumeNotWritable"))
                .containsEntry("severity", "warning")
                .containsEntry("path", "/data");
        assertThat(j.get("canRun")).isEqualTo(true);
        String owned = image(
                "rt/vol:owned",
                hello,
                "FROM scratch\nCOPY prog /app/prog\nCOPY --chown=65534:65534 prog /data/keep\nUSER 65534\n"
                        + "VOLUME /data\nCMD [\"/app/prog\"]\n");
        assertThat((List<?>) json(owned).get("findings")).isEmpty();
    }

    @Test
    void aWorkingDirTheUserCannotWriteIsANoteWhenTheProgramCreatesFiles() throws IOException {
        Path writer = build("writer", """
                import ("fmt"; "os")
                func main() {
                	if err := os.WriteFile("state.json", []byte("{}"), 0o644); err != nil { fmt.Println(err); os.Exit(1) }
                }""");
        Map<?, ?> j = json(
                image("rt/wd:root", writer, "FROM scratch\nCOPY prog /app/prog\nUSER 65534\nCMD [\"/app/prog\"]\n"));
        assertThat(finding(j, "WorkdirNotWritable"))
                .containsEntry("severity", "note")
                .containsEntry("path", "/");
        assertThat(finding(j, "WorkdirNotWritable").get("cause").toString())
                .contains("os.WriteFile")
                .contains("mode 755, owner 0:0")
                .contains("uid 65534");
        assertThat(j.get("canRun")).isEqualTo(true);
        String owned = image(
                "rt/wd:owned",
                writer,
                "FROM scratch\nCOPY prog /app/prog\nCOPY --chown=65534:65534 prog /work/keep\nWORKDIR /work\n"
                        + "USER 65534\nCMD [\"/app/prog\"]\n");
        assertThat((List<?>) json(owned).get("findings")).isEmpty();
        // a program that creates no file gets no note, whatever its working directory
        String reader =
                image("rt/wd:hello", hello, "FROM scratch\nCOPY prog /app/prog\nUSER 65534\nCMD [\"/app/prog\"]\n");
        assertThat((List<?>) json(reader).get("findings")).isEmpty();
    }

    @Test
    void lintSeesAHealthcheckProbeTheBaseLacks() throws IOException {
        Path df = dir.resolve("Dockerfile.hc");
        Files.writeString(
                df,
                "FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /app /app\n"
                        + "HEALTHCHECK CMD [\"curl\", \"-f\", \"http://localhost/\"]\nCMD [\"/app\"]\n");
        Exec l = whittle.run("lint", "-f", df.toString());
        assertThat(l.code()).isEqualTo(1);
        assertThat(l.out())
                .contains(
                        ":5:1 WL008 error: HEALTHCHECK CMD [\"curl\", ...] runs curl, and gcr.io/distroless/static-debian12 has no curl");
        Files.writeString(df, "FROM scratch\nCOPY app /app\nHEALTHCHECK CMD /app -health\nCMD [\"/app\"]\n");
        assertThat(whittle.run("lint", "-f", df.toString()).out())
                .contains(":3:1 WL008 error: HEALTHCHECK CMD /app -health runs /bin/sh -c");
        Files.writeString(df, "FROM scratch\nCOPY app /app\nHEALTHCHECK CMD [\"/app\", \"-health\"]\nCMD [\"/app\"]\n");
        assertThat(whittle.run("lint", "-f", df.toString()).out()).doesNotContain("WL008");
    }
}
