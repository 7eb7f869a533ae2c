package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.sandbox.Runc;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarReader;
import dev.whittle.tar.TarWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;

/**
 * What the ported BuildKit tests (BuildKitPorted*Test) share: build contexts written by a test, builds of them with
 * Docker 20.10's BuildKit and with whittle, and the files of a built image. One instance per test class: its store,
 * its work directory, its image tags ({@code prefix} + a sequence number) and the words its Dockerfiles use for its
 * base images.
 */
final class Ported {
    /** The upstream cases build FROM scratch without a command, which whittle's entrypoint check would refuse. */
    static final List<String> NO_COMMAND_OK = List.of("--check=warn");

    final Whittle whittle;
    final Path dir;
    private final String prefix;
    private final Map<String, String> images;
    private int seq;
    private int exports;

    /** {@code images}: placeholder word in a test's Dockerfile → the image it stands for. */
    Ported(Whittle whittle, Path dir, String prefix, Map<String, String> images) {
        this.whittle = whittle;
        this.dir = dir;
        this.prefix = prefix;
        this.images = Map.copyOf(images);
    }

    /** The applets the ported RUN steps use (those of the official busybox image's that they need). */
    static final List<String> BUSYBOX_APPLETS = List.of(
            "sh",
            "ls",
            "cat",
            "echo",
            "rm",
            "mkdir",
            "touch",
            "find",
            "stat",
            "id",
            "chmod",
            "ln",
            "chown",
            "cp",
            "cmp",
            "head",
            "tail",
            "sha256sum",
            "test",
            "[",
            "sort",
            "xargs",
            "awk",
            "wc",
            "grep",
            "readlink",
            "whoami",
            "tr",
            "env",
            "hostname",
            "cut",
            "sed",
            "printf",
            "tee",
            "mount",
            "nc",
            "ip",
            "sleep",
            "true",
            "false",
            "seq",
            "mv",
            "pwd",
            "uname",
            "od",
            "dd",
            "date",
            "basename",
            "dirname",
            "expr",
            "ps");

    /**
     * The set-up of a ported test class that runs RUNs: Docker and runc required, a store in {@code dir}, the busybox
     * base imported as {@code base} (the Dockerfiles' {@code BASE}), images named under {@code prefix}.
     */
    static Ported withBusybox(Path dir, String base, String prefix) throws IOException {
        DockerDaemon.require();
        Assumptions.assumeTrue(Runc.available(), "runc is not installed");
        Whittle whittle = new Whittle(dir.resolve("store"));
        busybox(whittle, dir, base);
        return new Ported(whittle, dir, prefix, Map.of("BASE", base));
    }

    /**
     * Imports, into Docker and into {@code whittle}'s store, busybox with the official image's users and groups
     * (root in wheel, daemon, nobody) and a /usr/bin/env for shebangs, named {@code tag}.
     */
    static void busybox(Whittle whittle, Path dir, String tag) throws IOException {
        String passwd = "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
                + "nobody:x:65534:65534:nobody:/home:/bin/false\n";
        String group = "root:x:0:\ndaemon:x:1:\nwheel:x:10:root\nnobody:x:65534:\n";
        List<TarEntry> usrBin = List.of(
                TarEntry.dir("usr", 0755, 1700000000),
                TarEntry.dir("usr/bin", 0755, 1700000000),
                TarEntry.symlink("usr/bin/env", "/bin/busybox", 1700000000));
        Path tar = RootFs.busybox(dir, "bkport2-rootfs.tar", BUSYBOX_APPLETS, passwd, group, usrBin);
        BuildDifferentialTest.importBoth(
                whittle,
                tar,
                tag,
                "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "CMD [\"sh\"]");
    }

    /** A fresh number, for names a test makes besides its context and tag. */
    int next() {
        return ++seq;
    }

    int seq() {
        return seq;
    }

    /** A new, empty build context; {@link #tag()} names its image until the next one. */
    Ctx ctx() throws IOException {
        return new Ctx(Files.createDirectories(dir.resolve("ctx" + next())), images);
    }

    String tag() {
        return prefix + seq;
    }

    /** Builds the context with Docker 20.10's BuildKit and with whittle, and compares the images. */
    void same(Ctx c, String... flags) throws IOException {
        BuildDifferentialTest.compare(whittle, dir, c.root(), tag(), NO_COMMAND_OK, flags);
    }

    /**
     * As {@link #same}, but Docker's image has the empty directories {@code stubs} that Engine 20.10 leaves where a
     * {@code RUN --mount} was (whittle removes them, as BuildKit does since 0.11).
     */
    void sameButDockerStubs(Ctx c, List<String> stubs, String... flags) throws IOException {
        BuildDifferentialTest.compare(whittle, dir, c.root(), tag(), NO_COMMAND_OK, java.util.Set.copyOf(stubs), flags);
    }

    /** Both refuse the build; whittle's error (one line, no stack trace) contains {@code message}. */
    void bothFail(Ctx c, String message, String... flags) {
        Exec d = dockerBuild(c, flags);
        assertThat(d.code()).as("docker build should fail: " + d.out()).isNotZero();
        whittleFails(c, message, flags);
    }

    /** whittle refuses the build with a one-line error (no stack trace) that contains {@code message}; returns it. */
    String whittleFails(Ctx c, String message, String... flags) {
        Exec w = whittleBuild(c, flags);
        assertThat(w.code()).as(w.out() + w.err()).isEqualTo(1);
        assertThat(w.err()).contains("Error: ").contains(message).doesNotContain("\tat dev.whittle");
        return w.err();
    }

    /** Docker 20.10's BuildKit builds the context (without network), tagged {@link #tag()}. */
    Exec dockerBuild(Ctx c, String... flags) {
        List<String> dk = new ArrayList<>(List.of(
                "env", "DOCKER_BUILDKIT=1", DockerDaemon.DOCKER, "build", "--network", "none", "-q", "-t", tag()));
        dk.addAll(List.of(flags));
        dk.add(c.root().toString());
        return Exec.run(dk);
    }

    Exec whittleBuild(Ctx c, String... flags) {
        List<String> wt = new ArrayList<>(List.of("build", "--progress", "plain", "-t", tag()));
        wt.addAll(NO_COMMAND_OK);
        wt.addAll(List.of(flags));
        wt.add(c.root().toString());
        return whittle.run(wt.toArray(String[]::new));
    }

    /** Builds with whittle only (for what Docker 20.10 cannot build) and returns the image's files. */
    Exported whittleOnly(Ctx c, String... flags) throws IOException {
        Exec built = whittleBuild(c, flags);
        assertThat(built.code()).as(built.err()).isZero();
        return exported(tag());
    }

    Exported exported(String image) throws IOException {
        Path tar = dir.resolve("export-" + (++exports) + ".tar");
        whittle.run("export", "-o", tar.toString(), image).ok();
        return Exported.read(tar);
    }

    /** A build context being written; {@code images} replaces placeholder words in its Dockerfile. */
    record Ctx(Path root, Map<String, String> images) {
        Ctx dockerfile(String text) throws IOException {
            return file("Dockerfile", placeholders(text));
        }

        /** The text with each placeholder word replaced by its image. */
        String placeholders(String text) {
            for (Map.Entry<String, String> e : images.entrySet()) text = text.replace(e.getKey(), e.getValue());
            return text;
        }

        Ctx file(String path, String content) throws IOException {
            return file(path, content, 0644);
        }

        Ctx file(String path, String content, int mode) throws IOException {
            return bytes(path, content.getBytes(StandardCharsets.UTF_8), mode);
        }

        Ctx bytes(String path, byte[] content, int mode) throws IOException {
            Path p = root.resolve(path);
            Files.createDirectories(p.getParent());
            Files.write(p, content);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(rwx(mode)));
            return this;
        }

        Ctx dir(String path, int mode) throws IOException {
            Path p = Files.createDirectories(root.resolve(path));
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(rwx(mode)));
            return this;
        }

