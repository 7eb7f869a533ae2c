package dev.whittle.cli;

import dev.whittle.image.ImageRef;
import dev.whittle.image.MediaType;
import dev.whittle.registry.Pusher;
import dev.whittle.registry.RegistryClient;
import dev.whittle.store.Images;
import dev.whittle.store.StoredImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "push", description = "Upload an image to a registry")
final class PushCommand implements Callable<Integer> {
    private final Context ctx;

    @Option(
            names = {"-a", "--all-tags"},
            description = "Push all tags of an image to the repository")
    boolean allTags;

    @Option(
            names = {"-q", "--quiet"},
            description = "Suppress verbose output")
    boolean quiet;

    @Option(names = "--disable-content-trust", description = "Skip image signing (whittle does not sign)")
    boolean disableContentTrust;

    @Option(
            names = "--oci-mediatypes",
            description = "Push with OCI media types (default: the image's own, Docker's for whittle builds)")
    boolean oci;

    @Option(
            names = "--compression",
            paramLabel = "gzip|zstd|uncompressed",
            description =
                    "Layer compression (default: compressed layers as they are, others gzip; zstd implies OCI media types)")
    String compression;

    @Parameters(
            index = "0",
            paramLabel = "NAME[:TAG]",
            description = "A name of an image in the store; its registry is where it goes")
    String name;

    PushCommand(Context ctx) {
        this.ctx = ctx;
    }

    static MediaType.Compression compression(String s) {
        if (s == null) return null;
        return switch (s) {
            case "gzip" -> MediaType.Compression.GZIP;
            case "zstd" -> MediaType.Compression.ZSTD;
            case "uncompressed", "none" -> MediaType.Compression.NONE;
            default -> throw new UserError("invalid compression \"" + s + "\": gzip, zstd or uncompressed", 125);
        };
    }

    @Override
    public Integer call() throws IOException {
        Pusher.Options opts = new Pusher.Options(oci, compression(compression));
        Images images = new Images(ctx.store());
        List<ImageRef> targets = new ArrayList<>();
        ImageRef given = ImageRef.parseNoDefault(name);
        if (allTags) {
            if (given.tag() != null || given.digest() != null)
                throw new UserError("tag can't be used with --all-tags/-a", 125);
            for (StoredImage i : images.list()) {
                for (ImageRef n : i.names()) if (n.repository().equals(given.repository())) targets.add(n);
            }
            if (targets.isEmpty())
                throw new UserError("An image does not exist locally with the tag: " + given.familiarRepository());
        } else {
            if (given.tag() == null && given.digest() == null && !quiet)
                ctx.out().println("Using default tag: latest");
            targets.add(ImageRef.parse(name));
        }
        RegistryClient client = ctx.registries();
        for (ImageRef target : targets) {
            if (IndexPush.push(ctx, target, ctx.out(), ctx.stdoutIsTerminal(), quiet)) {
                if (quiet) ctx.out().println(target);
                continue;
            }
            StoredImage img = images.find(target.toString())
                    .orElseThrow(() -> new UserError("An image does not exist locally with the tag: "
                            + target.familiarRepository()
                            + (target.tag() != null && !target.tag().equals("latest") ? ":" + target.tag() : "")));
            TransferView view = new TransferView(ctx.out(), ctx.stdoutIsTerminal(), true, quiet);
            try {
                new Pusher(ctx.store(), client, view).push(img, target, opts);
            } finally {
                view.finish();
            }
            if (quiet) ctx.out().println(target);
        }
        return 0;
    }
}
