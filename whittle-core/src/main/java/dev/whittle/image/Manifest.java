package dev.whittle.image;

import dev.whittle.json.Json;
import dev.whittle.json.JsonException;
import dev.whittle.json.JsonObjects;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An image manifest (OCI or Docker schema 2). The exact bytes are kept: the digest is of those bytes, never of a
 * re-serialisation.
 */
public record Manifest(
        byte[] raw,
        Digest digest,
        String mediaType,
        Descriptor config,
        List<Descriptor> layers,
        Map<String, String> annotations) {

    public Manifest {
        layers = List.copyOf(layers);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    /**
     * Reads a manifest. {@code expectedType} (from a descriptor or Content-Type) may be null. Documents that look like
     * both a manifest and an index are refused (CVE-2021-41190).
     */
    public static Manifest parse(byte[] raw, String expectedType) {
        Map<String, Object> m = Json.parseObject(raw);
        if (m.containsKey("manifests"))
            throw new JsonException("manifest document also has \"manifests\": ambiguous, refused");
        long schema = JsonObjects.number(m, "schemaVersion", -1);
        if (schema != 2) throw new JsonException("unsupported manifest schemaVersion " + schema);
        String mt = JsonObjects.string(m, "mediaType");
        if (mt != null && expectedType != null && !mt.equals(expectedType)) {
            throw new JsonException("manifest mediaType " + mt + " does not match " + expectedType);
        }
        if (mt == null) mt = expectedType != null ? expectedType : MediaType.OCI_MANIFEST;
        if (!MediaType.isManifest(mt)) throw new JsonException("not an image manifest: " + mt);
        Object cfg = m.get("config");
        if (cfg == null) throw new JsonException("manifest has no config");
        List<Descriptor> layers = new ArrayList<>();
        List<Object> ls = JsonObjects.array(m, "layers");
        if (ls != null) for (Object o : ls) layers.add(Descriptor.fromJson(o));
        Map<String, String> ann = new LinkedHashMap<>();
        Map<String, Object> a = JsonObjects.object(m, "annotations");
        if (a != null) a.forEach((k, v) -> ann.put(k, String.valueOf(v)));
        return new Manifest(raw.clone(), Digest.sha256(raw), mt, Descriptor.fromJson(cfg), layers, ann);
    }

    /** Writes a new manifest of the given family. */
    public static Manifest create(
            boolean oci, Descriptor config, List<Descriptor> layers, Map<String, String> annotations) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schemaVersion", 2);
        String mt = oci ? MediaType.OCI_MANIFEST : MediaType.DOCKER_MANIFEST;
        m.put("mediaType", mt);
        m.put("config", config.toJson());
        List<Object> l = new ArrayList<>();
        for (Descriptor d : layers) l.add(d.toJson());
        m.put("layers", l);
        if (annotations != null && !annotations.isEmpty()) m.put("annotations", new TreeMap<>(annotations));
        byte[] raw = Json.write(m);
        return new Manifest(raw, Digest.sha256(raw), mt, config, layers, annotations);
    }

    public boolean isOci() {
        return MediaType.OCI_MANIFEST.equals(mediaType);
    }

    public Descriptor descriptor() {
        return new Descriptor(mediaType, digest, raw.length);
    }

    @Override
    public byte[] raw() {
        return raw.clone();
    }
}
