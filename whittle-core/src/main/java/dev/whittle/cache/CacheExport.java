package dev.whittle.cache;

import dev.whittle.build.BuildCache;
import dev.whittle.diag.Trace;
import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.Manifest;
import dev.whittle.image.MediaType;
import dev.whittle.registry.RegistryClient;
import dev.whittle.store.LayerIngest;
import dev.whittle.store.LayerVariants;
import dev.whittle.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Writes a build's cache to a {@code --cache-to}: the step entries (the exported image's with mode=min, all the
 * build's with mode=max) with their layers compressed once (the store keeps the compressed blob, so an unchanged
 * layer is the same blob next time), and the build's cache mounts as tars. Blobs the destination has are not sent
 * (a registry is asked first, and offered a mount from the repository an imported cache came from); the manifest is
 * written last, and not at all when the destination's is the same document.
 */
public final class CacheExport {
    private final Store store;
    private final Consumer<String> log;

    public CacheExport(Store store, Consumer<String> log) {
        this.store = store;
        this.log = log;
    }

    /**
     * What a build leaves for an export: the step-cache keys it found or stored, the exported image's layers, the
     * cache mounts its RUNs named, and what it imported (null: nothing).
     */
    public record Built(
            BuildCache cache,
            List<String> keys,
            List<Digest> imageLayers,
            Map<String, BuildCache.MountUse> mounts,
            CacheImport imported) {}

    /** What an export did: blobs sent (and their bytes), blobs already there, whether the manifest was written. */
    public record Report(String where, int sent, long sentBytes, int present, boolean manifestWritten, Digest digest) {
        public String summary() {
            return "exported cache to " + where + ": " + sent + " blobs sent (" + sentBytes + " bytes), " + present
                    + " already there, manifest " + (manifestWritten ? "written" : "unchanged") + " (" + digest + ")";
        }
    }

    public Report export(CacheSpec.Export spec, Built built, Supplier<RegistryClient> registries) throws IOException {
        CacheLocation where = CacheLocations.of(spec.where(), registries);
        Map<Digest, Descriptor> blobs = new LinkedHashMap<>(); // in order of first use: indices are positions
        List<CacheRecord.Step> steps = new ArrayList<>();
        Set<Digest> image = new HashSet<>(built.imageLayers());
        Map<Digest, Descriptor> byLayer = new LinkedHashMap<>();
        for (String key : new TreeSet<>(built.keys())) {
            BuildCache.Entry e = built.cache().stored(key);
            if (e == null || (!spec.max() && !image.contains(e.diffId()))) continue;
            Descriptor blob = byLayer.get(e.diffId());
            if (blob == null && built.imported() != null) {
                // imported and never read here: passed on as it came, fetched only if the destination lacks it
                blob = built.imported().promisedBlob(e.diffId(), spec.compression());
                if (blob != null) byLayer.put(e.diffId(), blob);
            }
            if (blob == null) {
                if (store.layer(e.diffId()) == null) {
                    log.accept("WARNING: layer " + e.diffId() + " is no longer in the store: step not exported");
                    continue;
                }
                blob = compressed(e.diffId(), spec.compression());
                byLayer.put(e.diffId(), blob);
            }
            steps.add(new CacheRecord.Step(
                    Digest.parse("sha256:" + key), e.diffId(), index(blobs, blob), e.created(), e.next()));
        }
        if (built.imported() != null) {
            // steps another machine found under other keys for the same layers (a COPY is kept under two keys, and a
            // hit needs only one): passed on, so re-exporting what was imported is the same cache, not a smaller one
            Set<Digest> keys = new HashSet<>();
            for (CacheRecord.Step s : steps) keys.add(s.key());
            for (CacheRecord.Step s : built.imported().stepsMaking(byLayer.keySet())) {
                if (!keys.add(s.key())) continue;
                Descriptor blob = byLayer.get(s.diffId());
                steps.add(new CacheRecord.Step(s.key(), s.diffId(), index(blobs, blob), s.created(), s.next()));
            }
        }
        List<CacheRecord.Mount> mounts = new ArrayList<>();
        Trace.mark("cache export: steps listed");
        if (spec.mounts()) {
            for (Map.Entry<String, BuildCache.MountUse> m : built.mounts().entrySet()) {
                try {
                    CacheRecord.Mount x = mount(m.getKey(), m.getValue(), spec, blobs, built.imported());
                    if (x != null) mounts.add(x);
                } catch (IOException | RuntimeException e) {
                    // a cache mount another build is writing right now may change under the tar: only it is left out
                    log.accept(
                            "WARNING: cache mount " + m.getValue().id() + " not exported: " + CacheImport.message(e));
                }
            }
        }
        Trace.mark("cache export: cache mounts packed");
        CacheRecord record = new CacheRecord(steps, mounts, List.copyOf(blobs.values())).canonical();
        byte[] config = record.config();
        store.putBlob(config);
        Manifest manifest = record.manifest();
        int sent = 0, present = 0;
        long bytes = 0;
        List<Descriptor> all = new ArrayList<>(record.blobs());
        all.add(manifest.config());
        for (Descriptor d : all) {
            String from = built.imported() == null
                    ? null
                    : sameRegistry(where, built.imported().repositoryHolding(d.digest()));
            if (where.hasBlob(d)) {
                present++;
                continue;
            }
            if (!store.hasBlob(d.digest()) && built.imported() != null) {
                // known here by descriptor only: the registry may hold it in the cache's repository, so a mount
                // first, and the download (verified) only when the mount is refused
                if (from != null && where.mount(d, from)) {
                    present++;
                    continue;
                }
                built.imported().fetch(d.digest());
                from = null; // refused already
            }
            if (where.putBlob(d, store.blobPath(d.digest()), from)) {
                sent++;
                bytes += d.size();
            } else {
                present++;
            }
        }
        boolean write = !manifest.digest().equals(where.current());
        if (write) where.putManifest(manifest);
        return new Report(where.describe(), sent, bytes, present, write, manifest.digest());
    }

