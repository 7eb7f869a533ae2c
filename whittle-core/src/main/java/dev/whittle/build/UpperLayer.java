package dev.whittle.build;

import dev.whittle.diag.Trace;
import dev.whittle.image.Digest;
import dev.whittle.sandbox.Snapshots;
import dev.whittle.sandbox.UpperDiff;
import dev.whittle.store.LayerIngest;
import dev.whittle.store.LayerWriter;
import dev.whittle.store.Store;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A RUN's change, its overlay upper directory (mount stubs removed), made a layer: the upper directory is the change,
 * so nothing walks or copies the root file system. Once written it becomes the layer's snapshot.
 */
final class UpperLayer {
    private UpperLayer() {}

    /** @param clamp the latest modification time an entry may keep (SOURCE_DATE_EPOCH), or -1 */
    static LayerIngest.Result write(Store store, Snapshots snapshots, Path upper, long clamp) throws IOException {
        LayerIngest.Result made;
        try (LayerWriter w = new LayerWriter(store, true)) {
            new UpperDiff(upper, clamp).write(w);
            Trace.mark("RUN: upper directory written as a layer");
            made = w.commit();
        }
        Trace.mark("RUN: layer committed");
        snapshots.adopt(upper, made.info().diffId());
        Trace.mark("RUN: upper adopted as snapshot");
        return made;
    }

    /**
     * For a stage only read from: the upper directory becomes a snapshot under a provisional id at once, and the layer
     * and its cache entry are written in the background ({@link DeferredLayers}). Returns the provisional id.
     *
     * @param created when the command ended, for the cache entry
     * @param next    the key the steps after build on ({@link BuildCache.Entry#next}), or null
     */
    static Digest defer(StepServices services, Path upper, Digest key, Digest next, String created, String description)
            throws IOException {
        return services.deferred()
                .defer(
                        upper,
                        key,
                        services.options().clamp(),
                        description,
                        layer -> services.cache()
                                .put(
                                        key,
                                        new BuildCache.Entry(
                                                layer.info().diffId(), layer.descriptor(), created, next)));
    }
}
