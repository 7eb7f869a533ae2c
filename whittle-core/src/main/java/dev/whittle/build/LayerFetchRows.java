package dev.whittle.build;

import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.store.Store;
import java.util.Map;

/**
 * Shows the final image's layers that an imported cache named and no step read, fetched before the image is stored,
 * as BuildKit shows a lazy ref being pulled: a row per layer with its blob digest and bytes under one step, so a large
 * layer shows as a download rather than a pause after the last step.
 */
final class LayerFetchRows implements Store.FetchWatch {
    private final Progress progress;
    private final int step;
    private final Map<Digest, Descriptor> blobs;

    /** {@code blobs}: the image's layer blobs by diffID (what the rows name and measure). */
    LayerFetchRows(Progress progress, int step, Map<Digest, Descriptor> blobs) {
        this.progress = progress;
        this.step = step;
        this.blobs = blobs;
    }

    @Override
    public Runnable fetching(Digest diffId) {
        Descriptor blob = blobs.get(diffId);
        int sub = progress.subStart(
                step, blob == null ? diffId.toString() : blob.digest().toString());
        long size = blob == null ? 0 : blob.size();
        progress.subProgress(sub, 0, size);
        return () -> {
            progress.subProgress(sub, size, size);
            progress.subDone(sub);
        };
    }
}
