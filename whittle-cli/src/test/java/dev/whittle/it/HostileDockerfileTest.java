package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and broken Dockerfiles and build command lines: each is built in time linear in its size or refused with a
 * message of a line or two that says what is wrong, where, and what to do — never a stack trace, a hang, or an image
 * half-made. Config-only builds on scratch: no root or runc needed.
 */
class HostileDockerfileTest {
    /** A linear build of these sizes takes a second or two; a quadratic one took minutes. Not a timing assertion. */
    static final Duration GENEROUS = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    Whittle whittle() {
        return new Whittle(dir.resolve("store"));
    }

    Path context(String name, String dockerfile) throws IOException {
        Path ctx = Files.createDirectories(dir.resolve(name));
        Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
        return ctx;
    }

    static Exec build(Whittle w, Path ctx, String... extra) {
        String[] args = new String[extra.length + 5];
        args[0] = "build";
        args[1] = "--progress=plain";
        args[2] = "--check=off";
        System.arraycopy(extra, 0, args, 3, extra.length);
        args[extra.length + 3] = "-q";
        args[extra.length + 4] = ctx.toString();
        return w.run(args);
    }

    /** The one-line error, without the Dockerfile snippet under it. */
    static String error(Exec e) {
        return e.err().lines().filter(l -> l.startsWith("Error: ")).findFirst().orElse(e.err());
    }

    // ---------------------------------------------------------------------------------------------- A: size

    @Test
    void manyEnvLinesBuildInLinearTime() throws IOException {
        StringBuilder df = new StringBuilder("FROM scratch\n");
        for (int i = 0; i < 20_000; i++)
            df.append("ENV V").append(i).append("=value").append(i).append('\n');
        Path ctx = context("env", df.toString());
        Whittle w = whittle();
        Exec built = assertTimeoutPreemptively(GENEROUS, () -> build(w, ctx, "-t", "big/env"));
        built.ok();
        String env = w.run("inspect", "--format", "{{len .Config.Env}} {{index .Config.Env 20000}}", "big/env")
                .ok()
                .out()
                .trim();
        assertThat(env).isEqualTo("20001 V19999=value19999");
        assertTimeoutPreemptively(
                GENEROUS,
                () -> w.run("build", "--call", "outline", ctx.toString()).ok());
        assertTimeoutPreemptively(
                GENEROUS,
                () -> w.run("build", "--call", "check", ctx.toString()).ok());
    }

    @Test
    void aMultiMegabyteLabelDockerfileBuildsInLinearTime() throws IOException {
        StringBuilder df = new StringBuilder("FROM scratch\n");
        String value = "x".repeat(200);
        int n = 0;
        while (df.length() < 4 << 20)
            df.append("LABEL key").append(n++).append("=\"").append(value).append("\"\n");
        Path ctx = context("label", df.toString());
        Whittle w = whittle();
        assertTimeoutPreemptively(GENEROUS, () -> build(w, ctx, "-t", "big/label"))
                .ok();
        String count = w.run("inspect", "--format", "{{len .Config.Labels}}", "big/label")
                .ok()
                .out()
                .trim();
        assertThat(count).isEqualTo(String.valueOf(n));
    }

    @Test
    void aDockerfileOverTheSizeLimitIsRefusedBeforeParsing() throws IOException {
        // comment lines only: before the limit this parsed (slowly) and failed for want of a FROM
        Path ctx = context("huge", "# filler\n".repeat((17 << 20) / 9 + 1) + "FROM scratch\n");
        Exec e = build(whittle(), ctx).fails(1);
        assertThat(error(e)).contains("Dockerfile").contains("16 MiB").contains("is larger than");
    }

    @Test
    void aLineLongerThanBuildKitAllowsIsRefusedWithItsMessage() throws IOException {
        Path ctx = context("longline", "FROM scratch\nLABEL a=\"" + "x".repeat(70_000) + "\"\n");
        Exec e = build(whittle(), ctx).fails(1);
        assertThat(error(e))
                .startsWith("Error: Dockerfile:2:")
                .contains("dockerfile line greater than max allowed size of 65535");
        assertThat(e.err().length()).isLessThan(1000);
    }

    // -------------------------------------------------------------------------------------- B: clear messages

    @Test
    void invalidUtf8IsReportedAtItsLineAndColumn() throws IOException {
        Path ctx = Files.createDirectories(dir.resolve("utf8"));
        byte[] text = "FROM scratch\nENV A=caf\u00e9 B=\u00ff\u00fex\n".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(ctx.resolve("Dockerfile"), text);
        Exec e = build(whittle(), ctx).fails(1);
        assertThat(error(e))
                .startsWith("Error: Dockerfile:2:10: ")
                .contains("not valid UTF-8")
                .contains("0xe9");
        assertThat(e.err()).doesNotContain("Input length").doesNotContain("Exception");
        Exec stdin = whittle()
                .runWithInput(text, "build", "-q", "--check=off", "-f", "-", ctx.toString())
                .fails(1);
        assertThat(error(stdin)).startsWith("Error: Dockerfile:2:10: ");
    }

