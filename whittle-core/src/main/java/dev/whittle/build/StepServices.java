package dev.whittle.build;

import dev.whittle.dockerfile.ShellLex;
import dev.whittle.image.Digest;
import dev.whittle.sandbox.Snapshots;
import dev.whittle.sandbox.StopSignal;
import dev.whittle.store.Store;
import java.io.IOException;
import java.util.List;

/**
 * What the layer steps (COPY, ADD, WORKDIR, RUN) use of a build, wired by {@link Builder}: no step sees the builder,
 * so what a step can touch is written here.
 *
 * @param store         blobs, layer records, temp space
 * @param snapshots     layers unpacked for RUN's overlays (and big stages' trees)
 * @param cache         the step cache
 * @param deferred      RUN layers still being written in the background
 * @param progress      the display
 * @param failures      marks a step failed once
 * @param lex           the Dockerfile's shell lexer (its escape character)
 * @param options       what of the request the steps read
 * @param sources       what a --from names
 * @param freshCaches   cache mounts that start empty for this build
 * @param notMemoizable called by a step whose result the build memo cannot see change (ADD of a URL)
 * @param stop          asks the build to stop: running containers end, no step starts
 */
record StepServices(
        Store store,
        Snapshots snapshots,
        BuildCache cache,
        DeferredLayers deferred,
        Progress progress,
        StepFailures failures,
        ShellLex lex,
        StepOptions options,
        StepSources sources,
        FreshCaches freshCaches,
        Runnable notMemoizable,
        StopSignal stop) {

    /** A stage's (or image's) root file system for reading, the cheapest way there is; to be closed. */
    StageTree stageTree(List<Digest> diffIds) throws IOException {
        return StageTree.of(store, snapshots, deferred, diffIds);
    }
}
