package dev.whittle.build;

import dev.whittle.diag.Trace;
import dev.whittle.image.Digest;
import dev.whittle.sandbox.Cleanup;
import dev.whittle.sandbox.Snapshots;
import dev.whittle.sandbox.UpperDiff;
import dev.whittle.store.LayerIngest;
import dev.whittle.store.LayerWriter;
import dev.whittle.store.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * RUN layers of stages no image exports (a build stage read only by {@code COPY --from} or a bind mount), written in
 * the background. BuildKit never makes a layer of such a stage at all; whittle makes it (the step cache needs it to
 * outlive the boot, and snapshots are trusted only within one), but off the build's path: the RUN's upper directory
 * becomes a snapshot under a provisional id at once, the stages that read it go on through overlay mounts of it, and
 * the layer (tar, diffID, table of contents) and the step-cache entry are written meanwhile. {@link #finish} waits
 * for them and gives each snapshot its layer's diffID.
 */
final class DeferredLayers {
    private record Pending(CompletableFuture<LayerIngest.Result> layer, Cleanup.Handle undo) {}

    private final Store store;
    private final Snapshots snapshots;
    private final Map<Digest, Pending> pending = new ConcurrentHashMap<>();

    DeferredLayers(Store store, Snapshots snapshots) {
        this.store = store;
        this.snapshots = snapshots;
    }

    /** What to do with the layer once it is written (record the step-cache entry). */
    interface Written {
        void accept(LayerIngest.Result layer) throws IOException;
    }

    /**
     * Takes a RUN's upper directory as a snapshot and starts writing its layer; returns the snapshot's provisional id,
     * which stands for the layer's diffID in this build's states until {@link #finish}.
     */
    Digest defer(Path upper, Digest cacheKey, long clampMtime, String step, Written then) throws IOException {
        // unique to this process: a concurrent build of the same step must not adopt the same directory
        Digest provisional = Digest.sha256(
                ("deferred\n" + cacheKey + "\n" + ProcessHandle.current().pid() + "\n" + System.nanoTime())
                        .getBytes(StandardCharsets.UTF_8));
        CompletableFuture<LayerIngest.Result> layer = new CompletableFuture<>();
        // on Ctrl-C the exit hook lets the layer finish first (its blob would otherwise be left half-written in tmp)
        Cleanup.Handle undo = Cleanup.register(() -> {
            try {
                layer.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException failed) {
                // nothing more to wait for
            } finally {
                snapshots.remove(provisional);
            }
        });
        Path fs;
        try {
            undo.apply(() -> snapshots.adopt(upper, provisional));
            fs = snapshots.get(provisional);
        } catch (IOException | RuntimeException e) {
            layer.completeExceptionally(e); // no layer will come: the undo must not wait for one
            undo.close();
            throw e;
        }
        Thread.ofPlatform().daemon().name("whittle-layer").start(() -> {
            try (LayerWriter w = new LayerWriter(store, true)) {
                new UpperDiff(fs, clampMtime).write(w);
                LayerIngest.Result r = w.commit();
                then.accept(r);
                Trace.mark("RUN (deferred): layer written and cached");
                layer.complete(r);
            } catch (Throwable t) {
                layer.completeExceptionally(new IOException("writing the layer of " + step + ": " + t.getMessage(), t));
            }
        });
        pending.put(provisional, new Pending(layer, undo));
        return provisional;
    }

    /** Completes when the layer under a provisional id (and its cache entry) is written, or failed. */
    CompletableFuture<?> written(Digest provisional) {
        Pending p = pending.get(provisional);
        return p == null ? CompletableFuture.completedFuture(null) : p.layer();
    }

    boolean anyPending(List<Digest> ids) {
        if (pending.isEmpty()) return false;
        for (Digest d : ids) if (pending.containsKey(d)) return true;
        return false;
    }

    /** The ids with each provisional one replaced by its layer's diffID, waiting for the layers as needed. */
    List<Digest> settled(List<Digest> ids) throws IOException {
        List<Digest> out = new ArrayList<>(ids.size());
        for (Digest d : ids) {
            Pending p = pending.get(d);
            out.add(p == null ? d : join(p).info().diffId());
        }
        return out;
    }

    /**
     * Waits for every layer; then (no stage reads the snapshots any more) gives each snapshot its layer's diffID, so
     * the next build that uses the layer finds it unpacked. On failure the provisional snapshots are removed.
     */
    void finish() throws IOException {
        IOException first = null;
        for (Map.Entry<Digest, Pending> entry : pending.entrySet()) {
            Pending p = entry.getValue();
            try {
                Digest diffId = join(p).info().diffId();
                snapshots.adopt(snapshots.get(entry.getKey()), diffId);
            } catch (IOException e) {
                if (first == null) first = e;
            }
            try {
                p.undo().close();
            } catch (IOException e) {
                if (first == null) first = e;
            }
        }
        pending.clear();
        if (first != null) throw first;
    }

    private static LayerIngest.Result join(Pending p) throws IOException {
        try {
            return p.layer().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException(e.getCause());
        }
    }
}
