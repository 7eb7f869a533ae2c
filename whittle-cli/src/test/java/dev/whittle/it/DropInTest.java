package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `whittle build` where a CI script says `docker build`: the flags and defaults scripts rely on. */
@Tag("runc")
class DropInTest {
    @TempDir
    static Path dir;

    static Whittle whittle;
    static final String BASE = "dropin/busybox:1";

    @BeforeAll
    static void base() throws IOException {
        whittle = RootFs.busyboxStore(dir, BASE);
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
        build("--pull=true", "--pull=never", "-t", "dropin/pulled", ctx.toString())
                .ok();
        assertThat(whittle.run("build").fails(1).err())
                .contains("\"whittle build\" requires exactly 1 argument.")
                .contains("See 'whittle build --help'.");
    }

    @Test
    void anImageWithoutACommandBuildsWithANoteAndQuietPrintsTheIdAlone() throws IOException {
        Path ctx = context("artifact", "FROM scratch\nCOPY a /a\n", Map.of("a", "artifact"));
        Exec b = build("-t", "dropin/artifact", ctx.toString()).ok();
        assertThat(b.err())
                .contains("note: dropin/artifact:latest declares no ENTRYPOINT or CMD")
                .doesNotContain("ERROR");
        Path iid = dir.resolve("artifact.iid");
        Exec q = whittle.run("build", "-q", "--iidfile", iid.toString(), "-t", "dropin/artifact", ctx.toString())
                .ok();
        String id = whittle.run("inspect", "--format", "{{.Id}}", "dropin/artifact")
                .ok()
                .out()
                .trim();
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
        build(
                        "--label",
                        "a=from-flag",
                        "--label",
                        "org.opencontainers.image.source=https://example.invalid/x",
                        "--label",
                        "empty",
                        "--load",
                        "--provenance=false",
                        "--sbom=false",
                        "--output",
                        "type=tar,dest=" + tar,
                        "-t",
                        "dropin/labels",
                        ctx.toString())
                .ok();
        assertThat(whittle.run("inspect", "--format", "{{json .Config.Labels}}", "dropin/labels")
                        .ok()
                        .out()
                        .trim())
                .isEqualTo(
                        "{\"a\":\"from-flag\",\"empty\":\"\",\"keep\":\"1\",\"org.opencontainers.image.source\":\"https://example.invalid/x\"}");
        assertThat(Exec.run("tar", "-tf", tar.toString()).ok().out().lines()).contains("f", "bin/busybox");
        assertThat(build("--provenance=true", ctx.toString()).fails(1).err())
                .contains("--provenance=true is not supported");
        assertThat(build("--sbom", ctx.toString()).fails(1).err()).contains("--sbom=true is not supported");
    }

    @Test
    void shmSizeAndUlimitsReachRun() throws IOException {
        Path ctx = context("limits", """
                FROM BASE
                RUN busybox df -k /dev/shm | busybox tail -1 | busybox awk '{print $2}' > /shm && ulimit -n > /nofile && ulimit -Hn >> /nofile
                """, Map.of());
        build("--shm-size", "128m", "--ulimit", "nofile=1024:2048", "-t", "dropin/limits", ctx.toString())
                .ok();
        assertThat(whittle.run("run", "--rm", "dropin/limits", "cat", "/shm", "/nofile")
                        .ok()
                        .out())
                .isEqualTo("131072\n1024\n2048\n");
        assertThat(build("--ulimit", "nofile=2048:1024", ctx.toString())
                        .fails(1)
                        .err())
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
        Exec again = build("--no-cache-filter", "deps", "-t", "dropin/filter", ctx.toString())
                .ok();
        List<String> lines = again.err().lines().toList();
        // deps runs again; what reads it (COPY --from, then RUN app) runs again too, never with the old /deps (whittle
        // keys
        // a stage's readers by its steps, not its files: BuildKit would find them cached when the files are the same)
        assertThat(lines.stream().filter(l -> l.endsWith(" CACHED")).count())
                .as(again.err())
                .isZero();
        assertThat(again.err()).contains("[deps 2/2] RUN echo deps > /deps");
        // and a build without the filter finds it all cached, as that build made it
        Exec third = build("-t", "dropin/filter", ctx.toString()).ok();
        assertThat(third.err().lines().filter(l -> l.endsWith(" CACHED")).count())
                .as(third.err())
                .isEqualTo(3);
    }

