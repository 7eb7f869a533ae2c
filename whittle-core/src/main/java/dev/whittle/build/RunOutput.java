package dev.whittle.build;

import dev.whittle.sandbox.Runc;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * A RUN's output: each line shown on the step's row, the last few kept for the error when the command fails, and
 * runc's own reason when the process could not be started at all.
 */
final class RunOutput {
    private static final int TAIL = 20;

    private final Progress progress;
    private final int step;
    private final Deque<String> tail = new ArrayDeque<>();
    private volatile String notStarted;

    RunOutput(Progress progress, int step) {
        this.progress = progress;
        this.step = step;
    }

    /** One line of the process's (or runc's) output. */
    void line(String line) {
        String startError = Runc.startError(line);
        if (startError != null) {
            notStarted = startError;
            return;
        }
        progress.log(step, line);
        synchronized (tail) {
            tail.add(line);
            if (tail.size() > TAIL) tail.removeFirst();
        }
    }

    /** Why the command failed, in one line (shown on the step's row). */
    String reason(List<String> args, int code) {
        return "process \"" + String.join(" ", args) + "\" "
                + (notStarted != null
                        ? "could not start: " + notStarted
                        : "did not complete successfully: exit code: " + code);
    }

    /** The reason with the last lines of output. */
    String detail(List<String> args, int code) {
        StringBuilder detail = new StringBuilder("RUN failed: " + reason(args, code));
        synchronized (tail) {
            if (!tail.isEmpty()) detail.append("\nlast output:\n  ").append(String.join("\n  ", tail));
        }
        return detail.toString();
    }
}
