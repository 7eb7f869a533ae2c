package dev.whittle.archive;

import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageConfig;
import dev.whittle.image.ImageIndex;
import dev.whittle.image.ImageRef;
import dev.whittle.image.Manifest;
import dev.whittle.image.MediaType;
import dev.whittle.image.Platform;
import dev.whittle.io.Compression;
import dev.whittle.json.Json;
import dev.whittle.json.JsonException;
import dev.whittle.json.JsonObjects;
import dev.whittle.store.ImageIndexes;
import dev.whittle.store.Images;
import dev.whittle.store.LayerIngest;
import dev.whittle.store.Store;
import dev.whittle.tar.PathNames;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarFormatException;
import dev.whittle.tar.TarReader;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads image archives into the store, as {@code docker load} does: docker-archives written by Docker ≤ 24
 * ({@code <id>/layer.tar}, symlinked duplicates), by Docker ≥ 25 (OCI layout plus {@code manifest.json}), by crane
 * (compressed layer files), and plain OCI archives; the whole stream and each layer may be compressed.
 *
 * <p>The archive is read once. Members larger than a few MB are taken straight into the store as layers while they
 * stream past; small members stay in memory until {@code manifest.json} or {@code index.json} says what they are.
 * Every layer is checked against the diffID its config declares before any name is recorded, so a bad archive leaves
 * at most unreferenced blobs, which {@code system prune} removes.
 */
public final class ArchiveLoader {
    private static final int IN_MEMORY = 4 << 20;

    private final Store store;
    private final Platform platform;
    private LayerProgress progress = (id, done, total) -> {};

    public ArchiveLoader(Store store, Platform platform) {
        this.store = store;
        this.platform = platform;
    }

    /** Told how far each large member (a layer, read as it streams in) has got; {@code id} names it as docker does. */
    public interface LayerProgress {
        void loading(String id, long done, long total);
    }

    private boolean keepIndexes;

    /**
     * Loads a multi-platform image of an OCI archive whole (every platform, the index under its names) when the
     * archive holds all of it; else, as without, the loader's platform only.
     */
    public ArchiveLoader keepIndexes(boolean keep) {
        this.keepIndexes = keep;
        return this;
    }

    public ArchiveLoader progress(LayerProgress p) {
        this.progress = p;
        return this;
    }

    /** docker's short name of a member: the digest of {@code blobs/sha256/<hex>}, the directory of {@code <id>/layer.tar}. */
    static String shortId(String member) {
        String n = member.startsWith("blobs/sha256/")
                ? member.substring("blobs/sha256/".length())
                : member.replaceFirst("/.*$", "");
        return n.length() > 12 ? n.substring(0, 12) : n;
    }

