package dev.whittle.build;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/**
 * BuildKit's plain progress: {@code #N name}, each output line as {@code #N 1.234 text} (timed from the step's
 * start), then {@code #N CACHED} or {@code #N DONE 1.2s}. Every line of RUN output is printed, none clipped. A
 * sub-row is printed when it ends, as BuildKit prints a status: {@code #N sha256:... 45.21MB / 45.21MB 1.2s done}.
 */
public final class PlainProgress implements Progress {
    private final PrintStream out;
    private final Map<Integer, Long> started = new HashMap<>();
    private int next;

    /** A sub-row: its step, name, start and bytes so far. */
    private static final class Sub {
        final int step;
        final String name;
        final long start = System.nanoTime();
        long current, total;

        Sub(int step, String name) {
            this.step = step;
            this.name = name;
        }
    }

    private final Map<Integer, Sub> subs = new HashMap<>();
    private int nextSub;

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
    public synchronized int subStart(int step, String name) {
        int id = ++nextSub;
        subs.put(id, new Sub(step, name));
        return id;
    }

    @Override
    public synchronized void subProgress(int sub, long current, long total) {
        Sub s = subs.get(sub);
        if (s == null) return;
        s.current = current;
        s.total = total;
    }

    @Override
    public synchronized void subDone(int sub) {
        Sub s = subs.remove(sub);
        if (s == null) return;
        String amount = s.total > 0
                ? " " + Progress.bytes(s.current) + " / " + Progress.bytes(s.total)
                : s.current > 0 ? " " + Progress.bytes(s.current) : "";
        out.printf("#%d %s%s %.1fs done%n", s.step, s.name, amount, (System.nanoTime() - s.start) / 1e9);
        out.flush();
    }

    @Override
    public synchronized void note(String line) {
        out.println(line);
        out.flush();
    }
}
