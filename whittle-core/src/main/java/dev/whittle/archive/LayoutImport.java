package dev.whittle.archive;

import dev.whittle.image.Descriptor;
import dev.whittle.image.ImageIndex;
import dev.whittle.image.Platform;
import dev.whittle.json.Json;
import dev.whittle.store.Images;
import dev.whittle.store.Store;
import dev.whittle.store.StoredImage;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An image from an OCI image layout directory ({@code --build-context NAME=oci-layout://DIR[:TAG|@DIGEST]}), loaded
 * into the store as {@code whittle load} loads an OCI archive: the directory is read as that archive would be, with
 * its index narrowed to the one image asked for (by its {@code org.opencontainers.image.ref.name} tag, by digest, or
 * the only one), which stays unnamed in the store.
 */
public final class LayoutImport {
    private final Store store;
    private final Platform platform;

    public LayoutImport(Store store, Platform platform) {
        this.store = store;
        this.platform = platform;
    }

    public StoredImage load(Path dir, String tag, String digest) throws IOException {
        if (!Files.isRegularFile(dir.resolve("index.json"), LinkOption.NOFOLLOW_LINKS)
                || !Files.isRegularFile(dir.resolve("oci-layout"), LinkOption.NOFOLLOW_LINKS)) {
            throw new ArchiveException(dir + " is not an OCI image layout (no index.json and oci-layout)");
        }
        ImageIndex index = ImageIndex.parse(Files.readAllBytes(dir.resolve("index.json")), null);
        Descriptor chosen = choose(index.manifests(), tag, digest);
        Map<String, Object> narrowed = new LinkedHashMap<>();
        narrowed.put("schemaVersion", 2);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", chosen.mediaType());
        d.put("digest", chosen.digest().toString());
        d.put("size", chosen.size());
        narrowed.put("manifests", List.of(d));
        byte[] indexJson = Json.write(narrowed);

        PipedInputStream in = new PipedInputStream(1 << 20);
        PipedOutputStream out = new PipedOutputStream(in);
        AtomicReference<IOException> failed = new AtomicReference<>();
        Thread writer = Thread.ofVirtual().start(() -> {
            try (OutputStream o = out;
                    TarWriter w = new TarWriter(o)) {
                byte[] layout = Files.readAllBytes(dir.resolve("oci-layout"));
                w.write(TarEntry.file("oci-layout", 0644, layout.length, 0), layout);
                w.write(TarEntry.file("index.json", 0644, indexJson.length, 0), indexJson);
                try (DirectoryStream<Path> blobs = Files.newDirectoryStream(dir.resolve("blobs/sha256"))) {
                    for (Path b : blobs) {
                        if (!Files.isRegularFile(b, LinkOption.NOFOLLOW_LINKS)) continue;
                        long size = Files.size(b);
                        try (InputStream bi = Files.newInputStream(b)) {
                            w.write(TarEntry.file("blobs/sha256/" + b.getFileName(), 0644, size, 0), bi);
                        }
                    }
                }
            } catch (IOException e) {
                failed.set(e);
            }
        });
        List<ArchiveLoader.Loaded> loaded;
        try (in) {
            loaded = new ArchiveLoader(store, platform).load(in);
        } finally {
            try {
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (failed.get() != null) throw failed.get();
        if (loaded.isEmpty()) throw new ArchiveException("no image for platform " + platform + " in " + dir);
        return new Images(store).find(loaded.getFirst().id().toString()).orElseThrow();
    }

    private static Descriptor choose(List<Descriptor> manifests, String tag, String digest) {
        List<Descriptor> matching = new ArrayList<>();
        for (Descriptor m : manifests) {
            if (digest != null
                    ? m.digest().toString().equals(digest)
                    : tag == null || tag.equals(m.annotation("org.opencontainers.image.ref.name"))) {
                matching.add(m);
            }
        }
        if (matching.size() == 1) return matching.getFirst();
        String what = digest != null ? "digest " + digest : tag != null ? "tag " + tag : "an image";
        throw new ArchiveException(
                matching.isEmpty()
                        ? "the layout has no " + what
                        : "the layout has " + matching.size() + " images: name one with :TAG or @DIGEST");
    }
}
