package dev.whittle.build;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/**
 * BuildKit's plain progress: {@code #N name}, each output line as {@code #N 1.234 text} (timed from the step's
 * start), then {@code #N CACHED} or {@code #N DONE 1.2s}. Every line of RUN output is printed, none clipped.
 */
public final class PlainProgress implements Progress {
    private final PrintStream out;
    private final Map<Integer, Long> started = new HashMap<>();
    private int next;

    public PlainProgress(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized int start(String name) {
        int id = ++next;
        started.put(id, System.nanoTime());
        out.println("#" + id + " " + name);
        out.flush();
        return id;
    }

    @Override
    public synchronized void cached(int step) {
        out.println("#" + step + " CACHED");
        out.println();
        out.flush();
    }

    @Override
    public synchronized void log(int step, String line) {
        double t = (System.nanoTime() - started.getOrDefault(step, System.nanoTime())) / 1e9;
        out.printf("#%d %.3f %s%n", step, t, line);
        out.flush();
    }

    @Override
    public synchronized void done(int step) {
        double t = (System.nanoTime() - started.getOrDefault(step, System.nanoTime())) / 1e9;
        out.printf("#%d DONE %.1fs%n%n", step, t);
        out.flush();
    }

    @Override
    public synchronized void error(int step, String message) {
        out.println("#" + step + " ERROR: " + message);
        out.flush();
    }

    @Override
    public synchronized void note(String line) {
        out.println(line);
        out.flush();
    }
}
