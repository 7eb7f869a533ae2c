package dev.whittle.cache;

import dev.whittle.build.BuildCache;
import dev.whittle.diag.Trace;
import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.Manifest;
import dev.whittle.image.MediaType;
import dev.whittle.registry.RegistryClient;
import dev.whittle.store.CompressionMismatchException;
import dev.whittle.store.LayerInfo;
import dev.whittle.store.LayerIngest;
import dev.whittle.store.Maintenance;
import dev.whittle.store.Store;
import dev.whittle.store.StoreException;
import dev.whittle.tar.TarFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The caches of a build's {@code --cache-from}s, in order. Loading fetches only each cache's manifest and config; a
 * step that hits is answered with its layer's descriptor, and the layer is downloaded when something first reads it
 * (see {@link #find}); a cache mount's tar when a RUN is about to mount the directory. Every blob is checked (digest,
 * size, and a layer's diffID) before it is used. A cache that is missing, unreachable, damaged or of another format is
 * a warning: the build goes on without it; a layer that fails when it is finally needed fails the build.
 */
public final class CacheImport implements BuildCache.Remote {
    /** The largest manifest or config read (as a registry's manifest limit). */
    static final int MAX_DOCUMENT = 8 << 20;

    private final Store store;
    private final Consumer<String> log;
    private final List<Loaded> caches;
    private final Map<Digest, Object> locks = new ConcurrentHashMap<>();

    private record Loaded(
            CacheLocation where,
            Manifest manifest,
            CacheRecord record,
            Map<Digest, CacheRecord.Step> steps,
            Map<String, CacheRecord.Mount> mounts) {}

    private CacheImport(Store store, Consumer<String> log, List<Loaded> caches) {
        this.store = store;
        this.log = log;
        this.caches = caches;
    }

    /**
     * Reads the caches' manifests and configs; one that cannot be read is reported to {@code log} and left out.
     *
     * @param registries the registry client, made when a registry cache is named
     */
    public static CacheImport load(
            Store store, List<CacheSpec.Import> specs, Supplier<RegistryClient> registries, Consumer<String> log) {
        List<Loaded> out = new ArrayList<>();
        for (CacheSpec.Import spec : specs) {
            CacheLocation where = CacheLocations.of(spec.where(), registries);
            try {
                Manifest m = where.manifest();
                if (m == null) {
                    log.accept("WARNING: " + where.describe() + " not found: building without it");
                    continue;
                }
                if (m.config().size() > MAX_DOCUMENT)
                    throw new IOException("its config claims " + m.config().size() + " bytes");
                byte[] config;
                try (InputStream in = where.openBlob(m.config())) {
                    config = in.readNBytes(MAX_DOCUMENT + 1);
                }
                if (!Digest.sha256(config).equals(m.config().digest()))
                    throw new IOException(
                            "its config is not the blob " + m.config().digest());
                // an image's config may hold an inline cache (--cache-to type=inline); anything else is a cache's
                CacheRecord r = m.config().mediaType().equals(MediaType.OCI_CONFIG)
                                || m.config().mediaType().equals(MediaType.DOCKER_CONFIG)
                        ? CacheRecord.parseInline(m, config)
                        : CacheRecord.parse(m, config);
                Map<Digest, CacheRecord.Step> steps = new LinkedHashMap<>();
                for (CacheRecord.Step s : r.steps()) steps.put(s.key(), s);
                Map<String, CacheRecord.Mount> mounts = new LinkedHashMap<>();
                for (CacheRecord.Mount x : r.mounts()) mounts.put(x.name(), x);
                out.add(new Loaded(where, m, r, steps, mounts));
            } catch (IOException | RuntimeException e) {
                log.accept("WARNING: cannot import " + where.describe() + ": " + message(e) + "; building without it");
            }
        }
        return new CacheImport(store, log, out);
    }

    /**
     * Loads the caches on a thread of their own, so their manifests and configs are fetched while the build plans the
     * Dockerfile and resolves its bases; the first step that looks for a cache waits for them.
     */
    public static Loading loadInBackground(
            Store store, List<CacheSpec.Import> specs, Supplier<RegistryClient> registries, Consumer<String> log) {
        CompletableFuture<CacheImport> f = new CompletableFuture<>();
        Thread.ofVirtual().name("cache-import").start(() -> {
            try {
                f.complete(load(store, specs, registries, log));
                Trace.mark("cache manifests imported");
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return new Loading(f);
    }

    /** Caches being loaded: asked, they answer once loaded. */
    public static final class Loading implements BuildCache.Remote {
        private final CompletableFuture<CacheImport> loaded;

        private Loading(CompletableFuture<CacheImport> loaded) {
            this.loaded = loaded;
        }

        /** The loaded caches (waits for them); a failure to load is thrown as it was. */
        public CacheImport get() {
            try {
                return loaded.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                if (e.getCause() instanceof Error x) throw x;
                throw e;
            }
        }

        @Override
        public BuildCache.Entry find(Digest key) {
            return get().find(key);
        }

        @Override
        public void restoreMount(String name, String id, Path dir) {
            get().restoreMount(name, id, dir);
        }
    }

    static String message(Exception e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /** Whether any cache was loaded. */
    public boolean isEmpty() {
        return caches.isEmpty();
    }

    /**
     * A hit downloads nothing: the step's layer is promised to the store by its descriptor and fetched (and verified)
     * when something first reads it: a RUN or a step that misses on top of it, a COPY --from it, the image being
     * stored. A step whose layer the store has already answers with the stored blob, described as the store knows it;
     * a cache that describes that blob otherwise (its size, its compression) lies, and its step is a miss.
     */
    @Override
    public BuildCache.Entry find(Digest key) {
        for (Loaded c : caches) {
            CacheRecord.Step s = c.steps().get(key);
            if (s == null) continue;
            Descriptor blob = c.record().blobs().get(s.blob());
            try {
                Descriptor local = stored(s.diffId(), blob);
                if (local == null) local = promise(c.where(), blob, s.diffId());
                return new BuildCache.Entry(s.diffId(), local, s.created(), s.next());
            } catch (StoreException | UncheckedIOException e) {
                // the cache lies about a blob the store has, or a fetched-but-unchecked layer of this store's is
                // not what it claims: a miss
                log.accept(
                        "WARNING: " + c.where().describe() + ": layer " + blob.digest() + " not used: " + message(e));
            }
        }
        return null;
    }

    /** Layers promised to the store by descriptor, by diffID: the first cache's blob is the one every hit names. */
    private final Map<Digest, Descriptor> promised = new ConcurrentHashMap<>();

    /** Failures of promised layers, by diffID: every later use fails the same way, without downloading again. */
    private final Map<Digest, StoreException> failed = new ConcurrentHashMap<>();

    private Descriptor promise(CacheLocation where, Descriptor blob, Digest diffId) {
        Descriptor first = promised.putIfAbsent(diffId, blob);
        if (first != null) return first;
        store.fetchOnFirstUse(diffId, () -> fetchPromised(where, blob, diffId));
        return blob;
    }

    /**
     * Fetches a promised layer. The step that named it was shown CACHED and later steps built on it, so a layer that
     * cannot be had now fails the build (as BuildKit's lazy layers do): nothing of it is stored.
     */
    private LayerInfo fetchPromised(CacheLocation where, Descriptor blob, Digest diffId) {
        StoreException before = failed.get(diffId);
        if (before != null) throw before;
        String why;
        Exception cause;
        try (InputStream in = where.openBlob(blob)) {
            // all of the descriptor checked before anything is stored: the step-cache entries and the image name
            // the layer by it
            return LayerIngest.ingestExactly(store, in, blob, diffId).info();
        } catch (CompressionMismatchException e) {
            why = "is not the " + e.declared() + " the cache says it is";
            cause = e;
        } catch (StoreException | TarFormatException e) {
            why = "is not what the cache says: " + message(e);
            cause = e;
        } catch (IOException | RuntimeException e) {
            why = "could not be read: " + message(e);
            cause = e;
        }
        StoreException x = new StoreException(
                where.describe() + ": layer " + blob.digest() + " " + why
                        + ". A step of this build was CACHED from it, so the build cannot go on without it: build"
                        + " again without this --cache-from, or export the cache again",
                cause);
        failed.putIfAbsent(diffId, x);
        throw x;
    }

    /**
     * The stored blob of a layer the store holds (a blob fetched unchecked is checked now), as the store describes it,
     * or null. A cache that names the store's blob with another size or compression is lying: a
     * {@link StoreException}.
     */
    private Descriptor stored(Digest diffId, Descriptor blob) {
        if (!store.holdsLayer(diffId)) return null;
        LayerInfo have = store.layer(diffId);
        if (have == null) return null;
        Descriptor own = store.layerBlob(have, blob.digest());
        if (own != null) {
            if (own.size() != blob.size()
                    || MediaType.layerCompression(own.mediaType()) != MediaType.layerCompression(blob.mediaType()))
                throw new StoreException("the cache says it is " + blob.size() + " bytes of " + blob.mediaType()
                        + ", but it is " + own.size() + " bytes of " + own.mediaType());
            return own;
        }
        for (Digest b : have.blobs().keySet()) {
            Descriptor other = store.layerBlob(have, b);
            if (other != null) return other;
        }
        return null;
    }

    /**
     * A cache mount's tar in the store: fetched from {@code where} and verified unless the store has it (its type
     * decided by content: a mount's media type names no layer compression).
     */
    private void mountTar(CacheLocation where, Descriptor blob, Digest diffId) throws IOException {
        synchronized (locks.computeIfAbsent(diffId, k -> new Object())) {
            if (stored(diffId, blob) == null) {
                try (InputStream in = where.openBlob(blob)) {
                    LayerIngest.ingest(
                            store, in, LayerIngest.Keep.AS_IS, null, blob.digest(), blob.size(), diffId, true);
                }
            }
        }
    }

    @Override
    public void restoreMount(String name, String id, Path dir) {
        for (Loaded c : caches) {
            CacheRecord.Mount m = c.mounts().get(name);
            if (m == null) continue;
            try {
                if (!isEmpty(dir)) return; // this machine's own cache is newer than any imported one
                Descriptor blob = c.record().blobs().get(m.blob());
                mountTar(c.where(), blob, m.diffId());
                MountArchive.unpack(store, m.diffId(), dir);
                log.accept("cache mount " + m.id() + ": restored from "
                        + c.where().describe() + " (" + blob.size() + " bytes)");
                return;
            } catch (IOException | RuntimeException e) {
                log.accept("WARNING: " + c.where().describe() + ": cache mount " + m.id() + " not restored: "
                        + message(e));
                try (Stream<Path> s = Files.list(dir)) {
                    for (Path p : (Iterable<Path>) s::iterator) Maintenance.deleteTree(p);
                } catch (IOException | RuntimeException ignored) {
                    // an empty cache is only slower
                }
            }
        }
    }

    /** The imported blob of a cache mount this machine has not used (an export passes it on); null: none has it. */
    Passed mount(String name) {
        for (Loaded c : caches) {
            CacheRecord.Mount m = c.mounts().get(name);
            if (m != null) return new Passed(m, c.record().blobs().get(m.blob()));
        }
        return null;
    }

    /**
     * The imported blob of a layer still known by descriptor only, when it is in compression {@code c}: an export
     * passes it on as it is (not fetched unless the destination lacks it), or null.
     */
    Descriptor promisedBlob(Digest diffId, MediaType.Compression c) {
        Descriptor d = promised.get(diffId);
        if (d == null || !store.isKnownOnly(diffId)) return null;
        return MediaType.layerCompression(d.mediaType()) == c ? d : null;
    }

    /**
     * Fetches an imported blob into the store (verified): a promised layer's or a cache mount's, for an export to a
     * place that lacks it.
     */
    void fetch(Digest blob) throws IOException {
        for (Map.Entry<Digest, Descriptor> p : promised.entrySet()) {
            if (p.getValue().digest().equals(blob)) {
                store.layer(p.getKey());
                return;
            }
        }
        for (Loaded c : caches) {
            for (CacheRecord.Mount m : c.mounts().values()) {
                Descriptor d = c.record().blobs().get(m.blob());
                if (d.digest().equals(blob)) {
                    mountTar(c.where(), d, m.diffId());
                    return;
                }
            }
        }
    }

    /** The imported steps that made one of {@code layers}, first cache first (an export passes them on too). */
    List<CacheRecord.Step> stepsMaking(Set<Digest> layers) {
        List<CacheRecord.Step> out = new ArrayList<>();
        for (Loaded c : caches)
            for (CacheRecord.Step s : c.record().steps()) if (layers.contains(s.diffId())) out.add(s);
        return out;
    }

    /** An imported cache mount: its record and its blob. */
    record Passed(CacheRecord.Mount mount, Descriptor blob) {}

    /** A registry repository an imported cache came from that holds {@code blob}, or null. */
    String repositoryHolding(Digest blob) {
        for (Loaded c : caches) {
            if (c.where().repository() == null) continue;
            if (c.manifest().config().digest().equals(blob)) return c.where().repository();
            for (Descriptor d : c.record().blobs())
                if (d.digest().equals(blob)) return c.where().repository();
        }
        return null;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return true;
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
