package dev.whittle.registry;

import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.store.DiffIdMismatchException;
import dev.whittle.store.LayerIngest;
import dev.whittle.store.Store;
import dev.whittle.store.StoreException;
import dev.whittle.tar.TarFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The checks of one pull's fetched layers against the diffIDs its config names, on two background threads: each
 * layer's check starts when its download starts and reads the blob behind it ({@code BlobSink.follow}), so checking
 * overlaps downloading instead of following it. A check decompresses the blob, hashes it and reads it as tar with
 * the same refusals as {@code load}, then records the layer. {@link #await} waits for them all: the pull names the
 * image only after every layer passed, so a lying config never gets a name.
 */
final class LayerChecks implements AutoCloseable {
    private final Store store;
    private final String where;
    private final int layers;
    private final ExecutorService pool = Executors.newFixedThreadPool(
            2, Thread.ofPlatform().daemon().name("layer-check-", 0).factory());
    private final List<Check> started = new ArrayList<>();

    private record Check(int index, Descriptor layer, InputStream content, Future<?> result) {}

    /**
     * @param where how messages name the image: registry and reference
     * @param layers how many layers the image has (messages say "layer 2 of 5")
     */
    LayerChecks(Store store, String where, int layers) {
        this.store = store;
        this.where = where;
        this.layers = layers;
    }

    /**
     * Starts checking that {@code content} (the blob of layer {@code index}, stored or arriving) holds {@code diffId};
     * {@code passed} runs when it does.
     */
    synchronized void start(int index, Descriptor layer, Digest diffId, InputStream content, Runnable passed) {
        Future<?> f = pool.submit(() -> {
            try (content) {
                LayerIngest.verify(store, content, layer.digest(), layer.mediaType(), diffId);
            }
            passed.run();
            return null;
        });
        started.add(new Check(index, layer, content, f));
    }

    /** Waits for every check; the first layer (in image order) that failed is reported, naming image, layer and blob. */
    void await() throws IOException {
        List<Check> checks;
        synchronized (this) {
            checks = started.stream()
                    .sorted(Comparator.comparingInt(Check::index))
                    .toList();
        }
        for (Check c : checks) {
            try {
                c.result().get();
            } catch (ExecutionException e) {
                throw failure(c, e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while checking the layers of " + where);
            }
        }
    }

    private IOException failure(Check c, Throwable cause) {
        String layer = where + ": layer " + (c.index() + 1) + " of " + layers + " (blob "
                + c.layer().digest() + ")";
        return switch (cause) {
            case DiffIdMismatchException m ->
                new RegistryException(
                        layer + " is not the layer the image's config names: expected diffID "
                                + m.expected() + ", the blob holds " + m.actual()
                                + ". The image was not stored: the registry serves a config that"
                                + " does not match its layers (ask the image's publisher, or pull another tag or digest)",
                        "DIGEST_INVALID",
                        200);
            case TarFormatException x ->
                new RegistryException(
                        layer + ": " + x.getMessage() + ". The image was not stored", "BLOB_INVALID", 200);
            case StoreException x ->
                new RegistryException(
                        layer + ": " + x.getMessage() + ". The image was not stored", "BLOB_INVALID", 200);
            case IOException io -> new RegistryException(layer + ": cannot check the layer: " + io.getMessage(), io);
            default -> new RegistryException(layer + ": cannot check the layer: " + cause, cause);
        };
    }

    /** Stops checks still running (a download failed) and closes what they would have read. */
    @Override
    public void close() throws IOException {
        pool.shutdownNow();
        synchronized (this) {
            for (Check c : started) c.content().close();
        }
        try {
            pool.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