    @Test
    void sshForwardsAnAgentOrKeysToRunMountTypeSsh() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Exec.available("gcc") && Exec.available("ssh-keygen"), "gcc and openssh-client are needed");
        Path ctx = Files.createDirectories(dir.resolve("ssh"));
        // a static client of the agent protocol: how many identities does $SSH_AUTH_SOCK hold?
        Files.writeString(ctx.resolve("agentcount.c"), """
                #include <sys/socket.h>
                #include <sys/un.h>
                #include <stdio.h>
                #include <stdlib.h>
                #include <string.h>
                #include <unistd.h>
                int main(void) {
                    const char *p = getenv("SSH_AUTH_SOCK");
                    if (!p) { puts("no SSH_AUTH_SOCK"); return 2; }
                    int s = socket(AF_UNIX, SOCK_STREAM, 0);
                    struct sockaddr_un a = {0};
                    a.sun_family = AF_UNIX;
                    strncpy(a.sun_path, p, sizeof a.sun_path - 1);
                    if (connect(s, (void *) &a, sizeof a)) { perror("connect"); return 1; }
                    unsigned char req[5] = {0, 0, 0, 1, 11}, h[9];
                    if (write(s, req, 5) != 5) return 1;
                    for (int n = 0; n < 9;) { int r = read(s, h + n, 9 - n); if (r <= 0) return 1; n += r; }
                    printf("answer %d keys %u\\n", h[4], (unsigned) h[5] << 24 | h[6] << 16 | h[7] << 8 | h[8]);
                    return 0;
                }
                """);
        Exec.run(
                        "gcc",
                        "-static",
                        "-O2",
                        "-o",
                        ctx.resolve("agentcount").toString(),
                        ctx.resolve("agentcount.c").toString())
                .ok();
        Path key = dir.resolve("id_test");
        Exec.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "whittle-test", "-f", key.toString())
                .ok();
        Files.writeString(ctx.resolve("Dockerfile"), """
                FROM %s
                COPY agentcount /agentcount
                RUN --mount=type=ssh /agentcount > /as-root
                USER 65534
                RUN --mount=type=ssh,uid=65534 /agentcount > /tmp/as-nobody
                """.formatted(BASE));
        build("--ssh", "default=" + key, "-t", "dropin/ssh", ctx.toString()).ok();
        assertThat(whittle.run("run", "--rm", "dropin/ssh", "cat", "/as-root", "/tmp/as-nobody")
                        .ok()
                        .out())
                .isEqualTo("answer 12 keys 1\nanswer 12 keys 1\n");
        assertThat(Exec.run("sh", "-c", "pgrep -c -x ssh-agent || true").out().trim())
                .as("whittle's agent ends with the build")
                .isEqualTo("0");

        // a running agent's socket, given as is
        Path sock = dir.resolve("agent.sock");
        Process agent = new ProcessBuilder("ssh-agent", "-D", "-a", sock.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            for (int i = 0; i < 100 && !Files.exists(sock); i++) Thread.sleep(10);
            Files.writeString(
                    ctx.resolve("Dockerfile"),
                    "FROM " + BASE + "\nCOPY agentcount /agentcount\nRUN --mount=type=ssh,id=git /agentcount > /out\n");
            build("--ssh", "git=" + sock, "-t", "dropin/ssh-sock", ctx.toString())
                    .ok();
            assertThat(whittle.run("run", "--rm", "dropin/ssh-sock", "cat", "/out")
                            .ok()
                            .out())
                    .isEqualTo("answer 12 keys 0\n");
        } finally {
            agent.destroy();
        }
        Files.writeString(ctx.resolve("Dockerfile"), "FROM " + BASE + "\nRUN --mount=type=ssh,required=true true\n");
        assertThat(build(ctx.toString()).fails(1).err())
                .contains("no SSH key \"default\" forwarded from the client")
                .contains("Dockerfile:2");
    }

    @Test
    void buildContextsStandForImagesStagesAndDirectories() throws IOException {
        Path assets = Files.createDirectories(dir.resolve("assets"));
        Files.writeString(assets.resolve("a.txt"), "from the assets context\n");
        Files.writeString(assets.resolve("x"), "x from the context\n");
        Path ctx = context("named", """
                FROM renamed-base AS deps
                RUN echo x from the stage > /x
                FROM renamed-base
                COPY --from=assets /a.txt /a.txt
                COPY --from=deps /x /x
                RUN --mount=from=assets,target=/m cat /m/a.txt > /mounted
                """, Map.of());
        Exec b = build(
                        "-t",
                        "dropin/named",
                        "--build-context",
                        "renamed-base=docker-image://" + BASE,
                        "--build-context",
                        "assets=" + assets,
                        "--build-context",
                        "deps=" + assets,
                        ctx.toString())
                .ok();
        assertThat(b.err())
                .as("a named context stands over the stage of its name")
                .doesNotContain("RUN echo x from the stage");
        assertThat(whittle.run("run", "--rm", "dropin/named", "cat", "/a.txt", "/x", "/mounted")
                        .ok()
                        .out())
                .isEqualTo("from the assets context\nx from the context\nfrom the assets context\n");

        // an image from an OCI layout on disk
        Path layout = Files.createDirectories(dir.resolve("layout"));
        Path archive = dir.resolve("layout.tar");
        whittle.run("save", "--format", "oci", "-o", archive.toString(), BASE).ok();
        Exec.run("tar", "-xf", archive.toString(), "-C", layout.toString()).ok();
        Path oci = context("oci", "FROM from-layout\nRUN echo built on the layout > /built\n", Map.of());
        build("-t", "dropin/oci", "--build-context", "from-layout=oci-layout://" + layout, oci.toString())
                .ok();
        assertThat(whittle.run("run", "--rm", "dropin/oci", "cat", "/built")
                        .ok()
                        .out())
                .isEqualTo("built on the layout\n");
        assertThat(build("--build-context", "x=https://example.invalid/repo.git", oci.toString())
                        .fails(1)
                        .err())
                .contains("only a directory, docker-image:// and oci-layout:// are supported");
    }

    @Test
    void errorsThatNeedNoFilesAreReportedBeforeAnyStepRuns() throws IOException {
        for (String[] c : new String[][] {
            {"WORKDIR ${MISSING:?must be set}", "MISSING: must be set"},
            {"COPY --chmod=xyz a /a", "invalid chmod parameter: 'xyz'"},
            {"RUN --network=bogus true", "network mode \"bogus\" is not supported"},
            {"RUN --mount=type=bind,target=${NOPE:?notarget} true", "NOPE: notarget"}
        }) {
            Path ctx = context(
                    "preflight-" + Math.abs(c[0].hashCode()),
                    "FROM BASE\nRUN echo first > /ran\n" + c[0] + "\n",
                    Map.of("a", "x"));
            Exec e = build(ctx.toString()).fails(1);
            assertThat(e.err())
                    .as(c[0])
                    .contains("Dockerfile:3")
                    .contains(c[1])
                    .doesNotContain("RUN echo first > /ran\n#");
            assertThat(e.err()).as(c[0] + ": no step ran").doesNotContainPattern("(?m)^#\\d+ \\[stage-0 2/3\\]");
        }
        // the base image's environment counts, as in docker: PATH is set there
        Path ok = context("preflight-env", "FROM BASE\nENV X=${PATH:?unset}\nWORKDIR /w/${X:+set}\n", Map.of());
        build("-t", "dropin/preflight", ok.toString()).ok();
        assertThat(whittle.run("inspect", "--format", "{{.Config.WorkingDir}}", "dropin/preflight")
                        .ok()
                        .out())
                .isEqualTo("/w/set\n");
    }
}
