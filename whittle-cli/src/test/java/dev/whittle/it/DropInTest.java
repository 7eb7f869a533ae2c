package dev.whittle.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** `whittle build` where a CI script says `docker build`: the flags and defaults scripts rely on. */
@Tag("runc")
class DropInTest {
    @TempDir static Path dir;
    static Whittle whittle;
    static final String BASE = "dropin/busybox:1";

    @BeforeAll
    static void base() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "RUN needs root");
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.whittle.sandbox.Runc.available(), "runc is not installed (apt-get install runc)");
        whittle = new Whittle(dir.resolve("store"));
        whittle.run("import", "-c", "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", RootFs.busybox(dir).toString(), BASE).ok();
    }

    static Path context(String name, String dockerfile, Map<String, String> files) throws IOException {
        Path ctx = Files.createDirectories(dir.resolve(name));
        Files.writeString(ctx.resolve("Dockerfile"), dockerfile.replace("BASE", BASE));
        for (var f : files.entrySet()) Files.writeString(ctx.resolve(f.getKey()), f.getValue());
        return ctx;
    }

    static Exec build(String... args) {
        List<String> a = new ArrayList<>(List.of("build", "--progress", "plain"));
        a.addAll(List.of(args));
        return whittle.run(a.toArray(String[]::new));
    }

    @Test
    void checkAndPullWithoutAValueLeaveTheContextAlone() throws IOException {
        Path ctx = context("check-ctx", "FROM scratch\nCOPY a /a\n", Map.of("a", "x")); // nothing to pull
        // buildx: --check alone runs the build checks, whatever follows is the context
        Exec check = whittle.run("build", "--check", ctx.toString());
        assertThat(check.code()).as(check.err()).isZero();
        assertThat(check.out() + check.err()).doesNotContain("invalid --check value");
        build("--pull", "-t", "dropin/pulled", ctx.toString()).ok();
        build("--pull=false", "-t", "dropin/pulled", ctx.toString()).ok();
        build("--pull=true", "--pull=never", "-t", "dropin/pulled", ctx.toString()).ok();
        assertThat(whittle.run("build").fails(1).err()).contains("\"whittle build\" requires exactly 1 argument.")
                .contains("See 'whittle build --help'.");
    }

    @Test
    void anImageWithoutACommandBuildsWithANoteAndQuietPrintsTheIdAlone() throws IOException {
        Path ctx = context("artifact", "FROM scratch\nCOPY a /a\n", Map.of("a", "artifact"));
        Exec b = build("-t", "dropin/artifact", ctx.toString()).ok();
        assertThat(b.err()).contains("note: dropin/artifact:latest declares no ENTRYPOINT or CMD").doesNotContain("ERROR");
        Path iid = dir.resolve("artifact.iid");
        Exec q = whittle.run("build", "-q", "--iidfile", iid.toString(), "-t", "dropin/artifact", ctx.toString()).ok();
        String id = whittle.run("inspect", "--format", "{{.Id}}", "dropin/artifact").ok().out().trim();
        assertThat(q.out()).isEqualTo(id + "\n");
        assertThat(q.err()).isEmpty();
        assertThat(Files.readString(iid)).isEqualTo(id);
        // a command that cannot start still fails the build, even quietly
        Path broken = context("broken", "FROM scratch\nCOPY a /a\nCMD [\"/missing\"]\n", Map.of("a", "x"));
        Exec f = whittle.run("build", "-q", "-t", "dropin/broken", broken.toString());
        assertThat(f.code()).isEqualTo(1);
        assertThat(f.err()).contains("/missing").contains("entrypoint cannot start");
    }

    @Test
    void labelsOutputTarAndTheFlagsBuildxScriptsPass() throws IOException {
        Path ctx = context("labels", "FROM BASE\nLABEL a=from-dockerfile keep=1\nCOPY f /f\n", Map.of("f", "file"));
        Path tar = dir.resolve("fs.tar");
        build("--label", "a=from-flag", "--label", "org.opencontainers.image.source=https://example.invalid/x", "--label", "empty",
                "--load", "--provenance=false", "--sbom=false", "--output", "type=tar,dest=" + tar, "-t", "dropin/labels", ctx.toString()).ok();
        assertThat(whittle.run("inspect", "--format", "{{json .Config.Labels}}", "dropin/labels").ok().out().trim())
                .isEqualTo("{\"a\":\"from-flag\",\"empty\":\"\",\"keep\":\"1\",\"org.opencontainers.image.source\":\"https://example.invalid/x\"}");
        assertThat(Exec.run("tar", "-tf", tar.toString()).ok().out().lines()).contains("f", "bin/busybox");
        assertThat(build("--provenance=true", ctx.toString()).fails(1).err()).contains("--provenance=true is not supported");
        assertThat(build("--sbom", ctx.toString()).fails(1).err()).contains("--sbom=true is not supported");
    }

    @Test
    void shmSizeAndUlimitsReachRun() throws IOException {
        Path ctx = context("limits", """
                FROM BASE
                RUN busybox df -k /dev/shm | busybox tail -1 | busybox awk '{print $2}' > /shm && ulimit -n > /nofile && ulimit -Hn >> /nofile
                """, Map.of());
        build("--shm-size", "128m", "--ulimit", "nofile=1024:2048", "-t", "dropin/limits", ctx.toString()).ok();
        assertThat(whittle.run("run", "--rm", "dropin/limits", "cat", "/shm", "/nofile").ok().out()).isEqualTo("131072\n1024\n2048\n");
        assertThat(build("--ulimit", "nofile=2048:1024", ctx.toString()).fails(1).err())
                .contains("ulimit soft limit must be less than or equal to hard limit: 2048 > 1024");
        assertThat(build("--shm-size", "lots", ctx.toString()).fails(1).err()).contains("invalid size: 'lots'");
    }

    @Test
    void noCacheFilterRebuildsOnlyTheNamedStage() throws IOException {
        Path ctx = context("filter", """
                FROM BASE AS deps
                RUN echo deps > /deps
                FROM BASE
                COPY --from=deps /deps /deps
                RUN echo app > /app
                """, Map.of());
        build("-t", "dropin/filter", ctx.toString()).ok();
        Exec again = build("--no-cache-filter", "deps", "-t", "dropin/filter", ctx.toString()).ok();
        List<String> lines = again.err().lines().toList();
        assertThat(lines.stream().filter(l -> l.endsWith(" CACHED")).count()).as(again.err()).isEqualTo(2); // COPY --from and RUN app
        assertThat(again.err()).contains("[deps 2/2] RUN echo deps > /deps");
    }
}
