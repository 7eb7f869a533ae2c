package dev.whittle.it;

import static dev.whittle.it.DockerDaemon.docker;
import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.json.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The six seed scenarios built by whittle and by Docker's BuildKit from the same stand-in bases: same file trees,
 * same configs, sizes within 2 %, and whittle's images, loaded into Docker, run as the scenario table says.
 */
@Tag("scenarios")
class ScenarioTest {
    record Scenario(String tag, String dir, String file, List<String> run, String expectOut, int expectCode) {}

    static final List<Scenario> ALL = List.of(
            new Scenario("hello:single", "hello", "Dockerfile.single", List.of(), "hello world\n", 0),
            new Scenario("example", "hello", "Dockerfile", List.of(), "hello world\n", 0),
            new Scenario("site:single", "site", "Dockerfile.single", List.of("/build", "--version"), "site 42\n", 0),
            new Scenario("site:staged", "site", "Dockerfile.staged", List.of("/app/site", "--version"), "site 42\n", 0),
            new Scenario("site:distroless", "site", "Dockerfile.distroless", List.of(), "", 1),
            new Scenario(
                    "site:static", "site", "Dockerfile.static", List.of("/app/site", "--version"), "site 42\n", 0));

    static Whittle whittle;

    @TempDir
    static Path dir;

    @BeforeAll
    static void build() {
        whittle = Scenarios.require();
        Path ex = Scenarios.examples();
        for (Scenario s : ALL) {
            String ctx = ex.resolve(s.dir()).toString(),
                    file = ex.resolve(s.dir()).resolve(s.file()).toString();
            whittle.run("build", "--progress", "plain", "--check=warn", "-f", file, "-t", "wt/" + s.tag(), ctx)
                    .ok();
            Exec.run(List.of(
                            "env",
                            "DOCKER_BUILDKIT=1",
                            DockerDaemon.DOCKER,
                            "build",
                            "--network",
                            "none",
                            "-q",
                            "-f",
                            file,
                            "-t",
                            "dk/" + s.tag(),
                            ctx))
                    .ok();
        }
    }

    @Test
    void sizesMatchDockersWithinTwoPercent() {
        for (Scenario s : ALL) {
            long ours = ((Number) ((Map<?, ?>) ((List<?>) Json.parse(whittle.run("inspect", "wt/" + s.tag())
                                            .ok()
                                            .out()))
                                    .getFirst())
                            .get("Size"))
                    .longValue();
            long theirs = Long.parseLong(docker("inspect", "--format", "{{.Size}}", "dk/" + s.tag())
                    .ok()
                    .out()
                    .trim());
            assertThat((double) Math.abs(ours - theirs) / theirs)
                    .as(s.tag() + ": whittle " + ours + " vs docker " + theirs)
                    .isLessThanOrEqualTo(0.02);
            String layersOurs = whittle.run("inspect", "--format", "{{len .RootFS.Layers}}", "wt/" + s.tag())
                    .ok()
                    .out();
            assertThat(layersOurs)
                    .as(s.tag() + " layer count")
                    .isEqualTo(docker("inspect", "--format", "{{len .RootFS.Layers}}", "dk/" + s.tag())
                            .ok()
                            .out());
        }
    }

    @Test
    void configsMatchDockers() {
        String f = "{{json .Config.Env}} {{json .Config.Cmd}} {{json .Config.Entrypoint}} {{json .Config.WorkingDir}} "
                + "{{json .Config.ExposedPorts}} {{json .Config.User}} {{json .Config.Labels}}";
        for (Scenario s : ALL) {
            assertThat(whittle.run("inspect", "--format", f, "wt/" + s.tag())
                            .ok()
                            .out())
                    .as(s.tag())
                    .isEqualTo(docker("inspect", "--format", f, "dk/" + s.tag())
                            .ok()
                            .out());
            String h = "{{.CreatedBy}}|{{.Size}}";
            assertThat(whittle.run("history", "--no-trunc", "--format", h, "wt/" + s.tag())
                            .ok()
                            .out())
                    .as(s.tag() + " history")
                    .isEqualTo(docker("history", "--no-trunc", "--format", h, "dk/" + s.tag())
                            .ok()
                            .out());
        }
    }

