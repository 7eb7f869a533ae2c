package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.whittle.image.Digest;
import dev.whittle.json.Json;
import dev.whittle.sandbox.Runc;
import dev.whittle.store.Maintenance;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store against its own machine: other local users, who must not reach what whittle unpacks as root (setuid
 * programs, device nodes), and whittle killed at any moment, which must never leave a store that fails the next
 * build. Also what a killed {@code save -o} leaves beside its destination.
 */
class HostileStoreTest {
    static final String EPOCH = "SOURCE_DATE_EPOCH=1700000000";

    @TempDir
    Path dir;

    /** busybox (RootFs) plus a setuid-root copy of the host's {@code id} and a world-writable device node. */
    static Path rootfsWithSetuidAndDevice(Path dir) throws IOException {
        assumeTrue(Files.isExecutable(RootFs.BUSYBOX), "busybox-static is not installed");
        Path tar = dir.resolve("hostile-rootfs.tar");
        byte[] bb = Files.readAllBytes(RootFs.BUSYBOX);
        byte[] id = Files.readAllBytes(Path.of("/usr/bin/id"));
        try (OutputStream o = Files.newOutputStream(tar);
                TarWriter w = new TarWriter(o)) {
            w.writeHeader(TarEntry.dir("bin", 0755, 1700000000));
            w.write(TarEntry.file("bin/busybox", 0755, bb.length, 1700000000), bb);
            for (String applet : new String[] {"sh", "ls", "cat", "echo", "id", "cp"}) {
                w.writeHeader(TarEntry.symlink("bin/" + applet, "/bin/busybox", 1700000000));
            }
            w.write(TarEntry.file("bin/id-suid", 04755, id.length, 1700000000), id);
            w.writeHeader(TarEntry.dir("dev", 0755, 1700000000));
            w.writeHeader(new TarEntry("dev/null-too", TarEntry.Type.CHAR, 0666, 0, 0, 0, 1700000000, "", 1, 3, null));
            w.writeHeader(TarEntry.dir("etc", 0755, 1700000000));
            byte[] passwd = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n".getBytes();
            w.write(TarEntry.file("etc/passwd", 0644, passwd.length, 1700000000), passwd);
            w.writeHeader(TarEntry.dir("tmp", 01777, 1700000000));
        }
        return tar;
    }

    /**
     * Runs a command as uid and gid 65534 without supplementary groups: any other local user. Through a shell, because
     * setpriv finds and starts the program it is given before it has quite become that user.
     */
    static Exec asNobody(List<String> cmd) {
        List<String> c = new ArrayList<>(List.of(
                "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", "sh", "-c", "exec \"$@\"", "sh"));
        c.addAll(cmd);
        return Exec.run(c, null, 60);
    }

