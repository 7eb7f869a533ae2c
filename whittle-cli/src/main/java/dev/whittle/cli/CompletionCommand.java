package dev.whittle.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code whittle completion bash|zsh}: prints the completion script (the build also writes them to target/completion). */
@Command(name = "completion", description = "Generate the autocompletion script for the specified shell")
final class CompletionCommand implements Callable<Integer> {
    private final Context ctx;

    @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh")
    String shell;

    CompletionCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        switch (shell) {
            case "bash" -> ctx.out().print(Completion.bash());
            case "zsh" -> ctx.out().print(Completion.zsh());
            default -> throw new UserError("unsupported shell \"" + shell + "\": bash or zsh");
        }
        return 0;
    }
}
