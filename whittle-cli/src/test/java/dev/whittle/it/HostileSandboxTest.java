package dev.whittle.it;

import static dev.whittle.it.DockerDaemon.docker;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile Dockerfile or image against RUN and `whittle run`: mounts that try to reach the host, a non-root user's
 * first exec, secrets and what a killed whittle leaves behind. Each case failed before its fix.
 */
@Tag("runc")
class HostileSandboxTest {
    @TempDir
    static Path dir;

    static Whittle whittle;
    static final String BASE = "hostile/busybox:1";
    /** A file only the host has: a mount that reaches the host can read it. */
    static Path hostOnly;

    static String hostSecret;

    @BeforeAll
    static void base() throws IOException {
        whittle = RootFs.busyboxStore(dir, BASE);
        hostSecret = "HOST-ONLY-" + UUID.randomUUID();
        hostOnly = Files.createDirectories(dir.resolve("host-only"));
        Files.writeString(hostOnly.resolve("marker"), hostSecret);
    }

    static Path context(String name, String dockerfile, Map<String, String> files) throws IOException {
        Path ctx = Files.createDirectories(dir.resolve(name));
        Files.writeString(ctx.resolve("Dockerfile"), dockerfile.replace("BASE", BASE));
        for (var f : files.entrySet()) Files.writeString(ctx.resolve(f.getKey()), f.getValue());
        return ctx;
    }

    static Exec build(Whittle w, Path ctx, String... extra) {
        return EngineTest.build(w, ctx, extra);
    }

    @Test
    void aStageSymlinkToSlashMountsTheStagesRootNotTheHosts() throws IOException {
        Path ctx = context("bind-root", """
                FROM BASE AS s
                RUN ln -s / /hostroot && ln -s /etc /etclink && mkdir /d && echo stage > /d/mine
                FROM BASE
                RUN --mount=type=bind,from=s,source=/hostroot,target=/mnt ls /mnt > /via-root; cat /mnt%1$s/marker > /leak 2>&1; true
                RUN --mount=type=bind,from=s,source=/etclink,target=/mnt ls /mnt > /via-etclink
                RUN --mount=type=bind,from=s,source=/hostroot/d,target=/mnt,rw cat /mnt/mine > /via-rw
                """.formatted(hostOnly), Map.of());
        build(whittle, ctx, "-t", "hostile/bind-root").ok();
        String files = whittle.run(
                        "run", "--rm", "hostile/bind-root", "cat", "/via-root", "/leak", "/via-etclink", "/via-rw")
                .ok()
                .out();
        assertThat(files)
                .doesNotContain(hostSecret)
                .doesNotContain("debian_version")
                .doesNotContain("os-release")
                .contains("hostroot")
                .contains("etclink")
                .contains("passwd")
                .contains("stage");
    }

    @Test
    void dotDotThroughAStageSymlinkStaysInTheStage() throws IOException {
        Path ctx = context("bind-dotdot", """
                FROM BASE AS s
                RUN ln -s ../../../../../../../.. /up
                FROM BASE
                RUN --mount=type=bind,from=s,source=/up%1$s,target=/mnt cat /mnt/marker
                """.formatted(hostOnly), Map.of());
        Exec e = build(whittle, ctx).fails(1);
        assertThat(e.err())
                .doesNotContain(hostSecret)
                .contains("bind mount source")
                .contains("not found in \"s\"")
                .contains("Dockerfile:4");
    }

    @Test
    void aContextSymlinkToSlashMountsTheContext() throws IOException {
        Path ctx = context("bind-context", """
                FROM BASE
                RUN --mount=type=bind,source=link,target=/mnt ls /mnt > /listing; cat /mnt%1$s/marker > /leak 2>&1; true
                """.formatted(hostOnly), Map.of("own.txt", "mine"));
        Files.createSymbolicLink(ctx.resolve("link"), Path.of("/"));
        build(whittle, ctx, "-t", "hostile/bind-context").ok();
        assertThat(whittle.run("run", "--rm", "hostile/bind-context", "cat", "/listing", "/leak")
                        .ok()
                        .out())
                .contains("own.txt")
                .contains("Dockerfile")
                .doesNotContain(hostSecret)
                .doesNotContain("proc");
    }

    @Test
    void aNonRootUsersFirstExecHasNoCapabilitiesInRunAsInDocker() throws IOException {
        Path ctx = context("caps-run", """
                FROM BASE
                RUN busybox cp /bin/busybox /stat && chmod 0700 /stat
                USER 65534
                RUN ["/stat", "echo", "first exec ran"]
                """, Map.of());
        Exec e = build(whittle, ctx).fails(1);
        assertThat(e.err())
                .doesNotContainPattern("(?m)^#\\d+ [0-9.]+ first exec ran$")
                .contains("process \"/stat echo first exec ran\" could not start: exec /stat: permission denied");
    }

