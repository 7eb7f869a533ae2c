package dev.whittle.it;

import dev.whittle.image.Digest;
import dev.whittle.json.Json;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarWriter;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store against its own machine: other local users, who must not reach what whittle unpacks as root (setuid
 * programs, device nodes), and whittle killed at any moment, which must never leave a store that fails the next
 * build. Also what a killed {@code save -o} leaves beside its destination.
 */
class HostileStoreTest {
    static final String EPOCH = "SOURCE_DATE_EPOCH=1700000000";
    @TempDir Path dir;

    /** busybox (RootFs) plus a setuid-root copy of the host's {@code id} and a world-writable device node. */
    static Path rootfsWithSetuidAndDevice(Path dir) throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(RootFs.BUSYBOX), "busybox-static is not installed");
        Path tar = dir.resolve("hostile-rootfs.tar");
        byte[] bb = Files.readAllBytes(RootFs.BUSYBOX);
        byte[] id = Files.readAllBytes(Path.of("/usr/bin/id"));
        try (OutputStream o = Files.newOutputStream(tar); TarWriter w = new TarWriter(o)) {
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
        List<String> c = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
                "sh", "-c", "exec \"$@\"", "sh"));
        c.addAll(cmd);
        return Exec.run(c, null, 60);
    }

    static void assumeRootAndRunc() {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.whittle.sandbox.Runc.available(), "runc is not installed");
        org.junit.jupiter.api.Assumptions.assumeTrue(Exec.available("setpriv"), "setpriv is not installed (util-linux)");
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
        w.run("import", "-c", "ENV PATH=/bin", rootfsWithSetuidAndDevice(dir).toString(), "hostile/base:1").ok();
        Path ctx = context(dir, "private", """
                FROM hostile/base:1
                RUN --mount=type=cache,target=/cache echo cached > /cache/f && cp /cache/f /from-cache
                USER 65534
                RUN --mount=type=cache,target=/mine,id=mine,uid=65534 ls / > /tmp/listing && id -u >> /tmp/listing \\
                    && echo written by nobody > /mine/f && cat /mine/f >> /tmp/listing
                """, Map.of());
        build(w, ctx, "hostile/private").ok();
        // RUN as another user sees its root through pivot_root, not by walking the store's path; so does whittle run
        assertThat(w.run("run", "--rm", "hostile/private", "cat", "/tmp/listing", "/from-cache").ok().out())
                .contains("bin\n", "etc\n", "65534\n", "written by nobody\n", "cached\n");
        assertThat(w.run("run", "--rm", "hostile/private", "id", "-u").ok().out()).isEqualTo("65534\n");

        Path suid;
        try (Stream<Path> s = Files.walk(root.resolve("whittle/s"))) {
            suid = s.filter(p -> p.endsWith("fs/bin/id-suid")).findFirst().orElseThrow();
        }
        assertThat(Files.getAttribute(suid, "unix:mode")).as("the snapshot holds the image's setuid-root program")
                .isEqualTo(0104755);
        assertThat(Files.getAttribute(suid, "unix:uid")).isEqualTo(0);
        assertThat(Files.isDirectory(root.resolve("whittle/cachemounts"))).isTrue();
        Files.writeString(root.resolve("whittle/tmp/in-flight"), "a temp file of a running command");

        List<String> below;
        try (Stream<Path> s = Files.walk(root)) {
            below = s.filter(p -> !p.equals(root)).map(Path::toString).toList();
        }
        List<String> probe = new ArrayList<>(List.of("sh", "-c", "for p; do if [ -e \"$p\" ] || [ -L \"$p\" ]; then echo \"$p\"; fi; done", "sh"));
        probe.addAll(below);
        Exec suidRun = asNobody(List.of(suid.toString(), "-u"));
        SoftAssertions.assertSoftly(soft -> {
            soft.assertThat(suidRun.out()).as("another user runs the image's setuid program as root").isNotEqualTo("0\n");
            soft.assertThat(suidRun.code()).isNotZero();
            soft.assertThat(asNobody(List.of("ls", root.toString())).code()).as("another user lists the store").isNotZero();
            soft.assertThat(asNobody(probe).ok().out().lines().toList()).as("paths below the store another user reaches").isEmpty();
        });
        assertThat(below).as("the probe saw blobs, layer records, snapshots, cache mounts and temp files").anyMatch(p -> p.contains("/blobs/sha256/"))
                .anyMatch(p -> p.contains("/whittle/layers/")).anyMatch(p -> p.endsWith("fs/dev/null-too"))
                .anyMatch(p -> p.contains("/whittle/cachemounts/")).anyMatch(p -> p.endsWith("whittle/tmp/in-flight"));
    }

    @Test
    void aNewStoreIsPrivateAndAnExistingOneOpenToOthersIsMadePrivate() throws IOException {
        Path root = openParent().resolve("store");
        Whittle w = new Whittle(root);
        w.run("images").ok();
        assertThat(Files.getAttribute(root, "unix:mode")).isEqualTo(040700);
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        w.run("images").ok();
        assertThat(Files.getAttribute(root, "unix:mode")).as("tightened when opened").isEqualTo(040700);
    }

    @Test
    void aStoreAnotherUserOwnsIsRefusedSayingWhy() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to chown");
        Path root = openParent().resolve("store");
        new Whittle(root).run("images").ok();
        Files.setAttribute(root, "unix:uid", 65534);
        Exec e = new Whittle(root).run("images");
        assertThat(e.code()).isEqualTo(1);
        assertThat(e.err()).startsWith("Error: ").contains(root.toString()).contains("uid 65534").doesNotContain("\tat ");
        assertThat(Files.getAttribute(root, "unix:mode")).as("not changed: not ours").isEqualTo(040700);
    }
}
