package dev.whittle.rootfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.image.Digest;
import dev.whittle.image.ImageRef;
import dev.whittle.store.Images;
import dev.whittle.store.LayerToc;
import dev.whittle.store.Layers;
import dev.whittle.store.Store;
import dev.whittle.store.StoredImage;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MergedTreeTest {
    @TempDir
    Path root;

    private Map<String, String> flatten(byte[]... layers) throws IOException {
        try (Store s = Store.open(root)) {
            var m = Layers.image(s, null, layers);
            new Images(s).add(m, List.of(ImageRef.parse("t")), List.of());
            StoredImage img = new Images(s).resolve("t");
            List<Digest> ids = img.config().diffIds();
            List<LayerToc> tocs = new ArrayList<>();
            for (Digest d : ids) tocs.add(s.toc(d));
            MergedTree tree = MergedTree.of(ids, tocs);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (LayerReader r = new LayerReader(s, tree)) {
                Flattener.write(tree, r, out);
            }
            // a tree extended layer by layer (as a build's steps extend their stage's) is the same tree
            for (int k = 0; k < ids.size(); k++) {
                MergedTree extended = MergedTree.of(ids.subList(0, k), tocs.subList(0, k))
                        .plus(ids.subList(k, ids.size()), tocs.subList(k, ids.size()));
                ByteArrayOutputStream again = new ByteArrayOutputStream();
                try (LayerReader r = new LayerReader(s, extended)) {
                    Flattener.write(extended, r, again);
                }
                assertThat(again.toByteArray())
                        .as("bottom %d layers merged, the rest added", k)
                        .isEqualTo(out.toByteArray());
                assertThat(extended.layers()).isEqualTo(ids);
            }
            Map<String, String> files = new LinkedHashMap<>();
            try (TarReader tr = new TarReader(new ByteArrayInputStream(out.toByteArray()))) {
                for (TarEntry e; (e = tr.next()) != null; ) {
                    files.put(
                            e.name(),
                            switch (e.type()) {
                                case DIR -> "dir";
                                case SYMLINK -> "-> " + e.linkName();
                                case HARDLINK -> "=> " + e.linkName();
                                default -> new String(tr.content().readAllBytes());
                            });
                }
            }
            return files;
        }
    }

    @Test
    void whiteoutsDeleteLowerPaths() throws IOException {
        var files = flatten(
                Layers.layer("etc/", "etc/a=1", "etc/b=2", "tmp/", "tmp/x/", "tmp/x/y=3"),
                Layers.layer("etc/", "etc/.wh.a", "tmp/.wh.x"));
        assertThat(files).containsOnlyKeys("etc", "etc/b", "tmp");
    }

    @Test
    void opaqueDirectoriesHideLowerChildrenButKeepTheirOwn() throws IOException {
        var files = flatten(
                Layers.layer("d/", "d/old=1", "d/sub/", "d/sub/f=2"), Layers.layer("d/", "d/new=3", "d/.wh..wh..opq"));
        assertThat(files).containsOnlyKeys("d", "d/new");
        assertThat(files.get("d/new")).isEqualTo("3");
    }

    @Test
    void laterLayersReplaceAndAFileReplacesADirectoryTree() throws IOException {
        var files = flatten(Layers.layer("a=old", "b/", "b/c=1"), Layers.layer("a=new", "b=now a file"));
        assertThat(files).containsExactly(Map.entry("a", "new"), Map.entry("b", "now a file"));
    }

    @Test
    void directoriesALayerLeavesOutAreThereAsDockerCreatesThem() throws IOException {
        // a tar naming only opt/java/openjdk/bin/java: docker's applier makes opt, opt/java, … (0755, root)
        var files = flatten(Layers.layer("etc/", "etc/a=1"), Layers.layer("opt/java/openjdk/bin/java=elf", "etc/b=2"));
        assertThat(files)
                .containsOnlyKeys(
                        "etc",
                        "etc/a",
                        "etc/b",
                        "opt",
                        "opt/java",
                        "opt/java/openjdk",
                        "opt/java/openjdk/bin",
                        "opt/java/openjdk/bin/java");
        assertThat(files.get("opt/java")).isEqualTo("dir");
    }

    @Test
    void aLowerSymlinkOrFileThatALayerWritesBelowIsADirectoryAsOverlayfsShowsIt() throws IOException {
        // the upper layer's snapshot holds a/, f/ and c/ as directories; overlayfs shows them over the lower symlink
        // and file, so /a/sh is the layer's script, not the busybox /a -> bin leads to
        var files = flatten(
                Layers.layer("bin/", "bin/sh=busybox", "a->bin", "c->bin", "f=file"),
                Layers.layer("a/sh=script", "f/x=1", "c/.wh.sh"));
        assertThat(files)
                .containsExactly(
                        Map.entry("a", "dir"),
                        Map.entry("a/sh", "script"),
                        Map.entry("bin", "dir"),
                        Map.entry("bin/sh", "busybox"),
                        Map.entry("c", "dir"),
                        Map.entry("f", "dir"),
                        Map.entry("f/x", "1"));
    }

    @Test
    void hardlinksSurviveOrBecomeFilesWhenTheirTargetIsGone() throws IOException {
        var kept = flatten(Layers.layer("x=data", "y=>x"));
        assertThat(kept).containsEntry("y", "=> x");
        var orphaned = flatten(Layers.layer("x=data", "y=>x"), Layers.layer(".wh.x"));
        assertThat(orphaned).containsOnlyKeys("y").containsEntry("y", "data");
    }

    @Test
    void resolvesSymlinksInsideTheRoot() throws IOException {
        try (Store s = Store.open(root)) {
            var m = Layers.image(
                    s,
                    null,
                    Layers.layer(
                            "usr/",
                            "usr/lib/",
                            "usr/lib/libc.so=c",
                            "lib->usr/lib",
                            "lib64->/lib",
                            "esc->../../../../etc"));
            new Images(s).add(m, List.of(ImageRef.parse("t")), List.of());
            var img = new Images(s).resolve("t");
            MergedTree t = MergedTree.of(
                    img.config().diffIds(), List.of(s.toc(img.config().diffIds().getFirst())));
            assertThat(t.resolve("/lib64/libc.so", true).path()).isEqualTo("usr/lib/libc.so");
            assertThat(t.resolve("/lib64/libc.so", true).node()).isNotNull();
            assertThat(t.resolve("/esc/passwd", true).path()).isEqualTo("etc/passwd");
            assertThat(t.resolve("/esc/passwd", true).node()).isNull();
        }
    }
}
