package dev.whittle.registry;

import dev.whittle.diag.Trace;
import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageConfig;
import dev.whittle.image.ImageIndex;
import dev.whittle.image.ImageRef;
import dev.whittle.image.Manifest;
import dev.whittle.image.MediaType;
import dev.whittle.image.Platform;
import dev.whittle.json.Json;
import dev.whittle.json.JsonException;
import dev.whittle.store.BlobSink;
import dev.whittle.store.ImageIndexes;
import dev.whittle.store.Images;
import dev.whittle.store.LayerInfo;
import dev.whittle.store.LayerIngest;
import dev.whittle.store.Store;
import dev.whittle.store.StoreException;
import dev.whittle.store.StoredImage;
import dev.whittle.tar.TarFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Pulls an image into the store: resolves the reference (through the configured mirrors first), picks the platform's
 * manifest from an index, then fetches the config and the missing layers in parallel, each streamed straight into
 * the store with its digest and size verified. Its diffID is verified and its tar checked either as it arrives (what a
 * build wants: it uses the layers next) or, for {@code whittle pull}, behind the download ({@link LayerChecks}: the
 * blob goes to the store at the network's speed and is read back from the page cache on other threads), so the
 * check overlaps the downloads. Either way the image is named only once every layer is verified. A layer already in
 * the store is never fetched again; no blob whose digest is unverified ever enters the store, and no layer is
 * recorded before its diffID is verified.
 */
public final class Puller {
    private final Store store;
    private final RegistryClient client;
    private final TransferProgress progress;
    private final boolean checkBehind;

    /** The outcome: the stored image's manifest, the digest the reference resolved to, and whether anything new came. */
    public record Result(Manifest manifest, Digest digest, boolean downloaded, String source) {}

    /** A puller that verifies each layer's diffID as it arrives. */
    public Puller(Store store, RegistryClient client, TransferProgress progress) {
        this(store, client, progress, false);
    }

    /** @param checkBehind check each fetched layer behind its download instead of in the download's pipeline */
    public Puller(Store store, RegistryClient client, TransferProgress progress, boolean checkBehind) {
        this.store = store;
        this.client = client;
        this.progress = progress;
        this.checkBehind = checkBehind;
    }

    /** Pulls the image and returns it from the store, its layers verified (for a build about to use them). */
    public StoredImage pullImage(ImageRef ref, Platform platform) throws IOException {
        Result r = pull(ref, platform);
        return new Images(store)
                .find(
                        ref.digest() == null
                                ? ref.toString()
                                : r.manifest().digest().toString())
                .orElseThrow(() -> new StoreException("pulled image " + ref.familiar() + " is not in the store"));
    }

    public Result pull(ImageRef ref, Platform platform) throws IOException {
        progress.message((ref.digest() != null ? ref.digest().toString() : ref.tag()) + ": Pulling from " + ref.path());
        return fromFirstSource(ref, host -> pullFrom(host, ref, platform));
    }

    /**
     * Pulls every platform of a multi-platform image (each manifest by digest, as {@link #pull} pulls one) and names
     * the registry's index, its bytes kept, under {@code ref}; null when {@code ref} is a single-platform image.
     */
    public ImageIndex pullAllPlatforms(ImageRef ref) throws IOException {
        RegistryHost.Fetched top = fromFirstSource(
                ref,
                host -> host.manifest(
                        host.repository(ref.path()),
                        ref.digest() != null ? ref.digest().toString() : ref.tag(),
                        "manifest for " + ref.familiar()));
        String type = knownType(top.mediaType());
        if (type == null) type = sniff(top.body());
        if (!MediaType.isIndex(type)) return null;
        ImageIndex index;
        try {
            index = ImageIndex.parse(top.body(), type);
        } catch (JsonException | IllegalArgumentException e) {
            throw new RegistryException(
                    ref.domain() + ": index of " + ref.familiar() + " is invalid: " + e.getMessage(),
                    "MANIFEST_INVALID",
                    200);
        }
        for (Descriptor d : index.manifests()) {
            if (!MediaType.isManifest(d.mediaType())
                    || d.platform() == null
                    || "unknown".equals(d.platform().os())) continue; // attestations and other artifacts are not images
            pull(ImageRef.parse(ref.repository() + "@" + d.digest()), d.platform());
        }
        store.putBlob(top.body());
        if (ref.digest() == null) new ImageIndexes(store).add(index, List.of(ref));
        return index;
    }

    /** The repository's tags, from the first source (mirror or registry) that lists them, sorted as docker pulls them. */
    public List<String> tags(ImageRef ref) throws IOException {
        return fromFirstSource(
                        ref, host -> host.tags(host.repository(ref.path()), "tags of " + ref.familiarRepository()))
                .stream()
                .sorted()
                .toList();
    }

    private interface Attempt<T> {
        T on(RegistryHost host) throws IOException;
    }

    /** Tries the mirrors in order, then the registry itself; a mirror's failure is reported and the next one tried. */
    private <T> T fromFirstSource(ImageRef ref, Attempt<T> attempt) throws IOException {
        List<String> failures = new ArrayList<>();
        for (RegistryConfig.Endpoint ep : client.config().pullEndpoints(ref)) {
            try {
                return attempt.on(client.host(ep));
            } catch (RegistryException e) {
                if (!ep.mirror()) {
                    if (failures.isEmpty()) throw e;
                    throw new RegistryException(
                            e.getMessage() + " (mirrors failed too: " + String.join("; ", failures) + ")",
                            e.code(),
                            e.status());
                }
                failures.add("mirror " + ep + ": " + e.getMessage());
                progress.message("mirror " + ep + " failed (" + e.getMessage() + "), trying the next source");
            }
        }
        throw new RegistryException(
                "cannot pull " + ref.familiar() + ": " + String.join("; ", failures), "MANIFEST_UNKNOWN", 404);
    }

    private Result pullFrom(RegistryHost host, ImageRef ref, Platform platform) throws IOException {
        String repo = host.repository(ref.path());
        String reference = ref.digest() != null ? ref.digest().toString() : ref.tag();
        String what = "manifest for " + ref.familiar();
        RegistryHost.Fetched top = host.manifest(repo, reference, what);
        Trace.mark("manifest fetched");
        Manifest manifest;
        try {
            manifest = resolveManifest(host, repo, ref, top, platform);
        } catch (JsonException | IllegalArgumentException e) {
            throw new RegistryException(
                    host.name() + ": " + what + ": invalid manifest: " + e.getMessage(), "MANIFEST_INVALID", 200);
        }
        boolean downloaded = false;
        Descriptor cd = manifest.config();
        if (!store.hasBlob(cd.digest())) {
            fetchSmall(host, repo, cd);
            downloaded = true;
        }
        ImageConfig config;
        try {
            config = ImageConfig.parse(store.readBlob(cd.digest()));
        } catch (RuntimeException e) {
            throw new RegistryException(
                    host.name() + ": config " + cd.digest().shortHex() + " of " + ref.familiar() + " is invalid: "
                            + e.getMessage(),
                    "MANIFEST_INVALID",
                    200);
        }
        List<Digest> diffIds = config.diffIds();
        if (diffIds.size() != manifest.layers().size()) {
            throw new RegistryException(
                    host.name() + ": " + ref.familiar() + ": the manifest has "
                            + manifest.layers().size() + " layers but the config lists " + diffIds.size(),
                    "MANIFEST_INVALID",
                    200);
        }
        if (!MediaType.isIndex(top.mediaType()) && !platformMatches(config.platform(), platform)) {
            throw new RegistryException(
                    host.name() + ": image " + ref.familiar()
                            + " was found but does not match the specified platform: wanted " + platform + ", actual: "
                            + config.platform(),
                    null,
                    200);
        }
        Trace.mark("config read");
        String image =
                "image " + ref.familiar() + (host.endpoint().mirror() ? " (from the mirror " + host.name() + ")" : "");
        try (LayerChecks checks = checkBehind ? new LayerChecks(store, image, diffIds.size()) : null) {
            downloaded |= fetchLayers(host, repo, manifest, diffIds, checks);
            Trace.mark("layers fetched");
            if (checks != null) checks.await();
        }
        Trace.mark("layers verified");
        List<ImageRef> names = ref.digest() == null ? List.of(ref) : List.of();
        String repoDigest = ref.repository() + "@" + top.digest();
        new Images(store).add(manifest, names, List.of(repoDigest));
        return new Result(manifest, top.digest(), downloaded, host.endpoint().toString());
    }

    private static boolean platformMatches(Platform have, Platform want) {
        if (have == null || have.architecture().isEmpty()) return true;
        return have.os().equals(want.os())
                && want.compatible().stream().anyMatch(p -> p.architecture().equals(have.architecture()));
    }

    private Manifest resolveManifest(
            RegistryHost host, String repo, ImageRef ref, RegistryHost.Fetched top, Platform platform)
            throws IOException {
        String type = knownType(top.mediaType());
        if (type == null) type = sniff(top.body());
        if (type.equals(MediaType.DOCKER_SCHEMA1) || type.equals(MediaType.DOCKER_SCHEMA1_SIGNED)) {
            throw new RegistryException(
                    host.name() + ": " + ref.familiar()
                            + " is a Docker schema 1 image, which whittle (like current docker) does not pull",
                    "MANIFEST_INVALID",
                    200);
        }
        if (!MediaType.isIndex(type)) return Manifest.parse(top.body(), type);
        ImageIndex index = ImageIndex.parse(top.body(), type);
        Optional<Descriptor> pick = index.select(platform);
        if (pick.isEmpty()) {
            throw new RegistryException(
                    host.name() + ": no matching manifest for " + platform + " in the manifest list entries of "
                            + ref.familiar() + " (it has: "
                            + index.platforms().stream()
                                    .map(Platform::toString)
                                    .distinct()
                                    .toList() + ")",
                    "MANIFEST_UNKNOWN",
                    200);
        }
        Descriptor d = pick.get();
        RegistryHost.Fetched child = host.manifest(
                repo, d.digest().toString(), "manifest " + d.digest().shortHex() + " of " + ref.familiar());
        if (d.size() >= 0 && child.body().length != d.size()) {
            throw new RegistryException(
                    host.name() + ": manifest " + d.digest().shortHex() + " has " + child.body().length
                            + " bytes, the index says " + d.size(),
                    "SIZE_INVALID",
                    200);
        }
        return Manifest.parse(
                child.body(),
                d.mediaType() != null && MediaType.isManifest(d.mediaType())
                        ? d.mediaType()
                        : knownType(child.mediaType()));
    }

    private static String knownType(String t) {
        return t != null
                        && (MediaType.isIndex(t)
                                || MediaType.isManifest(t)
                                || t.equals(MediaType.DOCKER_SCHEMA1)
                                || t.equals(MediaType.DOCKER_SCHEMA1_SIGNED))
                ? t
                : null;
    }

    /** For registries that send no useful Content-Type: decide by the document's shape. */
    private static String sniff(byte[] body) {
        Map<String, Object> m = Json.parseObject(body);
        Object mt = m.get("mediaType");
        if (mt instanceof String s && knownType(s) != null) return s;
        if (m.get("schemaVersion") instanceof Number n && n.intValue() == 1) return MediaType.DOCKER_SCHEMA1;
        return m.containsKey("manifests") ? MediaType.OCI_INDEX : MediaType.OCI_MANIFEST;
    }

    /** A layer type whose compression the store reads (so the check can run behind the download). */
    private static boolean knownLayerType(String mediaType) {
        return MediaType.isLayer(mediaType) && MediaType.layerCompression(mediaType) != MediaType.Compression.UNKNOWN;
    }

    /**
     * Streams layer {@code index}'s blob into the store, its digest and size checked before it becomes visible, while
     * {@code checks} reads it behind the download to check it holds {@code diffId}.
     */
    private void fetchChecked(
            RegistryHost host, String repo, int index, Descriptor l, Digest diffId, LayerChecks checks)
            throws IOException {
        try (InputStream in = host.blob(
                        repo,
                        l,
                        done -> progress.blob(l.digest(), l.size(), TransferProgress.State.TRANSFERRING, done));
                BlobSink sink = store.newBlob()) {
            checks.start(
                    index,
                    l,
                    diffId,
                    sink.follow(),
                    () -> progress.blob(l.digest(), l.size(), TransferProgress.State.DONE, l.size()));
            byte[] buf = new byte[1 << 17];
            OutputStream out = sink.stream();
            for (int n; (n = in.read(buf)) >= 0; ) out.write(buf, 0, n);
            // before the commit: the check cannot end before it, so "Pull complete" always comes after this
            progress.blob(l.digest(), l.size(), TransferProgress.State.VERIFYING, l.size());
            sink.commit(l.digest(), l.size());
        }
    }

    private void fetchSmall(RegistryHost host, String repo, Descriptor d) throws IOException {
        if (d.size() > RegistryHost.MAX_MANIFEST) {
            throw new RegistryException(
                    host.name() + ": config " + d.digest().shortHex() + " claims " + d.size() + " bytes; refused",
                    "SIZE_INVALID",
                    200);
        }
        try (BlobSink sink = store.newBlob();
                InputStream in = host.blob(repo, d, null)) {
            in.transferTo(sink.stream());
            sink.commit(d.digest(), d.size());
        } catch (StoreException e) {
            throw new RegistryException(
                    host.name() + ": config " + d.digest().shortHex() + " of " + repo + ": " + e.getMessage(),
                    "DIGEST_INVALID",
                    200);
        }
    }

    /**
     * Fetches the layers the store lacks, a few at a time; returns whether any was fetched. With {@code checks}, a blob
     * the store has is still checked unless it is recorded as holding the layer (a blob fetched by an earlier pull that
     * did not finish, or one of another image, proves nothing about this config's claim).
     */
    private boolean fetchLayers(RegistryHost host, String repo, Manifest m, List<Digest> diffIds, LayerChecks checks)
            throws IOException {
        List<Integer> missing = new ArrayList<>();
        Set<String> once = new HashSet<>();
        for (int i = 0; i < m.layers().size(); i++) {
            Descriptor l = m.layers().get(i);
            Digest diffId = diffIds.get(i);
            boolean verified = checks != null ? isRecordedAs(diffId, l.digest()) : store.holdsLayer(diffId);
            if (store.hasBlob(l.digest()) && verified) {
                progress.blob(l.digest(), l.size(), TransferProgress.State.EXISTS, l.size());
            } else if (!once.add(l.digest() + " " + diffId)) {
                continue; // the same layer again: fetched and checked once
            } else if (checks != null && store.hasBlob(l.digest()) && knownLayerType(l.mediaType())) {
                progress.blob(l.digest(), l.size(), TransferProgress.State.VERIFYING, l.size());
                checks.start(
                        i,
                        l,
                        diffId,
                        store.openBlob(l.digest()),
                        () -> progress.blob(l.digest(), l.size(), TransferProgress.State.DONE, l.size()));
            } else {
                progress.blob(l.digest(), l.size(), TransferProgress.State.WAITING, 0);
                missing.add(i);
            }
        }
        if (missing.isEmpty()) return false;
        List<Parallel.Job> jobs = new ArrayList<>();
        for (int i : missing)
            jobs.add(() -> fetchLayer(host, repo, i, m.layers().get(i), diffIds.get(i), m.isOci(), checks));
        Parallel.run(jobs, client.config().parallel());
        return true;
    }

    /** Whether the store records {@code blob} as a verified blob of the layer. */
    private boolean isRecordedAs(Digest diffId, Digest blob) {
        LayerInfo li = store.recordedLayer(diffId);
        return li != null && li.blobs().containsKey(blob);
    }

    private void fetchLayer(
            RegistryHost host, String repo, int index, Descriptor l, Digest diffId, boolean oci, LayerChecks checks)
            throws IOException {
        String what = "layer " + l.digest().shortHex() + " of " + repo;
        try {
            if (checks != null && knownLayerType(l.mediaType())) {
                fetchChecked(host, repo, index, l, diffId, checks);
                return;
            }
            try (InputStream in = host.blob(
                    repo, l, done -> progress.blob(l.digest(), l.size(), TransferProgress.State.TRANSFERRING, done))) {
                LayerIngest.ingest(
                        store,
                        in,
                        LayerIngest.Keep.AS_IS,
                        MediaType.isLayer(l.mediaType()) ? l.mediaType() : null,
                        l.digest(),
                        l.size(),
                        diffId,
                        oci);
            }
        } catch (StoreException | TarFormatException e) {
            throw new RegistryException(
                    host.name() + ": " + what + ": " + e.getMessage() + " (nothing of it was kept)",
                    "DIGEST_INVALID",
                    200);
        }
        progress.blob(l.digest(), l.size(), TransferProgress.State.DONE, l.size());
    }
}
