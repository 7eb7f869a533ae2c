package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Build engine behaviour a user relies on, with runc and overlayfs (root), on a busybox base. */
@Tag("runc")
class EngineTest {
    @TempDir
    static Path dir;

    static Whittle whittle;
    static final String BASE = "engine/busybox:1";

    @BeforeAll
    static void base() throws IOException {
        whittle = RootFs.busyboxStore(dir, BASE);
    }

    static Path context(String name, String dockerfile, Map<String, String> files) throws IOException {
        Path ctx = Files.createDirectories(dir.resolve(name));
        Files.writeString(ctx.resolve("Dockerfile"), dockerfile.replace("BASE", BASE));
        for (var f : files.entrySet()) {
            Files.createDirectories(ctx.resolve(f.getKey()).getParent());
            Files.writeString(ctx.resolve(f.getKey()), f.getValue());
        }
        return ctx;
    }

    static Exec build(Whittle w, Path ctx, String... extra) {
        List<String> a = new ArrayList<>(List.of("build", "--progress", "plain", "--check=off"));
        a.addAll(List.of(extra));
        a.add(ctx.toString());
        return w.run(a.toArray(String[]::new));
    }

    static String id(Whittle w, String tag) {
        return w.run("inspect", "--format", "{{.Id}}", tag).ok().out().trim();
    }

    @Test
    void rebuildsUseTheCacheAndAChangedFileRerunsOnlyFromItsCopy() throws IOException {
        Path ctx = context("cache", """
                FROM BASE
                COPY deps.txt /deps.txt
                RUN cat /deps.txt > /deps-installed
                COPY main.txt /main.txt
                RUN cat /main.txt > /built
                """, Map.of("deps.txt", "deps v1", "main.txt", "main v1"));
        Exec first = build(whittle, ctx, "-t", "engine/cache").ok();
        assertThat(first.err()).doesNotContain("CACHED");
        String id1 = id(whittle, "engine/cache");
        Exec again = build(whittle, ctx, "-t", "engine/cache").ok();
        assertThat(again.err().lines().filter(l -> l.endsWith(" CACHED")).count())
                .isEqualTo(4);
        assertThat(id(whittle, "engine/cache")).isEqualTo(id1);
        Files.writeString(ctx.resolve("main.txt"), "main v2");
        Exec changed = build(whittle, ctx, "-t", "engine/cache").ok();
        List<String> lines = changed.err().lines().toList();
        assertThat(lines).contains("#2 CACHED", "#3 CACHED").doesNotContain("#4 CACHED", "#5 CACHED");
        assertThat(whittle.run("run", "--rm", "engine/cache", "cat", "/built")
                        .ok()
                        .out())
                .isEqualTo("main v2"); // no newline: the file has none
        Exec nocache = build(whittle, ctx, "--no-cache", "-t", "engine/cache").ok();
        assertThat(nocache.err()).doesNotContain("CACHED");
    }

    @Test
    void cacheMountsPersistAcrossBuildsAndStayOutOfLayers() throws IOException {
        Path ctx = context("cachemount", """
                FROM BASE
                RUN --mount=type=cache,target=/cache echo run >> /cache/runs && wc -l < /cache/runs > /count
                """, Map.of());
        build(whittle, ctx, "--no-cache", "-t", "engine/cachemount").ok();
        build(whittle, ctx, "--no-cache", "-t", "engine/cachemount").ok();
        assertThat(whittle.run("run", "--rm", "engine/cachemount", "cat", "/count")
                        .ok()
                        .out()
                        .trim())
                .isEqualTo("2");
        Path export = dir.resolve("cm.tar");
        whittle.run("export", "-o", export.toString(), "engine/cachemount").ok();
        assertThat(Exec.run("tar", "-tf", export.toString()).ok().out()).doesNotContain("cache/runs");
    }

