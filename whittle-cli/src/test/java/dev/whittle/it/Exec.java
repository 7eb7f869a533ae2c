package dev.whittle.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a program and captures its output, for tests that compare with real tools. */
public record Exec(int code, String out, String err) {
    public static Exec run(List<String> cmd) {
        return run(cmd, null, 600);
    }

    public static Exec run(List<String> cmd, Path dir, int timeoutSeconds) {
        try {
            Path o = Files.createTempFile("exec", ".out"), e = Files.createTempFile("exec", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectOutput(o.toFile())
                    .redirectError(e.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            if (dir != null) pb.directory(dir.toFile());
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out after " + timeoutSeconds + "s: " + cmd);
            }
            Exec r = new Exec(
                    p.exitValue(),
                    Files.readString(o, StandardCharsets.UTF_8),
                    Files.readString(e, StandardCharsets.UTF_8));
            Files.delete(o);
            Files.delete(e);
            return r;
        } catch (IOException ex) {
            return new Exec(127, "", ex.getMessage());
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    public static Exec run(String... cmd) {
        return run(List.of(cmd));
    }

    /** Fails the test with the program's output if it did not exit 0. */
    public Exec ok() {
        if (code != 0) throw new AssertionError("exit " + code + "\nstdout: " + out + "\nstderr: " + err);
        return this;
    }

    /** Fails the test with the program's output unless it exited with this code. */
    public Exec fails(int expected) {
        if (code != expected)
            throw new AssertionError(
                    "expected exit " + expected + ", got " + code + "\nstdout: " + out + "\nstderr: " + err);
        return this;
    }

    public static boolean available(String program) {
        return run("sh", "-c", "command -v " + program).code() == 0;
    }
}
