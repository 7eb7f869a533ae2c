package dev.whittle.cache;

import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.Manifest;
import dev.whittle.image.MediaType;
import dev.whittle.json.Json;
import dev.whittle.json.JsonException;
import dev.whittle.json.JsonObjects;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;

/**
 * An exported build cache (docs/cache.md): an OCI image manifest, so any registry that stores images stores it, whose
 * config (whittle's media type) maps step cache keys to layers and cache mounts to tar blobs, and whose layers are
 * those blobs. Everything is sorted, so an unchanged cache is byte for byte the same document.
 */
public record CacheRecord(List<Step> steps, List<Mount> mounts, List<Descriptor> blobs) {
    public static final String CONFIG_TYPE = "application/vnd.whittle.cache.config.v1+json";
    /** What a cache mount's blob is: a tar of the directory, not a layer of an image. */
    public static final String MOUNT_GZIP = "application/vnd.whittle.cache.mount.v1.tar+gzip";

    public static final String MOUNT_ZSTD = "application/vnd.whittle.cache.mount.v1.tar+zstd";
    /** The image config field an inline cache is kept in: this config's document, its blobs the image's layers. */
    public static final String INLINE_FIELD = "whittle.cache.v1";

    /** A step result: its cache key, the layer it made (blob by index) and the time recorded for it. */
    public record Step(Digest key, Digest diffId, int blob, String created, Digest next) {}

    /** A cache mount's content: its directory name in the store (id and owner), its id, the tar's diffID and blob. */
    public record Mount(String name, String id, Digest diffId, int blob) {}

    public CacheRecord {
        steps = steps.stream()
                .sorted(Comparator.comparing(s -> s.key().toString()))
                .toList();
        mounts = mounts.stream().sorted(Comparator.comparing(Mount::name)).toList();
        blobs = List.copyOf(blobs);
        for (Step s : steps) index(s.blob(), blobs);
        for (Mount m : mounts) index(m.blob(), blobs);
    }

    private static void index(int i, List<Descriptor> blobs) {
        if (i < 0 || i >= blobs.size()) throw new JsonException("blob index " + i + " out of range");
    }

    /**
     * The same cache with its blobs in the order the sorted steps, then the sorted mounts, first name them (and none
     * that nothing names): however the entries were gathered, one cache is one document.
     */
    public CacheRecord canonical() {
        Map<Integer, Integer> renumber = new LinkedHashMap<>();
        List<Descriptor> order = new ArrayList<>();
        IntUnaryOperator at = old -> renumber.computeIfAbsent(old, k -> {
            order.add(blobs.get(k));
            return order.size() - 1;
        });
        List<Step> st = new ArrayList<>();
        for (Step x : steps) st.add(new Step(x.key(), x.diffId(), at.applyAsInt(x.blob()), x.created(), x.next()));
        List<Mount> mo = new ArrayList<>();
        for (Mount x : mounts) mo.add(new Mount(x.name(), x.id(), x.diffId(), at.applyAsInt(x.blob())));
        return new CacheRecord(st, mo, order);
    }

    public byte[] config() {
        return Json.write(json());
    }

    /** The config as a JSON object (what an inline cache puts in the image config). */
    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", 1);
        List<Object> st = new ArrayList<>();
        for (Step s : steps) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("key", s.key().toString());
            e.put("diffId", s.diffId().toString());
            e.put("blob", s.blob());
            e.put("created", s.created());
            if (s.next() != null) e.put("next", s.next().toString());
            st.add(e);
        }
        m.put("steps", st);
        List<Object> mo = new ArrayList<>();
        for (Mount x : mounts) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", x.name());
            e.put("id", x.id());
            e.put("diffId", x.diffId().toString());
            e.put("blob", x.blob());
            mo.add(e);
        }
        m.put("mounts", mo);
        return m;
    }

    public Manifest manifest() {
        byte[] c = config();
        return Manifest.create(true, new Descriptor(CONFIG_TYPE, Digest.sha256(c), c.length), blobs, null);
    }

    /** Reads a cache from its manifest and config; JsonException (or IllegalArgumentException) when it is not one. */
    public static CacheRecord parse(Manifest manifest, byte[] config) {
        if (!CONFIG_TYPE.equals(manifest.config().mediaType()))
            throw new JsonException(
                    "not a whittle cache (config type " + manifest.config().mediaType() + ")");
        return parse(manifest, Json.parseObject(config));
    }

    /**
     * Reads the inline cache of an image: the {@value #INLINE_FIELD} field of its config, whose blobs are the image's
     * layers; JsonException when the image has none.
     */
    public static CacheRecord parseInline(Manifest image, byte[] imageConfig) {
        Object inline = Json.parseObject(imageConfig).get(INLINE_FIELD);
        if (!(inline instanceof Map<?, ?>))
            throw new JsonException("not a whittle cache (an image without an inline cache: build it with"
                    + " --cache-to type=inline)");
        return parse(image, object(inline));
    }

    private static CacheRecord parse(Manifest manifest, Map<String, Object> m) {
        long version = JsonObjects.number(m, "version", -1);
        if (version != 1)
            throw new JsonException("a whittle cache of version " + version + ", which this whittle does not read");
        for (Descriptor d : manifest.layers()) {
            if (!MediaType.isLayer(d.mediaType())
                    && !d.mediaType().equals(MOUNT_GZIP)
                    && !d.mediaType().equals(MOUNT_ZSTD))
                throw new JsonException("blob " + d.digest() + " has the unknown media type " + d.mediaType());
        }
        List<Step> steps = new ArrayList<>();
        List<Object> st = JsonObjects.array(m, "steps");
        if (st != null) {
            for (Object o : st) {
                Map<String, Object> e = object(o);
                String next = JsonObjects.string(e, "next");
                steps.add(new Step(
                        Digest.parse(JsonObjects.requireString(e, "key")),
                        Digest.parse(JsonObjects.requireString(e, "diffId")),
                        (int) JsonObjects.number(e, "blob", -1),
                        JsonObjects.requireString(e, "created"),
                        next == null ? null : Digest.parse(next)));
            }
        }
        List<Mount> mounts = new ArrayList<>();
        List<Object> mo = JsonObjects.array(m, "mounts");
        if (mo != null) {
            for (Object o : mo) {
                Map<String, Object> e = object(o);
                String name = JsonObjects.requireString(e, "name");
                // a directory name in the store: never a path
                if (!name.matches("[0-9a-f]{1,64}")) throw new JsonException("invalid cache mount name " + name);
                mounts.add(new Mount(
                        name,
                        JsonObjects.requireString(e, "id"),
                        Digest.parse(JsonObjects.requireString(e, "diffId")),
                        (int) JsonObjects.number(e, "blob", -1)));
            }
        }
        return new CacheRecord(steps, mounts, manifest.layers());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object o) {
        if (!(o instanceof Map<?, ?>)) throw new JsonException("an entry is not an object");
        return (Map<String, Object>) o;
    }
}
