package dev.whittle.cli;

import dev.whittle.image.Digest;
import dev.whittle.rootfs.Flattener;
import dev.whittle.rootfs.LayerReader;
import dev.whittle.rootfs.MergedTree;
import dev.whittle.store.Images;
import dev.whittle.store.LayerToc;
import dev.whittle.store.StoredImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "export", description = "Export an image's root filesystem as a tar archive")
final class ExportCommand implements Callable<Integer> {
    private final Context ctx;

    @Option(
            names = {"-o", "--output"},
            description = "Write to a file, instead of STDOUT")
    Path output;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image whose merged root filesystem is written")
    String image;

    ExportCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws IOException {
        if (output == null && ctx.stdoutIsTerminal()) {
            throw new UserError("cowardly refusing to save to a terminal. Use the -o flag or redirect");
        }
        StoredImage img = new Images(ctx.store()).resolve(image);
        List<Digest> diffIds = img.config().diffIds();
        List<LayerToc> tocs = new ArrayList<>();
        for (Digest d : diffIds) tocs.add(ctx.store().toc(d));
        MergedTree tree = MergedTree.of(diffIds, tocs);
        try (LayerReader reader = new LayerReader(ctx.store(), tree)) {
            Output.write(ctx, output, "export", out -> Flattener.write(tree, reader, out));
        }
        return 0;
    }
}
