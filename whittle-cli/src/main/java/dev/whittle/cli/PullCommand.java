package dev.whittle.cli;

import dev.whittle.image.ImageIndex;
import dev.whittle.image.ImageRef;
import dev.whittle.image.Platform;
import dev.whittle.registry.Puller;
import dev.whittle.registry.TransferProgress;
import dev.whittle.store.Images;
import dev.whittle.store.StoredImage;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "pull", description = "Download an image from a registry")
final class PullCommand implements Callable<Integer> {
    private final Context ctx;

    @Option(
            names = {"-a", "--all-tags"},
            description = "Download all tagged images in the repository")
    boolean allTags;

    @Option(
            names = "--platform",
            description = "Set platform if server is multi-platform capable (default: the host's)")
    String platform;

    @Option(
            names = "--all-platforms",
            description = "Download every platform of a multi-platform image and keep its index")
    boolean allPlatforms;

    @Option(
            names = {"-q", "--quiet"},
            description = "Suppress verbose output")
    boolean quiet;

    @Option(
            names = "--disable-content-trust",
            description = "Skip image verification (whittle does not verify signatures)")
    boolean disableContentTrust;

    @Parameters(
            index = "0",
            paramLabel = "NAME[:TAG|@DIGEST]",
            description = "The image's reference, as docker reads it (docker.io and latest by default)")
    String name;

    PullCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws IOException {
        ImageRef given = ImageRef.parseNoDefault(name);
        if (allTags) return pullAllTags(given);
        if (given.tag() == null && given.digest() == null && !quiet) ctx.out().println("Using default tag: latest");
        ImageRef ref = ImageRef.parse(name);
        if (allPlatforms) {
            if (platform != null) throw new UserError("--all-platforms and --platform cannot be used together");
            TransferView view = new TransferView(ctx.out(), ctx.stdoutIsTerminal(), false, quiet);
            ImageIndex index;
            try {
                index = new Puller(ctx.store(), ctx.registries(), view, true).pullAllPlatforms(ref);
            } finally {
                view.finish();
            }
            if (index != null) {
                if (!quiet) ctx.out().println("Digest: " + index.digest());
                ctx.out().println(ref);
                return 0;
            }
            // a single-platform image: pulled as without the flag
        }
        pullShowing(
                ctx,
                ref,
                platform == null ? Platform.host() : Platform.parse(platform),
                ctx.out(),
                ctx.stdoutIsTerminal(),
                quiet);
        ctx.out().println(ref);
        return 0;
    }

    /**
     * Pulls one image, showing docker's progress and its Digest and Status lines on {@code to} (standard output for
     * pull, standard error for run, as docker's client shows them).
     */
    static Puller.Result pullShowing(
            Context ctx, ImageRef ref, Platform p, PrintStream to, boolean terminal, boolean quiet) throws IOException {
        StoredImage before = new Images(ctx.store()).find(ref.toString()).orElse(null);
        Puller.Result r = pullOne(ctx, ref, p, to, terminal, quiet);
        if (!quiet) {
            to.println("Digest: " + r.digest());
            boolean same = before != null
                    && before.manifest().digest().equals(r.manifest().digest())
                    && !r.downloaded();
            to.println(
                    "Status: " + (same ? "Image is up to date for " : "Downloaded newer image for ") + ref.familiar());
        }
        return r;
    }

    /** docker pull -a: every tag in turn, one status line for the repository at the end. */
    private int pullAllTags(ImageRef given) throws IOException {
        if (given.tag() != null || given.digest() != null) throw new UserError("tag can't be used with --all-tags/-a");
        ImageRef repo = ImageRef.parse(name);
        List<String> tags = new Puller(ctx.store(), ctx.registries(), TransferProgress.NONE).tags(repo);
        if (tags.isEmpty()) throw new UserError("no tags found for " + repo.familiarRepository());
        boolean downloaded = false;
        for (String tag : tags) {
            Puller.Result r = pullOne(
                    ctx,
                    repo.withTag(tag),
                    platform == null ? Platform.host() : Platform.parse(platform),
                    ctx.out(),
                    ctx.stdoutIsTerminal(),
                    quiet);
            downloaded |= r.downloaded();
            if (!quiet) ctx.out().println("Digest: " + r.digest());
        }
        if (!quiet)
            ctx.out()
                    .println("Status: " + (downloaded ? "Downloaded newer image for " : "Image is up to date for ")
                            + repo.familiarRepository());
        ctx.out().println(repo.repository());
        return 0;
    }

    private static Puller.Result pullOne(
            Context ctx, ImageRef ref, Platform p, PrintStream to, boolean terminal, boolean quiet) throws IOException {
        TransferView view = new TransferView(to, terminal, false, quiet);
        try {
            return new Puller(ctx.store(), ctx.registries(), view, true).pull(ref, p);
        } finally {
            view.finish();
        }
    }
}