    @Test
    void fileTreesMatchDockers() throws IOException {
        for (Scenario s : ALL) {
            Path ours = dir.resolve("w.tar"), theirs = dir.resolve("d.tar");
            whittle.run("export", "-o", ours.toString(), "wt/" + s.tag()).ok();
            String id = docker("create", "--network", "none", "dk/" + s.tag())
                    .ok()
                    .out()
                    .trim();
            try {
                docker("export", "-o", theirs.toString(), id).ok();
            } finally {
                docker("rm", id);
            }
            // the Go build cache holds timing and trim files whose bytes differ from build to build
            TreeMap<String, String> w = TreeListing.of(ours, p -> p.startsWith("root/.cache/go-build/"));
            TreeMap<String, String> d = TreeListing.of(theirs, p -> p.startsWith("root/.cache/go-build/"));
            assertThat(TreeListing.diff(w, d)).as(s.tag()).isEmpty();
        }
    }

    @Test
    void whittlesImagesRunInDockerAsTheTableSays() {
        for (Scenario s : ALL) {
            Path archive = dir.resolve("save.tar");
            whittle.run("save", "-o", archive.toString(), "wt/" + s.tag()).ok();
            docker("rmi", "-f", "wt/" + s.tag());
            docker("load", "-i", archive.toString()).ok();
            List<String> cmd = new ArrayList<>(List.of("run", "--rm", "--network", "none", "wt/" + s.tag()));
            cmd.addAll(s.run());
            Exec r = docker(cmd.toArray(String[]::new));
            assertThat(r.code()).as(s.tag() + ": " + r.err()).isEqualTo(s.expectCode());
            if (s.expectCode() == 0) assertThat(r.out()).as(s.tag()).isEqualTo(s.expectOut());
            else assertThat(r.out() + r.err()).contains("exec /app/site: no such file or directory");
        }
    }