    @Test
    void aNonRootEntrypointTheUserCannotExecuteFailsAsInDocker() throws IOException {
        Path ctx = context("caps-entrypoint", """
                FROM BASE
                RUN busybox cp /bin/busybox /stat && chmod 0700 /stat && echo 'staff:x:1234:nobody' >> /etc/group
                USER 65534
                ENTRYPOINT ["/stat", "echo", "first exec ran"]
                """, Map.of());
        build(whittle, ctx, "-t", "hostile/caps").ok();
        Exec run = whittle.run("run", "--rm", "hostile/caps");
        assertThat(run.code()).isEqualTo(126);
        assertThat(run.out()).doesNotContain("first exec ran");
        assertThat(run.err()).contains("exec /stat: permission denied");
        // the shell the user can run sees no capabilities and the supplementary group of /etc/group
        Exec status = whittle.run(
                        "run",
                        "--rm",
                        "--entrypoint",
                        "/bin/sh",
                        "hostile/caps",
                        "-c",
                        "busybox grep -E '^Cap(Prm|Eff|Bnd)' /proc/self/status; id -G")
                .ok();
        assertThat(status.out())
                .contains("CapPrm:\t0000000000000000")
                .contains("CapEff:\t0000000000000000")
                .contains("CapBnd:\t00000000a80425fb")
                .contains("65534 1234");

        DockerDaemon.require();
        Path archive = dir.resolve("caps.tar");
        whittle.run("save", "-o", archive.toString(), "hostile/caps").ok();
        docker("load", "-i", archive.toString()).ok();
        Exec inDocker = docker("run", "--rm", "--pull", "never", "--network", "none", "hostile/caps");
        assertThat(inDocker.code()).isEqualTo(run.code());
        assertThat(inDocker.err()).contains("exec /stat: permission denied");
        Exec dockerStatus = docker(
                        "run",
                        "--rm",
                        "--pull",
                        "never",
                        "--network",
                        "none",
                        "--entrypoint",
                        "/bin/sh",
                        "hostile/caps",
                        "-c",
                        "busybox grep -E '^Cap(Prm|Eff|Bnd)' /proc/self/status; id -G")
                .ok();
        assertThat(dockerStatus.out()).isEqualTo(status.out());
        docker("rmi", "hostile/caps");
    }

    @Test
    void usersOutOfRangeOrMalformedAreErrorsAsInDocker() throws IOException {
        // docker 20.10: Atoi fails -> looked up as a name; out of runc's range -> its message
        for (String[] c : new String[][] {
            {"99999999999999999999", "unable to find user 99999999999999999999: no matching entries in passwd file"},
            {"2147483648", "uids and gids must be in range 0-2147483647"},
            {"-1", "uids and gids must be in range 0-2147483647"},
            {"0:4294967296", "uids and gids must be in range 0-2147483647"}
        }) {
            Path ctx = context("user-" + c[0].replace(':', '-'), "FROM BASE\nUSER " + c[0] + "\nRUN true\n", Map.of());
            Exec e = build(whittle, ctx).fails(1);
            assertThat(e.err())
                    .contains("Dockerfile:3")
                    .contains(c[1])
                    .doesNotContain("Exception")
                    .doesNotContain("For input string");
        }
        // a passwd line whose uid is not a number is passed over, as runc's parser does
        Path ctx = context("user-malformed", """
                FROM BASE
                RUN echo 'app:x:notanumber:0::/:/bin/sh' > /etc/passwd.new && busybox cat /etc/passwd >> /etc/passwd.new && busybox mv /etc/passwd.new /etc/passwd
                USER nobody
                RUN id -u > /tmp/uid
                """, Map.of());
        build(whittle, ctx).ok();
    }

    @Test
    void aSecretLivesOnATmpfsAndAKilledRunLeavesNothingTheNextCommandDoesNotRemove() throws Exception {
        String secret = "TOKEN-" + UUID.randomUUID();
        Path secretFile = dir.resolve("token");
        Files.writeString(secretFile, secret);
        Path ctx = context("secret-kill", """
                FROM BASE
                ARG SLEEP=611
                RUN --mount=type=secret,id=tok busybox test -s /run/secrets/tok && echo started && busybox sleep $SLEEP
                """, Map.of());
        Path root = dir.resolve("secret-store");
        WhittleProcess p = startedSecretBuild(root, dir.resolve("secret-kill.log"), secretFile, ctx);
        // while the RUN runs, its secret is on a memory file system of its own
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        assertThat(mounts.lines()
                        .filter(l -> l.contains(root.toString()) && l.contains("/secrets ") && l.contains(" - tmpfs ")))
                .hasSize(1);
        List<ProcessHandle> children = p.kill9();

        // fsck names what the killed process left; nothing of it holds the secret on disk
        assertThat(grepStore(root, secret)).isEmpty();
        Exec fsck = new Whittle(root).run("system", "fsck");
        assertThat(fsck.code()).isEqualTo(1);
        assertThat(fsck.out())
                .contains("a mount left by a killed whittle process")
                .contains("container(s) of a killed whittle process")
                .contains("whittle system prune removes it");

        // any next command removes it: mounts, the container (its sleep), temp files
        new Whittle(root).run("images").ok();
        assertNothingLeft(root, children);
        assertThat(new Whittle(root).run("system", "fsck").ok().out()).contains("is consistent");
        assertThat(EngineTest.build(
                                new Whittle(root),
                                ctx,
                                "--secret",
                                "id=tok,src=" + secretFile,
                                "--build-arg",
                                "SLEEP=0")
                        .ok()
                        .err())
                .contains("started");
        assertNothingLeft(root, List.of());
    }

