package dev.whittle.cli;

import java.util.List;

/**
 * pflag's flag table as text: names and value word, descriptions aligned and wrapped. Apart from {@link Usage}
 * (which reads picocli's model) so that {@code whittle help}, trained into the smallest start-up cache, links no
 * picocli class.
 */
final class FlagTable {
    /** pflag's wrapping width when standard input is not a terminal: 80 columns, less one. */
    static final int WIDTH = 79;

    private FlagTable() {}

    /** Rows of (flag names and value word, description) laid out as pflag does. */
    static String table(List<String[]> rows, int cols) {
        int maxlen = 0;
        for (String[] r : rows) maxlen = Math.max(maxlen, r[0].length() + 3); // "  " before, pflag's NUL marker after
        StringBuilder b = new StringBuilder();
        for (String[] r : rows) {
            int sidx = r[0].length() + 2;
            // Go's Fprintln(line, spacing, usage): a space between each
            b.append("  ")
                    .append(r[0])
                    .append(' ')
                    .append(" ".repeat(maxlen - sidx))
                    .append(' ')
                    .append(wrap(maxlen + 2, cols, r[1]))
                    .append('\n');
        }
        return b.toString();
    }

    /** pflag's wrap: {@code s} wrapped to width {@code w}, continuation lines indented by {@code i}. */
    static String wrap(int i, int w, String s) {
        if (w == 0) return s.replace("\n", "\n" + " ".repeat(i)); // no wrapping
        int room = w - i;
        StringBuilder r = new StringBuilder();
        if (room < 24) {
            i = 16;
            room = w - i;
            r.append('\n').append(" ".repeat(i));
        }
        if (room < 24) return r + s.replace("\n", r.toString());
        int slop = 5;
        room -= slop;
        String[] first = wrapN(room, slop, s);
        r.append(first[0].replace("\n", "\n" + " ".repeat(i)));
        s = first[1];
        while (!s.isEmpty()) {
            String[] t = wrapN(room, slop, s);
            r.append('\n').append(" ".repeat(i)).append(t[0].replace("\n", "\n" + " ".repeat(i)));
            s = t[1];
        }
        return r.toString();
    }

    private static String[] wrapN(int i, int slop, String s) {
        if (i + slop > s.length()) return new String[] {s, ""};
        String head = s.substring(0, i);
        int w = Math.max(Math.max(head.lastIndexOf(' '), head.lastIndexOf('\t')), head.lastIndexOf('\n'));
        if (w <= 0) return new String[] {s, ""};
        int nl = head.lastIndexOf('\n');
        if (nl > 0 && nl < w) return new String[] {s.substring(0, nl), s.substring(nl + 1)};
        return new String[] {s.substring(0, w), s.substring(w + 1)};
    }
}
