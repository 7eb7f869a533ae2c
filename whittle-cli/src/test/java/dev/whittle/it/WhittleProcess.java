package dev.whittle.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** whittle in a JVM of its own (for tests that kill it), its output in a log file. */
public final class WhittleProcess {
    private final Process process;
    private final Path log;

    private WhittleProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code whittle --root ROOT ARGS...} with this test JVM's classpath. */
    public static WhittleProcess start(Path root, Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("env", "--default-signal=INT", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "dev.whittle.cli.Main",
                "--root", root.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new WhittleProcess(p, log);
    }

    public String output() throws IOException {
        return Files.readString(log);
    }

    /** Waits until the output matches, or the process ends, or 60 s pass; asserts that it matched. */
    public WhittleProcess awaitOutput(Pattern shown) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!shown.matcher(output()).find() && process.isAlive() && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(output()).containsPattern(shown);
        return this;
    }

    /**
     * SIGKILL, as a crash or the OOM killer would end it: no exit hook runs. Returns the processes it had started
     * (runc, the container, RUN's network helpers, an ssh-agent), which outlive it until something ends them.
     */
    public List<ProcessHandle> kill9() throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroyForcibly(); // SIGKILL on Linux
        process.waitFor(30, TimeUnit.SECONDS);
        return children;
    }

    public boolean alive() {
        return process.isAlive();
    }

    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }
}
