package dev.whittle.registry;

import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageRef;
import dev.whittle.image.Manifest;
import dev.whittle.image.MediaType;
import dev.whittle.store.Images;
import dev.whittle.store.LayerVariants;
import dev.whittle.store.Store;
import dev.whittle.store.StoredImage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Pushes an image: layers compressed as asked (once; the compressed blob is kept in the store), each blob checked
 * with HEAD, mounted from another repository of the same registry the image came from when possible, uploaded
 * otherwise, several at once; the manifest last. An image whose stored manifest already fits is pushed byte for byte,
 * so its digest is the same everywhere.
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
        boolean asIs = !opts.oci() && opts.compression() == null && m.layers().stream()
                .allMatch(l -> compressed(MediaType.layerCompression(l.mediaType())) && store.hasBlob(l.digest()));
        boolean oci = asIs ? m.isOci() : opts.oci() || opts.compression() == MediaType.Compression.ZSTD;
        List<Digest> diffIds = image.config().diffIds();
        List<Descriptor> layers = new ArrayList<>();
        for (int i = 0; i < m.layers().size(); i++) {
            Descriptor cur = m.layers().get(i);
            MediaType.Compression have = MediaType.layerCompression(cur.mediaType());
            MediaType.Compression want = opts.compression() != null ? opts.compression()
                    : have == MediaType.Compression.NONE || have == MediaType.Compression.UNKNOWN ? MediaType.Compression.GZIP : have;
            if (have == want && store.hasBlob(cur.digest())) {
                layers.add(new Descriptor(MediaType.layer(oci, want), cur.digest(), cur.size(), cur.annotations(), null, null));
            } else {
                layers.add(LayerVariants.blob(store, diffIds.get(i), want, oci));
            }
        }
        Descriptor config = new Descriptor(oci ? MediaType.OCI_CONFIG : MediaType.DOCKER_CONFIG, m.config().digest(), m.config().size());
        boolean unchanged = oci == m.isOci() && config.mediaType().equals(m.config().mediaType());
        for (int i = 0; unchanged && i < layers.size(); i++) {
            Descriptor a = layers.get(i);
            Descriptor b = m.layers().get(i);
            unchanged = a.digest().equals(b.digest()) && a.mediaType().equals(b.mediaType());
        }
        Manifest out = unchanged ? m : Manifest.create(oci, config, layers, m.annotations());
        String mountFrom = mountSource(image, target);
        if (mountFrom != null) progress.mountSource(mountFrom);
        uploadAll(host, repo, layers, config, mountFrom);
        String reference = target.digest() != null && target.tag() == null ? out.digest().toString() : target.tag();
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

    /** Uploads the layers (shown, as docker shows them) and the config (not shown) in parallel. */
    private void uploadAll(RegistryHost host, String repo, List<Descriptor> layers, Descriptor config, String mountFrom) throws IOException {
        for (Descriptor d : layers) progress.blob(d.digest(), d.size(), TransferProgress.State.WAITING, 0);
        // one request before going parallel, so the registry's challenge and the token are fetched once, not per blob
        host.hasBlob(repo, config.digest(), true);
        List<Parallel.Job> jobs = new ArrayList<>();
        for (Descriptor d : layers) {
            jobs.add(() -> {
                RegistryHost.Upload u = host.upload(repo, d, store.blobPath(d.digest()), mountFrom, client.config().chunkSize(),
                        done -> progress.blob(d.digest(), d.size(), TransferProgress.State.TRANSFERRING, done));
                progress.blob(d.digest(), d.size(), switch (u) {
                    case EXISTS -> TransferProgress.State.EXISTS;
                    case MOUNTED -> TransferProgress.State.MOUNTED;
                    case PUSHED -> TransferProgress.State.DONE;
                }, d.size());
            });
        }
        jobs.add(() -> host.upload(repo, config, store.blobPath(config.digest()), null, 0, null));
        Parallel.run(jobs, client.config().parallel());
    }
}
