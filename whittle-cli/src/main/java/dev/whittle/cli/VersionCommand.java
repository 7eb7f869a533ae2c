package dev.whittle.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "version", description = "Show the whittle version", mixinStandardHelpOptions = true)
final class VersionCommand implements Callable<Integer> {
    private final Context ctx;

    VersionCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override public Integer call() {
        ctx.out().println("whittle version " + Main.version());
        ctx.out().println(" Java:          " + Runtime.version());
        ctx.out().println(" Store:         " + ctx.root());
        return 0;
    }
}
