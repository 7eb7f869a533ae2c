package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build memo answers an unchanged rebuild without planning it, and never when anything the build depended on
 * changed: the context's files (even rewritten to the same size and time), a directory's entries, a base image,
 * the options, the step cache. COPY-only builds: no root or runc needed.
 */
class BuildMemoTest {
    @TempDir
    static Path dir;

    static Whittle whittle;
    static int contexts;

    @BeforeAll
    static void base() throws IOException {
        whittle = new Whittle(dir.resolve("store"));
        whittle.run("import", RootFs.busybox(dir).toString(), "memo/base:1").ok();
    }

    static Path context(String dockerfile, Map<String, String> files) throws IOException {
        Path ctx = Files.createDirectories(dir.resolve("ctx" + contexts++));
        Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
        for (var f : files.entrySet()) {
            Files.createDirectories(ctx.resolve(f.getKey()).getParent());
            Files.writeString(ctx.resolve(f.getKey()), f.getValue());
        }
        return ctx;
    }

    /** A plain-progress build with --debug, which says whether the memo answered. */
    static Exec build(Path ctx, String... extra) {
        List<String> a =
                new ArrayList<>(List.of("--debug", "build", "--progress", "plain", "--check=off", "-t", "memo/app"));
        a.addAll(List.of(extra));
        a.add(ctx.toString());
        return whittle.run(a.toArray(String[]::new)).ok();
    }

    static String memo(Exec e) {
        return e.err()
                .lines()
                .filter(l -> l.startsWith("debug: build memo: "))
                .findFirst()
                .orElseThrow()
                .substring("debug: build memo: ".length());
    }

    /** The progress lines, without timings. */
    static List<String> steps(Exec e) {
        return e.err()
                .lines()
                .filter(l -> l.startsWith("#"))
                .map(l -> l.replaceAll("DONE [0-9.]+s", "DONE"))
                .toList();
    }