    /**
     * A secret given to RUN as a variable ({@code --mount=type=secret,env=NAME}) is in the process's environment, which
     * runc reads from the bundle's config.json: that file must not be on disk either, even when whittle is killed.
     */
    @Test
    void aSecretInTheEnvironmentIsNeverOnDiskEvenWhenTheBuildIsKilled() throws Exception {
        String secret = "ENVTOKEN-" + UUID.randomUUID();
        Path secretFile = dir.resolve("envtoken");
        Files.writeString(secretFile, secret);
        Path ctx = context("secret-env-kill", """
                FROM BASE
                ARG SLEEP=611
                RUN --mount=type=secret,id=tok,env=TOKEN busybox test -n "$TOKEN" && echo started && busybox sleep $SLEEP
                """, Map.of());
        Path root = dir.resolve("secret-env-store");
        WhittleProcess p = startedSecretBuild(root, dir.resolve("secret-env-kill.log"), secretFile, ctx);
        assertThat(grepStore(root, secret)).isEmpty();
        List<ProcessHandle> children = p.kill9();
        assertThat(grepStore(root, secret)).isEmpty();
        new Whittle(root).run("images").ok();
        assertNothingLeft(root, children);
    }

    @Test
    void pruneRemovesWhatAKilledBuildLeft() throws Exception {
        Path ctx = context("prune-kill", "FROM BASE\nRUN echo started && busybox sleep 612\n", Map.of());
        Path root = dir.resolve("prune-store");
        new Whittle(root).run("import", RootFs.busybox(dir).toString(), BASE).ok();
        WhittleProcess p = WhittleProcess.start(
                root, dir.resolve("prune-kill.log"), "build", "--progress", "plain", ctx.toString());
        p.awaitOutput(Pattern.compile("(?m)^#\\d+ [0-9.]+ started$"));
        List<ProcessHandle> children = p.kill9();
        Exec prune = new Whittle(root).run("system", "prune", "-f").ok();
        assertThat(prune.out()).contains("Removed a mount left by a killed whittle process");
        assertNothingLeft(root, children);
    }

    /** The files under the store whose content holds {@code text} (mounts left behind are not crossed: -xdev). */
    private static String grepStore(Path root, String text) {
        return Exec.run(
                        "sh",
                        "-c",
                        "find " + root + " -xdev -type f -exec grep -l '" + text + "' {} + 2>/dev/null || true")
                .out()
                .trim();
    }

    /** No mount under the store, no temp entry, and none of the processes the killed whittle had started alive. */
    static void assertNothingLeft(Path root, List<ProcessHandle> killedChildren)
            throws IOException, InterruptedException {
        assertThat(Exec.run("sh", "-c", "grep -c '" + root + "' /proc/mounts || true")
                        .out()
                        .trim())
                .isEqualTo("0");
        try (Stream<Path> tmp = Files.list(root.resolve("whittle/tmp"))) {
            assertThat(tmp.toList()).isEmpty();
        }
        // the container's processes, runc, RUN's network helpers: ended by the cleanup, or with their input
        for (int i = 0; i < 50 && killedChildren.stream().anyMatch(ProcessHandle::isAlive); i++) Thread.sleep(100);
        assertThat(killedChildren.stream()
                        .filter(ProcessHandle::isAlive)
                        .map(h -> h.pid() + " " + h.info().commandLine().orElse("?")))
                .as("processes the killed whittle started")
                .isEmpty();
    }

    /** A build with the secret {@code tok} in a store of its own, in its own process, once its RUN has started. */
    private static WhittleProcess startedSecretBuild(Path root, Path log, Path secretFile, Path ctx)
            throws IOException, InterruptedException {
        new Whittle(root).run("import", RootFs.busybox(dir).toString(), BASE).ok();
        WhittleProcess p = WhittleProcess.start(
                root, log, "build", "--progress", "plain", "--secret", "id=tok,src=" + secretFile, ctx.toString());
        p.awaitOutput(Pattern.compile("(?m)^#\\d+ [0-9.]+ started$"));
        return p;
    }
}
