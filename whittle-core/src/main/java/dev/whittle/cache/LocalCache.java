package dev.whittle.cache;

import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.Manifest;
import dev.whittle.image.MediaType;
import dev.whittle.json.Json;
import dev.whittle.json.JsonObjects;
import dev.whittle.store.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A cache in an OCI image layout directory, as buildx's {@code type=local} keeps one: {@code oci-layout},
 * {@code blobs/sha256/}, and an {@code index.json} naming the cache's manifest. Blobs are written to a temporary name
 * and renamed, index.json last, so a reader sees the old cache or the new one, never half of one.
 */
final class LocalCache implements CacheLocation {
    private final Path dir;

    LocalCache(Path dir) {
        this.dir = dir;
    }

    @Override
    public String describe() {
        return "local cache " + dir;
    }

    @Override
    public Manifest manifest() throws IOException {
        byte[] index;
        try {
            index = Files.readAllBytes(dir.resolve("index.json"));
        } catch (NoSuchFileException e) {
            return null;
        }
        List<Object> ms = JsonObjects.array(Json.parseObject(index), "manifests");
        if (ms == null || ms.isEmpty()) return null;
        Descriptor d = Descriptor.fromJson(ms.getFirst());
        byte[] raw;
        try (InputStream in = openBlob(d)) {
            raw = in.readNBytes(CacheImport.MAX_DOCUMENT + 1);
        }
        if (raw.length > CacheImport.MAX_DOCUMENT || !Digest.sha256(raw).equals(d.digest()))
            throw new IOException("index.json names manifest " + d.digest() + ", but the blob is not that manifest");
        return Manifest.parse(raw, null);
    }

    @Override
    public InputStream openBlob(Descriptor d) throws IOException {
        return Files.newInputStream(blob(d.digest()));
    }

    private Path blob(Digest d) {
        return dir.resolve("blobs").resolve(d.algorithm()).resolve(d.hex());
    }

    @Override
    public boolean hasBlob(Descriptor d) throws IOException {
        Path p = blob(d.digest());
        return Files.isRegularFile(p) && Files.size(p) == d.size();
    }

    @Override
    public boolean putBlob(Descriptor d, Path file, String mountFrom) throws IOException {
        if (hasBlob(d)) return false;
        Path target = blob(d.digest());
        Files.createDirectories(target.getParent());
        Path tmp = AtomicFiles.tempName(target.getParent(), ".tmp-", "");
        try {
            Files.copy(file, tmp);
            AtomicFiles.move(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return true;
    }

    @Override
    public void putManifest(Manifest m) throws IOException {
        Path target = blob(m.digest());
        if (!Files.isRegularFile(target)) {
            Files.createDirectories(target.getParent());
            AtomicFiles.write(target, m.raw());
        }
        AtomicFiles.write(
                dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaType.OCI_INDEX);
        index.put("manifests", List.of(m.descriptor().toJson()));
        AtomicFiles.write(dir.resolve("index.json"), Json.write(index));
    }
}
