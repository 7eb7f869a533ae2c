package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a build's context comes from besides a directory, as docker takes it: a git repository (served here by
 * `git daemon` on loopback, and as a file:// repository), a tar or a Dockerfile alone on standard input, and a
 * directory whose Dockerfile is named in lower case. Config-only and COPY builds: no RUN, no root needed.
 */
class ContextSourcesTest {
    @TempDir
    static Path dir;

    static Whittle whittle;
    static Process daemon;
    static int port;
    static String commit;

    @BeforeAll
    static void setUp() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Exec.available("git"), "git is not installed (scripts/install-deps installs it)");
        whittle = new Whittle(dir.resolve("store"));
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.createDirectories(src.resolve("app"));
        Files.writeString(
                src.resolve("app/Dockerfile"), "FROM scratch\nCOPY hello.txt /hello.txt\nCOPY sub.txt /sub.txt\n");
        Files.writeString(src.resolve("app/hello.txt"), "hello from git\n");
        Files.writeString(src.resolve("app/sub.txt"), "v1\n");
        Files.writeString(src.resolve("Dockerfile"), "FROM scratch\nCOPY app/hello.txt /root.txt\n");
        git(src, "init", "-q", "-b", "main");
        git(src, "add", ".");
        git(src, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "one");
        commit = Exec.run("git", "-C", src.toString(), "rev-parse", "HEAD")
                .ok()
                .out()
                .trim();
        git(src, "tag", "v1");
        Files.writeString(src.resolve("app/sub.txt"), "v2\n");
        git(src, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-am", "two");
        Exec.run(
                        "git",
                        "clone",
                        "-q",
                        "--bare",
                        src.toString(),
                        dir.resolve("served/repo.git").toString())
                .ok();
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        daemon = new ProcessBuilder(
                        "git",
                        "daemon",
                        "--reuseaddr",
                        "--listen=127.0.0.1",
                        "--port=" + port,
                        "--export-all",
                        "--base-path=" + dir.resolve("served"),
                        dir.resolve("served").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("daemon.log").toFile())
                .start();
        for (int i = 0; i < 100; i++) {
            try (var _ = new java.net.Socket("127.0.0.1", port)) {
                break;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
    }

    @AfterAll
    static void stop() {
        if (daemon != null) daemon.destroy();
    }

    private static void git(Path repo, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", repo.toString()));
        cmd.addAll(List.of(args));
        Exec.run(cmd).ok();
    }

    static String file(String image, String path) {
        Path out = dir.resolve("export-" + image.replace('/', '-').replace(':', '-') + ".tar");
        whittle.run("export", "-o", out.toString(), image).ok();
        return Exec.run("tar", "-xOf", out.toString(), path).ok().out();
    }

    @Test
    void aGitRepositoryAtARefAndSubdirectoryIsTheContext() {
        String url = "git://127.0.0.1:" + port + "/repo.git";
        whittle.run("build", "--progress", "plain", "-t", "ctx/git-main", url + "#main:app")
                .ok();
        assertThat(file("ctx/git-main", "hello.txt")).isEqualTo("hello from git\n");
        assertThat(file("ctx/git-main", "sub.txt")).isEqualTo("v2\n");
        whittle.run("build", "--progress", "plain", "-t", "ctx/git-tag", url + "#v1:app")
                .ok();
        assertThat(file("ctx/git-tag", "sub.txt")).isEqualTo("v1\n");
        whittle.run("build", "--progress", "plain", "-t", "ctx/git-commit", url + "#" + commit + ":app")
                .ok();
        assertThat(file("ctx/git-commit", "sub.txt")).isEqualTo("v1\n");
        whittle.run("build", "--progress", "plain", "-t", "ctx/git-root", url).ok(); // the default branch, its root
        assertThat(file("ctx/git-root", "root.txt")).isEqualTo("hello from git\n");
        whittle.run(
                        "build",
                        "--progress",
                        "plain",
                        "-t",
                        "ctx/git-file",
                        "file://" + dir.resolve("served/repo.git") + "#main:app")
                .ok();
        assertThat(file("ctx/git-file", "sub.txt")).isEqualTo("v2\n");
        try (var tmp = java.nio.file.Files.list(whittle.root().resolve("whittle/tmp"))) {
            assertThat(tmp.toList()).as("the checkout is removed").isEmpty();
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    @Test
    void aMissingRefOrSubdirectoryIsAClearError() {
        String url = "git://127.0.0.1:" + port + "/repo.git";
        Exec noRef = whittle.run("build", url + "#nosuchbranch");
        assertThat(noRef.code()).isEqualTo(1);
        assertThat(noRef.err())
                .contains("unable to prepare context: git fetch of " + url + "#nosuchbranch failed")
                .doesNotContain("Exception");
        assertThat(whittle.run("build", url + "#main:nosuchdir").fails(1).err()).contains("no directory \"nosuchdir\"");
        assertThat(whittle.run("build", url + "#main:../..").fails(1).err())
                .contains("must be relative and stay inside the repository");
    }

    @Test
    void aTarOrADockerfileOnStandardInput() throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        byte[] df = "FROM scratch\nCOPY in-tar.txt /in-tar.txt\n".getBytes(StandardCharsets.UTF_8),
                f = "from stdin\n".getBytes(StandardCharsets.UTF_8);
        try (TarWriter w = new TarWriter(tar)) {
            w.write(TarEntry.file("Dockerfile", 0644, df.length, 1700000000), df);
            w.write(TarEntry.file("in-tar.txt", 0644, f.length, 1700000000), f);
        }
        whittle.runWithInput(tar.toByteArray(), "build", "--progress", "plain", "-t", "ctx/stdin-tar", "-")
                .ok();
        assertThat(file("ctx/stdin-tar", "in-tar.txt")).isEqualTo("from stdin\n");
        whittle.runWithInput(
                        "FROM scratch\nLABEL from=stdin\n".getBytes(StandardCharsets.UTF_8),
                        "build",
                        "-t",
                        "ctx/stdin-df",
                        "-")
                .ok();
        assertThat(whittle.run("inspect", "--format", "{{.Config.Labels.from}}", "ctx/stdin-df")
                        .ok()
                        .out())
                .isEqualTo("stdin\n");
        assertThat(whittle.runWithInput(tar.toByteArray(), "build", "-f", "-", "-")
                        .fails(1)
                        .err())
                .contains("can't use stdin for both build context and dockerfile");
    }

    @Test
    void aTarThatWritesThroughItsOwnSymlinkIsRefused() throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        byte[] df = "FROM scratch\n".getBytes(StandardCharsets.UTF_8),
                evil = "owned\n".getBytes(StandardCharsets.UTF_8);
        Path outside = Files.createDirectories(dir.resolve("outside"));
        try (TarWriter w = new TarWriter(tar)) {
            w.write(TarEntry.file("Dockerfile", 0644, df.length, 1700000000), df);
            w.writeHeader(TarEntry.symlink("escape", outside.toString(), 1700000000));
            w.write(TarEntry.file("escape/evil.txt", 0644, evil.length, 1700000000), evil);
        }
        Exec e = whittle.runWithInput(tar.toByteArray(), "build", "-");
        assertThat(e.code()).isEqualTo(1);
        assertThat(e.err()).contains("escape/evil.txt lies beyond the symlink escape");
        assertThat(outside.resolve("evil.txt")).doesNotExist();
    }

    @Test
    void aLowerCaseDockerfileIsFoundAsDockerFindsIt() throws IOException {
        Path ctx = Files.createDirectories(dir.resolve("lower"));
        Files.writeString(ctx.resolve("dockerfile"), "FROM scratch\nLABEL found=lower\n");
        whittle.run("build", "-t", "ctx/lower", ctx.toString()).ok();
        assertThat(whittle.run("inspect", "--format", "{{.Config.Labels.found}}", "ctx/lower")
                        .ok()
                        .out())
                .isEqualTo("lower\n");
    }
}
