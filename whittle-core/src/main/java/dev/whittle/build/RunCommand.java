package dev.whittle.build;

import dev.whittle.dockerfile.Heredoc;
import dev.whittle.dockerfile.Instruction;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A RUN's process arguments: exec form as is; shell form through SHELL, heredocs included as BuildKit does.
 *
 * @param script a RUN's only heredoc when it starts with {@code #!}: run as an executable file mounted at
 *     {@link #PIPES}, not given to the shell; else null
 */
record RunCommand(List<String> args, Heredoc script) {
    /** Where BuildKit mounts a heredoc script: inside the container's /dev, so in no layer. */
    static final String PIPES = "/dev/pipes";

    RunCommand {
        args = List.copyOf(args);
    }

    static RunCommand of(State s, Instruction.Run r) {
        if (r.command().exec()) return new RunCommand(r.command().argStrings(), null);
        List<String> shell = s.config().shell();
        List<String> out = new ArrayList<>(shell == null || shell.isEmpty() ? List.of("/bin/sh", "-c") : shell);
        String text = r.command().shell().text();
        List<Heredoc> docs = r.heredocs();
        if (docs.size() == 1
                && text.trim()
                        .matches("\\d*<<-?\\s*[\"']?"
                                + Pattern.quote(docs.getFirst().name()) + "[\"']?")) {
            // RUN <<EOF: the body is the script; one with a shebang is a file the shell runs, so #! picks its
            // interpreter
            String body = docs.getFirst().body();
            String name = docs.getFirst().name();
            if (body.startsWith("#!") && name.matches("[A-Za-z0-9_.-]+") && !name.equals(".") && !name.equals("..")) {
                out.add(PIPES + "/" + name);
                return new RunCommand(out, docs.getFirst());
            }
            out.add(body);
            return new RunCommand(out, null);
        }
        StringBuilder full = new StringBuilder(text);
        for (Heredoc h : docs) full.append('\n').append(h.content()).append(h.name());
        out.add(full.toString());
        return new RunCommand(out, null);
    }
}