    @Test
    void whittleRunAgrees() {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.whittle.sandbox.Runc.available(), "runc is not installed");
        for (Scenario s : ALL) {
            List<String> cmd = new ArrayList<>(List.of("run", "--rm", "wt/" + s.tag()));
            cmd.addAll(s.run());
            Exec r = whittle.run(cmd.toArray(String[]::new));
            assertThat(r.code()).as(s.tag() + r.err()).isEqualTo(s.expectCode());
            if (s.expectCode() == 0) assertThat(r.out()).isEqualTo(s.expectOut());
            else
                assertThat(r.err())
                        .contains("exec /app/site: no such file or directory"); // on stderr, as docker shows it
        }
    }

    @Test
    void rebuildingUnchangedIsAllCachedWithTheSameImageId() {
        Path ex = Scenarios.examples();
        String before = whittle.run("inspect", "--format", "{{.Id}}", "wt/site:static")
                .ok()
                .out();
        Exec again = whittle.run(
                        "build",
                        "--progress",
                        "plain",
                        "-f",
                        ex.resolve("site/Dockerfile.static").toString(),
                        "-t",
                        "wt/site:static",
                        ex.resolve("site").toString())
                .ok();
        assertThat(again.err()).doesNotContain("DONE 0.1s\n\n#9").contains("CACHED");
        assertThat(again.err()
                        .lines()
                        .filter(l -> l.matches("#\\d+ \\d+\\.\\d+ .*"))
                        .count())
                .as("no RUN ran")
                .isZero();
        assertThat(whittle.run("inspect", "--format", "{{.Id}}", "wt/site:static")
                        .ok()
                        .out())
                .isEqualTo(before);
    }

    @Test
    void buildFailsOnTheDistrolessTrapWithTheDiagnosisButKeepsTheImage() {
        Path ex = Scenarios.examples();
        Exec b = whittle.run(
                "build",
                "--progress",
                "quiet",
                "-f",
                ex.resolve("site/Dockerfile.distroless").toString(),
                "-t",
                "wt/trap",
                ex.resolve("site").toString());
        assertThat(b.code()).isEqualTo(1);
        assertThat(b.err())
                .contains("ERROR MissingInterpreter /app/site")
                .contains("at run time: exec /app/site: no such file or directory")
                .contains("needs the interpreter /lib/ld-musl-x86_64.so.1, which is not in the image")
                .contains("built in stage \"build\" (FROM golang:alpine), copied by COPY --from=build /build /app/site")
                .contains("Dockerfile.distroless:23")
                .contains("1. link statically: go build -ldflags=\"-extldflags=-static\"")
                .contains("2. use a base image with musl, such as alpine");
        assertThat(whittle.run("images", "-q", "wt/trap").ok().out()).isNotBlank();
    }

    @Test
    void checkPassesWhereTheImageRuns() {
        for (Scenario s : ALL) {
            Exec c = whittle.run("check", "wt/" + s.tag());
            assertThat(c.code()).as(s.tag() + "\n" + c.out()).isEqualTo(s.expectCode() == 0 ? 0 : 1);
        }
        Exec json = whittle.run("check", "--format", "sarif", "wt/site:distroless");
        assertThat(json.out()).contains("\"ruleId\": \"MissingInterpreter\"").contains("\"level\": \"error\"");
    }

    @Test
    void compareShowsTheSeedTable() {
        List<String> refs = new ArrayList<>(List.of("compare"));
        for (Scenario s : ALL) refs.add("wt/" + s.tag());
        String out = whittle.run(refs.toArray(String[]::new)).ok().out();
        for (Scenario s : ALL) {
            String size = docker("images", "--format", "{{.Size}}", "dk/" + s.tag())
                    .ok()
                    .out()
                    .trim();
            String tag = s.tag().contains(":") ? s.tag() : s.tag() + ":latest";
            assertThat(out)
                    .containsPattern("(?m)^wt/" + java.util.regex.Pattern.quote(tag) + " +-> "
                            + java.util.regex.Pattern.quote(size) + " ");
        }
        assertThat(out).containsPattern("(?m)^wt/site:distroless .* no: exec /app/site: no such file or directory$");
        assertThat(out).containsPattern("(?m)^wt/site:static .* yes$");
    }

    @Test
    void analyzeExplainsTheSingleStageImage() {
        String out = whittle.run("analyze", "wt/site:single").ok().out();
        assertThat(out)
                .contains("1 (base)")
                .contains("RUN /bin/sh -c CGO_ENABLED=1 GOOS=linux go build")
                .contains("the base image is")
                .contains("build in one stage and copy the result into a small runtime stage");
        Exec ci = whittle.run(
                "analyze", "--lowest-efficiency", "0.999999", "--highest-wasted-bytes", "10B", "wt/site:single");
        assertThat(ci.code()).isEqualTo(1);
        assertThat(ci.out()).contains("FAIL: highest-wasted-bytes");
    }

    @Test
    void lintFindsTheTrapBeforeAnyBuild() {
        Path ex = Scenarios.examples();
        Exec d = whittle.run(
                "lint", "-f", ex.resolve("site/Dockerfile.distroless").toString());
        assertThat(d.code()).isEqualTo(1);
        assertThat(d.out())
                .contains(
                        "Dockerfile.distroless:23:1 WL007 error: stage \"build\" builds with cgo against musl (line 12) without static linking");
        Exec st = whittle.run("lint", "-f", ex.resolve("site/Dockerfile.static").toString());
        assertThat(st.code()).isZero();
        assertThat(st.out()).doesNotContain("WL007").contains("FromAsCasing");
        assertThat(whittle.run(
                                "lint",
                                "-f",
                                ex.resolve("site/Dockerfile.single").toString())
                        .out())
                .contains("WL001 warning");
        assertThat(whittle.run(
                                "lint",
                                "--format",
                                "json",
                                "-f",
                                ex.resolve("site/Dockerfile.distroless").toString())
                        .out())
                .contains("\"code\": \"WL007\"")
                .contains("\"line\": 23");
    }
}
