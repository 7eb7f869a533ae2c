package dev.whittle.store;

import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageConfig;
import dev.whittle.image.Manifest;
import dev.whittle.image.MediaType;
import dev.whittle.image.Platform;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Test fixtures: small layers and images written with whittle's own tar writer. */
public final class Layers {
    private Layers() {}

    /** A layer from "path" (dir if it ends in /), "path=content" (file), "path->target" (symlink), "path=>target" (hardlink). */
    public static byte[] layer(String... specs) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (TarWriter w = new TarWriter(b)) {
            for (String s : specs) {
                if (s.contains("=>")) {
                    String[] p = s.split("=>", 2);
                    w.writeHeader(new TarEntry(p[0], TarEntry.Type.HARDLINK, 0644, 0, 0, 0, 0, p[1], 0, 0, null));
                } else if (s.contains("->")) {
                    String[] p = s.split("->", 2);
                    w.writeHeader(TarEntry.symlink(p[0], p[1], 0));
                } else if (s.contains("=")) {
                    String[] p = s.split("=", 2);
                    byte[] c = p[1].getBytes(StandardCharsets.UTF_8);
                    w.write(TarEntry.file(p[0], 0644, c.length, 0), c);
                } else if (s.endsWith("/")) {
                    w.writeHeader(TarEntry.dir(s.substring(0, s.length() - 1), 0755, 0));
                } else {
                    w.write(TarEntry.file(s, 0644, 0, 0), new byte[0]);
                }
            }
        }
        return b.toByteArray();
    }

    /** Puts layers and a config into the store and returns the manifest (not yet named). */
    public static Manifest image(Store store, List<String> cmd, byte[]... layers) throws IOException {
        return image(store, Platform.LINUX_AMD64, cmd, layers);
    }

    /** As {@link #image(Store, List, byte[]...)}, for {@code platform}. */
    public static Manifest image(Store store, Platform platform, List<String> cmd, byte[]... layers)
            throws IOException {
        ImageConfig.Builder cb = ImageConfig.builder(platform).created("2024-01-02T03:04:05Z");
        if (cmd != null) cb.configField("Cmd", cmd);
        List<Descriptor> descs = new ArrayList<>();
        for (byte[] l : layers) {
            LayerIngest.Result r = LayerIngest.ingest(
                    store, new ByteArrayInputStream(l), LayerIngest.Keep.AS_IS, null, null, -1, null, true);
            descs.add(r.descriptor());
            cb.addLayer(
                    r.info().diffId(),
                    new ImageConfig.History("2024-01-02T03:04:05Z", "test layer", null, null, false));
        }
        ImageConfig c = cb.build();
        store.putBlob(c.raw());
        return Manifest.create(true, new Descriptor(MediaType.OCI_CONFIG, c.digest(), c.size()), descs, null);
    }

    public static Digest diffId(byte[] layer) {
        return Digest.sha256(layer);
    }
}
