package dev.whittle.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;

/** A real terminal for tests: a detached tmux session running a shell script, whose screen is read back. */
public final class Tmux implements AutoCloseable {
    private final String session;

    private Tmux(String session) {
        this.session = session;
    }

    /** Runs {@code script} (sh) in a new session of the given size; skips the test when tmux is missing. */
    public static Tmux start(Path dir, String script, int columns, int rows) throws IOException {
        Assumptions.assumeTrue(Exec.available("tmux"), "tmux is needed (scripts/install-deps)");
        String session = "whittle-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Path file = Files.createTempFile(dir, "tmux", ".sh");
        Files.writeString(file, script);
        Exec.run(
                        "tmux",
                        "new-session",
                        "-d",
                        "-s",
                        session,
                        "-x",
                        Integer.toString(columns),
                        "-y",
                        Integer.toString(rows),
                        "sh " + file)
                .ok();
        return new Tmux(session);
    }

    /** The command line that runs whittle with this JVM's classes (no build of the jar needed). */
    public static String whittleCommand() {
        return "'" + ProcessHandle.current().info().command().orElse("java")
                + "' --enable-native-access=ALL-UNNAMED -cp '" + System.getProperty("java.class.path")
                + "' dev.whittle.cli.Main";
    }

    public void keys(String... keys) {
        List<String> cmd = new java.util.ArrayList<>(List.of("tmux", "send-keys", "-t", session));
        cmd.addAll(List.of(keys));
        Exec.run(cmd).ok();
    }

    /** The screen (with colour escapes when asked) once {@code until} holds; fails after 60 s. */
    public String screen(boolean escapes, Predicate<String> until) throws InterruptedException {
        String s = "";
        for (int i = 0; i < 300; i++) {
            s = Exec.run(
                            escapes
                                    ? List.of("tmux", "capture-pane", "-e", "-p", "-t", session)
                                    : List.of("tmux", "capture-pane", "-p", "-t", session))
                    .ok()
                    .out();
            if (until.test(s)) return s;
            Thread.sleep(200);
        }
        throw new AssertionError("the screen never showed what was waited for:\n" + s);
    }

    @Override
    public void close() {
        Exec.run("tmux", "kill-session", "-t", session);
    }
}
