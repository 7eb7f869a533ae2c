package dev.whittle.it;

import static dev.whittle.tar.RawTar.archive;
import static dev.whittle.tar.RawTar.concat;
import static dev.whittle.tar.RawTar.header;
import static dev.whittle.tar.RawTar.padded;
import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.image.Digest;
import dev.whittle.image.ImageConfig;
import dev.whittle.image.Platform;
import dev.whittle.json.Json;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and broken archives given to {@code whittle load}: each refused with a message that says what is wrong,
 * nothing written outside the store, no image half-added, {@code system fsck} clean. A layer that is a legal tar but
 * tries to write through a symlink is refused when a RUN unpacks it. Killing {@code whittle load} at any moment leaves
 * the store consistent.
 */
class HostileArchiveTest {
    @TempDir
    Path dir;

    static Digest sha(byte[] b) {
        return Digest.sha256(b);
    }

    /** A Docker ≥ 25-style archive (manifest.json) with one image of the given layers, named {@code name}. */
    static byte[] imageArchive(String name, List<byte[]> layers, Map<String, byte[]> extra) throws IOException {
        return imageArchive(name, "2024-01-01T00:00:00Z", layers, extra);
    }

    /** The same, created (and each layer's history entry dated) at {@code created}. */
    static byte[] imageArchive(String name, String created, List<byte[]> layers, Map<String, byte[]> extra)
            throws IOException {
        ImageConfig.Builder cb =
                ImageConfig.builder(Platform.LINUX_AMD64).created(created).configField("Cmd", List.of("/bin/sh"));
        List<String> paths = new ArrayList<>();
        for (byte[] l : layers) {
            cb.addLayer(sha(l), new ImageConfig.History(created, "layer", null, null, false));
            paths.add("blobs/sha256/" + sha(l).hex());
        }
        ImageConfig c = cb.build();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (TarWriter w = new TarWriter(b)) {
            w.writeHeader(TarEntry.dir("blobs", 0755, 0));
            w.writeHeader(TarEntry.dir("blobs/sha256", 0755, 0));
            for (byte[] l : layers) w.write(TarEntry.file("blobs/sha256/" + sha(l).hex(), 0644, l.length, 0), l);
            w.write(TarEntry.file("blobs/sha256/" + c.digest().hex(), 0644, c.raw().length, 0), c.raw());
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("Config", "blobs/sha256/" + c.digest().hex());
            entry.put("RepoTags", List.of(name));
            entry.put("Layers", paths);
            byte[] manifest =
                    extra.containsKey("manifest.json") ? extra.get("manifest.json") : Json.write(List.of(entry));
            w.write(TarEntry.file("manifest.json", 0644, manifest.length, 0), manifest);
            for (Map.Entry<String, byte[]> e : extra.entrySet()) {
                if (!e.getKey().equals("manifest.json"))
                    w.write(TarEntry.file(e.getKey(), 0644, e.getValue().length, 0), e.getValue());
            }
        }
        return b.toByteArray();
    }

    Whittle store(String name) {
        return new Whittle(dir.resolve(name));
    }

