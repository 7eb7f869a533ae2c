package dev.whittle.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Hostile and broken Dockerfiles and build command lines: each is built in time linear in its size or refused with a
 * message of a line or two that says what is wrong, where, and what to do — never a stack trace, a hang, or an image
 * half-made. Config-only builds on scratch: no root or runc needed.
 */
class HostileDockerfileTest {
    /** A linear build of these sizes takes a second or two; a quadratic one took minutes. Not a timing assertion. */
    static final Duration GENEROUS = Duration.ofSeconds(90);

    @TempDir Path dir;

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
        for (int i = 0; i < 20_000; i++) df.append("ENV V").append(i).append("=value").append(i).append('\n');
        Path ctx = context("env", df.toString());
        Whittle w = whittle();
        Exec built = assertTimeoutPreemptively(GENEROUS, () -> build(w, ctx, "-t", "big/env"));
        built.ok();
        String env = w.run("inspect", "--format", "{{len .Config.Env}} {{index .Config.Env 20000}}", "big/env").ok().out().trim();
        assertThat(env).isEqualTo("20001 V19999=value19999");
        assertTimeoutPreemptively(GENEROUS, () -> w.run("build", "--call", "outline", ctx.toString()).ok());
        assertTimeoutPreemptively(GENEROUS, () -> w.run("build", "--call", "check", ctx.toString()).ok());
    }

    @Test
    void aMultiMegabyteLabelDockerfileBuildsInLinearTime() throws IOException {
        StringBuilder df = new StringBuilder("FROM scratch\n");
        String value = "x".repeat(200);
        int n = 0;
        while (df.length() < 4 << 20) df.append("LABEL key").append(n++).append("=\"").append(value).append("\"\n");
        Path ctx = context("label", df.toString());
        Whittle w = whittle();
        assertTimeoutPreemptively(GENEROUS, () -> build(w, ctx, "-t", "big/label")).ok();
        String count = w.run("inspect", "--format", "{{len .Config.Labels}}", "big/label").ok().out().trim();
        assertThat(count).isEqualTo(String.valueOf(n));
    }
}