    /**
     * The inline cache of an image (the {@value CacheRecord#INLINE_FIELD} field of its config): the steps among
     * {@code keys} that made one of its layers, each naming the layer by its position in the image.
     */
    public static Map<String, Object> inline(
            BuildCache cache, List<String> keys, List<Digest> imageLayers, List<Descriptor> blobs) {
        List<CacheRecord.Step> steps = new ArrayList<>();
        for (String key : new TreeSet<>(keys)) {
            BuildCache.Entry e = cache.stored(key);
            int at = e == null ? -1 : imageLayers.indexOf(e.diffId());
            if (at >= 0)
                steps.add(new CacheRecord.Step(Digest.parse("sha256:" + key), e.diffId(), at, e.created(), e.next()));
        }
        return new CacheRecord(steps, List.of(), blobs).json();
    }

    /** A repository to mount blobs from: only one on the destination's registry (a path there), else null. */
    private static String sameRegistry(CacheLocation where, String source) {
        String dest = where.repository();
        if (dest == null || source == null) return null;
        String host = dest.substring(0, dest.indexOf('/') + 1);
        return source.startsWith(host) ? source.substring(host.length()) : null;
    }

    private static int index(Map<Digest, Descriptor> blobs, Descriptor d) {
        Descriptor had = blobs.putIfAbsent(d.digest(), d);
        int i = 0;
        for (Digest k : blobs.keySet()) {
            if (k.equals(d.digest())) return i;
            i++;
        }
        throw new IllegalStateException("blob " + had + " lost");
    }

    /** The layer's blob in the wanted compression: the one the store has, or one made now and kept. */
    private Descriptor compressed(Digest diffId, MediaType.Compression c) throws IOException {
        Descriptor d = LayerVariants.existing(store, diffId, c, true);
        return d != null ? d : LayerVariants.make(store, diffId, c, true, null, null);
    }

    private CacheRecord.Mount mount(
            String name,
            BuildCache.MountUse use,
            CacheSpec.Export spec,
            Map<Digest, Descriptor> blobs,
            CacheImport imported)
            throws IOException {
        String type =
                spec.compression() == MediaType.Compression.ZSTD ? CacheRecord.MOUNT_ZSTD : CacheRecord.MOUNT_GZIP;
        if (isEmpty(use.dir())) {
            // not used on this machine (every RUN that mounts it was cached): what was imported goes on as it was
            CacheImport.Passed p = imported == null ? null : imported.mount(name);
            if (p == null) return null;
            return new CacheRecord.Mount(name, use.id(), p.mount().diffId(), index(blobs, p.blob()));
        }
        LayerIngest.Result tar = MountArchive.pack(store, use.dir());
        if (tar.info().tarSize() > spec.mountsMax()) {
            log.accept("WARNING: cache mount " + use.id() + " is " + tar.info().tarSize()
                    + " bytes, more than mounts-max=" + spec.mountsMax() + ": not exported");
            return null;
        }
        Descriptor d = compressed(tar.info().diffId(), spec.compression());
        Descriptor blob = new Descriptor(type, d.digest(), d.size());
        return new CacheRecord.Mount(name, use.id(), tar.info().diffId(), index(blobs, blob));
    }

    private static boolean isEmpty(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return true;
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
