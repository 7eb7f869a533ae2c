package dev.whittle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every command's help, in docker's layout; pflag's wrapping as docker prints it. */
class UsageTest {
    static String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                InputStream.nullInputStream());
        return new String[] {
            Integer.toString(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)
        };
    }

    @Test
    void everyCommandPathHasDockersHelp() {
        for (Map.Entry<String, String> p : Commands.paths().entrySet()) {
            List<String> args = new java.util.ArrayList<>(List.of("--root", "/nonexistent"));
            args.addAll(List.of(p.getKey().split(" ")));
            args.add("--help");
            String[] r = run(args.toArray(String[]::new));
            assertThat(r[0]).as(p.getKey()).isEqualTo("0");
            assertThat(r[1])
                    .as(p.getKey())
                    .startsWith("\nUsage:  whittle " + p.getKey())
                    .contains("\n\n" + Commands.COMMANDS.get(p.getValue()).summary() + "\n")
                    .doesNotContain("-V, --version")
                    .doesNotContain("-h, --help");
            for (String line : r[1].split("\n"))
                assertThat(line.length()).as(p.getKey() + ": " + line).isLessThanOrEqualTo(FlagTable.WIDTH);
        }
        assertThat(run("help", "image", "prune")[1]).startsWith("\nUsage:  whittle image prune [OPTIONS]\n");
    }

    @Test
    void wrapsAsPflag() {
        // docker builder prune --help, as docker 20.10 prints it
        assertThat(FlagTable.table(
                        List.of(
                                new String[] {"-a, --all", "Remove all unused build cache, not just dangling ones"},
                                new String[] {"    --keep-storage bytes", "Amount of disk space to keep for cache"}),
                        FlagTable.WIDTH))
                .isEqualTo("""
                          -a, --all                  Remove all unused build cache, not just
                                                     dangling ones
                              --keep-storage bytes   Amount of disk space to keep for cache
                        """);
    }
}
