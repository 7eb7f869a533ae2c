package dev.whittle.cli.format;

import java.util.List;

/**
 * docker's list formatting: a {@code --format} string, optionally prefixed with {@code table}, is trimmed, its
 * literal {@code \t} and {@code \n} become tab and newline, each row is rendered and followed by a newline, and in
 * table mode a header row (the template executed over the column titles) heads a tab-aligned table.
 */
public final class Formatter {
    private final String format;
    private final boolean table;
    private final GoTemplate template;

    public Formatter(String format) {
        String f = format;
        table = f.startsWith("table");
        if (table) f = f.substring("table".length());
        f = f.strip().replace("\\t", "\t").replace("\\n", "\n");
        this.format = f;
        this.template = GoTemplate.parse(f);
    }

    public boolean isTable() {
        return table;
    }

    /** Renders rows; {@code headers} maps each field name to its column title. */
    public String render(List<?> rows, Object headers) {
        StringBuilder body = new StringBuilder();
        for (Object r : rows) body.append(template.execute(r)).append('\n');
        if (!table) return body.toString();
        String head = template.forHeader().execute(headers) + "\n";
        return TabWriter.docker().format(head + body);
    }

    public String format() {
        return format;
    }
}