    @Test
    void secretsNeverReachALayerTheHistoryOrTheCache() throws IOException {
        String secret = "s3cr3t-" + System.nanoTime();
        Path file = dir.resolve("token");
        Files.writeString(file, secret);
        Path ctx = context("secret", """
                FROM BASE
                RUN --mount=type=secret,id=token test "$(cat /run/secrets/token)" = "%s" && echo used > /used
                """.formatted(secret), Map.of());
        build(whittle, ctx, "--secret", "id=token,src=" + file, "-t", "engine/secret")
                .ok();
        // the value appears in the Dockerfile text here on purpose: check the layers and cache only hold the
        // Dockerfile's copy
        Path export = dir.resolve("secret.tar");
        whittle.run("export", "-o", export.toString(), "engine/secret").ok();
        String listing = Exec.run("tar", "-tf", export.toString()).ok().out();
        assertThat(listing).contains("used").doesNotContain("run/secrets");
        try (Stream<Path> all = Files.walk(whittle.root().resolve("blobs"))) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1);
                if (content.contains(secret)) {
                    // only the config's history may hold it, because the Dockerfile line itself contains it
                    assertThat(content).startsWith("{");
                }
            }
        }
        Exec missing = build(
                whittle,
                context(
                        "secret-required",
                        "FROM BASE\nRUN --mount=type=secret,id=nope,required=true true\n",
                        Map.of()));
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("secret nope: not found");
    }

    @Test
    void sourceDateEpochMakesBuildsReproducibleAcrossStores() throws IOException {
        Path ctx = context("repro", """
                FROM BASE
                COPY a.txt /a.txt
                RUN echo built > /b && touch /c
                WORKDIR /w
                LABEL x=y
                """, Map.of("a.txt", "a"));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Whittle w = new Whittle(dir.resolve("repro-store-" + i));
            w.run("import", "-c", "ENV PATH=/bin", RootFs.busybox(dir).toString(), BASE)
                    .ok();
            // the imported base itself carries its import time: give both stores the same base bytes
            if (i == 1) {
                Path saved = dir.resolve("base.tar");
                new Whittle(dir.resolve("repro-store-0"))
                        .run("save", "-o", saved.toString(), BASE)
                        .ok();
                w.run("load", "-i", saved.toString()).ok();
            }
            build(w, ctx, "--build-arg", "SOURCE_DATE_EPOCH=1700000000", "-t", "engine/repro")
                    .ok();
            ids.add(w.run("inspect", "--format", "{{.Id}} {{.Created}}", "engine/repro")
                    .ok()
                    .out());
        }
        assertThat(ids.get(1)).isEqualTo(ids.get(0));
        assertThat(ids.get(0)).contains("2023-11-14T22:13:20Z");
    }

    @Test
    void onlyNeededStagesRunAndIndependentOnesRunAtOnce() throws IOException {
        Path ctx = context("stages", """
                FROM BASE AS broken
                RUN exit 3
                FROM BASE AS a
                RUN cut -d' ' -f1 /proc/uptime | tr -d . > /start && sleep 1 && cut -d' ' -f1 /proc/uptime | tr -d . > /end
                FROM BASE AS b
                RUN cut -d' ' -f1 /proc/uptime | tr -d . > /start && sleep 1 && cut -d' ' -f1 /proc/uptime | tr -d . > /end
                FROM BASE
                COPY --from=a /start /a-start
                COPY --from=a /end /a-end
                COPY --from=b /start /b-start
                COPY --from=b /end /b-end
                """, Map.of());
        Exec b = build(whittle, ctx, "--no-cache", "-t", "engine/stages").ok();
        assertThat(b.err()).doesNotContain("exit 3");
        long aStart = num("engine/stages", "/a-start"), aEnd = num("engine/stages", "/a-end");
        long bStart = num("engine/stages", "/b-start"), bEnd = num("engine/stages", "/b-end");
        assertThat(aStart < bEnd && bStart < aEnd)
                .as("the two stages' RUNs overlapped in time")
                .isTrue();
        Exec broken = build(whittle, ctx, "--target", "broken");
        assertThat(broken.code()).isEqualTo(1);
        assertThat(broken.err())
                .contains(
                        "Dockerfile:2:1: RUN failed: process \"/bin/sh -c exit 3\" did not complete successfully: exit code: 3")
                .contains("    2 | RUN exit 3");
    }

    private long num(String image, String file) {
        return Long.parseLong(
                whittle.run("run", "--rm", image, "cat", file).ok().out().trim());
    }

    @Test
    void heredocsRunAndCopy() throws IOException {
        Path ctx = context("heredoc", """
                FROM BASE
                ARG WHO=world
                RUN <<EOF
                echo "hello $WHO" > /greeting
                echo second line >> /greeting
                EOF
                COPY <<-"EOT" /literal.txt
                	kept $WHO
                	EOT
                RUN cat <<EOF > /piped
                piped
                EOF
                """, Map.of());
        build(whittle, ctx, "-t", "engine/heredoc").ok();
        assertThat(whittle.run("run", "--rm", "engine/heredoc", "cat", "/greeting", "/literal.txt", "/piped")
                        .ok()
                        .out())
                .isEqualTo("hello world\nsecond line\nkept $WHO\npiped\n");
    }

    @Test
    void outputsAnArchiveAnOciLayoutAndADirectory() throws IOException {
        Path ctx = context("outputs", "FROM BASE\nCOPY f /f\n", Map.of("f", "content"));
        Path docker = dir.resolve("out-docker.tar"), oci = dir.resolve("out-oci.tar"), local = dir.resolve("out-local");
        build(
                        whittle,
                        ctx,
                        "-t",
                        "engine/outputs",
                        "--output",
                        "type=docker,dest=" + docker,
                        "--output",
                        "type=oci,dest=" + oci,
                        "--output",
                        "type=local,dest=" + local,
                        "--iidfile",
                        dir.resolve("iid").toString())
                .ok();
        assertThat(Exec.run("tar", "-tf", docker.toString()).ok().out()).contains("manifest.json");
        assertThat(Exec.run("tar", "-tf", oci.toString()).ok().out())
                .contains("oci-layout")
                .doesNotContain("manifest.json");
        assertThat(Files.readString(local.resolve("f"))).isEqualTo("content");
        assertThat(Files.readString(dir.resolve("iid"))).isEqualTo(id(whittle, "engine/outputs"));
    }

    @Test
    void anImportedTarWithoutItsParentDirectoriesReadsAsDockerAppliesIt() throws IOException {
        // a tar that names only opt/java/openjdk/bin/java: docker's applier makes the directories above it
        Path src = dir.resolve("noparents");
        Files.createDirectories(src.resolve("opt/java/openjdk/bin"));
        Files.writeString(src.resolve("opt/java/openjdk/bin/java"), "jre");
        Path tar = dir.resolve("noparents.tar");
        Exec.run("tar", "-cf", tar.toString(), "-C", src.toString(), "--no-recursion", "opt/java/openjdk/bin/java")
                .ok();
        assertThat(Exec.run("tar", "-tf", tar.toString()).ok().out().strip()).isEqualTo("opt/java/openjdk/bin/java");
        whittle.run("import", tar.toString(), "engine/noparents:1").ok();

        Path ctx = context("noparents-copy", """
                FROM scratch
                COPY --from=engine/noparents:1 /opt/java/openjdk /o
                COPY --from=engine/noparents:1 /opt/java/openjdk/bin/java /j
                """, Map.of());
        build(whittle, ctx, "-t", "engine/noparents-copy").ok();
        Path copied = dir.resolve("noparents-copy.tar");
        whittle.run("export", "-o", copied.toString(), "engine/noparents-copy").ok();
        assertThat(Exec.run("tar", "-tf", copied.toString()).ok().out().lines())
                .containsExactlyInAnyOrder("j", "o/", "o/bin/", "o/bin/java");

        Path exported = dir.resolve("noparents-export.tar");
        whittle.run("export", "-o", exported.toString(), "engine/noparents:1").ok();
        assertThat(Exec.run("tar", "-tvf", exported.toString()).ok().out().lines())
                .anySatisfy(l -> assertThat(l).startsWith("drwxr-xr-x 0/0").endsWith(" opt/java/"))
                .hasSize(5);
    }

    @Test
    void ctrlCLeavesNoMountRuncStateOrTempDirectory() throws Exception {
        Path ctx = context("interrupt", "FROM BASE\nRUN echo started && sleep 60\n", Map.of());
        Path root = dir.resolve("interrupt-store");
        new Whittle(root).run("import", RootFs.busybox(dir).toString(), BASE).ok();
        // twice: while runc is still creating the container (its temp directory, mount and container half made),
        // and once the container runs
        interruptAfter(ctx, root, java.util.regex.Pattern.compile("RUN echo started"));
        interruptAfter(ctx, root, java.util.regex.Pattern.compile("(?m)^#\\d+ [0-9.]+ started$"));
    }

    private void interruptAfter(Path ctx, Path root, java.util.regex.Pattern shown) throws Exception {
        Path log = dir.resolve("interrupt.log");
        // a background job inherits SIGINT ignored (CI runners start builds that way), and the JVM then keeps ignoring
        // it;
        // a user's Ctrl-C in a terminal is never ignored, so the test gives whittle the default disposition back
        List<String> cmd = new ArrayList<>(List.of(
                "env",
                "--default-signal=INT",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.whittle.cli.Main",
                "--root",
                root.toString(),
                "build",
                "--progress",
                "plain",
                "--no-cache",
                ctx.toString()));
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!shown.matcher(Files.readString(log)).find() && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(Files.readString(log)).containsPattern(shown);
        long java = p.pid(); // env execs java (its children are runc's, which must not get the signal in its place)
        List<ProcessHandle> children = p.descendants().toList(); // runc, the container's sleep, RUN's network helpers
        Exec.run("kill", "-INT", String.valueOf(java)).ok();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            Exec.run("kill", "-QUIT", String.valueOf(java)); // the JVM prints its threads to the log
            Thread.sleep(2000);
            p.destroyForcibly().waitFor();
            org.assertj.core.api.Assertions.fail(
                    "whittle did not stop within 30 s of SIGINT; its output and threads:\n" + Files.readString(log));
        }
        assertThat(Exec.run("sh", "-c", "grep -c '" + root + "' /proc/mounts || true")
                        .out()
                        .trim())
                .isEqualTo("0");
        try (Stream<Path> tmp = Files.list(root.resolve("whittle/tmp"))) {
            assertThat(tmp.toList()).isEmpty();
        }
        String containers = Exec.run(
                        "sh", "-c", "ls /run/whittle-runc/* 2>/dev/null | grep -c whittle-" + p.pid() + " || true")
                .out()
                .trim();
        assertThat(containers).isEqualTo("0");
        for (int i = 0; i < 50 && children.stream().anyMatch(ProcessHandle::isAlive); i++) Thread.sleep(100);
        assertThat(children.stream()
                        .filter(ProcessHandle::isAlive)
                        .map(h -> h.info().commandLine().orElse("?")))
                .isEmpty();
        assertThat(new Whittle(root).run("system", "fsck").ok().out()).contains("is consistent");
    }

    @Test
    void addOfAUrlChecksItsChecksum() throws IOException {
        com.sun.net.httpserver.HttpServer server =
                com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 4);
        byte[] body = "downloaded content\n".getBytes();
        server.createContext("/files/tool.txt", ex -> {
            ex.getResponseHeaders().set("Last-Modified", "Tue, 14 Nov 2023 22:13:20 GMT");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/files/tool.txt";
            String sum = dev.whittle.image.Digest.sha256(body).toString();
            Path ctx = context("addurl", "FROM BASE\nADD --checksum=" + sum + " " + url + " /opt/\n", Map.of());
            build(whittle, ctx, "-t", "engine/addurl").ok();
            assertThat(whittle.run("run", "--rm", "engine/addurl", "cat", "/opt/tool.txt")
                            .ok()
                            .out())
                    .isEqualTo("downloaded content\n");
            assertThat(whittle.run("run", "--rm", "engine/addurl", "stat", "-c", "%a %Y", "/opt/tool.txt")
                            .ok()
                            .out())
                    .isEqualTo("600 1700000000\n");
            Path bad = context(
                    "addurl-bad",
                    "FROM BASE\nADD --checksum=sha256:" + "0".repeat(64) + " " + url + " /opt/\n",
                    Map.of());
            Exec e = build(whittle, bad, "-t", "engine/addurl-bad");
            assertThat(e.code()).isEqualTo(1);
            assertThat(e.err())
                    .contains("Dockerfile:2:")
                    .contains("digest mismatch")
                    .contains(sum);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aStageOnlyCopiedFromHasItsLayersWrittenBehindTheBuild() throws IOException {
        Whittle w = new Whittle(dir.resolve("deferred-store"));
        w.run("import", "-c", "ENV PATH=/bin", RootFs.busybox(dir).toString(), BASE)
                .ok();
        Path ctx = context("deferred", """
                FROM BASE AS build
                RUN mkdir -p /out && echo built > /out/file && ln /out/file /out/hard && ln -s file /out/link
                RUN cat /out/file > /out/again && rm /out/hard
                FROM BASE
                COPY --from=build /out /copied
                """, Map.of());
        build(w, ctx, "-t", "engine/deferred").ok();
        assertThat(w.run(
                                "run",
                                "--rm",
                                "engine/deferred",
                                "sh",
                                "-c",
                                "cat /copied/file /copied/again; readlink /copied/link; ls /copied")
                        .ok()
                        .out())
                .isEqualTo("built\nbuilt\nfile\nagain\nfile\nlink\n");
        // the base, the two RUNs under their layers' diffIDs, and the COPY's layer, unpacked by run
        assertSnapshotsAreOfRecordedLayers(w, 4);
        // the same steps exported: both RUNs come from the cache entries written in the background
        Exec target = build(w, ctx, "--target", "build", "-t", "engine/deferred-build")
                .ok();
        assertThat(target.err()).contains("#2 CACHED", "#3 CACHED");
        assertThat(w.run("run", "--rm", "engine/deferred-build", "sh", "-c", "ls /out; cat /out/again")
                        .ok()
                        .out())
                .isEqualTo("again\nfile\nlink\nbuilt\n");
        assertSnapshotsAreOfRecordedLayers(w, 4);
        assertThat(w.run("system", "fsck").ok().out()).contains("is consistent");
    }

    @Test
    void aFailureAfterADeferredLayerStillLeavesItCachedAndNothingBehind() throws IOException {
        Whittle w = new Whittle(dir.resolve("deferred-fail-store"));
        w.run("import", "-c", "ENV PATH=/bin", RootFs.busybox(dir).toString(), BASE)
                .ok();
        String df = "FROM BASE AS build\nRUN echo made > /made\nFROM BASE\nCOPY --from=build /made /made\nRUN RESULT\n";
        Path ctx = context("deferred-fail", df.replace("RESULT", "false"), Map.of());
        assertThat(build(w, ctx, "-t", "engine/deferred-fail").code()).isEqualTo(1);
        try (Stream<Path> tmp = Files.list(w.root().resolve("whittle/tmp"))) {
            assertThat(tmp.toList()).isEmpty();
        }
        assertSnapshotsAreOfRecordedLayers(w, 3); // the base, the deferred RUN's, the COPY's (under the failed RUN)
        Files.writeString(ctx.resolve("Dockerfile"), df.replace("BASE", BASE).replace("RESULT", "true"));
        assertThat(build(w, ctx, "-t", "engine/deferred-fail").ok().err()).contains("#2 CACHED");
        assertThat(w.run("run", "--rm", "engine/deferred-fail", "cat", "/made")
                        .ok()
                        .out())
                .isEqualTo("made\n");
    }

    /** Every snapshot is named by (and marked with) the diffID of a layer the store has recorded: none is provisional. */
    private static void assertSnapshotsAreOfRecordedLayers(Whittle w, int expected) throws IOException {
        List<Path> snaps;
        try (Stream<Path> s = Files.list(w.root().resolve("whittle/s"))) {
            snaps = s.filter(Files::isDirectory).toList();
        }
        assertThat(snaps).hasSize(expected);
        for (Path snap : snaps) {
            String diffId = Files.readAllLines(snap.resolve("diffid")).getFirst();
            assertThat(diffId).startsWith("sha256:" + snap.getFileName());
            assertThat(w.root().resolve("whittle/layers/" + diffId.substring("sha256:".length()) + ".json"))
                    .exists();
        }
    }

    @Test
    void systemPruneRemovesTheBuildCacheAndUnusedSnapshots() throws IOException {
        Whittle w = new Whittle(dir.resolve("prune-store"));
        w.run("import", "-c", "ENV PATH=/bin", RootFs.busybox(dir).toString(), BASE)
                .ok();
        Path ctx = context("prune", "FROM BASE\nRUN echo pruned > /p\n", Map.of());
        build(w, ctx, "-t", "engine/prune").ok();
        Path snapshots = w.root().resolve("whittle/s");
        try (Stream<Path> s = Files.list(snapshots)) {
            assertThat(s.filter(Files::isDirectory).count()).isEqualTo(2);
        }
        w.run("rmi", "engine/prune").ok();
        Exec prune = w.run("system", "prune", "-f").ok();
        assertThat(prune.out()).contains("Deleted build cache entries: 1").contains("Deleted layer snapshots: 1");
        try (Stream<Path> s = Files.list(snapshots)) {
            assertThat(s.filter(Files::isDirectory).count())
                    .as("the base's snapshot stays")
                    .isEqualTo(1);
        }
        assertThat(build(w, ctx, "-t", "engine/prune").ok().err()).doesNotContain("CACHED");
        assertThat(w.run("system", "fsck").ok().out()).contains("is consistent");
    }

    @Test
    void runFailuresAndBadInputAreClearErrors() throws IOException {
        Exec unknown = build(whittle, context("bad1", "FROM BASE\nCOPPY a b\n", Map.of()));
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err())
                .contains("Dockerfile:2:1: unknown instruction: COPPY (did you mean COPY?)")
                .doesNotContain("Exception");
        Exec missing = build(whittle, context("bad2", "FROM BASE\nCOPY nothere /x\n", Map.of()));
        assertThat(missing.err()).contains("Dockerfile:2:6: COPY failed: \"nothere\" not found in the build context");
        Exec noImage = build(whittle, context("bad3", "FROM no/such-image:1\n", Map.of()));
        assertThat(noImage.err()).contains("Dockerfile:1:6: image \"no/such-image:1\" is not in the store");
        Map<?, ?> inspect = (Map<?, ?>)
                ((List<?>) Json.parse(whittle.run("inspect", BASE).ok().out())).getFirst();
        assertThat(inspect.get("Id")).isNotNull();
    }
}
