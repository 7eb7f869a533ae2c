package dev.whittle.image;

import dev.whittle.json.Json;
import dev.whittle.json.JsonException;
import dev.whittle.json.JsonObjects;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An OCI image index or Docker manifest list, bytes kept as read. */
public record ImageIndex(byte[] raw, String mediaType, List<Descriptor> manifests) {
    public ImageIndex {
        manifests = List.copyOf(manifests);
    }

    /**
     * Computed when asked: most readers of an index (the store's own, on every command) never need it, and the first
     * SHA-256 in a JVM costs ~20 ms of provider set-up.
     */
    public Digest digest() {
        return Digest.sha256(raw);
    }

    public static ImageIndex parse(byte[] raw, String expectedType) {
        Map<String, Object> m = Json.parseObject(raw);
        if (m.containsKey("layers") || m.containsKey("config")) {
            throw new JsonException("index document also has \"layers\" or \"config\": ambiguous, refused");
        }
        String mt = JsonObjects.string(m, "mediaType");
        if (mt != null && expectedType != null && !mt.equals(expectedType)) {
            throw new JsonException("index mediaType " + mt + " does not match " + expectedType);
        }
        if (mt == null) mt = expectedType != null ? expectedType : MediaType.OCI_INDEX;
        List<Descriptor> ds = new ArrayList<>();
        List<Object> l = JsonObjects.array(m, "manifests");
        if (l == null) throw new JsonException("index has no \"manifests\"");
        for (Object o : l) ds.add(Descriptor.fromJson(o));
        return new ImageIndex(raw.clone(), mt, ds);
    }

    public static ImageIndex create(List<Descriptor> manifests) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schemaVersion", 2);
        m.put("mediaType", MediaType.OCI_INDEX);
        List<Object> l = new ArrayList<>();
        for (Descriptor d : manifests) l.add(d.toJson());
        m.put("manifests", l);
        byte[] raw = Json.write(m);
        return new ImageIndex(raw, MediaType.OCI_INDEX, manifests);
    }

    /**
     * The first image manifest matching the wanted platform, trying compatible platforms in order of preference and
     * skipping attestation manifests ({@code unknown/unknown}).
     */
    public Optional<Descriptor> select(Platform wanted) {
        for (Platform p : wanted.compatible()) {
            for (Descriptor d : manifests) {
                Platform dp = d.platform();
                if (dp == null || "unknown".equals(dp.os())) continue;
                if (dp.os().equals(p.os())
                        && dp.architecture().equals(p.architecture())
                        && (dp.variant().equals(p.variant())
                                || (p == wanted && p.variant().isEmpty()))) {
                    return Optional.of(d);
                }
            }
        }
        return Optional.empty();
    }

    public List<Platform> platforms() {
        List<Platform> out = new ArrayList<>();
        for (Descriptor d : manifests)
            if (d.platform() != null && !"unknown".equals(d.platform().os())) out.add(d.platform());
        return out;
    }

    @Override
    public byte[] raw() {
        return raw.clone();
    }
}
