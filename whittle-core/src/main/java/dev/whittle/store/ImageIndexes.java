package dev.whittle.store;

import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageIndex;
import dev.whittle.image.ImageRef;
import dev.whittle.image.MediaType;
import dev.whittle.image.Platform;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The multi-platform images of a store: OCI image indexes named in index.json as images are (one entry per name,
 * media type an index), each platform's manifest held through its index only, so a two-platform image is one row of
 * {@code images}, not three.
 */
public final class ImageIndexes {
    private final Store store;

    public ImageIndexes(Store store) {
        this.store = store;
    }

    /** A named index: its entry in index.json, the index itself, and every name that points at it. */
    public record Named(Descriptor entry, ImageIndex index, List<ImageRef> names) {
        public Named {
            names = List.copyOf(names);
        }

        public Digest digest() {
            return entry.digest();
        }

        /** The image manifests, attestations and other non-image entries left out. */
        public List<Descriptor> members() {
            return index.manifests().stream()
                    .filter(d -> MediaType.isManifest(d.mediaType())
                            && (d.platform() == null
                                    || !"unknown".equals(d.platform().os())))
                    .toList();
        }
    }

    /** Every index of the store, once, in the order it first appears in index.json. */
    public List<Named> list() {
        Map<Digest, List<Descriptor>> byDigest = new LinkedHashMap<>();
        for (Descriptor d : store.indexEntries())
            if (MediaType.isIndex(d.mediaType()))
                byDigest.computeIfAbsent(d.digest(), k -> new ArrayList<>()).add(d);
        List<Named> out = new ArrayList<>();
        for (List<Descriptor> entries : byDigest.values()) {
            List<ImageRef> names = new ArrayList<>();
            for (Descriptor d : entries) {
                String n = d.annotation(Store.REF_NAME);
                if (n == null) continue;
                try {
                    names.add(ImageRef.parse(n));
                } catch (IllegalArgumentException ignored) {
                    // a name another tool wrote that docker would not accept: not ours to show
                }
            }
            out.add(new Named(entries.getFirst(), read(entries.getFirst()), names));
        }
        return out;
    }

    /** The index a name (docker's normalisation) or an index digest names. */
    public Optional<Named> find(String refOrDigest) {
        if (refOrDigest.startsWith("sha256:") && Digest.isDigest(refOrDigest)) {
            Digest d = Digest.parse(refOrDigest);
            return list().stream().filter(n -> n.digest().equals(d)).findFirst();
        }
        ImageRef ref;
        try {
            ref = ImageRef.parse(refOrDigest);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        for (Named n : list()) {
            if (n.names().contains(ref)) return Optional.of(n);
            if (ref.digest() != null && ref.digest().equals(n.digest())) {
                for (ImageRef name : n.names()) if (name.repository().equals(ref.repository())) return Optional.of(n);
            }
        }
        return Optional.empty();
    }

    /** The manifest for {@code wanted}, trying compatible platforms as containerd does; empty when none fits. */
    public static Optional<Descriptor> select(Named idx, Platform wanted) {
        return idx.index().select(wanted);
    }

    /** The manifest {@code images} and a plain {@code run} use: this machine's platform, else the first. */
    public static Descriptor preferred(Named idx) {
        List<Descriptor> members = idx.members();
        if (members.isEmpty()) throw new StoreException("image index " + idx.digest() + " holds no image");
        return select(idx, Platform.host()).orElse(members.getFirst());
    }

    /**
     * Stores an index whose manifests are already in the store and moves the names to it. Unnamed entries of its
     * manifests (each platform's build leaves one) are dropped: the index holds them now.
     */
    public void add(ImageIndex index, List<ImageRef> names) throws IOException {
        if (names.isEmpty()) throw new IllegalArgumentException("an image index needs a name");
        // the images must be here; a registry's attestation manifests need not (nothing runs them)
        for (Descriptor d : new Named(new Descriptor(index.mediaType(), index.digest(), 0), index, names).members())
            if (!store.hasBlob(d.digest())) throw new StoreException("manifest " + d.digest() + " is not in the store");
        store.putBlob(index.raw());
        Descriptor base = new Descriptor(index.mediaType(), index.digest(), index.raw().length);
        List<Digest> members =
                index.manifests().stream().map(Descriptor::digest).toList();
        store.updateIndex(entries -> {
            List<Descriptor> before = new ArrayList<>();
            List<Descriptor> out = new ArrayList<>();
            for (Descriptor d : entries) {
                String n = d.annotation(Store.REF_NAME);
                if (n == null && (members.contains(d.digest()) || d.digest().equals(base.digest()))) continue;
                before.add(d);
                if (n != null && names.stream().anyMatch(r -> r.toString().equals(n))) continue;
                out.add(d);
            }
            for (ImageRef r : names) {
                Map<String, String> ann = new LinkedHashMap<>();
                ann.put(Store.REF_NAME, r.toString());
                ann.put(Store.CONTAINERD_NAME, r.toString());
                out.add(base.withAnnotations(ann));
            }
            return Images.keepDangling(before, out);
        });
    }

    /** Adds a name to an index (moving it from whatever it named). */
    public void tag(Named idx, ImageRef name) throws IOException {
        add(idx.index(), List.of(name));
    }

    private ImageIndex read(Descriptor d) {
        try {
            return ImageIndex.parse(store.readBlob(d.digest()), d.mediaType());
        } catch (StoreException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new StoreException("image index " + d.digest() + " in the store is unreadable: " + e.getMessage(), e);
        }
    }
}
