package dev.whittle.cli;

import dev.whittle.build.Progress;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * BuildKit's live terminal view. Finished steps are printed once, as {@code => [build 3/7] RUN go build   9.1s}
 * (or {@code => CACHED [...]}), and scroll away; below them a region redrawn ten times a second shows the running
 * steps with their timers and the last lines of their output, and {@code [+] Building 12.3s (8/12)}. On a failure
 * the failed step's last output stays on screen.
 */
final class TtyProgress implements Progress {
    private static final int TAIL = 6;

    private static final class Step {
        final int id;
        final String name;
        final long start = System.nanoTime();
        final Deque<String> tail = new ArrayDeque<>();
        long end;
        boolean cached;
        String error;

        Step(int id, String name) {
            this.id = id;
            this.name = name;
        }

        double seconds() {
            return ((end == 0 ? System.nanoTime() : end) - start) / 1e9;
        }
    }

    private final PrintStream out;
    private final int width;
    private final long begin = System.nanoTime();
    private final Map<Integer, Step> steps = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final Thread ticker;
    private int next;
    private int drawn;
    private boolean closed;

    TtyProgress(PrintStream out) {
        this.out = out;
        int w = 80;
        try {
            String cols = System.getenv("COLUMNS");
            if (cols != null) w = Integer.parseInt(cols.trim());
        } catch (NumberFormatException ignored) {
            // keep 80
        }
        this.width = Math.max(40, w);
        this.ticker = Thread.ofPlatform().daemon().name("whittle-progress").start(this::tick);
    }

    private void tick() {
        while (true) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                if (closed) return;
                redraw(List.of());
            }
        }
    }

    @Override public synchronized int start(String name) {
        int id = ++next;
        steps.put(id, new Step(id, name));
        return id;
    }

    @Override public synchronized void cached(int step) {
        Step s = steps.get(step);
        if (s == null) return;
        s.cached = true;
        s.end = System.nanoTime();
        finish(s);
    }

    @Override public synchronized void log(int step, String line) {
        Step s = steps.get(step);
        if (s == null) return;
        s.tail.add(line);
        if (s.tail.size() > TAIL) s.tail.removeFirst();
    }

    @Override public synchronized void done(int step) {
        Step s = steps.get(step);
        if (s == null || s.end != 0) return;
        s.end = System.nanoTime();
        finish(s);
    }

    @Override public synchronized void error(int step, String message) {
        Step s = steps.get(step);
        if (s == null) return;
        s.error = message;
        s.end = System.nanoTime();
        finish(s);
    }

    @Override public synchronized void note(String line) {
        // plain-mode notes name their step ("#12 writing image ..."): drawn as BuildKit's sub-lines here
        notes.add(line.matches("#\\d+ .*") ? " => => " + line.substring(line.indexOf(' ') + 1) : line);
        redraw(List.of());
    }

    /** Prints a finished step above the live region, for good. */
    private void finish(Step s) {
        List<String> lines = new ArrayList<>();
        lines.add(stepLine(s, true));
        if (s.error != null) {
            for (String t : s.tail) lines.add(fit(" => => # " + t));
            lines.add(" => ERROR: " + s.error);
        }
        redraw(lines);
    }

    private String stepLine(Step s, boolean finished) {
        String prefix = s.error != null ? " => ERROR " : s.cached ? " => CACHED " : " => ";
        String time = String.format("%.1fs", s.seconds());
        String text = prefix + s.name;
        int room = width - time.length() - 1;
        if (text.length() > room) text = text.substring(0, Math.max(0, room - 3)) + "...";
        return text + " ".repeat(Math.max(1, width - text.length() - time.length())) + time;
    }

    private String fit(String line) {
        String clean = line.replace('\t', ' ').replaceAll("\\p{Cntrl}", "");
        return clean.length() > width ? clean.substring(0, width - 1) : clean;
    }

    /** Clears the live region, prints {@code permanent} lines, and draws the region again. */
    private void redraw(List<String> permanent) {
        StringBuilder b = new StringBuilder();
        if (drawn > 0) b.append("\033[").append(drawn).append('F').append("\033[J");
        for (String p : permanent) b.append(p).append('\n');
        for (String n : notes) b.append(fit(n)).append('\n');
        notes.clear();
        int lines = 0;
        if (!closed) {
            long finished = steps.values().stream().filter(s -> s.end != 0).count();
            b.append(String.format("[+] Building %.1fs (%d/%d)%n", (System.nanoTime() - begin) / 1e9, finished, steps.size()));
            lines++;
            for (Step s : steps.values()) {
                if (s.end != 0) continue;
                b.append(stepLine(s, false)).append('\n');
                lines++;
                for (String t : s.tail) {
                    b.append(fit(" => => # " + t)).append('\n');
                    lines++;
                }
            }
        }
        drawn = lines;
        out.print(b);
        out.flush();
    }

    @Override public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
            long finished = steps.values().stream().filter(s -> s.end != 0).count();
            redraw(List.of(String.format("[+] Building %.1fs (%d/%d) FINISHED", (System.nanoTime() - begin) / 1e9, finished, steps.size())));
        }
        ticker.interrupt();
    }
}
