package dev.whittle.cli;

import dev.whittle.archive.ArchiveLoader;
import dev.whittle.image.ImageRef;
import dev.whittle.image.Platform;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "load", description = "Load an image from a tar archive or STDIN")
final class LoadCommand implements Callable<Integer> {
    private final Context ctx;

    @Option(
            names = {"-i", "--input"},
            description = "Read from tar archive file, instead of STDIN")
    Path input;

    @Option(
            names = {"-q", "--quiet"},
            description = "Suppress the load output")
    boolean quiet;

    @Option(
            names = "--platform",
            description = "Platform to load from a multi-platform archive (default: this machine's)")
    String platform;

    LoadCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws IOException {
        if (input == null && System.console() != null && ctx.in() == System.in) {
            throw new UserError("requested load from stdin, but stdin is empty");
        }
        Platform p = platform == null ? Platform.host() : Platform.parse(platform);
        List<ArchiveLoader.Loaded> loaded;
        try (InputStream in =
                new BufferedInputStream(input == null ? ctx.in() : Files.newInputStream(input), 1 << 16)) {
            // without --platform, a multi-platform image held whole by an OCI archive is loaded whole
            ArchiveLoader loader = new ArchiveLoader(ctx.store(), p).keepIndexes(platform == null);
            // as docker: progress only on a terminal, and not with -q
            if (!quiet && ctx.stdoutIsTerminal())
                loader.progress(new LoadProgress(ctx.out(), TtyProgress.TerminalSize.detect()[0]));
            loaded = loader.load(in);
        }
        for (ArchiveLoader.Loaded l : loaded) {
            if (l.names().isEmpty()) ctx.out().println("Loaded image ID: " + l.id());
            for (ImageRef n : l.names()) ctx.out().println("Loaded image: " + n.familiar());
        }
        return 0;
    }
}
