package dev.whittle.cli.format;

import java.util.ArrayList;
import java.util.List;

/**
 * Go's text/tabwriter with the settings docker's tables use (minwidth 10, tabwidth 1, padding 3, pad ' ', no
 * flags): cells are tab-terminated, a column's width is computed over each block of consecutive lines that have
 * that column, and the last cell of a line is not aligned.
 */
public final class TabWriter {
    private final int minWidth;
    private final int padding;

    public TabWriter(int minWidth, int padding) {
        this.minWidth = minWidth;
        this.padding = padding;
    }

    /** docker's table settings. */
    public static TabWriter docker() {
        return new TabWriter(10, 3);
    }

    public String format(String text) {
        List<List<String>> lines = new ArrayList<>();
        String[] raw = text.split("\n", -1);
        for (String l : raw) {
            List<String> cells = new ArrayList<>();
            int from = 0;
            while (true) {
                int t = l.indexOf('\t', from);
                if (t < 0) {
                    cells.add(l.substring(from));
                    break;
                }
                cells.add(l.substring(from, t));
                from = t + 1;
            }
            lines.add(cells);
        }
        StringBuilder out = new StringBuilder();
        List<Integer> widths = new ArrayList<>();
        format(out, lines, widths, 0, lines.size());
        // every line was written with a newline, including the last one, which had none (or was empty)
        if (out.length() > 0) out.setLength(out.length() - 1);
        return out.toString();
    }

    private void format(StringBuilder out, List<List<String>> lines, List<Integer> widths, int line0, int line1) {
        int column = widths.size();
        for (int cur = line0; cur < line1; cur++) {
            List<String> line = lines.get(cur);
            if (column >= line.size() - 1) continue;
            writeLines(out, lines, widths, line0, cur);
            line0 = cur;
            int width = minWidth;
            for (; cur < line1; cur++) {
                line = lines.get(cur);
                if (column >= line.size() - 1) break;
                int w = displayWidth(line.get(column)) + padding;
                if (w > width) width = w;
            }
            widths.add(width);
            format(out, lines, widths, line0, cur);
            widths.removeLast();
            line0 = cur;
            cur--;
        }
        writeLines(out, lines, widths, line0, line1);
    }

    private void writeLines(StringBuilder out, List<List<String>> lines, List<Integer> widths, int line0, int line1) {
        for (int i = line0; i < line1; i++) {
            List<String> line = lines.get(i);
            for (int j = 0; j < line.size(); j++) {
                String c = line.get(j);
                out.append(c);
                if (j < widths.size() && j < line.size() - 1) {
                    out.append(" ".repeat(Math.max(0, widths.get(j) - displayWidth(c))));
                }
            }
            out.append('\n');
        }
    }

    private static int displayWidth(String s) {
        return s.codePointCount(0, s.length());
    }
}
