package dev.whittle.archive;

import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageIndex;
import dev.whittle.image.ImageRef;
import dev.whittle.image.Manifest;
import dev.whittle.image.MediaType;
import dev.whittle.json.Json;
import dev.whittle.store.ImageIndexes;
import dev.whittle.store.Images;
import dev.whittle.store.LayerInfo;
import dev.whittle.store.Store;
import dev.whittle.store.StoreException;
import dev.whittle.store.StoredImage;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes image archives: the docker-archive that Docker ≥ 25 writes (an OCI layout with uncompressed layers named by
 * diffID, plus {@code manifest.json} and {@code repositories}), which Docker Engine 20.10 and later {@code docker load}
 * accept, or a plain OCI archive with the blobs exactly as stored. A multi-platform image goes in either whole, as
 * Docker ≥ 25 with the containerd store saves it: index.json names the index, every platform's blobs as stored, and a
 * docker-archive's manifest.json names one platform (this machine's, else the first) for loaders that know no index.
 * Member order and times are fixed, so the same images give the same bytes.
 */
public final class ArchiveWriter {
    public enum Format {
        DOCKER,
        OCI
    }

    /** An image to write and the names it is written under. */
    public record Entry(StoredImage image, List<ImageRef> names) {}

    private final Store store;

    public ArchiveWriter(Store store) {
        this.store = store;
    }

    /** A multi-platform image to write whole and the names it is written under. */
    public record IndexEntry(ImageIndexes.Named index, List<ImageRef> names) {}

    public void write(List<Entry> entries, Format format, OutputStream out) throws IOException {
        write(entries, List.of(), format, out);
    }

    /**
     * As {@link #write(List, Format, OutputStream)}, with multi-platform images: each index goes in the archive's
     * index.json under its names, with every platform's manifest, config and layers, as a registry holds them.
     */
    public void write(List<Entry> entries, List<IndexEntry> indexes, Format format, OutputStream out)
            throws IOException {
        if (entries.isEmpty() && indexes.isEmpty()) throw new ArchiveException("no images to save");
        TarWriter tar = new TarWriter(out);
        Map<String, Blob> blobs = new TreeMap<>();
        List<Object> manifestJson = new ArrayList<>();
        Map<String, Map<String, String>> repositories = new TreeMap<>();
        List<Descriptor> indexEntries = new ArrayList<>();
        for (Entry e : entries) {
            StoredImage img = e.image();
            Manifest m = img.manifest();
            blobs.put(m.config().digest().hex(), Blob.stored(m.config().digest()));
            if (format == Format.OCI) {
                for (Descriptor l : m.layers()) blobs.put(l.digest().hex(), Blob.stored(l.digest()));
                blobs.put(m.digest().hex(), Blob.stored(m.digest()));
                indexEntries.addAll(ociIndexEntries(m.descriptor(), e.names()));
                continue;
            }
            List<Digest> diffIds = img.config().diffIds();
            List<Descriptor> uncompressed = new ArrayList<>();
            List<String> layerPaths = new ArrayList<>();
            for (int i = 0; i < diffIds.size(); i++) {
                Digest diffId = diffIds.get(i);
                LayerInfo li = store.layer(diffId);
                if (li == null)
                    throw new StoreException(
                            "layer " + diffId + " of image " + img.id().shortHex() + " is not in the store");
                blobs.put(diffId.hex(), Blob.layer(diffId, li.tarSize()));
                uncompressed.add(new Descriptor(MediaType.OCI_LAYER, diffId, li.tarSize()));
                layerPaths.add("blobs/sha256/" + diffId.hex());
            }
            Manifest om = allUncompressed(m)
                    ? m
                    : Manifest.create(
                            true,
                            new Descriptor(
                                    MediaType.OCI_CONFIG,
                                    m.config().digest(),
                                    m.config().size()),
                            uncompressed,
                            null);
            blobs.put(om.digest().hex(), Blob.bytes(om.raw()));
            indexEntries.addAll(ociIndexEntries(om.descriptor(), e.names()));
            for (ImageRef n : e.names()) {
                repositories
                        .computeIfAbsent(n.familiarRepository(), k -> new TreeMap<>())
                        .put(n.tag(), diffIds.isEmpty() ? "" : diffIds.getLast().hex());
            }
            manifestJson.add(manifestEntry(m.config().digest(), e.names(), layerPaths));
        }

        Images images = new Images(store);
        for (IndexEntry ie : indexes) {
            ImageIndexes.Named idx = ie.index();
            blobs.put(idx.digest().hex(), Blob.stored(idx.digest()));
            for (Descriptor md : idx.members()) {
                Manifest m = images.member(idx, md).manifest();
                blobs.put(m.digest().hex(), Blob.stored(m.digest()));
                blobs.put(m.config().digest().hex(), Blob.stored(m.config().digest()));
                for (Descriptor l : m.layers()) blobs.put(l.digest().hex(), Blob.stored(l.digest()));
            }
            Descriptor d = idx.entry();
            indexEntries.addAll(ociIndexEntries(new Descriptor(d.mediaType(), d.digest(), d.size()), ie.names()));
            if (format == Format.DOCKER) {
                // as containerd's exporter under Docker ≥ 25: the layers as stored (docker load decompresses them)
                Manifest m = images.member(idx, ImageIndexes.preferred(idx)).manifest();
                List<String> layerPaths = m.layers().stream()
                        .map(l -> "blobs/sha256/" + l.digest().hex())
                        .toList();
                manifestJson.add(manifestEntry(m.config().digest(), ie.names(), layerPaths));
            }
        }
        tar.writeHeader(TarEntry.dir("blobs", 0755, 0));
        tar.writeHeader(TarEntry.dir("blobs/sha256", 0755, 0));
        for (Map.Entry<String, Blob> b : blobs.entrySet()) writeBlob(tar, "blobs/sha256/" + b.getKey(), b.getValue());
        file(tar, "index.json", ImageIndex.create(indexEntries).raw());
        if (format == Format.DOCKER) file(tar, "manifest.json", Json.write(manifestJson));
        file(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes());
        if (format == Format.DOCKER && !repositories.isEmpty()) file(tar, "repositories", Json.write(repositories));
        tar.finish();
        out.flush();
    }

