package dev.whittle.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A parsed Dockerfile: its parser directives, instructions in order with positions, the source lines (for error
 * snippets), and the parser's warnings (empty continuation lines).
 */
public record Dockerfile(
        String file,
        List<String> lines,
        char escape,
        Map<String, String> directives,
        List<Instruction> instructions,
        List<Warning> warnings,
        List<Comment> comments) {
    public Dockerfile {
        lines = List.copyOf(lines);
        directives = Map.copyOf(directives);
        instructions = List.copyOf(instructions);
        warnings = List.copyOf(warnings);
        comments = List.copyOf(comments);
    }

    /** A parser warning with where it applies. */
    public record Warning(String rule, String message, Pos pos) {}

    /** A comment line (without its {@code #}) and its line number. */
    public record Comment(String text, int line) {}

    /** An error at a position of this file, with the offending line. */
    public DockerfileException error(Pos pos, String reason) {
        return new DockerfileException(file, pos, reason, lines);
    }

    /**
     * The comments an instruction at {@code line} has, as BuildKit's parser keeps them (its PrevComment): those since
     * the line {@code after} (the previous instruction's last), blank lines between allowed, an empty {@code #}
     * starting the list afresh.
     */
    public List<String> commentsBefore(int line, int after) {
        ArrayList<String> out = new ArrayList<>();
        for (Comment c : comments) {
            if (c.line() <= after) continue;
            if (c.line() >= line) break;
            if (c.text().isEmpty()) out.clear();
            else out.add(c.text());
        }
        return out;
    }

    /**
     * The comment lines directly above the given line (no blank line between), nearest last. Found by binary search
     * (comments are in line order): descriptions are looked up per ARG and per stage.
     */
    public List<String> commentsAbove(int line) {
        int lo = 0, hi = comments.size(); // first comment at or after the line
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (comments.get(mid).line() < line) lo = mid + 1;
            else hi = mid;
        }
        ArrayList<String> out = new ArrayList<>();
        int want = line - 1;
        for (int i = lo - 1; i >= 0 && comments.get(i).line() == want; i--, want--)
            out.addFirst(comments.get(i).text());
        return out;
    }
}
