package dev.whittle.registry;

import dev.whittle.diag.Trace;
import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageRef;
import dev.whittle.image.Manifest;
import dev.whittle.image.MediaType;
import dev.whittle.io.ChunkPipe;
import dev.whittle.store.Images;
import dev.whittle.store.LayerVariants;
import dev.whittle.store.Store;
import dev.whittle.store.StoredImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.LongConsumer;

/**
 * Pushes an image: layers compressed as asked (once, while they are sent; the compressed blob is kept in the store),
 * each stored blob checked with HEAD, mounted from another repository of the same registry the image came from when
 * possible, uploaded otherwise, several at once; the manifest last. An image whose stored manifest already fits is
 * pushed byte for byte, so its digest is the same everywhere.
 */
public final class Pusher {
    private final Store store;
    private final RegistryClient client;
    private final TransferProgress progress;

    /**
     * @param oci          OCI media types (else the stored manifest's family, which is Docker's for whittle's builds)
     * @param compression  layer compression; null keeps compressed layers as they are and gzips uncompressed ones
     */
    public record Options(boolean oci, MediaType.Compression compression) {
        public static final Options DEFAULT = new Options(false, null);
    }

    /** The pushed manifest. */
    public record Result(Digest digest, long size, String mediaType) {}

    public Pusher(Store store, RegistryClient client, TransferProgress progress) {
        this.store = store;
        this.client = client;
        this.progress = progress;
    }

    public Result push(StoredImage image, ImageRef target, Options opts) throws IOException {
        RegistryHost host = client.host(target.domain());
        String repo = target.path();
        progress.message("The push refers to repository [" + target.repository() + "]");
        Manifest m = image.manifest();
        // the stored manifest goes as it is when it fits (all layers compressed, nothing else asked): a pulled image
        // keeps its digest; anything rewritten gets Docker's media types, as docker push and BuildKit do by default
        boolean asIs = !opts.oci()
                && opts.compression() == null
                && m.layers().stream()
                        .allMatch(l ->
                                compressed(MediaType.layerCompression(l.mediaType())) && store.hasBlob(l.digest()));
        boolean oci = asIs ? m.isOci() : opts.oci() || opts.compression() == MediaType.Compression.ZSTD;
        List<Digest> diffIds = image.config().diffIds();
        int n = m.layers().size();
        // a layer's blob: known now (stored), or made while it is uploaded (the array is filled in by the upload jobs)
        Descriptor[] layers = new Descriptor[n];
        MediaType.Compression[] toMake = new MediaType.Compression[n];
        for (int i = 0; i < n; i++) {
            Descriptor cur = m.layers().get(i);
            MediaType.Compression have = MediaType.layerCompression(cur.mediaType());
            MediaType.Compression want = opts.compression() != null
                    ? opts.compression()
                    : have == MediaType.Compression.NONE || have == MediaType.Compression.UNKNOWN
                            ? MediaType.Compression.GZIP
                            : have;
            if (have == want && store.hasBlob(cur.digest())) {
                layers[i] = new Descriptor(
                        MediaType.layer(oci, want), cur.digest(), cur.size(), cur.annotations(), null, null);
            } else {
                layers[i] = LayerVariants.existing(store, diffIds.get(i), want, oci);
                if (layers[i] == null) toMake[i] = want;
            }
        }
        Descriptor config = new Descriptor(
                oci ? MediaType.OCI_CONFIG : MediaType.DOCKER_CONFIG,
                m.config().digest(),
                m.config().size());
        String mountFrom = mountSource(image, target);
        if (mountFrom != null) progress.mountSource(mountFrom);
        Trace.mark("push planned");
        uploadAll(host, repo, diffIds, layers, toMake, oci, config, mountFrom);
        Trace.mark("blobs sent");
        boolean unchanged =
                oci == m.isOci() && config.mediaType().equals(m.config().mediaType());
        for (int i = 0; unchanged && i < n; i++) {
            Descriptor a = layers[i];
            Descriptor b = m.layers().get(i);
            unchanged = a.digest().equals(b.digest()) && a.mediaType().equals(b.mediaType());
        }
        Manifest out = unchanged ? m : Manifest.create(oci, config, List.of(layers), m.annotations());
        String reference =
                target.digest() != null && target.tag() == null ? out.digest().toString() : target.tag();
        Digest pushed = host.putManifest(repo, reference, out.mediaType(), out.raw(), "manifest " + target.familiar());
        store.putBlob(out.raw());
        new Images(store).addRepoDigest(image.manifest().digest(), target.repository() + "@" + pushed);
        progress.message(reference + ": digest: " + pushed + " size: " + out.raw().length);
        return new Result(pushed, out.raw().length, out.mediaType());
    }

    private static boolean compressed(MediaType.Compression c) {
        return c == MediaType.Compression.GZIP || c == MediaType.Compression.ZSTD;
    }