    /** One image of manifest.json, the part of the archive Docker ≤ 24's {@code docker load} reads. */
    private static Map<String, Object> manifestEntry(Digest config, List<ImageRef> names, List<String> layerPaths) {
        Map<String, Object> me = new LinkedHashMap<>();
        me.put("Config", "blobs/sha256/" + config.hex());
        me.put("RepoTags", names.stream().map(ImageRef::familiar).toList());
        me.put("Layers", layerPaths);
        return me;
    }

    private boolean allUncompressed(Manifest m) {
        if (!m.isOci()) return false;
        for (Descriptor l : m.layers()) if (!MediaType.OCI_LAYER.equals(l.mediaType())) return false;
        return true;
    }

    /** One index entry per name (tag in ref.name, full name for containerd), or one unnamed entry. */
    private static List<Descriptor> ociIndexEntries(Descriptor d, List<ImageRef> names) {
        List<Descriptor> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (ImageRef n : names) {
            if (!seen.add(n.toString())) continue;
            Map<String, String> a = new TreeMap<>();
            a.put(Store.CONTAINERD_NAME, n.toString());
            a.put(Store.REF_NAME, n.tag());
            out.add(new Descriptor(d.mediaType(), d.digest(), d.size(), a, null, null));
        }
        if (out.isEmpty()) out.add(new Descriptor(d.mediaType(), d.digest(), d.size()));
        return out;
    }

    private void file(TarWriter tar, String name, byte[] data) throws IOException {
        tar.write(TarEntry.file(name, 0644, data.length, 0), data);
    }

    private void writeBlob(TarWriter tar, String name, Blob b) throws IOException {
        if (b.bytes != null) {
            file(tar, name, b.bytes);
            return;
        }
        if (b.layer) {
            Digest diffId = b.digest;
            tar.writeHeader(TarEntry.file(name, 0644, b.size, 0));
            try (InputStream in = store.openLayer(diffId)) {
                tar.writeContent(in);
            }
            return;
        }
        long size = store.blobSize(b.digest);
        tar.writeHeader(TarEntry.file(name, 0644, size, 0));
        try (InputStream in = store.openBlob(b.digest)) {
            tar.writeContent(in);
        }
    }

    /** A member to write: bytes in hand, a stored blob, or a layer's uncompressed tar. */
    private record Blob(Digest digest, byte[] bytes, boolean layer, long size) {
        static Blob stored(Digest d) {
            return new Blob(d, null, false, -1);
        }

        static Blob bytes(byte[] b) {
            return new Blob(null, b, false, b.length);
        }

        static Blob layer(Digest diffId, long size) {
            return new Blob(diffId, null, true, size);
        }
    }
}
