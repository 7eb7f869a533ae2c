package dev.whittle.cli;

import dev.whittle.image.ImageRef;
import dev.whittle.store.ImageIndexes;
import dev.whittle.store.Images;
import dev.whittle.store.StoredImage;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "tag", description = "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE")
final class TagCommand implements Callable<Integer> {
    private final Context ctx;

    @Parameters(index = "0", paramLabel = "SOURCE_IMAGE[:TAG]", description = "The image to tag: a name or an ID")
    String source;

    @Parameters(
            index = "1",
            paramLabel = "TARGET_IMAGE[:TAG]",
            description = "The new name (tag \"latest\" when none is given)")
    String target;

    TagCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws IOException {
        ImageRef ref = ImageRef.parse(target);
        if (ref.digest() != null) throw new UserError("refusing to create a tag with a digest reference");
        ImageIndexes indexes = new ImageIndexes(ctx.store());
        Optional<ImageIndexes.Named> idx = indexes.find(source);
        if (idx.isPresent()) {
            indexes.tag(idx.get(), ref); // a multi-platform image stays one under its new name
            return 0;
        }
        Images images = new Images(ctx.store());
        StoredImage img = images.resolve(source);
        images.tag(img, ref);
        return 0;
    }
}
