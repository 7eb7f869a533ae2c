package dev.whittle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The fast path binds exactly what picocli would, or hands the command line to picocli. */
class FastArgsTest {
    static final Context CTX = new Context(
            new PrintStream(PrintStream.nullOutputStream()),
            new PrintStream(PrintStream.nullOutputStream()),
            java.io.InputStream.nullInputStream(),
            false,
            Path.of("/nonexistent"));

    static Map<String, Object> fields(Object o) throws IllegalAccessException {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Field f : o.getClass().getDeclaredFields()) {
            if (f.getAnnotation(CommandLine.Option.class) == null
                    && f.getAnnotation(CommandLine.Parameters.class) == null) continue;
            f.setAccessible(true);
            m.put(f.getName(), f.get(o));
        }
        return m;
    }

    static void same(String command, String... args) throws Exception {
        Object fast = Commands.COMMANDS.get(command).factory().apply(CTX);
        boolean stop = fast instanceof RunCommand;
        assertThat(FastArgs.bind(fast, args, stop))
                .as("fast path taken for " + List.of(args))
                .isPresent();
        Object slow = Commands.COMMANDS.get(command).factory().apply(CTX);
        CommandLine cl = new CommandLine(slow);
        cl.setStopAtPositional(stop);
        cl.parseArgs(args);
        assertThat(fields(fast)).as(command + " " + List.of(args)).isEqualTo(fields(slow));
    }

    static void picocliDecides(String command, String... args) {
        Object fast = Commands.COMMANDS.get(command).factory().apply(CTX);
        assertThat(FastArgs.bind(fast, args, fast instanceof RunCommand))
                .as(List.of(args).toString())
                .isEmpty();
    }

    @Test
    void bindsWhatPicocliBinds() throws Exception {
        same("images");
        same("images", "-qa", "--digests", "--filter", "dangling=true", "-f", "reference=site*", "site");
        same("images", "--format={{.ID}}", "--no-trunc");
        same("inspect", "--format", "{{json .Config}}", "a", "b:1");
        same("history", "-H=false", "--no-trunc", "img");
        same("history", "-H", "img"); // a boolean flag: the word after it is the image, as with docker
        same("system df", "-v", "--format", "{{json .}}");
        same("builder prune", "-af", "--filter", "until=24h", "--keep-storage", "1g");
        same("tag", "a", "b:2");
        same("rmi", "-f", "a", "b", "c");
        same("save", "-o", "/tmp/x.tar", "a", "b");
        same(
                "build",
                "-t",
                "a:1",
                "-tb:2",
                "--build-arg",
                "X=1",
                "--build-arg=Y=2",
                "--pull",
                "--no-cache",
                "-f",
                "D",
                ".");
        same("build", "--check=warn", "--pull=never", "--progress", "plain", "ctx");
        same("run", "--rm", "-e", "A=1", "img", "sh", "-c", "echo -n hi");
        same("push", "--compression", "zstd", "--oci-mediatypes", "r/x:1");
        same("pull", "-q", "--platform", "linux/arm64", "x");
        same("analyze", "--format", "json", "img");
    }

    @Test
    void handsOverWhatItDoesNotDecide() {
        picocliDecides("images", "--help");
        picocliDecides("images", "--no-such-flag");
        picocliDecides("images", "a", "b");
        picocliDecides("tag", "onlyone");
        picocliDecides("build", "--pull", ".");
        picocliDecides("inspect", "--format");
        picocliDecides("history", "-H", "false", "img");
        picocliDecides("history", "-H=maybe", "img");
    }

    @Test
    void theRecordedTableGivesTheSameSpecsAsTheAnnotations() throws Exception {
        Path table = java.nio.file.Files.createTempFile("whittle-args", ".table");
        try {
            List<Class<?>> classes = Main.commandClasses();
            FastArgs.writeTable(table, classes);
            System.setProperty(FastArgs.TABLE, table.toString());
            for (Class<?> c : classes)
                assertThat(FastArgs.spec(c)).as(c.getName()).isEqualTo(FastArgs.fromAnnotations(c));
        } finally {
            System.clearProperty(FastArgs.TABLE);
            java.nio.file.Files.deleteIfExists(table);
        }
    }
}