    /** A repository on the target registry known to hold this image (from a pull or an earlier push), or null. */
    private static String mountSource(StoredImage image, ImageRef target) {
        for (String rd : image.repoDigests()) {
            try {
                ImageRef r = ImageRef.parse(rd);
                if (r.domain().equals(target.domain()) && !r.path().equals(target.path())) return r.path();
            } catch (IllegalArgumentException ignored) {
                // not a reference whittle wrote
            }
        }
        return null;
    }

    /**
     * Uploads the layers (shown by diffID, as docker shows them) and the config (not shown) in parallel. A layer with
     * no blob in the wanted compression yet is compressed while it is sent; {@code layers} gets its descriptor.
     */
    private void uploadAll(
            RegistryHost host,
            String repo,
            List<Digest> diffIds,
            Descriptor[] layers,
            MediaType.Compression[] toMake,
            boolean oci,
            Descriptor config,
            String mountFrom)
            throws IOException {
        long[] shownSize = new long[layers.length]; // a layer still to compress is shown by its tar's size
        for (int i = 0; i < layers.length; i++) {
            shownSize[i] = layers[i] != null
                    ? layers[i].size()
                    : store.layer(diffIds.get(i)).tarSize();
            progress.blob(diffIds.get(i), shownSize[i], TransferProgress.State.WAITING, 0);
        }
        // one request before going parallel, so the registry's challenge and the token are fetched once, not per blob
        host.hasBlob(repo, config.digest(), true);
        List<Parallel.Job> jobs = new ArrayList<>();
        for (int i = 0; i < layers.length; i++) {
            final int at = i;
            final Digest key = diffIds.get(i);
            jobs.add(() -> {
                if (toMake[at] != null) layers[at] = makeAndSend(host, repo, key, shownSize[at], toMake[at], oci);
                else fromFile(host, repo, key, layers[at], mountFrom);
            });
        }
        jobs.add(() -> host.upload(repo, config, store.blobPath(config.digest()), null, 0, null));
        Parallel.run(jobs, client.config().parallel());
    }

    private void fromFile(RegistryHost host, String repo, Digest key, Descriptor d, String mountFrom)
            throws IOException {
        RegistryHost.Upload u = host.upload(
                repo,
                d,
                store.blobPath(d.digest()),
                mountFrom,
                client.config().chunkSize(),
                done -> progress.blob(key, d.size(), TransferProgress.State.TRANSFERRING, done));
        progress.blob(
                key,
                d.size(),
                switch (u) {
                    case EXISTS -> TransferProgress.State.EXISTS;
                    case MOUNTED -> TransferProgress.State.MOUNTED;
                    case PUSHED -> TransferProgress.State.DONE;
                },
                d.size());
    }

    /**
     * Compresses a layer into the store and, at the same time, streams the compressed bytes to the registry in one
     * PATCH; the upload is finished with the digest once it is known. If the streamed upload fails in any way the
     * compressed blob is complete in the store all the same, and it is sent from there with the usual checks and
     * retries (or chunked from the start, when the configuration asks for chunks).
     */
    private Descriptor makeAndSend(
            RegistryHost host, String repo, Digest diffId, long tarSize, MediaType.Compression c, boolean oci)
            throws IOException {
        LongConsumer shown = done -> progress.blob(diffId, tarSize, TransferProgress.State.TRANSFERRING, done);
        if (client.config().chunkSize() > 0) {
            Descriptor d = LayerVariants.make(store, diffId, c, oci, null, shown);
            fromFile(host, repo, diffId, d, null);
            return d;
        }
        String what = "layer " + diffId.shortHex() + " to " + repo;
        ChunkPipe pipe = new ChunkPipe(64, true);
        CompletableFuture<URI> sent = new CompletableFuture<>();
        Thread sender = Thread.ofVirtual().name("upload " + diffId.shortHex()).start(() -> {
            try (InputStream in = pipe.input()) {
                sent.complete(host.streamUpload(repo, in, tarSize, what));
            } catch (Throwable t) {
                sent.completeExceptionally(t); // closing the input hung up: compression goes on into the store
            }
        });
        Descriptor d;
        try {
            d = LayerVariants.make(store, diffId, c, oci, pipe.output(), shown);
        } catch (IOException | RuntimeException e) {
            pipe.abort(e instanceof IOException io ? io : new IOException(e.getMessage(), e));
            sender.interrupt();
            throw e;
        }
        try {
            host.finishUpload(repo, sent.join(), d.digest(), what);
            progress.blob(diffId, tarSize, TransferProgress.State.DONE, tarSize);
        } catch (IOException | CompletionException | UncheckedIOException e) {
            if (Thread.currentThread().isInterrupted()) throw new InterruptedIOException("interrupted");
            fromFile(host, repo, diffId, d, null);
        }
        return d;
    }
}
