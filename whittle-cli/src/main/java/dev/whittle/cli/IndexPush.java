package dev.whittle.cli;

import dev.whittle.image.ImageRef;
import dev.whittle.registry.IndexPusher;
import dev.whittle.store.ImageIndexes;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Optional;

/** {@code push} of a name that holds a multi-platform image: the index and every platform's image. */
final class IndexPush {
    private IndexPush() {}

    /** Pushes the index {@code name} holds; false when it holds a single-platform image (or nothing). */
    static boolean push(Context ctx, ImageRef name, PrintStream out, boolean terminal, boolean quiet)
            throws IOException {
        Optional<ImageIndexes.Named> idx = new ImageIndexes(ctx.store()).find(name.toString());
        if (idx.isEmpty()) return false;
        TransferView view = new TransferView(out, terminal, true, quiet);
        try {
            new IndexPusher(ctx.store(), ctx.registries(), view).push(idx.get(), name);
        } finally {
            view.finish();
        }
        return true;
    }
}
