package dev.whittle.dockerfile;

import java.util.List;

/**
 * A Dockerfile error a person can act on: file, line and column, the offending line with a caret under the spot,
 * and a hint where there is one.
 */
public final class DockerfileException extends RuntimeException {
    private final String file;
    private final Pos pos;
    private final String reason;
    private final String snippet;

    public DockerfileException(String file, Pos pos, String reason, List<String> sourceLines) {
        super(render(file, pos, reason, sourceLines));
        this.file = file;
        this.pos = pos;
        this.reason = reason;
        this.snippet = snippet(pos, sourceLines);
    }

    public String file() {
        return file;
    }

    public Pos pos() {
        return pos;
    }

    /** The message without location or snippet. */
    public String reason() {
        return reason;
    }

    public String snippet() {
        return snippet;
    }

    private static String render(String file, Pos pos, String reason, List<String> lines) {
        String head = MessageText.shorten((file == null ? "Dockerfile" : file)
                + (pos == null ? "" : ":" + pos.line() + ":" + pos.column()) + ": " + reason);
        String s = snippet(pos, lines);
        return s.isEmpty() ? head : head + "\n" + s;
    }

    /** Characters of a long line shown on each side of the caret (the whole stays under MessageText's longest word). */
    private static final int CONTEXT = 50;

    static String snippet(Pos pos, List<String> lines) {
        if (pos == null || lines == null || pos.line() < 1 || pos.line() > lines.size()) return "";
        String text = lines.get(pos.line() - 1).replace('\t', ' ');
        String num = String.valueOf(pos.line());
        String gutter = " ".repeat(Math.max(0, 5 - num.length())) + num + " | ";
        int col = Math.max(1, Math.min(pos.column(), text.length() + 1));
        // a long line is shown around the caret only
        int from = Math.max(0, col - 1 - CONTEXT), to = Math.min(text.length(), col - 1 + CONTEXT);
        String shown = (from > 0 ? "…" : "") + text.substring(from, to) + (to < text.length() ? "…" : "");
        int caret = col - from + (from > 0 ? 1 : 0);
        return gutter + shown + "\n" + " ".repeat(gutter.length() - 2) + "| " + " ".repeat(caret - 1) + "^";
    }
}
