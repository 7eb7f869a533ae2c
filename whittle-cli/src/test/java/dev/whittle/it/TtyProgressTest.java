package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code build --progress tty} in a real terminal (a tmux pane, its screen read back): BuildKit's layout with the
 * header on top while the build runs, a time on every row and sub-row, an {@code extracting} sub-row with bytes when
 * a base is unpacked on first use, colours unless {@code NO_COLOR}; and {@code load}'s per-layer progress as docker's.
 */
@Tag("runc")
class TtyProgressTest {
    @TempDir
    Path dir;

    Path store, ctx;

    @BeforeEach
    void prepare() throws IOException {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "RUN needs root");
        Assumptions.assumeTrue(dev.whittle.sandbox.Runc.available(), "runc is not installed (apt-get install runc)");
        store = dir.resolve("store");
        new Whittle(store)
                .run("import", "-c", "ENV PATH=/bin", RootFs.busybox(dir).toString(), "tty/base:1")
                .ok();
        ctx = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), """
                FROM tty/base:1
                RUN echo first-line; sleep 3; echo second-line
                RUN echo done
                """);
    }

    /** Runs whittle in a new 100x40 terminal with {@code env} set; the screen shows EXIT=code when it ends. */
    Tmux start(String env, String... args) throws IOException {
        StringBuilder cmd = new StringBuilder("env " + env + " " + Tmux.whittleCommand() + " --root '" + store + "'");
        for (String a : args) cmd.append(" '").append(a).append('\'');
        return Tmux.start(dir, cmd + "\necho EXIT=$?\nsleep 600\n", 100, 40);
    }

    @Test
    void buildkitsLayoutWhileRunningAndWhenFinished() throws Exception {
        try (Tmux t = start("COLUMNS= LINES=", "build", "--progress", "tty", "-t", "tty/app:1", ctx.toString())) {
            // while the RUN sleeps: the header on the first line, the running step timed, its output below it
            String running = t.screen(false, s -> s.contains("# first-line"));
            List<String> lines = running.lines().toList();
            assertThat(lines.getFirst()).matches("\\[\\+] Building \\d+\\.\\ds \\(\\d+/\\d+\\)");
            assertThat(running)
                    .containsPattern(
                            "(?m)^ => \\[stage-0 2/3\\] RUN echo first-line; sleep 3; echo second-line +\\d+\\.\\ds$")
                    .containsPattern(
                            "(?m)^ => => extracting sha256:[0-9a-f]+(\\.\\.\\.)? \\d+\\.\\d\\dMB / \\d+\\.\\d\\dMB +\\d+\\.\\ds$")
                    .contains(" => => # first-line");
            String done = t.screen(false, s -> s.contains("EXIT="));
            List<String> rows = done.lines()
                    .takeWhile(l -> !l.startsWith("EXIT=") && !l.startsWith("note:"))
                    .filter(l -> !l.isBlank())
                    .toList();
            assertThat(rows.getFirst()).matches("\\[\\+] Building \\d+\\.\\ds \\(4/4\\) FINISHED");
            // every row and sub-row timed, at the right edge of the 100 columns
            for (String r : rows.subList(1, rows.size()))
                assertThat(r).as(r).matches(" => .* \\d+\\.\\ds").hasSize(99);
            assertThat(rows).anyMatch(r -> r.startsWith(" => => naming to docker.io/tty/app:1 "));
            assertThat(done).doesNotContain("# first-line").contains("EXIT=0");
            // finished steps in blue
            assertThat(t.screen(true, s -> s.contains("EXIT="))).contains("\033[34m");
        }
    }

    @Test
    void noColorMeansNoColourAndACachedRebuildSaysCached() throws Exception {
        new Whittle(store)
                .run("build", "--progress", "plain", "-t", "tty/app:1", ctx.toString())
                .ok();
        try (Tmux t = start("NO_COLOR=1", "build", "--progress", "tty", "-t", "tty/app:1", ctx.toString())) {
            String done = t.screen(true, s -> s.contains("EXIT="));
            assertThat(done)
                    .doesNotContain("\033[34m")
                    .doesNotContain("\033[31m")
                    .contains("EXIT=0");
            assertThat(done).containsPattern("(?m)^ => CACHED \\[stage-0 2/3\\] RUN echo first-line.* \\d+\\.\\ds$");
        }
    }
}