    /** Reports the bytes read of one member, every 256 KiB and at its end. */
    private InputStream watched(InputStream in, String member, long size) {
        String id = shortId(member);
        progress.loading(id, 0, size);
        return new FilterInputStream(in) {
            long done, told;

            @Override
            public int read() throws IOException {
                int c = super.read();
                if (c >= 0) count(1);
                return c;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) count(n);
                return n;
            }

            private void count(long n) {
                done += n;
                if (done - told >= 256 * 1024 || done == size) {
                    told = done;
                    progress.loading(id, done, size);
                }
            }
        };
    }

    /** One image loaded: its ID, the names it received and its manifest. */
    public record Loaded(Digest id, List<ImageRef> names, Manifest manifest) {}

    private final Map<String, byte[]> small = new HashMap<>();
    private final Map<String, LayerIngest.Result> ingested = new HashMap<>();
    /** Large members that are not valid layers: an error only if an image names them, which manifest.json tells later. */
    private final Map<String, TarFormatException> refused = new HashMap<>();

    private final Map<String, String> links = new HashMap<>();

    public List<Loaded> load(InputStream archive) throws IOException {
        InputStream in = Compression.decompress(archive);
        TarReader r = new TarReader(in);
        boolean any = false;
        try {
            for (TarEntry e; (e = r.next()) != null; ) {
                any = true;
                switch (e.type()) {
                    case FILE -> {
                        if (e.size() <= IN_MEMORY) {
                            small.put(e.name(), r.readContent(IN_MEMORY));
                        } else {
                            try {
                                ingested.put(
                                        e.name(),
                                        LayerIngest.ingest(
                                                store,
                                                watched(r.content(), e.name(), e.size()),
                                                LayerIngest.Keep.AS_IS,
                                                null,
                                                null,
                                                e.size(),
                                                null,
                                                true));
                            } catch (TarFormatException ex) {
                                refused.put(e.name(), ex);
                            }
                        }
                    }
                    case SYMLINK ->
                        links.put(e.name(), PathNames.clampToRoot(PathNames.join(e.parent(), e.linkName())));
                    case HARDLINK -> links.put(e.name(), e.linkName());
                    default -> {}
                }
            }
        } catch (TarFormatException e) {
            if (!any) throw new ArchiveException("not an image archive: " + e.getMessage(), e);
            throw new ArchiveException("invalid archive: " + e.getMessage(), e);
        }
        if (!any) throw new ArchiveException("not an image archive: the stream is empty");
        // Docker ≥ 25's archive of a multi-platform image is both: its index.json has every platform, manifest.json one
        if (small.containsKey("manifest.json") && !holdsWholeIndexes()) return loadDocker();
        if (small.containsKey("index.json") && small.containsKey("oci-layout")) return loadOci();
        throw new ArchiveException("invalid archive: does not contain a manifest.json");
    }

    private String resolve(String path) {
        String p = PathNames.clean(path);
        if (p == null) throw new ArchiveException("invalid archive: path \"" + path + "\" escapes the archive");
        for (int hops = 0; links.containsKey(p); hops++) {
            if (hops > 40) throw new ArchiveException("invalid archive: too many links at \"" + path + "\"");
            p = links.get(p);
        }
        return p;
    }

    private byte[] smallMember(String path, String what) {
        byte[] b = small.get(resolve(path));
        if (b == null) throw new ArchiveException("invalid archive: " + what + " \"" + path + "\" is missing");
        return b;
    }

    /** How messages name a layer: the image, its place in the image and the archive member. */
    private static String layerName(String image, int index, int count, String path) {
        return "image " + image + ", layer " + (index + 1) + " of " + count + " (\"" + path + "\")";
    }

    private LayerIngest.Result layer(
            String what, String path, String declaredType, Digest expectedDigest, long expectedSize, Digest diffId)
            throws IOException {
        String p = resolve(path);
        TarFormatException bad = refused.get(p);
        if (bad != null) throw new ArchiveException(what + ": " + bad.getMessage(), bad);
        LayerIngest.Result r = ingested.get(p);
        if (r == null) {
            byte[] b = small.get(p);
            if (b == null) throw new ArchiveException("invalid archive: " + what + " is missing");
            try {
                r = LayerIngest.ingest(
                        store,
                        new ByteArrayInputStream(b),
                        LayerIngest.Keep.AS_IS,
                        declaredType,
                        expectedDigest,
                        expectedSize,
                        diffId,
                        true);
            } catch (TarFormatException e) {
                throw new ArchiveException(what + ": " + e.getMessage(), e);
            }
            ingested.put(p, r);
            return r;
        }
        if (expectedDigest != null && !r.blobDigest().equals(expectedDigest)) {
            throw new ArchiveException(what + " has digest " + r.blobDigest() + ", expected " + expectedDigest);
        }
        if (diffId != null && !r.info().diffId().equals(diffId)) {
            throw new ArchiveException("invalid diffID for " + what + ": expected " + diffId + ", got "
                    + r.info().diffId());
        }
        return r;
    }

    @SuppressWarnings("unchecked")
    private List<Loaded> loadDocker() throws IOException {
        Object parsed;
        try {
            parsed = Json.parse(small.get("manifest.json"));
        } catch (JsonException e) {
            throw new ArchiveException("invalid archive: manifest.json: " + e.getMessage());
        }
        if (!(parsed instanceof List<?> entries))
            throw new ArchiveException("invalid archive: manifest.json is not a list");
        List<Loaded> out = new ArrayList<>();
        Images images = new Images(store);
        for (Object o : entries) {
            if (!(o instanceof Map<?, ?>))
                throw new ArchiveException("invalid archive: manifest.json entry is not an object");
            Map<String, Object> m = (Map<String, Object>) o;
            String configPath = JsonObjects.requireString(m, "Config");
            byte[] configBytes = smallMember(configPath, "config");
            ImageConfig config;
            try {
                config = ImageConfig.parse(configBytes);
            } catch (JsonException e) {
                throw new ArchiveException("invalid archive: config \"" + configPath + "\": " + e.getMessage());
            }
            List<String> layerPaths = JsonObjects.strings(m, "Layers");
            if (layerPaths == null) layerPaths = List.of();
            List<Digest> diffIds = config.diffIds();
            if (diffIds.size() != layerPaths.size()) {
                throw new ArchiveException("invalid archive: config \"" + configPath + "\" has " + diffIds.size()
                        + " diff_ids but manifest.json lists " + layerPaths.size() + " layers");
            }
            Map<String, Object> sources = JsonObjects.object(m, "LayerSources");
            List<String> tags = JsonObjects.strings(m, "RepoTags");
            String image = tags != null && !tags.isEmpty() ? tags.getFirst() : "\"" + configPath + "\"";
            List<Descriptor> layers = new ArrayList<>();
            for (int i = 0; i < layerPaths.size(); i++) {
                Digest diffId = diffIds.get(i);
                if (sources != null && sources.containsKey(diffId.toString())) {
                    throw new ArchiveException("image \"" + configPath + "\" has a foreign layer " + diffId
                            + ", which whittle does not load");
                }
                String path = layerPaths.get(i);
                layers.add(layer(layerName(image, i, layerPaths.size(), path), path, null, null, -1, diffId)
                        .descriptor());
            }
            store.putBlob(configBytes);
            Manifest manifest = Manifest.create(
                    true, new Descriptor(MediaType.OCI_CONFIG, config.digest(), configBytes.length), layers, null);
            List<ImageRef> names = new ArrayList<>();
            if (tags != null)
                for (String t : tags) {
                    try {
                        names.add(ImageRef.parse(t));
                    } catch (IllegalArgumentException e) {
                        throw new ArchiveException("invalid archive: RepoTags entry \"" + t + "\": " + e.getMessage());
                    }
                }
            images.add(manifest, names, List.of());
            out.add(new Loaded(config.digest(), names, manifest));
        }
        return out;
    }

    private List<Loaded> loadOci() throws IOException {
        ImageIndex index;
        try {
            Map<String, Object> layout = Json.parseObject(small.get("oci-layout"));
            String v = JsonObjects.string(layout, "imageLayoutVersion");
            if (!"1.0.0".equals(v)) throw new ArchiveException("unsupported OCI layout version " + v);
            index = ImageIndex.parse(small.get("index.json"), null);
        } catch (JsonException e) {
            throw new ArchiveException("invalid OCI archive: " + e.getMessage());
        }
        List<Loaded> out = new ArrayList<>();
        Images images = new Images(store);
        for (Descriptor d : index.manifests()) {
            Descriptor md = d;
            if (MediaType.isIndex(d.mediaType())) {
                ImageIndex nested = ImageIndex.parse(verified(d), d.mediaType());
                if (keepIndexes && whole(nested)) {
                    out.add(loadIndex(d, nested, images));
                    continue;
                }
                md = nested.select(platform)
                        .orElseThrow(() -> new ArchiveException("the archive has no image for platform " + platform
                                + " (it has " + nested.platforms() + ")"));
            }
            if (!MediaType.isManifest(md.mediaType())) continue;
            List<ImageRef> names = entryNames(d);
            Manifest manifest = loadManifest(md, entryName(d));
            images.add(manifest, names, List.of());
            out.add(new Loaded(
                    ImageConfig.parse(store.readBlob(manifest.config().digest()))
                            .digest(),
                    names,
                    manifest));
        }
        if (out.isEmpty()) throw new ArchiveException("the OCI archive holds no image manifest");
        return out;
    }

    /** The name an index.json entry gives its image (containerd's full name, or a ref.name that is one). */
    private static String entryName(Descriptor d) {
        String full = d.annotation(Store.CONTAINERD_NAME);
        String refName = d.annotation(Store.REF_NAME);
        return full != null
                ? full
                : (refName != null && (refName.contains(":") || refName.contains("/")) ? refName : null);
    }

    private static List<ImageRef> entryNames(Descriptor d) {
        String name = entryName(d);
        List<ImageRef> names = new ArrayList<>();
        if (name != null) {
            try {
                names.add(ImageRef.parse(name));
            } catch (IllegalArgumentException e) {
                // a name docker would not accept: load the image untagged, as docker does
            }
        }
        return names;
    }

    /** Reads one image manifest of the archive, its layers and config into the store; the caller names it. */
    private Manifest loadManifest(Descriptor md, String name) throws IOException {
        Manifest manifest;
        try {
            manifest = Manifest.parse(verified(md), md.mediaType());
        } catch (JsonException e) {
            throw new ArchiveException("invalid OCI archive: manifest " + md.digest() + ": " + e.getMessage());
        }
        byte[] configBytes = verified(manifest.config());
        ImageConfig config = ImageConfig.parse(configBytes);
        List<Digest> diffIds = config.diffIds();
        if (diffIds.size() != manifest.layers().size()) {
            throw new ArchiveException("invalid OCI archive: manifest " + manifest.digest() + " has "
                    + manifest.layers().size() + " layers but its config has " + diffIds.size() + " diff_ids");
        }
        String image = name != null ? name : manifest.digest().toString();
        for (int i = 0; i < manifest.layers().size(); i++) {
            Descriptor l = manifest.layers().get(i);
            String path = blobPath(l.digest());
            layer(
                    layerName(image, i, manifest.layers().size(), path),
                    path,
                    l.mediaType(),
                    l.digest(),
                    l.size(),
                    diffIds.get(i));
        }
        store.putBlob(configBytes);
        return manifest;
    }

    /**
     * Whether the archive is an OCI layout whose index.json names image indexes, each with every platform in the
     * archive. One that holds only some (Docker 25 saves what it has) is loaded by its manifest.json, as before.
     */
    private boolean holdsWholeIndexes() {
        if (!small.containsKey("index.json") || !small.containsKey("oci-layout")) return false;
        try {
            List<Descriptor> indexes = ImageIndex.parse(small.get("index.json"), null).manifests().stream()
                    .filter(d -> MediaType.isIndex(d.mediaType()))
                    .toList();
            for (Descriptor d : indexes) if (!whole(ImageIndex.parse(verified(d), d.mediaType()))) return false;
            return !indexes.isEmpty();
        } catch (RuntimeException e) {
            return false; // manifest.json decides, as for Docker ≤ 24's archives
        }
    }

    /** Whether the archive holds every platform of an index (a registry's index saved whole), not only some. */
    private boolean whole(ImageIndex index) {
        if (index.manifests().isEmpty()) return false;
        for (Descriptor m : index.manifests()) {
            if (!MediaType.isManifest(m.mediaType()) || !has(m.digest())) return false;
            try {
                Manifest manifest = Manifest.parse(small.get(resolve(blobPath(m.digest()))), m.mediaType());
                if (!has(manifest.config().digest())) return false;
                for (Descriptor l : manifest.layers()) if (!has(l.digest())) return false;
            } catch (RuntimeException e) {
                return false;
            }
        }
        return true;
    }

    private boolean has(Digest d) {
        String p = resolve(blobPath(d));
        return small.containsKey(p) || ingested.containsKey(p);
    }

    /** Every platform's image, then the index under the entry's name; the listing's image stands for it. */
    private Loaded loadIndex(Descriptor entry, ImageIndex index, Images images) throws IOException {
        List<ImageRef> names = entryNames(entry);
        String shown =
                entryName(entry) != null ? entryName(entry) : entry.digest().toString();
        for (Descriptor m : index.manifests()) {
            Manifest manifest = loadManifest(m, shown + " (" + m.platform() + ")");
            // unnamed until the index holds it; without a name the platforms stay as images of their own
            images.add(manifest, List.of(), List.of());
        }
        store.putBlob(index.raw());
        if (!names.isEmpty()) new ImageIndexes(store).add(index, names);
        Descriptor pick = index.select(platform).orElse(index.manifests().getFirst());
        Manifest m = Manifest.parse(store.readBlob(pick.digest()), pick.mediaType());
        return new Loaded(ImageConfig.parse(store.readBlob(m.config().digest())).digest(), names, m);
    }

    private static String blobPath(Digest d) {
        return "blobs/" + d.algorithm() + "/" + d.hex();
    }

    private byte[] verified(Descriptor d) {
        byte[] b = smallMember(blobPath(d.digest()), "blob");
        if (!Digest.sha256(b).equals(d.digest())) {
            throw new ArchiveException("invalid OCI archive: blob " + d.digest() + " does not match its digest");
        }
        return b;
    }
}
