package dev.whittle.store;

import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageConfig;
import dev.whittle.image.ImageRef;
import dev.whittle.image.Manifest;
import dev.whittle.image.MediaType;
import dev.whittle.image.Platform;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/** The named images of a store: listing, lookup by name or ID, tagging and removal, as docker's image store does. */
public final class Images {
    public static final String REPO_DIGESTS = "dev.whittle.repo-digests";
    /** What {@code whittle images} shows, kept in the index entry so that listing reads no other file. */
    static final String SUMMARY_ID = "dev.whittle.image.id";

    static final String SUMMARY_CREATED = "dev.whittle.image.created";
    static final String SUMMARY_SIZE = "dev.whittle.image.size";
    private static final Pattern HEX_PREFIX = Pattern.compile("[a-f0-9]{1,64}");

    private final Store store;

    public Images(Store store) {
        this.store = store;
    }

    public Store store() {
        return store;
    }

    /** Every image, once, in the order it first appears in index.json. */
    public List<StoredImage> list() {
        Map<Digest, List<Descriptor>> byDigest = new LinkedHashMap<>();
        for (Descriptor d : store.indexEntries())
            if (!MediaType.isIndex(d.mediaType()))
                byDigest.computeIfAbsent(d.digest(), k -> new ArrayList<>()).add(d);
        List<StoredImage> out = new ArrayList<>();
        Map<Digest, StoredImage> unsummarised = new LinkedHashMap<>();
        for (Map.Entry<Digest, List<Descriptor>> e : byDigest.entrySet()) {
            StoredImage fromSummary = fromSummary(e.getValue());
            if (fromSummary == null) {
                fromSummary = load(e.getValue());
                unsummarised.put(e.getKey(), fromSummary);
            }
            out.add(fromSummary);
        }
        if (!unsummarised.isEmpty()) addSummaries(unsummarised);
        // a multi-platform image is one row under its names: this machine's platform stands for it
        for (ImageIndexes.Named idx : new ImageIndexes(store).list()) out.add(member(idx, ImageIndexes.preferred(idx)));
        return out;
    }

    /** One platform's image of an index, under the index's names. */
    public StoredImage member(ImageIndexes.Named idx, Descriptor manifest) {
        Manifest m = readManifest(manifest);
        ImageConfig c = readConfig(m);
        return new StoredImage(m, c, idx.names(), List.of(), size(c));
    }

    /**
     * As {@link #find(String)}, but a multi-platform image answers with its manifest for {@code platform} (or a
     * compatible one); an index without one is an error naming what it has.
     */
    public Optional<StoredImage> find(String refOrId, Platform platform) {
        Optional<ImageIndexes.Named> idx = new ImageIndexes(store).find(refOrId);
        if (idx.isEmpty()) return find(refOrId);
        Descriptor d = ImageIndexes.select(idx.get(), platform)
                .orElseThrow(() -> new StoreException("image \"" + refOrId + "\" has no image for " + platform
                        + " (it has "
                        + idx.get().index().platforms().stream()
                                .map(Platform::toString)
                                .toList()
                        + ")"));
        return Optional.of(member(idx.get(), d));
    }

    /** Index entries written by other tools (or older whittles) get their summary once, so later listings are fast. */
    private void addSummaries(Map<Digest, StoredImage> images) {
        try {
            store.updateIndex(entries -> {
                List<Descriptor> out = new ArrayList<>();
                for (Descriptor d : entries) {
                    StoredImage i = images.get(d.digest());
                    if (i == null || d.annotation(SUMMARY_ID) != null) {
                        out.add(d);
                        continue;
                    }
                    Map<String, String> ann = new LinkedHashMap<>(d.annotations());
                    ann.putAll(withSummary(d, i.id(), i.config().createdText(), i.size())
                            .annotations());
                    out.add(d.withAnnotations(ann));
                }
                return out;
            });
        } catch (StoreException e) {
            // a read-only store lists fine, only more slowly
        }
    }