    /** Everything under the test directory that is not inside a store. */
    List<String> outsideStores() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p).toString())
                    .filter(p -> !p.isEmpty() && !p.startsWith("store") && !p.startsWith("in-"))
                    .sorted()
                    .toList();
        }
    }

    void refused(Whittle w, byte[] archive, String what, String... messageParts) throws IOException {
        Path in = dir.resolve("in-" + what + ".tar");
        Files.write(in, archive);
        List<String> before = outsideStores();
        Exec e = w.run("load", "-i", in.toString());
        assertThat(e.code()).as(what + ": " + e.err()).isEqualTo(1);
        assertThat(e.err())
                .as(what)
                .startsWith("Error: ")
                .doesNotContain("Exception")
                .doesNotContain("\tat ");
        for (String p : messageParts) assertThat(e.err()).as(what).contains(p);
        assertThat(outsideStores())
                .as(what + ": nothing written outside the store")
                .isEqualTo(before);
        assertThat(w.run("images", "-q").ok().out())
                .as(what + ": no image added")
                .isEmpty();
        assertThat(w.run("system", "fsck").ok().out()).as(what).contains("is consistent");
        try (Stream<Path> tmp = Files.list(w.root().resolve("whittle/tmp"))) {
            assertThat(tmp.toList()).as(what + ": no temp file left").isEmpty();
        }
    }

    @Test
    void hostileArchivesAreRefusedAndLeaveNothingBehind() throws IOException {
        Files.createDirectories(dir.resolve("canary"));
        Files.writeString(dir.resolve("canary/file"), "untouched");
        Whittle w = store("store-hostile");
        w.run("images").ok();
        byte[] ok = archive(header("bin/", '5', 0, ""), header("bin/sh", '0', 5, ""), padded("shell".getBytes()));

        refused(
                w,
                imageArchive(
                        "x:1",
                        List.of(archive(header("../../canary/file", '0', 4, ""), padded("evil".getBytes()))),
                        Map.of()),
                "dotdot",
                "escapes the root");
        refused(
                w,
                imageArchive("x:1", List.of(archive(header("etc/passwd", '1', 0, "../../../canary/file"))), Map.of()),
                "hardlink-out",
                "hardlink");
        refused(w, imageArchive("x:1", List.of(archive(header("big", '0', 8L << 36, ""))), Map.of()), "absurd-size");
        byte[] truncated = Arrays.copyOf(ok, 700);
        refused(w, imageArchive("x:1", List.of(truncated), Map.of()), "truncated-layer");
        refused(w, Arrays.copyOf(imageArchive("x:1", List.of(ok), Map.of()), 3000), "truncated-archive");
        refused(
                w,
                imageArchive(
                        "x:1",
                        List.of(ok),
                        Map.of(
                                "manifest.json",
                                "[{\"Config\":\"../../canary/file\",\"RepoTags\":[\"x:1\"],\"Layers\":[]}]"
                                        .getBytes())),
                "manifest-escape");
        refused(
                w,
                imageArchive("x:1", List.of(ok), Map.of("manifest.json", "[{\"Config\":".getBytes())),
                "manifest-garbage");
        refused(
                w,
                imageArchive(
                        "x:1",
                        List.of(ok),
                        Map.of(
                                "manifest.json",
                                ("[{\"Config\":\"blobs/sha256/" + "0".repeat(64)
                                                + "\",\"RepoTags\":[\"x:1\"],\"Layers\":[]}]")
                                        .getBytes())),
                "config-missing");
        byte[] bad = archive(header("a", '0', 3, ""), padded("abc".getBytes()));
        Map<String, Object> entry = new LinkedHashMap<>();
        ImageConfig c = ImageConfig.builder(Platform.LINUX_AMD64)
                .created("2024-01-01T00:00:00Z")
                .addLayer(sha(ok), new ImageConfig.History("2024-01-01T00:00:00Z", "x", null, null, false))
                .build();
        entry.put("Config", "c.json");
        entry.put("RepoTags", List.of("x:1"));
        entry.put("Layers", List.of("l.tar"));
        ByteArrayOutputStream mismatch = new ByteArrayOutputStream();
        try (TarWriter t = new TarWriter(mismatch)) {
            t.write(TarEntry.file("c.json", 0644, c.raw().length, 0), c.raw());
            t.write(TarEntry.file("l.tar", 0644, bad.length, 0), bad);
            byte[] m = Json.write(List.of(entry));
            t.write(TarEntry.file("manifest.json", 0644, m.length, 0), m);
        }
        refused(w, mismatch.toByteArray(), "diffid-mismatch", "diffID");
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(bomb)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) z.write(zeros);
        }
        refused(w, concat(bomb.toByteArray()), "zeros-not-an-archive");
        byte[] garbage = new byte[100_000];
        new Random(5).nextBytes(garbage);
        refused(w, garbage, "garbage");
        assertThat(Files.readString(dir.resolve("canary/file"))).isEqualTo("untouched");
    }

    @Test
    @org.junit.jupiter.api.Tag("runc")
    void aLayerWritingThroughASymlinkIsRefusedWhenUnpacked() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "RUN needs root");
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.whittle.sandbox.Runc.available(), "runc is not installed");
        Files.createDirectories(dir.resolve("canary"));
        Files.writeString(dir.resolve("canary/file"), "untouched");
        Whittle w = store("store-symlink");
        w.run("import", "-c", "ENV PATH=/bin", RootFs.busybox(dir).toString(), "hostile/base:1")
                .ok();
        // a legal tar, as docker would load it: a symlink to a host path, then a file "inside" it
        byte[] layer = archive(
                header("escape", '2', 0, dir.resolve("canary").toString()),
                header("escape/file", '0', 4, ""),
                padded("evil".getBytes()));
        Path saved = dir.resolve("in-base.tar");
        w.run("save", "-o", saved.toString(), "hostile/base:1").ok();
        Whittle other = store("store-symlink-2");
        other.run("load", "-i", saved.toString()).ok();
        byte[] archive = archiveOnTopOf(other, "hostile/base:1", layer);
        Path in = dir.resolve("in-symlink.tar");
        Files.write(in, archive);
        Exec load = other.run("load", "-i", in.toString());
        Path ctx = Files.createDirectories(dir.resolve("in-ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM hostile/evil:1\nRUN true\n");
        if (load.code() == 0) {
            Exec b = other.run("build", "--progress", "plain", "--check=off", ctx.toString());
            assertThat(b.code()).isEqualTo(1);
            assertThat(b.err()).contains("symlink").doesNotContain("Exception");
        } else {
            assertThat(load.err()).contains("symlink");
        }
        assertThat(Files.readString(dir.resolve("canary/file"))).isEqualTo("untouched");
        assertThat(other.run("system", "fsck").ok().out()).contains("is consistent");
    }

    /** An archive of an image made of {@code base}'s layers plus one more. */
    static byte[] archiveOnTopOf(Whittle w, String base, byte[] extra) throws IOException {
        String layersJson = w.run("inspect", "--format", "{{json .RootFS.Layers}}", base)
                .ok()
                .out()
                .trim();
        Path exported = Files.createTempFile("whittle-hostile", ".tar");
        try {
            w.run("save", "-o", exported.toString(), base).ok();
            // re-use the saved archive's layer blobs: the Docker ≥ 25 layout names them by digest
            List<byte[]> layers = new ArrayList<>();
            try (var r = new dev.whittle.tar.TarReader(Files.newInputStream(exported))) {
                Map<String, byte[]> blobs = new LinkedHashMap<>();
                for (TarEntry e = r.next(); e != null; e = r.next()) {
                    if (e.isFile() && e.name().startsWith("blobs/sha256/"))
                        blobs.put(e.name().substring(13), r.content().readAllBytes());
                }
                for (Object d : (List<?>) Json.parse(layersJson)) layers.add(blobs.get(((String) d).substring(7)));
            }
            layers.add(extra);
            return imageArchive("hostile/evil:1", layers, Map.of());
        } finally {
            Files.deleteIfExists(exported);
        }
    }

    @Test
    void killingLoadAtAnyMomentLeavesTheStoreConsistent() throws Exception {
        Path root = dir.resolve("store-kill");
        Whittle w = new Whittle(root);
        w.run("images").ok();
        List<byte[]> layers = new ArrayList<>();
        Random r = new Random(11);
        for (int i = 0; i < 4; i++) {
            byte[] data = new byte[6 << 20];
            r.nextBytes(data);
            layers.add(archive(header("f" + i, '0', data.length, ""), padded(data)));
        }
        Path in = dir.resolve("in-kill.tar");
        Files.write(in, imageArchive("killed:1", layers, Map.of()));
        long[] delays = {30, 120, 250, 400, 600, 900};
        for (long delay : delays) {
            List<String> cmd = List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED",
                    "-cp",
                    System.getProperty("java.class.path"),
                    "dev.whittle.cli.Main",
                    "--root",
                    root.toString(),
                    "load",
                    "-i",
                    in.toString());
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            Thread.sleep(delay);
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            // fsck names the killed load's temp files as leftovers; any other command removes them first
            assertThat(w.run("system", "fsck").out()).doesNotContain("blob").doesNotContain("layer");
            w.run("images").ok();
            Exec fsck = w.run("system", "fsck");
            assertThat(fsck.code())
                    .as("after a kill at " + delay + " ms: " + fsck.out() + fsck.err())
                    .isZero();
            assertThat(fsck.out()).contains("is consistent");
            String images =
                    w.run("images", "--format", "{{.Repository}}:{{.Tag}}").ok().out();
            assertThat(images).isIn("", "killed:1\n");
            if (!images.isEmpty()) w.run("rmi", "killed:1").ok();
        }
        w.run("load", "-i", in.toString()).ok();
        assertThat(w.run("images", "--format", "{{.Repository}}:{{.Tag}}").ok().out())
                .isEqualTo("killed:1\n");
        w.run("system", "prune", "-f").ok();
        try (Stream<Path> tmp = Files.list(root.resolve("whittle/tmp"))) {
            assertThat(tmp.toList())
                    .as("prune clears what killed loads left in tmp")
                    .isEmpty();
        }
    }
}
