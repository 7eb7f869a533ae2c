package dev.whittle.cli;

import dev.whittle.api.PlatformBuild;
import dev.whittle.archive.ArchiveWriter;
import dev.whittle.image.Descriptor;
import dev.whittle.image.ImageIndex;
import dev.whittle.image.ImageRef;
import dev.whittle.image.MediaType;
import dev.whittle.rootfs.Flattener;
import dev.whittle.rootfs.LayerReader;
import dev.whittle.rootfs.MergedTree;
import dev.whittle.store.ImageIndexes;
import dev.whittle.store.Images;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code --output} of a multi-platform build, as BuildKit writes it: {@code type=local} one directory per platform
 * ({@code linux_amd64/}, {@code linux_arm64/}), {@code type=tar} one tar holding those directories, {@code type=oci}
 * an OCI archive whose index.json names the image index. BuildKit's docker exporter refuses an index; so does this.
 */
final class PlatformOutputs {
    private PlatformOutputs() {}

    /** Refused before the build: the outputs that cannot hold several platforms. */
    static void check(BuildRun.OutputSpec o) {
        switch (o.type()) {
            case "docker" ->
                throw new UserError("--output type=docker: docker exporter does not currently support exporting "
                        + "manifest lists: build one platform, or write type=oci (an OCI archive with the index)");
            case "image", "registry" ->
                throw new UserError("--output type=" + o.type() + " with several platforms is not supported: "
                        + "name the index with -t (and --push to push it)");
            default -> {}
        }
    }

    static void write(Context ctx, BuildRun.OutputSpec o, PlatformBuild.Result built, List<ImageRef> names)
            throws IOException {
        Path dest = o.dest().equals("-") ? null : Path.of(o.dest());
        switch (o.type()) {
            case "oci" -> {
                ImageIndex index = built.index();
                ctx.store().putBlob(index.raw()); // an untagged build's index is in no store entry
                ImageIndexes.Named named = new ImageIndexes.Named(
                        new Descriptor(MediaType.OCI_INDEX, index.digest(), index.raw().length), index, names);
                ArchiveWriter w = new ArchiveWriter(ctx.store());
                Output.write(
                        ctx,
                        dest,
                        "build",
                        out -> w.write(
                                List.of(),
                                List.of(new ArchiveWriter.IndexEntry(named, names)),
                                ArchiveWriter.Format.OCI,
                                out));
            }
            case "tar" -> Output.write(ctx, dest, "build", out -> platformsTar(ctx, built, out));
            case "local" -> BuildRun.unpack(ctx, Path.of(o.dest()), out -> platformsTar(ctx, built, out));
            default -> throw new IllegalStateException("refused before the build: " + o.type());
        }
    }

    /** Every platform's file system in one tar, each under its directory ({@code linux/arm/v7}: linux_arm_v7/). */
    private static void platformsTar(Context ctx, PlatformBuild.Result built, OutputStream out) throws IOException {
        TarWriter tar = new TarWriter(out);
        Images images = new Images(ctx.store());
        for (PlatformBuild.PlatformImage i : built.images()) {
            String dir = i.platform().toString().replace('/', '_');
            tar.writeHeader(TarEntry.dir(dir, 0755, 0));
            MergedTree tree = BuildRun.mergedTree(
                    ctx, images.find(i.result().id().toString()).orElseThrow());
            try (LayerReader reader = new LayerReader(ctx.store(), tree)) {
                Flattener.writeUnder(tree, reader, tar, dir + "/");
            }
        }
        tar.finish();
        out.flush();
    }
}
