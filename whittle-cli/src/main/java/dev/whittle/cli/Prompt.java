package dev.whittle.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** docker's PromptForConfirmation: the question with {@code [y/N]}, one line read, yes only for "y" or "Y". */
final class Prompt {
    private Prompt() {}

    static boolean confirm(Context ctx, String message) throws IOException {
        ctx.out().print(message + " [y/N] ");
        ctx.out().flush();
        // one line, byte by byte: a buffered reader would swallow what follows on stdin
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c; (c = ctx.in().read()) >= 0 && c != '\n'; ) line.write(c);
        String answer = line.toString(StandardCharsets.UTF_8);
        if (answer.endsWith("\r")) answer = answer.substring(0, answer.length() - 1);
        return answer.equalsIgnoreCase("y");
    }
}
