package dev.whittle.cli;

import dev.whittle.build.Progress;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * BuildKit's live terminal view: {@code [+] Building 12.3s (8/12)} on top, then every step in the order it started,
 * each with its time on the right ({@code => [build 3/7] RUN go build   9.1s}, {@code => CACHED [...]}), its
 * sub-rows ({@code => => extracting sha256:... 1.98MB / 1.98MB   0.1s}, timed too) and, while it runs or when it
 * failed, the last lines of its output ({@code => => # ...}). The whole view is redrawn ten times a second, cut to the
 * terminal's height while the build runs and printed whole at the end ({@code FINISHED}). Finished steps are blue,
 * failed ones red, where the terminal has colours and {@code NO_COLOR} is not set.
 */
final class TtyProgress implements Progress {
    private static final int TAIL = 6;
    private static final String BLUE = "\033[34m", RED = "\033[31m", RESET = "\033[0m";

    /** A timed row: a step or a sub-row. */
    private static class Timed {
        final String name;
        final long start = System.nanoTime();
        long end;

        Timed(String name) {
            this.name = name;
        }

        double seconds() {
            return ((end == 0 ? System.nanoTime() : end) - start) / 1e9;
        }
    }

    private static final class Sub extends Timed {
        long current, total;

        Sub(String name) {
            super(name);
        }
    }

    private static final class Step extends Timed {
        final Deque<String> tail = new ArrayDeque<>();
        final List<Sub> subs = new ArrayList<>();
        boolean cached;
        String error;

        Step(String name) {
            super(name);
        }
    }

    private final PrintStream out;
    private final int width;
    private final int height;
    private final boolean color;
    private final long begin = System.nanoTime();
    private final Map<Integer, Step> steps = new LinkedHashMap<>();
    private final Map<Integer, Sub> subs = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final Thread ticker;
    private int next;
    private int nextSub;
    private int drawn;
    private boolean closed;

    TtyProgress(PrintStream out) {
        this(out, TerminalSize.detect(), colors());
    }

    TtyProgress(PrintStream out, int[] size, boolean color) {
        this.out = out;
        this.width = Math.max(40, size[0]) - 1; // never the last column: a full line would wrap on some terminals
        this.height = Math.max(5, size[1]);
        this.color = color;
        this.ticker = Thread.ofPlatform().daemon().name("whittle-progress").start(this::tick);
    }

    /** Colours unless NO_COLOR is set (https://no-color.org) or the terminal is a dumb one. */
    static boolean colors() {
        String noColor = System.getenv("NO_COLOR");
        String term = System.getenv("TERM");
        return (noColor == null || noColor.isEmpty()) && !"dumb".equals(term);
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
                draw(false);
            }
        }
    }

    @Override
    public synchronized int start(String name) {
        int id = ++next;
        steps.put(id, new Step(name));
        return id;
    }

    @Override
    public synchronized void cached(int step) {
        Step s = steps.get(step);
        if (s == null) return;
        s.cached = true;
        s.end = System.nanoTime();
    }

    @Override
    public synchronized void log(int step, String line) {
        Step s = steps.get(step);
        if (s == null) return;
        s.tail.add(line);
        if (s.tail.size() > TAIL) s.tail.removeFirst();
    }

    @Override
    public synchronized void done(int step) {
        Step s = steps.get(step);
        if (s == null || s.end != 0) return;
        s.end = System.nanoTime();
    }

    @Override
    public synchronized void error(int step, String message) {
        Step s = steps.get(step);
        if (s == null) return;
        s.error = message;
        s.end = System.nanoTime();
    }

    @Override
    public synchronized int subStart(int step, String name) {
        Step s = steps.get(step);
        int id = ++nextSub;
        Sub sub = new Sub(name);
        subs.put(id, sub);
        if (s != null) s.subs.add(sub);
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
        Sub s = subs.get(sub);
        if (s != null && s.end == 0) s.end = System.nanoTime();
    }

    @Override
    public synchronized void note(String line) {
        // plain-mode notes name their step and end in "done" ("#12 writing image sha256:... done"): its sub-rows here
        if (line.matches("#\\d+ .*")) {
            int space = line.indexOf(' ');
            Step s = steps.get(Integer.parseInt(line.substring(1, space)));
            if (s != null) {
                Sub sub = new Sub(line.substring(space + 1).replaceFirst(" done$", ""));
                sub.end = sub.start;
                s.subs.add(sub);
                return;
            }
        }
        notes.add(line);
    }

    /** The lines of the view: header, then each step with its sub-rows and output. */
    private List<String> lines(boolean finished) {
        List<String> lines = new ArrayList<>();
        long done = steps.values().stream().filter(s -> s.end != 0).count();
        lines.add(String.format(
                "[+] Building %.1fs (%d/%d)%s",
                (System.nanoTime() - begin) / 1e9, done, steps.size(), finished ? " FINISHED" : ""));
        for (Step s : steps.values()) {
            String prefix = s.error != null ? " => ERROR " : s.cached ? " => CACHED " : " => ";
            String paint = s.error != null ? RED : s.end != 0 ? BLUE : null;
            lines.add(paint(row(prefix + s.name, "", s.seconds()), paint));
            for (Sub sub : s.subs) {
                String amount = sub.total > 0
                        ? " " + Progress.bytes(sub.current) + " / " + Progress.bytes(sub.total)
                        : sub.current > 0 ? " " + Progress.bytes(sub.current) : "";
                lines.add(paint(row(" => => " + sub.name, amount, sub.seconds()), sub.end != 0 ? paint : null));
            }
            if (s.end == 0 || s.error != null) {
                for (String t : s.tail) lines.add(paint(fit(" => => # " + t), s.error != null ? RED : null));
            }
            if (s.error != null)
                lines.add(paint(" => ERROR: " + clean(s.error), RED)); // whole: it says what went wrong
        }
        return lines;
    }

    private String paint(String line, String paint) {
        return color && paint != null ? paint + line + RESET : line;
    }

    /** A row with its time at the right edge; the name (not the byte amount after it) cut with "..." to make room. */
    private String row(String text, String amount, double seconds) {
        String time = String.format("%.1fs", seconds);
        int room = width - time.length() - 1 - amount.length();
        String t = clean(text);
        if (t.length() > room) t = t.substring(0, Math.max(0, room - 3)) + "...";
        t += amount;
        return t + " ".repeat(Math.max(1, width - t.length() - time.length())) + time;
    }

    private String fit(String line) {
        String t = clean(line);
        return t.length() > width ? t.substring(0, width) : t;
    }

    private static String clean(String line) {
        return line.replace('\t', ' ').replaceAll("\\p{Cntrl}", "");
    }

    /** Moves up over the last frame and draws this one; while running, no taller than the terminal. */
    private void draw(boolean finished) {
        List<String> lines = lines(finished);
        if (!finished && lines.size() > height - 1) {
            // the header stays; the oldest rows scroll away first
            List<String> cut = new ArrayList<>(List.of(lines.getFirst()));
            cut.addAll(lines.subList(lines.size() - (height - 2), lines.size()));
            lines = cut;
        }
        StringBuilder b = new StringBuilder();
        if (drawn > 0) b.append("\033[").append(drawn).append('F');
        int rows = 0;
        for (String l : lines) {
            b.append(l).append("\033[K\n");
            // a line longer than the terminal (an error message) takes more than one row to move back over
            int visible = l.replaceAll("\033\\[[0-9;]*m", "").length();
            rows += Math.max(1, (visible + width) / (width + 1));
        }
        b.append("\033[J");
        if (finished) for (String n : notes) b.append(n).append('\n');
        drawn = rows;
        out.print(b);
        out.flush();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
            draw(true);
        }
        ticker.interrupt();
    }

    /** The terminal's columns and rows: $COLUMNS/$LINES, else stty's answer for /dev/tty, else 80x24. */
    static final class TerminalSize {
        private TerminalSize() {}

        static int[] detect() {
            int cols = env("COLUMNS"), rows = env("LINES");
            if (cols > 0 && rows > 0) return new int[] {cols, rows};
            try {
                Process p = new ProcessBuilder("stty", "size")
                        .redirectInput(new File("/dev/tty"))
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                String[] f =
                        new String(p.getInputStream().readAllBytes()).trim().split("\\s+");
                p.waitFor();
                if (f.length == 2) {
                    return new int[] {cols > 0 ? cols : Integer.parseInt(f[1]), rows > 0 ? rows : Integer.parseInt(f[0])
                    };
                }
            } catch (IOException | NumberFormatException e) {
                // no terminal to ask
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new int[] {cols > 0 ? cols : 80, rows > 0 ? rows : 24};
        }

        private static int env(String name) {
            try {
                String v = System.getenv(name);
                return v == null ? 0 : Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                return 0;
            }
        }
    }
}
