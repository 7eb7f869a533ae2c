package dev.whittle.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whittle.image.Digest;
import dev.whittle.image.ImageConfig;
import dev.whittle.image.Platform;
import dev.whittle.json.Json;
import dev.whittle.store.Images;
import dev.whittle.store.Layers;
import dev.whittle.store.Maintenance;
import dev.whittle.store.Store;
import dev.whittle.store.StoredImage;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveLoaderTest {
    @TempDir
    Path root;

    static ImageConfig config(Digest... diffIds) {
        ImageConfig.Builder b = ImageConfig.builder(Platform.LINUX_AMD64)
                .created("2024-01-01T00:00:00Z")
                .configField("Cmd", List.of("/bin/sh"));
        for (Digest d : diffIds) b.addLayer(d, new ImageConfig.History("2024-01-01T00:00:00Z", "x", null, null, false));
        return b.build();
    }

    /** A Docker ≤ 24 archive: &lt;id&gt;/layer.tar, the second image's shared layer as a symlink. */
    static byte[] legacyArchive(byte[] l1, byte[] l2, ImageConfig c1, ImageConfig c2) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (TarWriter w = new TarWriter(b)) {
            w.writeHeader(TarEntry.dir("aaa", 0755, 0));
            w.write(TarEntry.file("aaa/layer.tar", 0644, l1.length, 0), l1);
            w.writeHeader(TarEntry.dir("bbb", 0755, 0));
            w.write(TarEntry.file("bbb/layer.tar", 0644, l2.length, 0), l2);
            w.writeHeader(TarEntry.dir("ccc", 0755, 0));
            w.writeHeader(TarEntry.symlink("ccc/layer.tar", "../aaa/layer.tar", 0));
            byte[] r1 = c1.raw(), r2 = c2.raw();
            w.write(TarEntry.file(c1.digest().hex() + ".json", 0644, r1.length, 0), r1);
            w.write(TarEntry.file(c2.digest().hex() + ".json", 0644, r2.length, 0), r2);
            byte[] manifest = Json.write(List.of(
                    Map.of(
                            "Config",
                            c1.digest().hex() + ".json",
                            "RepoTags",
                            List.of("one:latest"),
                            "Layers",
                            List.of("aaa/layer.tar", "bbb/layer.tar")),
                    Map.of(
                            "Config",
                            c2.digest().hex() + ".json",
                            "RepoTags",
                            List.of("two:v2", "localhost:5000/two:v2"),
                            "Layers",
                            List.of("ccc/layer.tar"))));
            w.write(TarEntry.file("manifest.json", 0644, manifest.length, 0), manifest);
        }
        return b.toByteArray();
    }

    @Test
    void loadsLegacyArchivesCompressedOrNot() throws IOException {
        byte[] l1 = Layers.layer("bin/", "bin/sh=shell"), l2 = Layers.layer("etc/", "etc/passwd=root");
        ImageConfig c1 = config(Layers.diffId(l1), Layers.diffId(l2)), c2 = config(Layers.diffId(l1));
        byte[] archive = legacyArchive(l1, l2, c1, c2);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            z.write(archive);
        }
        for (byte[] input : List.of(archive, gz.toByteArray())) {
            try (Store s = Store.open(root.resolve(input == archive ? "plain" : "gz"))) {
                List<ArchiveLoader.Loaded> loaded =
                        new ArchiveLoader(s, Platform.LINUX_AMD64).load(new ByteArrayInputStream(input));
                assertThat(loaded).extracting(ArchiveLoader.Loaded::id).containsExactly(c1.digest(), c2.digest());
                Images images = new Images(s);
                StoredImage two = images.resolve("localhost:5000/two:v2");
                assertThat(two.id()).isEqualTo(c2.digest());
                assertThat(images.resolve("two:v2").id()).isEqualTo(c2.digest());
                assertThat(images.resolve("one").size()).isEqualTo("shell".length() + "root".length());
                assertThat(new Maintenance(s).fsck(null)).isEmpty();
            }
        }
    }

    @Test
    void refusesALayerWhoseDiffIdDoesNotMatch() throws IOException {
        byte[] l1 = Layers.layer("a=1"), l2 = Layers.layer("b=2");
        ImageConfig c1 = config(Layers.diffId(l1), Layers.diffId(l1)); // second layer lies
        byte[] archive = legacyArchive(l1, l2, c1, config(Layers.diffId(l1)));
        try (Store s = Store.open(root)) {
            assertThatThrownBy(() -> new ArchiveLoader(s, Platform.LINUX_AMD64).load(new ByteArrayInputStream(archive)))
                    .hasMessageContaining("invalid diffID");
            assertThat(new Images(s).list()).isEmpty();
            assertThat(new Maintenance(s).fsck(null)).isEmpty();
        }
    }

    @Test
    void refusesArchivesWithoutManifest() throws IOException {
        byte[] archive = Layers.layer("hello=world");
        try (Store s = Store.open(root)) {
            assertThatThrownBy(() -> new ArchiveLoader(s, Platform.LINUX_AMD64).load(new ByteArrayInputStream(archive)))
                    .hasMessage("invalid archive: does not contain a manifest.json");
            assertThatThrownBy(() -> new ArchiveLoader(s, Platform.LINUX_AMD64)
                            .load(new ByteArrayInputStream(
                                    "not a tar at all, sorry".repeat(40).getBytes())))
                    .hasMessageContaining("not an image archive");
        }
    }

    @Test
    void refusesManifestPathsThatEscapeTheArchive() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (TarWriter w = new TarWriter(b)) {
            byte[] m = Json.write(
                    List.of(Map.of("Config", "../../../../etc/passwd", "RepoTags", List.of(), "Layers", List.of())));
            w.write(TarEntry.file("manifest.json", 0644, m.length, 0), m);
        }
        try (Store s = Store.open(root)) {
            assertThatThrownBy(() ->
                            new ArchiveLoader(s, Platform.LINUX_AMD64).load(new ByteArrayInputStream(b.toByteArray())))
                    .hasMessageContaining("escapes the archive");
        }
    }

    @Test
    void savedArchivesLoadBackWithTheSameIds() throws IOException {
        byte[] l1 = Layers.layer("bin/", "bin/sh=shell");
        try (Store a = Store.open(root.resolve("a"));
                Store b = Store.open(root.resolve("b"))) {
            var m = Layers.image(a, List.of("/bin/sh"), l1);
            new Images(a).add(m, List.of(dev.whittle.image.ImageRef.parse("app:1")), List.of());
            StoredImage img = new Images(a).resolve("app:1");
            for (ArchiveWriter.Format f : ArchiveWriter.Format.values()) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                new ArchiveWriter(a).write(List.of(new ArchiveWriter.Entry(img, img.names())), f, out);
                ByteArrayOutputStream again = new ByteArrayOutputStream();
                new ArchiveWriter(a).write(List.of(new ArchiveWriter.Entry(img, img.names())), f, again);
                assertThat(out.toByteArray()).as("deterministic").isEqualTo(again.toByteArray());
                List<ArchiveLoader.Loaded> l =
                        new ArchiveLoader(b, Platform.LINUX_AMD64).load(new ByteArrayInputStream(out.toByteArray()));
                assertThat(l).hasSize(1);
                assertThat(l.getFirst().id()).isEqualTo(img.id());
                assertThat(new Images(b).resolve("app:1").config().diffIds())
                        .isEqualTo(img.config().diffIds());
                if (f == ArchiveWriter.Format.OCI)
                    assertThat(l.getFirst().manifest().digest()).isEqualTo(m.digest());
            }
        }
    }
}
