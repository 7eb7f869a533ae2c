package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

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
        Process p = new ProcessBuilder(command(root, args))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new WhittleProcess(p, log);
    }

    /** Starts another program the same way (docker's client, to compare with). */
    public static WhittleProcess startProgram(List<String> cmd, Path log) throws IOException {
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        return new WhittleProcess(p, log);
    }

    /** The command line of {@code whittle --root ROOT ARGS...} in a JVM of its own, with SIGINT at its default. */
    public static List<String> command(Path root, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                "env",
                "--default-signal=INT",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.whittle.cli.Main",
                "--root",
                root.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Sends a signal (INT, TERM, ...), as a shell's kill does. */
    public void signal(String name) {
        Exec.run("kill", "-" + name, Long.toString(process.pid())).ok();
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

    /** The exit code within {@code seconds}; a process still running then is killed and the test fails (a hang). */
    public int waitFor(long seconds) throws InterruptedException, IOException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            signal("INT"); // its clean-up unmounts what it mounted, so the test's directory can be removed
            if (!process.waitFor(15, TimeUnit.SECONDS)) kill9();
            throw new AssertionError("whittle still runs after " + seconds + " s, killed; its output:\n" + output());
        }
        return process.exitValue();
    }
}