    /**
     * An image from its index entries alone, manifest and config read on first use; null without a summary. An image
     * pulled but not yet used has no size in its summary: it is worked out (its layers verified) when asked for.
     */
    private StoredImage fromSummary(List<Descriptor> entries) {
        Descriptor first = entries.getFirst();
        String id = first.annotation(SUMMARY_ID);
        String size = first.annotation(SUMMARY_SIZE);
        if (id == null || !Digest.isDigest(id)) return null;
        Supplier<Long> bytes;
        if (size == null) {
            bytes = () -> size(readConfig(readManifest(first)));
        } else {
            try {
                long known = Long.parseLong(size);
                bytes = () -> known;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        List<ImageRef> names = new ArrayList<>();
        List<String> repoDigests = new ArrayList<>();
        namesAndDigests(entries, names, repoDigests);
        return new StoredImage(
                first,
                Digest.parse(id),
                ImageConfig.parseTime(first.annotation(SUMMARY_CREATED)),
                names,
                repoDigests,
                bytes,
                () -> readManifest(first),
                () -> readConfig(readManifest(first)));
    }

    private static void namesAndDigests(List<Descriptor> entries, List<ImageRef> names, List<String> repoDigests) {
        for (Descriptor d : entries) {
            String n = d.annotation(Store.REF_NAME);
            if (n != null) {
                try {
                    names.add(ImageRef.parse(n));
                } catch (IllegalArgumentException ignored) {
                    // a name another tool wrote that docker would not accept: not ours to show
                }
            }
            String rd = d.annotation(REPO_DIGESTS);
            if (rd != null)
                for (String x : rd.split(",")) if (!x.isEmpty() && !repoDigests.contains(x)) repoDigests.add(x);
        }
    }

    private Manifest readManifest(Descriptor d) {
        try {
            return Manifest.parse(store.readBlob(d.digest()), d.mediaType());
        } catch (StoreException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new StoreException("manifest " + d.digest() + " in the store is unreadable: " + e.getMessage(), e);
        }
    }

    private ImageConfig readConfig(Manifest m) {
        try {
            return ImageConfig.parse(store.readBlob(m.config().digest()));
        } catch (StoreException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new StoreException(
                    "config " + m.config().digest() + " in the store is unreadable: " + e.getMessage(), e);
        }
    }

    /** docker's size of an image: the sum of its layers' sizes (verifying those fetched but not yet read). */
    private long size(ImageConfig c) {
        try {
            store.verifyPendingLayers(c.diffIds());
        } catch (StoreException e) {
            // a layer that is not what its config says counts as empty here; using the image reports it
        }
        long size = 0;
        for (Digest diffId : c.diffIds()) {
            LayerInfo li = store.recordedLayer(diffId);
            if (li != null) size += li.contentSize();
        }
        return size;
    }

    /** The size from the layers' records alone; -1 while some layer still waits to be verified. */
    private long recordedSize(ImageConfig c) {
        long size = 0;
        for (Digest diffId : c.diffIds()) {
            LayerInfo li = store.recordedLayer(diffId);
            if (li == null) {
                if (store.holdsLayer(diffId)) return -1;
                continue;
            }
            size += li.contentSize();
        }
        return size;
    }

    private StoredImage load(List<Descriptor> entries) {
        Manifest m = readManifest(entries.getFirst());
        ImageConfig c = readConfig(m);
        List<ImageRef> names = new ArrayList<>();
        List<String> repoDigests = new ArrayList<>();
        namesAndDigests(entries, names, repoDigests);
        return new StoredImage(m, c, names, repoDigests, size(c));
    }

    /** Where an image uses a layer blob: the image (its first name, or its short ID), the layer's place and count. */
    public record LayerUse(String image, int index, int count) {}

    /**
     * Every use of a layer blob by the images of the store, for messages about that blob. Reads manifests only (never
     * sizes, which would verify layers: this runs when a verification failed).
     */
    public List<LayerUse> usesOfLayerBlob(Digest blob) {
        Map<Digest, List<Descriptor>> byDigest = new LinkedHashMap<>();
        for (Descriptor d : store.indexEntries())
            if (!MediaType.isIndex(d.mediaType()))
                byDigest.computeIfAbsent(d.digest(), k -> new ArrayList<>()).add(d);
        List<LayerUse> out = new ArrayList<>();
        for (List<Descriptor> entries : byDigest.values()) {
            List<Descriptor> layers = readManifest(entries.getFirst()).layers();
            List<ImageRef> names = new ArrayList<>();
            namesAndDigests(entries, names, new ArrayList<>());
            for (int n = 0; n < layers.size(); n++) {
                if (!layers.get(n).digest().equals(blob)) continue;
                String image = names.isEmpty()
                        ? entries.getFirst().digest().shortHex()
                        : names.getFirst().familiar();
                out.add(new LayerUse(image, n, layers.size()));
            }
        }
        return out;
    }

    /**
     * Finds an image as docker does: a full {@code sha256:} ID, then a name (default tag latest), then a unique
     * ID prefix; {@code name@sha256:...} matches the manifest digest.
     */
    public StoredImage resolve(String refOrId) {
        return find(refOrId).orElseThrow(() -> new ImageNotFoundException(refOrId));
    }

    public Optional<StoredImage> find(String refOrId) {
        List<StoredImage> all = list();
        if (refOrId.startsWith("sha256:") && Digest.isDigest(refOrId)) {
            Digest d = Digest.parse(refOrId);
            for (StoredImage i : all)
                if (i.id().equals(d) || i.manifestDescriptor().digest().equals(d)) return Optional.of(i);
            return memberById(d);
        }
        ImageRef ref = null;
        try {
            ref = ImageRef.parse(refOrId);
        } catch (IllegalArgumentException ignored) {
            // may still be an ID prefix
        }
        if (ref != null) {
            for (StoredImage i : all) {
                if (ref.digest() != null) {
                    if (i.repoDigests().contains(ref.repository() + "@" + ref.digest())) return Optional.of(i);
                    if (i.manifestDescriptor().digest().equals(ref.digest())) {
                        for (String rd : i.repoDigests())
                            if (rd.startsWith(ref.repository() + "@")) return Optional.of(i);
                        for (ImageRef n : i.names()) if (n.repository().equals(ref.repository())) return Optional.of(i);
                    }
                } else if (i.names().contains(ref)) {
                    return Optional.of(i);
                }
            }
        }
        if (HEX_PREFIX.matcher(refOrId).matches()) {
            StoredImage match = null;
            for (StoredImage i : all) {
                if (i.id().hex().startsWith(refOrId)) {
                    if (match != null && !match.id().equals(i.id())) {
                        throw new StoreException("ambiguous image ID prefix \"" + refOrId + "\": several images match");
                    }
                    match = i;
                }
            }
            return Optional.ofNullable(match);
        }
        return Optional.empty();
    }

    /** A platform's image of a multi-platform image, by its ID or manifest digest. */
    private Optional<StoredImage> memberById(Digest d) {
        for (ImageIndexes.Named idx : new ImageIndexes(store).list()) {
            if (idx.digest().equals(d)) return Optional.of(member(idx, ImageIndexes.preferred(idx)));
            for (Descriptor m : idx.members()) {
                StoredImage i = member(idx, m);
                if (i.id().equals(d) || m.digest().equals(d)) return Optional.of(i);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether the index already has this manifest under exactly these names (or, with none, at all): then
     * {@link #add} would change nothing, and a rebuild of an unchanged image need not read its config to call it.
     */
    public boolean isNamed(Digest manifest, List<ImageRef> names) {
        List<Descriptor> entries = store.indexEntries();
        if (names.isEmpty()) return entries.stream().anyMatch(d -> d.digest().equals(manifest));
        for (ImageRef n : names) {
            String want = n.toString();
            boolean found = false;
            for (Descriptor d : entries) {
                if (want.equals(d.annotation(Store.REF_NAME))) {
                    if (!d.digest().equals(manifest)) return false;
                    found = true;
                }
            }
            if (!found) return false;
        }
        return true;
    }

    /**
     * Records an image whose config and layer blobs are already in the store: writes the manifest and moves the
     * given names to it. An image without names is kept as a dangling image.
     */
    public void add(Manifest manifest, List<ImageRef> names, List<String> repoDigests) throws IOException {
        if (!store.hasBlob(manifest.config().digest()))
            throw new StoreException("config " + manifest.config().digest() + " is not in the store");
        for (Descriptor l : manifest.layers()) {
            if (!store.hasBlob(l.digest())) throw new StoreException("layer " + l.digest() + " is not in the store");
        }
        store.putBlob(manifest.raw());
        ImageConfig config = readConfig(manifest);
        Descriptor base =
                withSummary(manifest.descriptor(), config.digest(), config.createdText(), recordedSize(config));
        store.updateIndex(entries -> {
            List<Descriptor> out = new ArrayList<>();
            String rd = repoDigests == null || repoDigests.isEmpty() ? null : String.join(",", repoDigests);
            for (Descriptor d : entries) {
                String n = d.annotation(Store.REF_NAME);
                if (n != null && names.stream().anyMatch(r -> r.toString().equals(n))) continue;
                if (d.digest().equals(manifest.digest()) && n == null && !names.isEmpty()) continue;
                out.add(d);
            }
            if (names.isEmpty()) {
                if (out.stream().noneMatch(d -> d.digest().equals(manifest.digest()))) out.add(entry(base, null, rd));
            } else {
                for (ImageRef r : names) out.add(entry(base, r, rd));
            }
            return keepDangling(entries, out);
        });
    }

    /** Adds a name to an image. */
    public void tag(StoredImage image, ImageRef name) {
        add(image, name);
    }

    private void add(StoredImage image, ImageRef name) {
        Descriptor base = withSummary(
                image.manifestDescriptor(), image.id(), image.config().createdText(), recordedSize(image.config()));
        String rd = image.repoDigests().isEmpty() ? null : String.join(",", image.repoDigests());
        store.updateIndex(entries -> {
            List<Descriptor> out = new ArrayList<>();
            for (Descriptor d : entries) {
                String n = d.annotation(Store.REF_NAME);
                if (n != null && n.equals(name.toString())) continue;
                if (n == null && d.digest().equals(image.manifestDescriptor().digest())) continue;
                out.add(d);
            }
            out.add(entry(base, name, rd));
            return keepDangling(entries, out);
        });
    }

    /** Records that a registry holds this image under {@code repoDigest} ({@code repository@sha256:...}), as after a push. */
    public void addRepoDigest(Digest manifestDigest, String repoDigest) {
        store.updateIndex(entries -> {
            List<Descriptor> out = new ArrayList<>();
            for (Descriptor d : entries) {
                if (!d.digest().equals(manifestDigest)) {
                    out.add(d);
                    continue;
                }
                Map<String, String> ann = new LinkedHashMap<>(d.annotations());
                List<String> rds = new ArrayList<>();
                String cur = ann.get(REPO_DIGESTS);
                if (cur != null) for (String x : cur.split(",")) if (!x.isEmpty()) rds.add(x);
                if (!rds.contains(repoDigest)) rds.add(repoDigest);
                ann.put(REPO_DIGESTS, String.join(",", rds));
                out.add(d.withAnnotations(ann));
            }
            return out;
        });
    }

    /** Removes a name; returns true if the image it named has no names left. */
    public boolean untag(ImageRef name) {
        boolean[] last = {false};
        store.updateIndex(entries -> {
            List<Descriptor> out = new ArrayList<>();
            Descriptor removed = null;
            for (Descriptor d : entries) {
                if (name.toString().equals(d.annotation(Store.REF_NAME))) removed = d;
                else out.add(d);
            }
            if (removed == null) throw new ImageNotFoundException(name.familiar());
            Digest dg = removed.digest();
            last[0] = out.stream().noneMatch(d -> d.digest().equals(dg) && d.annotation(Store.REF_NAME) != null);
            if (last[0]) out.removeIf(d -> d.digest().equals(dg));
            return out;
        });
        return last[0];
    }

    /** Removes every entry of an image (its names and its dangling entry). Blobs stay until garbage collection. */
    public void remove(Digest manifestDigest) {
        store.updateIndex(entries -> {
            entries.removeIf(d -> d.digest().equals(manifestDigest));
            return entries;
        });
    }

    /**
     * Images that lost their last name in this update stay listed as dangling, as docker keeps them; an index that
     * lost its last one goes (its blobs are garbage for the next prune).
     */
    static List<Descriptor> keepDangling(List<Descriptor> before, List<Descriptor> after) {
        for (Descriptor d : before) {
            if (MediaType.isIndex(d.mediaType())) continue;
            if (after.stream().noneMatch(a -> a.digest().equals(d.digest()))) {
                Map<String, String> ann = new LinkedHashMap<>(d.annotations());
                ann.remove(Store.REF_NAME);
                ann.remove(Store.CONTAINERD_NAME);
                after.add(d.withAnnotations(ann));
            }
        }
        return after;
    }

    private static Descriptor withSummary(Descriptor d, Digest id, String created, long size) {
        Map<String, String> ann = new LinkedHashMap<>();
        ann.put(SUMMARY_ID, id.toString());
        if (created != null) ann.put(SUMMARY_CREATED, created);
        if (size >= 0) ann.put(SUMMARY_SIZE, Long.toString(size)); // unknown until its layers are verified
        return new Descriptor(d.mediaType(), d.digest(), d.size(), ann, null, null);
    }

    private static Descriptor entry(Descriptor base, ImageRef name, String repoDigests) {
        Map<String, String> ann = new LinkedHashMap<>();
        for (String k : List.of(SUMMARY_ID, SUMMARY_CREATED, SUMMARY_SIZE)) {
            String v = base.annotation(k);
            if (v != null) ann.put(k, v);
        }
        if (name != null) {
            ann.put(Store.REF_NAME, name.toString());
            ann.put(Store.CONTAINERD_NAME, name.toString());
        }
        if (repoDigests != null) ann.put(REPO_DIGESTS, repoDigests);
        return new Descriptor(base.mediaType(), base.digest(), base.size(), ann, null, null);
    }
}
