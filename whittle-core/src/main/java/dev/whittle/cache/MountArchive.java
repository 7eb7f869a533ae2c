package dev.whittle.cache;

import dev.whittle.image.Digest;
import dev.whittle.sandbox.OverlayExtractor;
import dev.whittle.sandbox.UpperDiff;
import dev.whittle.store.LayerIngest;
import dev.whittle.store.LayerWriter;
import dev.whittle.store.Store;
import dev.whittle.tar.TarReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * A cache mount's directory as a tar and back. The tar is written as a layer is (deterministic: sorted, whole
 * seconds, numeric owners), so an unchanged directory is the same diffID and its compressed blob is found again
 * instead of being uploaded; unpacking reads a tar whose diffID the store has verified.
 */
final class MountArchive {
    private MountArchive() {}

    /** The directory's content as a layer in the store. */
    static LayerIngest.Result pack(Store store, Path dir) throws IOException {
        try (LayerWriter w = new LayerWriter(store, true)) {
            new UpperDiff(dir, -1).write(w);
            return w.commit();
        }
    }

    /** Writes a stored layer's files into {@code dir} (an empty directory). */
    static void unpack(Store store, Digest diffId, Path dir) throws IOException {
        try (InputStream in = store.openLayer(diffId)) {
            new OverlayExtractor(dir).extract(new TarReader(in));
        }
    }
}
