package dev.whittle.cli.format;

import java.util.List;

/**
 * docker's list formatting (cli/command/formatter): a {@code --format} string, optionally prefixed with
 * {@code table}, is trimmed of spaces, its literal {@code \t} and {@code \n} become tab and newline, each row is
 * rendered and followed by a newline, and in table mode a header row (the template with docker's header functions
 * over the column titles) heads a tab-aligned table.
 */
public final class Formatter {
    private final String format;
    private final boolean table;
    private final GoTemplate template;

    public Formatter(String format) {
        String f = format;
        table = f.startsWith("table");
        if (table) f = f.substring("table".length());
        f = trimSpaces(f).replace("\\t", "\t").replace("\\n", "\n");
        this.format = f;
        this.template = GoTemplate.parse(f);
    }

    /** strings.Trim(s, " "): spaces only, not tabs or newlines. */
    private static String trimSpaces(String s) {
        int from = 0, to = s.length();
        while (from < to && s.charAt(from) == ' ') from++;
        while (to > from && s.charAt(to - 1) == ' ') to--;
        return s.substring(from, to);
    }

    public boolean isTable() {
        return table;
    }

    /** Renders rows; a table's header is the template run over {@code headers} (docker ignores its errors). */
    public String render(List<GoValue> rows, GoValue headers) {
        StringBuilder body = new StringBuilder();
        for (GoValue r : rows) body.append(template.execute(r)).append('\n');
        if (!table) return body.toString();
        String head = template.executeHeader(headers) + "\n";
        return TabWriter.docker().format(head + body);
    }

    public String format() {
        return format;
    }
}