    @Test
    void aDockerfilePathThatIsADirectoryFifoOrDeviceIsRefusedWithoutReadingIt() throws IOException {
        Path ctx = context("kinds", "FROM scratch\n");
        Path sub = Files.createDirectories(ctx.resolve("sub"));
        Exec d = build(whittle(), ctx, "-f", sub.toString()).fails(1);
        assertThat(error(d)).contains(sub.toString()).contains("is a directory");
        Path fifo = ctx.resolve("fifo");
        Exec.run("mkfifo", fifo.toString()).ok();
        // opening a FIFO blocks until something writes to it: the build must not open it
        Exec f = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> build(whittle(), ctx, "-f", fifo.toString()));
        assertThat(error(f.fails(1)))
                .contains(fifo.toString())
                .contains("is a FIFO")
                .contains("-f -");
        Exec dev = build(whittle(), ctx, "-f", "/dev/null").fails(1);
        assertThat(error(dev)).contains("/dev/null").contains("is a character device");
    }

    @Test
    void aContextThatIsARegularFileIsRefusedAsDockerDoes() throws IOException {
        Path ctx = context("file-context", "FROM scratch\n");
        Exec e = whittle()
                .run("build", "-q", ctx.resolve("Dockerfile").toString())
                .fails(1);
        assertThat(error(e))
                .isEqualTo("Error: unable to prepare context: context must be a directory: "
                        + ctx.resolve("Dockerfile").toAbsolutePath());
    }

    @Test
    void anUnknownOutputTypeIsRefusedBeforeTheBuild() throws IOException {
        Path ctx = context("output-type", "FROM scratch\nENV A=b\n");
        Whittle w = whittle();
        Exec e = build(w, ctx, "-t", "out/bogus", "--output", "type=bogus").fails(1);
        assertThat(error(e)).contains("exporter \"bogus\" could not be found").contains("local");
        assertThat(w.run("images", "-q", "out/bogus").ok().out()).isEmpty();
    }

    @Test
    void aLocalOutputToAnExistingFileIsRefusedBeforeTheBuild() throws IOException {
        Path ctx = context("output-file", "FROM scratch\nENV A=b\n");
        Path file = Files.writeString(dir.resolve("a-file"), "keep me");
        Whittle w = whittle();
        Exec e = build(w, ctx, "-t", "out/file", "--output", "type=local,dest=" + file)
                .fails(1);
        assertThat(error(e)).contains(file.toString()).contains("not a directory");
        assertThat(Files.readString(file)).isEqualTo("keep me");
        assertThat(w.run("images", "-q", "out/file").ok().out()).isEmpty();
    }

    @Test
    void aPathLongerThanPathMaxIsShortenedInTheMessage() throws IOException {
        String name = "a".repeat(5000);
        Path ctx = context("long-path", "FROM scratch\nCOPY " + name + " /x\n");
        Exec e = build(whittle(), ctx).fails(1);
        assertThat(e.err()).contains("COPY failed").contains("not found").contains("aaaa…");
        assertThat(e.err().length()).isLessThan(1000);
    }

    @Test
    void aContextPathComponentLongerThanNameMaxIsReportedShortly() {
        Path ctx = dir.resolve("c".repeat(300));
        Exec e = whittle().run("build", "-q", ctx.toString()).fails(1);
        assertThat(error(e))
                .contains("unable to prepare context")
                .contains("File name too long")
                .contains("cccc…");
        assertThat(e.err().length()).isLessThan(400);
    }

    @Test
    void aFromNamingALaterStageIsAnImageAndNeverAnImageIdPrefix() throws IOException {
        Whittle w = whittle();
        Path empty = Files.write(dir.resolve("empty.tar"), new byte[1024]);
        String prefix = null;
        // an image whose ID starts with a letter, so its first hex digits are also a valid stage name
        for (int i = 0; prefix == null && i < 64; i++) {
            String id = w.run("import", "-c", "LABEL n=" + i, empty.toString(), "prefix/img:" + i)
                    .ok()
                    .out()
                    .trim();
            String hex = id.substring("sha256:".length());
            if (Character.isLetter(hex.charAt(0))) prefix = hex.substring(0, 6);
        }
        assertThat(prefix).isNotNull();
        Path ctx = context("later-stage", "FROM " + prefix + " AS b\nFROM b AS " + prefix + "\n");
        Exec e = build(w, ctx, "--pull=never").fails(1);
        // BuildKit resolves FROM to an earlier stage or else an image by name: an ID prefix is not a name
        assertThat(error(e))
                .startsWith("Error: Dockerfile:1:6: image \"" + prefix + "\" is not in the store")
                .contains("stage \"" + prefix + "\" (line 2) comes later");
    }

    // ------------------------------------------------------------------------------------------ C: --network

    @Test
    void anUnknownNetworkModeIsRefusedAsDockerDoes() throws IOException {
        Path ctx = context("network", "FROM scratch\nRUN true\n");
        Exec e = build(whittle(), ctx, "--network=foo").fails(1);
        assertThat(error(e)).isEqualTo("Error: network mode \"foo\" not supported by buildkit");
    }

    // ------------------------------------------------------------------------- D: what BuildKit refuses

    @Test
    void whatBuildKitRefusesIsRefusedWithItsMessageAndPosition() throws IOException {
        Whittle w = whittle();
        assertThat(error(build(w, context("sig", "FROM scratch\nSTOPSIGNAL SIGFOO\n"))
                        .fails(1)))
                .isEqualTo("Error: Dockerfile:2:12: invalid signal: SIGFOO");
        assertThat(error(
                        build(w, context("blank-env", "FROM scratch\nENV =x\n")).fails(1)))
                .isEqualTo("Error: Dockerfile:2:5: ENV names can not be blank");
        assertThat(error(build(w, context("platform", "FROM --platform=bogus/os/x/y scratch\n"))
                        .fails(1)))
                .isEqualTo(
                        "Error: Dockerfile:1:17: failed to parse platform bogus/os/x/y: \"bogus/os/x/y\": cannot parse platform specifier: invalid argument");
        Path add = context(
                "checksum",
                "FROM scratch\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d foo /\n");
        Files.writeString(add.resolve("foo"), "foo\n");
        assertThat(error(build(w, add).fails(1)))
                .isEqualTo("Error: Dockerfile:2:5: checksum requires HTTP(S) or Git sources");
    }
}