        Ctx link(String path, String target) throws IOException {
            Path p = root.resolve(path);
            Files.createDirectories(p.getParent());
            Files.createSymbolicLink(p, Path.of(target));
            return this;
        }

        Ctx tar(String name, Member... members) throws IOException {
            return bytes(name, tarBytes(members), 0644);
        }

        Ctx tgz(String name, Member... members) throws IOException {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            try (OutputStream gz = new GZIPOutputStream(buf)) {
                gz.write(tarBytes(members));
            }
            return bytes(name, buf.toByteArray(), 0644);
        }

        private static String rwx(int mode) {
            StringBuilder s = new StringBuilder();
            for (int shift = 6; shift >= 0; shift -= 3) {
                int m = mode >> shift;
                s.append((m & 4) != 0 ? 'r' : '-')
                        .append((m & 2) != 0 ? 'w' : '-')
                        .append((m & 1) != 0 ? 'x' : '-');
            }
            return s.toString();
        }
    }

    /** One member of a tar written by a test: an entry and, for a file, its content. */
    record Member(TarEntry entry, byte[] data) {}

    static Member tdir(String name) {
        return new Member(TarEntry.dir(name, 0755, 0), null);
    }

    static Member tfile(String name, String content) {
        byte[] d = content.getBytes(StandardCharsets.UTF_8);
        return new Member(TarEntry.file(name, 0644, d.length, 0), d);
    }

    static Member tlink(String name, String target) {
        return new Member(TarEntry.symlink(name, target, 0), null);
    }

    static Member thard(String name, String target) {
        return new Member(new TarEntry(name, TarEntry.Type.HARDLINK, 0644, 0, 0, 0, 0, target, 0, 0, null), null);
    }

    static byte[] tarBytes(Member... members) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (TarWriter w = new TarWriter(buf)) {
            for (Member m : members) {
                if (m.data() != null) w.write(m.entry(), m.data());
                else w.writeHeader(m.entry());
            }
        }
        return buf.toByteArray();
    }

    /** An exported root file system: each path's entry and a file's content. */
    record Exported(Map<String, TarEntry> entries, Map<String, String> contents) {
        static Exported read(Path tar) throws IOException {
            Map<String, TarEntry> e = new TreeMap<>();
            Map<String, String> c = new TreeMap<>();
            try (InputStream in = Files.newInputStream(tar);
                    TarReader r = new TarReader(in)) {
                for (TarEntry t; (t = r.next()) != null; ) {
                    e.put(t.name(), t);
                    if (t.isFile()) c.put(t.name(), new String(r.content().readAllBytes(), StandardCharsets.UTF_8));
                }
            }
            return new Exported(e, c);
        }

        String text(String path) {
            assertThat(contents).as(path + " in " + entries.keySet()).containsKey(path);
            return contents.get(path);
        }

        TarEntry entry(String path) {
            assertThat(entries).as(path + " in " + entries.keySet()).containsKey(path);
            return entries.get(path);
        }
    }
}
