package dev.whittle.store;

import dev.whittle.image.Digest;
import dev.whittle.json.Json;
import dev.whittle.json.JsonObjects;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the store knows about one layer, keyed by its diffID: the size docker reports (the sum of its files'
 * sizes), the length of the uncompressed tar, and the blobs that hold it (uncompressed, gzip, zstd...).
 */
public record LayerInfo(Digest diffId, long contentSize, long tarSize, Map<Digest, String> blobs) {
    public LayerInfo {
        blobs = Map.copyOf(blobs);
    }

    public LayerInfo withBlob(Digest d, String mediaType) {
        Map<Digest, String> m = new TreeMap<>(blobs);
        m.put(d, mediaType);
        return new LayerInfo(diffId, contentSize, tarSize, m);
    }

    byte[] toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("diffId", diffId.toString());
        m.put("contentSize", contentSize);
        m.put("tarSize", tarSize);
        Map<String, Object> b = new TreeMap<>();
        blobs.forEach((k, v) -> b.put(k.toString(), v));
        m.put("blobs", b);
        return Json.write(m);
    }

    static LayerInfo fromJson(byte[] raw) {
        Map<String, Object> m = Json.parseObject(raw);
        Map<Digest, String> blobs = new TreeMap<>();
        Map<String, Object> b = JsonObjects.object(m, "blobs");
        if (b != null) b.forEach((k, v) -> blobs.put(Digest.parse(k), String.valueOf(v)));
        return new LayerInfo(
                Digest.parse(JsonObjects.requireString(m, "diffId")),
                JsonObjects.number(m, "contentSize", 0),
                JsonObjects.number(m, "tarSize", 0),
                blobs);
    }
}
