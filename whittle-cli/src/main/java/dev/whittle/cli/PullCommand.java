package dev.whittle.cli;

import dev.whittle.image.ImageRef;
import dev.whittle.image.Platform;
import dev.whittle.registry.Puller;
import dev.whittle.store.Images;
import dev.whittle.store.StoredImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.concurrent.Callable;

@Command(name = "pull", description = "Download an image from a registry", mixinStandardHelpOptions = true)
final class PullCommand implements Callable<Integer> {
    private final Context ctx;

    @Option(names = "--platform", description = "Set platform if server is multi-platform capable (default: the host's)")
    String platform;
    @Option(names = {"-q", "--quiet"}, description = "Suppress verbose output")
    boolean quiet;
    @Option(names = "--disable-content-trust", description = "Skip image verification (whittle does not verify signatures)")
    boolean disableContentTrust;
    @Parameters(index = "0", paramLabel = "NAME[:TAG|@DIGEST]")
    String name;

    PullCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override public Integer call() throws IOException {
        ImageRef given = ImageRef.parseNoDefault(name);
        if (given.tag() == null && given.digest() == null && !quiet) ctx.out().println("Using default tag: latest");
        ImageRef ref = ImageRef.parse(name);
        Platform p = platform == null ? Platform.host() : Platform.parse(platform);
        StoredImage before = new Images(ctx.store()).find(ref.toString()).orElse(null);
        TransferView view = new TransferView(ctx.out(), ctx.stdoutIsTerminal(), false, quiet);
        Puller.Result r;
        try {
            r = new Puller(ctx.store(), ctx.registries(), view).pull(ref, p);
        } finally {
            view.finish();
        }
        if (!quiet) {
            ctx.out().println("Digest: " + r.digest());
            boolean same = before != null && before.manifest().digest().equals(r.image().manifest().digest()) && !r.downloaded();
            ctx.out().println("Status: " + (same ? "Image is up to date for " : "Downloaded newer image for ") + ref.familiar());
        }
        ctx.out().println(ref);
        return 0;
    }
}
