package dev.whittle.it;

import dev.whittle.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Bare distribution API calls against an anonymous registry, to make what a test needs (a multi-platform index). */
final class RawRegistry {
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String base;

    RawRegistry(String host, String repo) {
        this.base = "http://" + host + "/v2/" + repo + "/";
    }

    byte[] get(String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header(
                                "Accept",
                                "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json")
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) throw new IOException("GET " + path + ": " + r.statusCode());
        return r.body();
    }

    static String sha256(byte[] b) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void putBlob(byte[] data) throws IOException, InterruptedException {
        HttpResponse<Void> post = http.send(
                HttpRequest.newBuilder(URI.create(base + "blobs/uploads/"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.discarding());
        URI loc = URI.create(base).resolve(post.headers().firstValue("Location").orElseThrow());
        String sep = loc.toString().contains("?") ? "&" : "?";
        HttpResponse<Void> put = http.send(
                HttpRequest.newBuilder(URI.create(loc + sep + "digest=" + sha256(data)))
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(data))
                        .build(),
                HttpResponse.BodyHandlers.discarding());
        if (put.statusCode() != 201) throw new IOException("blob upload: " + put.statusCode());
    }

    private String putManifest(String ref, String type, byte[] body) throws IOException, InterruptedException {
        HttpResponse<Void> r = http.send(
                HttpRequest.newBuilder(URI.create(base + "manifests/" + ref))
                        .header("Content-Type", type)
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() != 201) throw new IOException("manifest PUT: " + r.statusCode());
        return sha256(body);
    }

    /** Pushes a copy of an image whose config claims another architecture; returns its manifest digest. */
    String pushWithArchitecture(byte[] manifest, String arch, String variant) throws IOException, InterruptedException {
        return pushWithConfig(manifest, config -> {
            config.put("architecture", arch);
            if (variant != null) config.put("variant", variant);
        });
    }

    /** Pushes the image again with its config changed; returns the new manifest's digest. */
    @SuppressWarnings("unchecked")
    String pushWithConfig(byte[] manifest, java.util.function.Consumer<Map<String, Object>> change)
            throws IOException, InterruptedException {
        Map<String, Object> m = new LinkedHashMap<>(Json.parseObject(manifest));
        Map<String, Object> cd = new LinkedHashMap<>((Map<String, Object>) m.get("config"));
        Map<String, Object> config = new LinkedHashMap<>(Json.parseObject(get("blobs/" + cd.get("digest"))));
        change.accept(config);
        byte[] cb = Json.write(config);
        putBlob(cb);
        cd.put("digest", sha256(cb));
        cd.put("size", (long) cb.length);
        m.put("config", cd);
        byte[] mb = Json.write(m);
        return putManifest(sha256(mb), (String) m.get("mediaType"), mb);
    }

    /** Puts the manifest {@code digest} under {@code tag} too. */
    void tag(String digest, String tag) throws IOException, InterruptedException {
        byte[] body = get("manifests/" + digest);
        putManifest(tag, (String) Json.parseObject(body).get("mediaType"), body);
    }

    static Map<String, Object> entry(byte[] manifest, String arch, String variant) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("architecture", arch);
        p.put("os", "linux");
        if (variant != null) p.put("variant", variant);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("mediaType", Json.parseObject(manifest).get("mediaType"));
        e.put("digest", sha256(manifest));
        e.put("size", (long) manifest.length);
        e.put("platform", p);
        return e;
    }

    /** Puts an OCI index under a tag; returns its digest. */
    String putIndex(String tag, List<Map<String, Object>> entries) throws IOException, InterruptedException {
        Map<String, Object> idx = new LinkedHashMap<>();
        idx.put("schemaVersion", 2L);
        idx.put("mediaType", "application/vnd.oci.image.index.v1+json");
        idx.put("manifests", entries);
        byte[] b = Json.write(idx);
        return putManifest(tag, "application/vnd.oci.image.index.v1+json", b);
    }
}
