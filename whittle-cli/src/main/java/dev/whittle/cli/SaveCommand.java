package dev.whittle.cli;

import dev.whittle.archive.ArchiveWriter;
import dev.whittle.image.ImageRef;
import dev.whittle.image.Platform;
import dev.whittle.store.ImageIndexes;
import dev.whittle.store.ImageNotFoundException;
import dev.whittle.store.Images;
import dev.whittle.store.StoredImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "save", description = "Save one or more images to a tar archive (streamed to STDOUT by default)")
final class SaveCommand implements Callable<Integer> {
    private final Context ctx;

    @Option(
            names = {"-o", "--output"},
            description = "Write to a file, instead of STDOUT")
    Path output;

    @Option(
            names = "--format",
            defaultValue = "docker",
            description = "Archive format: docker (docker load) or oci (OCI image layout)")
    String format;

    @Option(
            names = "--platform",
            description = "Save one platform of a multi-platform image (default: all of them; a docker archive's "
                    + "manifest.json names this machine's, as Docker 25 writes it)")
    String platform;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Names or IDs of the images to save")
    List<String> refs;

    SaveCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws IOException {
        ArchiveWriter.Format f = switch (format) {
            case "docker", "docker-archive" -> ArchiveWriter.Format.DOCKER;
            case "oci", "oci-archive" -> ArchiveWriter.Format.OCI;
            default -> throw new UserError("unknown archive format \"" + format + "\" (docker or oci)");
        };
        if (output == null && ctx.stdoutIsTerminal()) {
            throw new UserError("cowardly refusing to save to a terminal. Use the -o flag or redirect");
        }
        Images images = new Images(ctx.store());
        ImageIndexes indexes = new ImageIndexes(ctx.store());
        Platform wanted = platform();
        List<ArchiveWriter.Entry> entries = new ArrayList<>();
        List<ArchiveWriter.IndexEntry> multi = new ArrayList<>();
        for (String r : refs) {
            Optional<ImageIndexes.Named> idx = indexes.find(r);
            if (idx.isPresent() && wanted == null) {
                // a multi-platform image is saved whole: the index and every platform (Docker 25's docker archive)
                multi.add(new ArchiveWriter.IndexEntry(
                        idx.get(),
                        idx.get().names().stream()
                                .filter(n ->
                                        n.toString().equals(ImageRef.parse(r).toString()))
                                .toList()));
            } else if (idx.isPresent()) {
                // --platform: that platform's image alone
                StoredImage img = images.find(r, wanted).orElseThrow(() -> new ImageNotFoundException(r));
                entries.add(new ArchiveWriter.Entry(img, List.of(ImageRef.parse(r))));
            } else {
                entries.add(entry(images, r));
            }
        }
        ArchiveWriter w = new ArchiveWriter(ctx.store());
        Output.write(ctx, output, "save", out -> w.write(entries, multi, f, out));
        return 0;
    }

    private Platform platform() {
        if (platform == null || platform.isEmpty()) return null;
        try {
            return Platform.parse(platform);
        } catch (IllegalArgumentException e) {
            throw new UserError("invalid --platform \"" + platform + "\": " + e.getMessage());
        }
    }

    /** A name saves that name; a bare repository saves all its tags; an ID saves the image without names. */
    private static ArchiveWriter.Entry entry(Images images, String r) {
        StoredImage img = images.resolve(r);
        List<ImageRef> names = new ArrayList<>();
        try {
            ImageRef full = ImageRef.parse(r);
            ImageRef bare = ImageRef.parseNoDefault(r);
            if (bare.tag() == null && bare.digest() == null) {
                for (StoredImage i : images.list()) {
                    for (ImageRef n : i.names())
                        if (n.repository().equals(full.repository()) && i.id().equals(img.id())) names.add(n);
                }
            } else if (img.names().contains(full)) {
                names.add(full);
            }
        } catch (IllegalArgumentException ignored) {
            // an ID: no names
        }
        return new ArchiveWriter.Entry(img, names);
    }
}
