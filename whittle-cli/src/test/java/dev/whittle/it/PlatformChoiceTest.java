package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.image.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands about one image (history, analyze, compare, inspect) over multi-platform images: {@code --platform}
 * picks one; without it the one {@code run} runs: this machine's platform, else the index's first with docker's
 * warning that it is not this machine's. COPY-only builds from scratch: no root, runc or qemu needed.
 */
class PlatformChoiceTest {
    @TempDir
    static Path dir;

    static Whittle whittle;
    static String host, other;

    @BeforeAll
    static void images() throws IOException {
        host = Platform.host().toString();
        Assumptions.assumeTrue(
                host.equals("linux/amd64") || host.equals("linux/arm64"), "host is linux/amd64 or linux/arm64");
        other = host.equals("linux/amd64") ? "linux/arm64" : "linux/amd64";
        whittle = new Whittle(dir.resolve("store"));
        Path ctx = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nARG TARGETARCH\nCOPY ${TARGETARCH}.txt /arch\n");
        // sizes that tell the platforms apart in compare's SIZE column
        Files.writeString(ctx.resolve("amd64.txt"), "amd64\n");
        Files.writeString(ctx.resolve("arm64.txt"), "arm64\n".repeat(2000));
        Files.writeString(ctx.resolve("arm.txt"), "arm\n");
        build(ctx, "linux/amd64,linux/arm64", "pc/both:1");
        build(ctx, "linux/arm/v7," + other, "pc/foreign:1");
        build(ctx, host, "pc/one:1");
    }

    static void build(Path ctx, String platforms, String tag) {
        whittle.run("build", "--progress", "plain", "--check=off", "--platform", platforms, "-t", tag, ctx.toString())
                .ok();
    }

    static String arch(String platform) {
        return platform.substring("linux/".length());
    }

    @Test
    void historyShowsThePlatformAskedForElseThisMachines() {
        String f = "{{.CreatedBy}}";
        assertThat(whittle.run("history", "--no-trunc", "--format", f, "--platform", other, "pc/both:1")
                        .ok()
                        .out())
                .contains("COPY " + arch(other) + ".txt /arch");
        assertThat(whittle.run("history", "--no-trunc", "--format", f, "pc/both:1")
                        .ok()
                        .out())
                .contains("COPY " + arch(host) + ".txt /arch");
    }

    @Test
    void analyzeShowsThePlatformAskedForElseThisMachines() {
        assertThat(whittle.run("analyze", "--format", "json", "--platform", other, "pc/both:1")
                        .ok()
                        .out())
                .contains("COPY " + arch(other) + ".txt /arch");
        assertThat(whittle.run("analyze", "--format", "json", "pc/both:1").ok().out())
                .contains("COPY " + arch(host) + ".txt /arch");
    }

    @Test
    void compareShowsThePlatformAskedForElseThisMachines() {
        String armSize = "12kB", amdSize = "6B";
        String hostSize = host.equals("linux/amd64") ? amdSize : armSize;
        String otherSize = host.equals("linux/amd64") ? armSize : amdSize;
        assertThat(whittle.run("compare", "--platform", other, "pc/both:1").ok().out())
                .containsPattern("pc/both:1\\s+->\\s+" + otherSize + "\\s");
        assertThat(whittle.run("compare", "pc/both:1").ok().out())
                .containsPattern("pc/both:1\\s+->\\s+" + hostSize + "\\s");
    }

    @Test
    void withoutPlatformAnIndexWithoutThisMachinesAnswersWithTheImageRunRunsAndDockersWarning() {
        String warning = "WARNING: The requested image's platform (linux/arm/v7) does not match the detected host"
                + " platform (" + host + ") and no specific platform was requested";
        // an arm64 machine runs arm/v7 programs itself: its own platform, no warning
        Assumptions.assumeTrue(host.equals("linux/amd64"), "host is linux/amd64");
        // what run runs (the index's first platform, as images shows it), named on standard error as docker names it
        Exec h = whittle.run("history", "--no-trunc", "--format", "{{.CreatedBy}}", "pc/foreign:1")
                .ok();
        assertThat(h.out()).contains("COPY arm.txt /arch").doesNotContain("COPY " + arch(other));
        assertThat(h.err()).isEqualTo(warning + "\n");
        Exec a = whittle.run("analyze", "--format", "json", "pc/foreign:1").ok();
        assertThat(a.out()).contains("COPY arm.txt /arch");
        assertThat(a.err()).isEqualTo(warning + "\n");
        Exec c = whittle.run("compare", "pc/both:1", "pc/foreign:1").ok();
        assertThat(c.out()).containsPattern("pc/foreign:1\\s+->\\s+4B\\s");
        assertThat(c.err()).isEqualTo(warning + "\n");
        // this machine's platform, or one asked for, is not warned about
        assertThat(whittle.run("history", "pc/both:1").ok().err()).isEmpty();
        assertThat(whittle.run("history", "--platform", other, "pc/foreign:1")
                        .ok()
                        .err())
                .isEmpty();
    }

    @Test
    void aSingleImageOfAnotherPlatformThanAskedForIsAnErrorNamingBoth() {
        for (String cmd : new String[] {"inspect", "history", "analyze", "compare"}) {
            Exec e = whittle.run(cmd, "--platform", other, "pc/one:1").fails(1);
            assertThat(e.err())
                    .as(cmd)
                    .contains("image with reference pc/one:1 was found but does not match the specified platform:"
                            + " wanted " + other + ", actual: " + host)
                    .doesNotContain("\tat ");
        }
        // its own platform is fine
        assertThat(whittle.run("inspect", "--platform", host, "--format", "{{.Architecture}}", "pc/one:1")
                        .ok()
                        .out())
                .isEqualTo(arch(host) + "\n");
    }
}