    static void assumeRootAndRunc() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        assumeTrue(Runc.available(), "runc is not installed");
        assumeTrue(Exec.available("setpriv"), "setpriv is not installed (util-linux)");
    }

    /** The directory the store lives in, open to everyone (as /var/lib is), so only the store's own modes guard it. */
    Path openParent() throws IOException {
        Path p = Files.createDirectories(dir.resolve("shared"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    static Path context(Path dir, String name, String dockerfile, Map<String, String> files) throws IOException {
        Path ctx = Files.createDirectories(dir.resolve(name));
        Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
        for (var f : files.entrySet()) Files.writeString(ctx.resolve(f.getKey()), f.getValue());
        return ctx;
    }

    static Exec build(Whittle w, Path ctx, String tag) {
        return w.run("build", "--progress", "plain", "--check=off", "--build-arg", EPOCH, "-t", tag, ctx.toString());
    }

    static String id(Whittle w, String tag) {
        return w.run("inspect", "--format", "{{.Id}}", tag).ok().out().trim();
    }

    // ------------------------------------------------------------------------------------- other local users

    @Test
    @Tag("runc")
    void noOtherUserReachesWhatTheStoreHoldsAndBuildsAsAnotherUserStillWork() throws IOException {
        assumeRootAndRunc();
        Path root = openParent().resolve("store");
        Whittle w = new Whittle(root);
        w.run("import", "-c", "ENV PATH=/bin", rootfsWithSetuidAndDevice(dir).toString(), "hostile/base:1")
                .ok();
        Path ctx = context(dir, "private", """
                FROM hostile/base:1
                RUN --mount=type=cache,target=/cache echo cached > /cache/f && cp /cache/f /from-cache
                USER 65534
                RUN --mount=type=cache,target=/mine,id=mine,uid=65534 ls / > /tmp/listing && id -u >> /tmp/listing \\
                    && echo written by nobody > /mine/f && cat /mine/f >> /tmp/listing
                """, Map.of());
        build(w, ctx, "hostile/private").ok();
        // RUN as another user sees its root through pivot_root, not by walking the store's path; so does whittle run
        assertThat(w.run("run", "--rm", "hostile/private", "cat", "/tmp/listing", "/from-cache")
                        .ok()
                        .out())
                .contains("bin\n", "etc\n", "65534\n", "written by nobody\n", "cached\n");
        assertThat(w.run("run", "--rm", "hostile/private", "id", "-u").ok().out())
                .isEqualTo("65534\n");

        Path suid;
        try (Stream<Path> s = Files.walk(root.resolve("whittle/s"))) {
            suid = s.filter(p -> p.endsWith("fs/bin/id-suid")).findFirst().orElseThrow();
        }
        assertThat(Files.getAttribute(suid, "unix:mode"))
                .as("the snapshot holds the image's setuid-root program")
                .isEqualTo(0104755);
        assertThat(Files.getAttribute(suid, "unix:uid")).isEqualTo(0);
        assertThat(Files.isDirectory(root.resolve("whittle/cachemounts"))).isTrue();
        Files.writeString(root.resolve("whittle/tmp/in-flight"), "a temp file of a running command");

        List<String> below;
        try (Stream<Path> s = Files.walk(root)) {
            below = s.filter(p -> !p.equals(root)).map(Path::toString).toList();
        }
        List<String> probe = new ArrayList<>(
                List.of("sh", "-c", "for p; do if [ -e \"$p\" ] || [ -L \"$p\" ]; then echo \"$p\"; fi; done", "sh"));
        probe.addAll(below);
        Exec suidRun = asNobody(List.of(suid.toString(), "-u"));
        SoftAssertions.assertSoftly(soft -> {
            soft.assertThat(suidRun.out())
                    .as("another user runs the image's setuid program as root")
                    .isNotEqualTo("0\n");
            soft.assertThat(suidRun.code()).isNotZero();
            soft.assertThat(asNobody(List.of("ls", root.toString())).code())
                    .as("another user lists the store")
                    .isNotZero();
            soft.assertThat(asNobody(probe).ok().out().lines().toList())
                    .as("paths below the store another user reaches")
                    .isEmpty();
        });
        assertThat(below)
                .as("the probe saw blobs, layer records, snapshots, cache mounts and temp files")
                .anyMatch(p -> p.contains("/blobs/sha256/"))
                .anyMatch(p -> p.contains("/whittle/layers/"))
                .anyMatch(p -> p.endsWith("fs/dev/null-too"))
                .anyMatch(p -> p.contains("/whittle/cachemounts/"))
                .anyMatch(p -> p.endsWith("whittle/tmp/in-flight"));
    }

    @Test
    void aNewStoreIsPrivateAndAnExistingOneOpenToOthersIsMadePrivate() throws IOException {
        Path root = openParent().resolve("store");
        Whittle w = new Whittle(root);
        w.run("images").ok();
        assertThat(Files.getAttribute(root, "unix:mode")).isEqualTo(040700);
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        w.run("images").ok();
        assertThat(Files.getAttribute(root, "unix:mode"))
                .as("tightened when opened")
                .isEqualTo(040700);
    }

    @Test
    void aStoreAnotherUserOwnsIsRefusedSayingWhy() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to chown");
        Path root = openParent().resolve("store");
        new Whittle(root).run("images").ok();
        Files.setAttribute(root, "unix:uid", 65534);
        Exec e = new Whittle(root).run("images");
        assertThat(e.code()).isEqualTo(1);
        assertThat(e.err())
                .startsWith("Error: ")
                .contains(root.toString())
                .contains("uid 65534")
                .doesNotContain("\tat ");
        assertThat(Files.getAttribute(root, "unix:mode"))
                .as("not changed: not ours")
                .isEqualTo(040700);
    }

    // ------------------------------------------------------------------------------------ killed part-way through

    /** The files of an image's own layers (above its base's), as a prune would remove them. */
    record ImageFiles(Digest manifest, Digest config, List<Digest> blobs, List<Digest> diffIds) {
        @SuppressWarnings("unchecked")
        static ImageFiles of(Path root, String name, int baseLayers) throws IOException {
            Map<String, Object> index = Json.parseObject(Files.readAllBytes(root.resolve("index.json")));
            Digest manifest = null;
            for (Object o : (List<Object>) index.get("manifests")) {
                Map<String, Object> d = (Map<String, Object>) o;
                Map<String, Object> ann = (Map<String, Object>) d.get("annotations");
                if (ann != null && name.equals(ann.get("org.opencontainers.image.ref.name")))
                    manifest = Digest.parse((String) d.get("digest"));
            }
            Map<String, Object> m = Json.parseObject(Files.readAllBytes(blob(root, manifest)));
            Digest config = Digest.parse((String) ((Map<String, Object>) m.get("config")).get("digest"));
            List<Digest> blobs = new ArrayList<>();
            for (Object l : (List<Object>) m.get("layers"))
                blobs.add(Digest.parse((String) ((Map<String, Object>) l).get("digest")));
            Map<String, Object> c = Json.parseObject(Files.readAllBytes(blob(root, config)));
            List<Digest> diffIds = new ArrayList<>();
            for (Object d : (List<Object>) ((Map<String, Object>) c.get("rootfs")).get("diff_ids"))
                diffIds.add(Digest.parse((String) d));
            return new ImageFiles(
                    manifest,
                    config,
                    blobs.subList(baseLayers, blobs.size()),
                    diffIds.subList(baseLayers, diffIds.size()));
        }
    }

    static Path blob(Path root, Digest d) {
        return root.resolve("blobs/sha256").resolve(d.hex());
    }

    /** What a removal or prune cut short may have taken, each kind for one of the image's own layers. */
    enum Taken {
        MANIFEST,
        CONFIG,
        LAYER_BLOB,
        LAYER_RECORD,
        RECORD_OF_ANOTHER_BLOB,
        UNPACKED,
        CACHE_ENTRIES
    }

    static void take(Path root, ImageFiles f, Taken t, int layer) throws IOException {
        Digest diffId = f.diffIds().get(layer);
        switch (t) {
            case MANIFEST -> Files.deleteIfExists(blob(root, f.manifest()));
            case CONFIG -> Files.deleteIfExists(blob(root, f.config()));
            case LAYER_BLOB -> Files.deleteIfExists(blob(root, f.blobs().get(layer)));
            case LAYER_RECORD ->
                Files.deleteIfExists(root.resolve("whittle/layers").resolve(diffId.hex() + ".json"));
            case RECORD_OF_ANOTHER_BLOB -> { // as a pull of the layer compressed otherwise records it once prune took
                // the record
                Path p = root.resolve("whittle/layers").resolve(diffId.hex() + ".json");
                if (!Files.exists(p)) return;
                Map<String, Object> m = new LinkedHashMap<>(Json.parseObject(Files.readAllBytes(p)));
                m.put("blobs", Map.of("sha256:" + "0".repeat(64), "application/vnd.oci.image.layer.v1.tar+gzip"));
                Files.write(p, Json.write(m));
            }
            case UNPACKED -> { // what is made again from the blob: the table of contents and the snapshot
                Files.deleteIfExists(root.resolve("whittle/toc").resolve(diffId.hex()));
                Maintenance.deleteTree(
                        root.resolve("whittle/s").resolve(diffId.hex().substring(0, 16)));
            }
            case CACHE_ENTRIES -> Maintenance.deleteFilesIn(root.resolve("whittle/cache"));
        }
    }

    @Test
    @Tag("runc")
    void aRemovalCutShortAnywhereMeansARebuildNeverAnError() throws IOException {
        assumeRootAndRunc();
        Path root = dir.resolve("store");
        Whittle w = new Whittle(root);
        w.run("import", "-c", "ENV PATH=/bin", RootFs.busybox(dir).toString(), "hostile/base:1")
                .ok();
        Path ctx = context(dir, "cut-short", """
                FROM hostile/base:1
                COPY a.txt /a.txt
                RUN cat /a.txt > /b.txt
                COPY c.txt /c.txt
                """, Map.of("a.txt", "a", "c.txt", "c"));
        build(w, ctx, "hostile/app").ok();
        String clean = id(w, "hostile/app");
        ImageFiles f = ImageFiles.of(root, "docker.io/hostile/app:latest", 1);
        Taken[] kinds = Taken.values();
        // every combination of kinds: whatever order rmi, prune or a crash took them in, a kill leaves some subset
        for (int mask = 0; mask < 1 << kinds.length; mask++) {
            int layer = mask % f.diffIds().size();
            List<Taken> taken = new ArrayList<>();
            for (int k = 0; k < kinds.length; k++) if ((mask & 1 << k) != 0) taken.add(kinds[k]);
            w.run("rmi", "--no-prune", "hostile/app").ok(); // the index entry goes first
            for (Taken t : taken) take(root, f, t, layer);
            Exec again = build(w, ctx, "hostile/app");
            assertThat(again.code())
                    .as("rebuild after " + taken + " of layer " + layer + " went: " + again.err())
                    .isZero();
            assertThat(id(w, "hostile/app"))
                    .as("rebuild after " + taken + " of layer " + layer)
                    .isEqualTo(clean);
            Exec fsck = w.run("system", "fsck");
            assertThat(fsck.code())
                    .as("fsck after the rebuild after " + taken + " of layer " + layer + ": " + fsck.out())
                    .isZero();
        }
        assertThat(w.run("run", "--rm", "hostile/app", "cat", "/a.txt", "/b.txt", "/c.txt")
                        .ok()
                        .out())
                .isEqualTo("aac"); // the files end without a newline
    }

    @Test
    void killingRmiAnywhereNeverWedgesTheNextBuild() throws Exception {
        killAnywhere(false, List.of("whittle/layers", "blobs/sha256"), "rmi", "hostile/killed");
    }

    @Test
    void killingSystemPruneAnywhereNeverWedgesTheNextBuild() throws Exception {
        killAnywhere(
                true,
                List.of("whittle/layers", "blobs/sha256", "whittle/memo", "whittle/cache"),
                "system",
                "prune",
                "-f");
    }

    /**
     * Runs the command on a built image in a JVM of its own 20 times, killed (SIGKILL) at some other point each time:
     * anywhere in its life, or as the files in one of {@code watched} start to go. After each kill fsck is clean,
     * nothing left refers to what is gone, and a rebuild succeeds and gives the image the clean build gave.
     */
    private void killAnywhere(boolean untagFirst, List<String> watched, String... command) throws Exception {
        Path root = dir.resolve("store");
        Whittle w = new Whittle(root);
        w.run("import", RootFs.busybox(dir).toString(), "hostile/base:1").ok();
        StringBuilder df = new StringBuilder("FROM hostile/base:1\n");
        Map<String, String> files = new TreeMap<>();
        for (int i = 0; i < 40; i++) {
            df.append("COPY f").append(i).append(" /f").append(i).append('\n');
            files.put("f" + i, "file " + i);
        }
        Path ctx = context(dir, "killed", df.toString(), files);
        build(w, ctx, "hostile/killed").ok();
        String clean = id(w, "hostile/killed");
        if (untagFirst) w.run("rmi", "--no-prune", "hostile/killed").ok();
        long start = System.nanoTime();
        assertThat(whittle(root, command).waitFor()).isZero();
        long whole = System.nanoTime() - start;
        Map<String, Long> finished = counts(root, watched); // what the command leaves when it is not killed
        build(w, ctx, "hostile/killed").ok();
        Random r = new Random(15);
        int partial = 0;
        for (int i = 0; i < 20; i++) {
            if (untagFirst) w.run("rmi", "--no-prune", "hostile/killed").ok();
            Map<String, Long> before = counts(root, watched);
            Process p = whittle(root, command);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int mode = i % (1 + watched.size());
            String when;
            if (mode == 0) {
                long delay = (long) (r.nextDouble() * whole);
                TimeUnit.NANOSECONDS.sleep(delay);
                when = delay / 1_000_000 + " ms after start";
            } else {
                String kind = watched.get(mode - 1);
                while (p.isAlive() && System.nanoTime() < deadline && count(root.resolve(kind)) == before.get(kind))
                    Thread.onSpinWait();
                when = "as " + kind + " started to go";
            }
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            Map<String, Long> now = counts(root, watched);
            when += " (files " + before + " before, " + now + " after)";
            boolean begun = watched.stream().anyMatch(k -> now.get(k) < before.get(k));
            boolean unfinished = watched.stream().anyMatch(k -> now.get(k) > finished.get(k));
            if (begun && unfinished) partial++;
            Exec fsck = w.run("system", "fsck");
            assertThat(fsck.code())
                    .as("fsck after a kill " + when + ": " + fsck.out())
                    .isZero();
            assertThat(recordsOfGoneBlobs(root))
                    .as("layer records left naming only removed blobs after a kill " + when)
                    .isEmpty();
            assertThat(memoEntriesOfGoneCacheEntries(root))
                    .as("memo entries left naming removed cache entries after a kill " + when)
                    .isEmpty();
            Exec again = build(w, ctx, "hostile/killed");
            assertThat(again.code())
                    .as("rebuild after a kill " + when + ": " + again.err())
                    .isZero();
            assertThat(id(w, "hostile/killed"))
                    .as("rebuild after a kill " + when)
                    .isEqualTo(clean);
        }
        assertThat(partial).as("kills that cut the command short").isPositive();
    }

    static Map<String, Long> counts(Path root, List<String> dirs) throws IOException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String d : dirs) out.put(d, count(root.resolve(d)));
        return out;
    }

    /** Memo entries that name a step-cache entry no longer there. */
    @SuppressWarnings("unchecked")
    static List<String> memoEntriesOfGoneCacheEntries(Path root) throws IOException {
        List<String> out = new ArrayList<>();
        Path memo = root.resolve("whittle/memo");
        if (!Files.isDirectory(memo)) return out;
        try (Stream<Path> s = Files.list(memo)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                for (Object k :
                        (List<Object>) Json.parseObject(Files.readAllBytes(p)).get("cacheKeys")) {
                    if (!Files.exists(root.resolve("whittle/cache").resolve((String) k)))
                        out.add(p.getFileName() + " -> " + k);
                }
            }
        }
        return out;
    }

    /** Layer records none of whose blobs is in the store any more. */
    @SuppressWarnings("unchecked")
    static List<String> recordsOfGoneBlobs(Path root) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(root.resolve("whittle/layers"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Map<String, Object> blobs = (Map<String, Object>)
                        Json.parseObject(Files.readAllBytes(p)).get("blobs");
                if (blobs.keySet().stream().noneMatch(b -> Files.exists(blob(root, Digest.parse(b)))))
                    out.add(p.getFileName().toString());
            }
        }
        return out;
    }

    static long count(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return 0;
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        } catch (java.nio.file.NoSuchFileException e) {
            return 0;
        }
    }

    // ------------------------------------------------------------------------------------------- a killed save

    /** The part files beside {@code dest}: {@code .DEST.whittle-save-PID.part} and any other {@code .DEST.*} file. */
    static List<String> partFiles(Path dest) throws IOException {
        try (Stream<Path> s = Files.list(dest.getParent())) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("." + dest.getFileName() + "."))
                    .sorted()
                    .toList();
        }
    }

    @Test
    void aKilledSaveLeavesAPartFileNamedForItAndTheNextSaveRemovesIt() throws Exception {
        Path root = dir.resolve("store");
        Whittle w = new Whittle(root);
        byte[] big = new byte[96 << 20];
        new Random(3).nextBytes(big);
        Path tar = dir.resolve("big.tar");
        try (OutputStream o = Files.newOutputStream(tar);
                TarWriter tw = new TarWriter(o)) {
            tw.write(TarEntry.file("big", 0644, big.length, 1700000000), big);
        }
        w.run("import", tar.toString(), "hostile/big:1").ok();
        Path out = Files.createDirectories(dir.resolve("out")).resolve("saved.tar");
        long killed = -1;
        for (int attempt = 0; attempt < 5 && killed < 0; attempt++) {
            Process p = whittle(root, "save", "-o", out.toString(), "hostile/big:1");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (p.isAlive() && System.nanoTime() < deadline && partFiles(out).isEmpty()) Thread.onSpinWait();
            p.destroyForcibly(); // SIGKILL, as soon as the part file is there
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            if (p.exitValue() == 137) killed = p.pid();
            else Files.deleteIfExists(out); // finished before the kill: again
        }
        assertThat(killed).as("a save killed midway").isPositive();
        assertThat(out).doesNotExist();
        assertThat(partFiles(out)).containsExactly(".saved.tar.whittle-save-" + killed + ".part");

        // a part file of a live save that began before it stays; one named for a process started after it was written
        // goes
        Process live = new ProcessBuilder("sleep", "60").start();
        try {
            Thread.sleep(50);
            Path writing = out.resolveSibling(".saved.tar.whittle-save-" + live.pid() + ".part");
            Files.writeString(writing, "a save still at work");
            Path reused = out.resolveSibling(".saved.tar.whittle-export-" + live.pid() + ".part");
            Files.writeString(reused, "left by a process whose pid another now has");
            Files.setLastModifiedTime(reused, FileTime.from(Instant.now().minusSeconds(3600)));
            w.run("save", "-o", out.toString(), "hostile/big:1").ok();
            assertThat(partFiles(out)).containsExactly(writing.getFileName().toString());
        } finally {
            live.destroyForcibly().waitFor();
        }
        assertThat(Files.size(out)).isGreaterThan(big.length);
        Whittle other = new Whittle(dir.resolve("other-store"));
        assertThat(other.run("load", "-i", out.toString()).ok().out()).contains("hostile/big:1");
    }

    /** whittle in a JVM of its own, started as the launcher starts it. */
    static Process whittle(Path root, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.whittle.cli.Main",
                "--root",
                root.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }
}