    /** Files of the built image: path → content. */
    static Map<String, String> files() throws IOException {
        Path tar = dir.resolve("export-" + System.nanoTime() + ".tar");
        whittle.run("export", "-o", tar.toString(), "memo/app").ok();
        Map<String, String> out = new TreeMap<>();
        try (InputStream in = Files.newInputStream(tar);
                TarReader r = new TarReader(in)) {
            for (TarEntry e; (e = r.next()) != null; ) {
                if (e.isFile() && !e.name().startsWith("bin/"))
                    out.put(e.name(), new String(r.content().readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    static String id() {
        return whittle.run("inspect", "--format", "{{.Id}}", "memo/app")
                .ok()
                .out()
                .trim();
    }

    @Test
    void anUnchangedRebuildIsAnsweredFromTheMemoAndShowsWhatACachedRebuildShows() throws IOException {
        Path ctx = context(
                "FROM memo/base:1\nCOPY a.txt /a.txt\nENV X=1\nCOPY src/ /src/\nCMD [\"/bin/sh\"]\n",
                Map.of("a.txt", "a", "src/one.txt", "one"));
        Exec first = build(ctx);
        assertThat(memo(first)).isEqualTo("miss: no build with these inputs");
        assertThat(steps(first)).contains("#2 DONE", "#4 DONE");
        String id = id();
        Exec hit = build(ctx);
        assertThat(memo(hit)).isEqualTo("hit");
        assertThat(id()).isEqualTo(id);
        assertThat(steps(hit))
                .containsExactly(
                        "#1 [stage-0 1/5] FROM docker.io/memo/base:1",
                        "#1 DONE",
                        "#2 [stage-0 2/5] COPY a.txt /a.txt",
                        "#2 CACHED",
                        "#3 [stage-0 3/5] ENV X=1",
                        "#3 DONE",
                        "#4 [stage-0 4/5] COPY src/ /src/",
                        "#4 CACHED",
                        "#5 [stage-0 5/5] CMD [\"/bin/sh\"]",
                        "#5 DONE",
                        "#6 exporting to image",
                        "#6 writing image " + id + " done",
                        "#6 naming to docker.io/memo/app:latest done",
                        "#6 DONE");
        assertThat(memo(build(ctx, "--no-cache")))
                .isEqualTo("not used (--no-cache, --no-cache-filter, --pull=always or --build-context)");
    }

    @Test
    void anUnchangedTwoPlatformRebuildOnAMultiPlatformBaseIsAnsweredFromTheMemoForBothPlatforms() throws IOException {
        Path base = context(
                "FROM scratch\nARG TARGETARCH\nCOPY ${TARGETARCH}.txt /arch\n",
                Map.of("amd64.txt", "amd64", "arm64.txt", "arm64"));
        String two = "linux/amd64,linux/arm64";
        whittle.run("build", "--check=off", "--platform", two, "-t", "memo/two-base:1", base.toString())
                .ok();
        Path ctx = context("FROM memo/two-base:1\nCOPY a.txt /a.txt\n", Map.of("a.txt", "a"));
        String[] build = {
            "--debug",
            "build",
            "--progress",
            "plain",
            "--check=off",
            "--platform",
            two,
            "-t",
            "memo/two:1",
            ctx.toString()
        };
        Exec first = whittle.run(build).ok();
        assertThat(memos(first))
                .containsExactly("miss: no build with these inputs", "miss: no build with these inputs");
        String arm = armId();
        Exec hit = whittle.run(build).ok();
        // the platform whose base is not this machine's image of the index is answered too (its base was once
        // checked against this machine's image: always a miss)
        assertThat(memos(hit)).containsExactly("hit", "hit");
        assertThat(armId()).isEqualTo(arm);
        assertThat(steps(hit))
                .startsWith(
                        "#1 [linux/amd64 stage-0 1/2] FROM docker.io/memo/two-base:1",
                        "#1 DONE",
                        "#2 [linux/amd64 stage-0 2/2] COPY a.txt /a.txt",
                        "#2 CACHED",
                        "#3 [linux/arm64 stage-0 1/2] FROM docker.io/memo/two-base:1",
                        "#3 DONE",
                        "#4 [linux/arm64 stage-0 2/2] COPY a.txt /a.txt",
                        "#4 CACHED",
                        "#5 exporting to image");
    }

    static String armId() {
        return whittle.run("inspect", "--platform", "linux/arm64", "--format", "{{.Id}}", "memo/two:1")
                .ok()
                .out()
                .trim();
    }

    static List<String> memos(Exec e) {
        return e.err()
                .lines()
                .filter(l -> l.startsWith("debug: build memo: "))
                .map(l -> l.substring("debug: build memo: ".length()))
                .toList();
    }

    @Test
    void aFileRewrittenWithTheSameSizeAndTimeIsSeen() throws IOException {
        Path ctx = context("FROM memo/base:1\nCOPY a.txt /a.txt\n", Map.of("a.txt", "old"));
        build(ctx);
        assertThat(memo(build(ctx))).isEqualTo("hit");
        Path a = ctx.resolve("a.txt");
        FileTime t = Files.getLastModifiedTime(a);
        Files.writeString(a, "new");
        Files.setLastModifiedTime(a, t);
        Exec changed = build(ctx);
        assertThat(memo(changed)).isEqualTo("miss: context: a.txt changed");
        assertThat(files()).containsEntry("a.txt", "new");
    }

    @Test
    void aFileAddedToACopiedDirectoryIsSeenAndAnUnusedFileIsNot() throws IOException {
        Path ctx =
                context("FROM memo/base:1\nCOPY src/ /src/\n", Map.of("src/one.txt", "one", "notes.txt", "not copied"));
        build(ctx);
        Files.writeString(ctx.resolve("notes.txt"), "edited, still not copied");
        assertThat(memo(build(ctx))).as("a file the build never read").isEqualTo("hit");
        Files.writeString(ctx.resolve("src/two.txt"), "two");
        assertThat(memo(build(ctx))).isEqualTo("miss: context: src: entries added or removed");
        assertThat(files()).containsEntry("src/one.txt", "one").containsEntry("src/two.txt", "two");
        Files.delete(ctx.resolve("src/one.txt"));
        assertThat(memo(build(ctx))).startsWith("miss: context: src");
        assertThat(files()).doesNotContainKey("src/one.txt").containsEntry("src/two.txt", "two");
    }

    @Test
    void aSymlinkPointedElsewhereIsSeen() throws IOException {
        Path ctx = context("FROM memo/base:1\nCOPY link.txt /copied.txt\n", Map.of("x.txt", "x", "y.txt", "y"));
        Files.createSymbolicLink(ctx.resolve("link.txt"), Path.of("x.txt"));
        build(ctx);
        assertThat(files()).containsEntry("copied.txt", "x");
        Files.delete(ctx.resolve("link.txt"));
        Files.createSymbolicLink(ctx.resolve("link.txt"), Path.of("y.txt"));
        assertThat(memo(build(ctx))).startsWith("miss: context: link.txt");
        assertThat(files()).containsEntry("copied.txt", "y");
    }

    @Test
    void optionsAndTheDockerignoreArePartOfTheInputs() throws IOException {
        Path ctx = context(
                "FROM memo/base:1\nARG V=0\nCOPY . /ctx/\nLABEL v=$V\n", Map.of("keep.txt", "k", "skip.txt", "s"));
        build(ctx, "--build-arg", "V=1");
        assertThat(memo(build(ctx, "--build-arg", "V=1"))).isEqualTo("hit");
        assertThat(memo(build(ctx, "--build-arg", "V=2"))).isEqualTo("miss: no build with these inputs");
        assertThat(whittle.run("inspect", "--format", "{{.Config.Labels.v}}", "memo/app")
                        .ok()
                        .out()
                        .trim())
                .isEqualTo("2");
        Files.writeString(ctx.resolve(".dockerignore"), "skip.txt\n");
        assertThat(memo(build(ctx, "--build-arg", "V=2"))).isEqualTo("miss: no build with these inputs");
        assertThat(files()).containsKey("ctx/keep.txt").doesNotContainKey("ctx/skip.txt");
    }

    @Test
    void aBaseNameMovedToAnotherImageIsSeen() throws IOException {
        whittle.run("import", RootFs.busybox(dir).toString(), "memo/moving:1").ok();
        Path ctx = context("FROM memo/moving:1\nCOPY a.txt /a.txt\n", Map.of("a.txt", "a"));
        build(ctx);
        assertThat(memo(build(ctx))).isEqualTo("hit");
        whittle.run("import", "-c", "ENV MOVED=1", RootFs.busybox(dir).toString(), "memo/moving:1")
                .ok();
        assertThat(memo(build(ctx))).isEqualTo("miss: base memo/moving:1 changed");
        assertThat(whittle.run("inspect", "--format", "{{json .Config.Env}}", "memo/app")
                        .ok()
                        .out())
                .contains("MOVED=1");
    }

    @Test
    void aPrunedStepCacheMeansARealRebuild() throws IOException {
        Path ctx = context("FROM memo/base:1\nCOPY a.txt /a.txt\n", Map.of("a.txt", "a"));
        build(ctx);
        whittle.run("system", "prune", "-f").ok();
        Exec after = build(ctx);
        assertThat(memo(after)).startsWith("miss");
        assertThat(steps(after)).contains("#2 DONE").doesNotContain("#2 CACHED");
    }

    @Test
    void anAddOfAUrlIsFetchedAgainEveryBuild() throws IOException {
        com.sun.net.httpserver.HttpServer server =
                com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 4);
        String[] body = {"first\n"};
        server.createContext("/f.txt", ex -> {
            byte[] b = body[0].getBytes();
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        try {
            Path ctx = context(
                    "FROM memo/base:1\nADD http://127.0.0.1:"
                            + server.getAddress().getPort() + "/f.txt /f.txt\n",
                    Map.of());
            build(ctx);
            assertThat(files()).containsEntry("f.txt", "first\n");
            body[0] = "second\n";
            assertThat(memo(build(ctx))).isEqualTo("miss: no build with these inputs");
            assertThat(files()).containsEntry("f.txt", "second\n");
        } finally {
            server.stop(0);
        }
    }
}
