package dev.whittle.cli;

import dev.whittle.archive.ArchiveWriter;
import dev.whittle.image.ImageRef;
import dev.whittle.store.Images;
import dev.whittle.store.StoredImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
        List<ArchiveWriter.Entry> entries = new ArrayList<>();
        for (String r : refs) entries.add(entry(images, r));
        ArchiveWriter w = new ArchiveWriter(ctx.store());
        Output.write(ctx, output, "save", out -> w.write(entries, f, out));
        return 0;
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
