package dev.whittle.cli;

import dev.whittle.archive.ArchiveLoader;
import dev.whittle.cli.format.Units;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code docker load}'s progress on a terminal: a line per layer, {@code 8f79949376a8: Loading layer [==>   ]
 * 12.3MB/45.6MB} (the bar only where the terminal is wider than 110 columns, as docker's jsonmessage draws it),
 * redrawn in place at most ten times a second.
 */
final class LoadProgress implements ArchiveLoader.LayerProgress {
    private final PrintStream out;
    private final int width;
    private final Map<String, long[]> rows = new LinkedHashMap<>();
    private int drawn;
    private long lastDraw;

    LoadProgress(PrintStream out, int width) {
        this.out = out;
        this.width = width;
    }

    @Override
    public synchronized void loading(String id, long done, long total) {
        boolean added = !rows.containsKey(id);
        rows.put(id, new long[] {done, total});
        long now = System.nanoTime();
        if (!added && done < total && now - lastDraw < 100_000_000L) return;
        lastDraw = now;
        StringBuilder b = new StringBuilder();
        if (drawn > 0) b.append("\033[").append(drawn).append('F');
        for (Map.Entry<String, long[]> r : rows.entrySet()) {
            b.append("\033[2K")
                    .append(r.getKey())
                    .append(": Loading layer ")
                    .append(line(r.getValue()[0], r.getValue()[1], width))
                    .append('\n');
        }
        drawn = rows.size();
        out.print(b);
        out.flush();
    }

    /** jsonmessage's JSONProgress.String for a byte count with a total. */
    static String line(long current, long total, int width) {
        int pct = Math.min(50, (int) ((double) current / total * 100) / 2);
        String bar = width > 110 ? "[" + "=".repeat(pct) + ">" + " ".repeat(Math.max(0, 50 - pct)) + "] " : "";
        String cur = Units.humanSize(current, 4);
        String numbers =
                current > total ? String.format("%8s", cur) : String.format("%8s/%s", cur, Units.humanSize(total, 4));
        return bar + numbers;
    }
}
