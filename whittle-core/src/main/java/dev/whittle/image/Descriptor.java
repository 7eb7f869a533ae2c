package dev.whittle.image;

import dev.whittle.json.JsonException;
import dev.whittle.json.JsonObjects;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** An OCI content descriptor. {@code platform} is set only on index entries. */
public record Descriptor(
        String mediaType,
        Digest digest,
        long size,
        Map<String, String> annotations,
        Platform platform,
        List<String> urls) {

    public Descriptor {
        if (size < 0) throw new IllegalArgumentException("negative descriptor size");
        annotations = annotations == null ? Map.of() : Map.copyOf(new LinkedHashMap<>(annotations));
        urls = urls == null ? List.of() : List.copyOf(urls);
    }

    public Descriptor(String mediaType, Digest digest, long size) {
        this(mediaType, digest, size, null, null, null);
    }

    public Descriptor withAnnotations(Map<String, String> a) {
        return new Descriptor(mediaType, digest, size, a, platform, urls);
    }

    public String annotation(String key) {
        return annotations.get(key);
    }

    @SuppressWarnings("unchecked")
    public static Descriptor fromJson(Object o) {
        if (!(o instanceof Map)) throw new JsonException("descriptor must be an object");
        Map<String, Object> m = (Map<String, Object>) o;
        Digest d;
        try {
            d = Digest.parse(JsonObjects.requireString(m, "digest"));
        } catch (IllegalArgumentException e) {
            throw new JsonException(e.getMessage());
        }
        long size = JsonObjects.number(m, "size", -1);
        if (size < 0) throw new JsonException("descriptor " + d + " has no valid size");
        Map<String, Object> ann = JsonObjects.object(m, "annotations");
        Map<String, String> a = new LinkedHashMap<>();
        if (ann != null) ann.forEach((k, v) -> a.put(k, String.valueOf(v)));
        Map<String, Object> p = JsonObjects.object(m, "platform");
        return new Descriptor(
                JsonObjects.string(m, "mediaType"),
                d,
                size,
                a,
                p == null ? null : Platform.fromJson(p),
                JsonObjects.strings(m, "urls"));
    }

    /** The JSON form, fields in the order the specs show them. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mediaType", mediaType);
        m.put("digest", digest.toString());
        m.put("size", size);
        if (!urls.isEmpty()) m.put("urls", urls);
        if (!annotations.isEmpty()) m.put("annotations", new TreeMap<>(annotations));
        if (platform != null) m.put("platform", platform.toJson());
        return m;
    }
}
