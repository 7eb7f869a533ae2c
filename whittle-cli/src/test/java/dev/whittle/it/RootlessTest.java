package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.whittle.json.Json;
import dev.whittle.sandbox.Runc;
import dev.whittle.sandbox.UserModeNetwork;
import dev.whittle.store.Maintenance;
import dev.whittle.tar.TarEntry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * whittle as an ordinary user (docs/rootless.md): the test makes two users, one with a subordinate id range and one
 * without, runs whittle as them through runuser with this JVM's classes (copied where they may read them), and
 * removes them afterwards. Their builds run in real runc in a user namespace; the root build to compare with runs
 * in-process.
 */
@Tag("runc")
class RootlessTest {
    static final String BASE = "rootless/busybox:1";
    static final String EPOCH = "SOURCE_DATE_EPOCH=1700000000";
    static final List<String> APPLETS =
            List.of("sh", "ls", "cat", "echo", "rm", "mkdir", "touch", "stat", "id", "chmod", "chown", "ln", "true");

    /** Readable by the test users: the classes, the base image's archive, the build contexts. */
    static Path shared;

    /**
     * Root's store, outside {@link #shared}: opening {@code shared} to the users (every file 0644) would otherwise take
     * the execute bits off the busybox of root's unpacked snapshots, and root's next RUN could not start.
     */
    static Path rootDir;

    static String user, plainUser;
    static List<String> java;
    static Whittle root;
    static Path baseArchive;

    @BeforeAll
    static void users() throws IOException {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "making test users needs root");
        Assumptions.assumeTrue(Runc.available(), "runc is not installed (apt-get install runc)");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/useradd")), "no useradd");
        shared = Files.createTempDirectory(Path.of("/tmp"), "whittle-rootless-");
        String tag = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        user = "wtrl-" + tag;
        plainUser = "wtrp-" + tag;
        Exec.run("useradd", "-m", "-s", "/bin/sh", user).ok();
        if (!Files.readString(Path.of("/etc/subuid")).contains(user + ":")) {
            Exec.run("usermod", "--add-subuids", "300000-365535", "--add-subgids", "300000-365535", user)
                    .ok();
        }
        // without a range: useradd gives none when told its count is 0
        Exec.run("useradd", "-m", "-s", "/bin/sh", "-K", "SUB_UID_COUNT=0", "-K", "SUB_GID_COUNT=0", plainUser)
                .ok();
        Exec probe = Exec.run("runuser", "-u", user, "--", "unshare", "--user", "--map-root-user", "true");
        Assumptions.assumeTrue(
                probe.code() == 0, "user namespaces are not available to an unprivileged user here: " + probe.err());

        java = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                copyClasspath(),
                "dev.whittle.cli.Main");
        rootDir = Files.createTempDirectory(Path.of("/tmp"), "whittle-rootless-root-");
        root = new Whittle(rootDir.resolve("store"));
        Path rootfs = RootFs.busybox(shared, "busybox.tar", APPLETS, RootFs.PASSWD, RootFs.GROUP, List.<TarEntry>of());
        root.run("import", "-c", "ENV PATH=/bin", rootfs.toString(), BASE).ok();
        baseArchive = shared.resolve("base.tar");
        root.run("save", "-o", baseArchive.toString(), BASE).ok();
        openToAll(shared);
    }

    @AfterAll
    static void removeUsers() throws IOException {
        for (String u : new String[] {user, plainUser}) {
            if (u == null) continue;
            Exec.run("pkill", "-KILL", "-u", u); // anything a failed test left running as it
            Exec.run("userdel", "-r", u);
        }
        if (shared != null) Maintenance.deleteTree(shared);
        if (rootDir != null) Maintenance.deleteTree(rootDir);
    }

    /** This JVM's class path copied to where the test users can read it (the build's own is under /root). */
    static String copyClasspath() throws IOException {
        Path cp = Files.createDirectories(shared.resolve("cp"));
        List<String> out = new ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(":")) {
            Path src = Path.of(entry);
            if (!Files.exists(src) || entry.contains("test-classes")) continue;
            Path dst = cp.resolve(i++ + "-" + src.getFileName());
            copyTree(src, dst);
            out.add(dst.toString());
        }
        return String.join(":", out);
    }

    /** A file, or a directory with everything in it (symbolic links as links). */
    static void copyTree(Path src, Path dst) throws IOException {
        try (Stream<Path> all = Files.walk(src)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path t = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) Files.createDirectories(t);
                else Files.copy(p, t, LinkOption.NOFOLLOW_LINKS);
            }
        }
    }

    static void openToAll(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isSymbolicLink(p)) continue;
                Files.setPosixFilePermissions(
                        p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    /** whittle as {@code as}, from its home directory, with its default store. */
    static Exec whittleAs(String as, String... args) {
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", as, "--", "env", "-C", "/home/" + as));
        cmd.addAll(List.of("-u", "WHITTLE_ROOT", "-u", "XDG_DATA_HOME", "-u", "XDG_RUNTIME_DIR", "HOME=/home/" + as));
        cmd.addAll(java);
        cmd.addAll(List.of(args));
        return Exec.run(cmd, null, 300);
    }

    static Path context(String name, String dockerfile) throws IOException {
        Path ctx = Files.createDirectories(shared.resolve(name));
        Files.writeString(ctx.resolve("Dockerfile"), dockerfile.replace("BASE", BASE));
        Files.writeString(ctx.resolve("app.txt"), "app\n");
        openToAll(ctx);
        return ctx;
    }

    /** Owners set by RUN chown and COPY --chown, a whiteout and an opaque directory: every kind of change. */
    static final String OWNERS = """
            FROM BASE
            RUN echo hi > /f && chown 1000:1000 /f && mkdir -p /d/sub /gone && touch /d/sub/x /gone/y \\
                && chown -R 1000:1000 /d && chmod 4755 /f
            COPY --chown=1000:1000 app.txt /app/
            RUN rm -r /gone && rm -r /d/sub && mkdir /d/sub && touch /d/sub/new && id -u > /whoami
            """;

    @Test
    void aRootlessBuildKeepsOwnersAndGivesTheRootBuildsImageId() throws IOException {
        Path ctx = context("owners", OWNERS);
        String rootId = root.run("build", "-q", "--network=none", "--build-arg", EPOCH, "-t", "owners", ctx.toString())
                .ok()
                .out()
                .strip();
        whittleAs(user, "load", "-i", baseArchive.toString()).ok();
        Exec built = whittleAs(
                        user, "build", "-q", "--network=none", "--build-arg", EPOCH, "-t", "owners", ctx.toString())
                .ok();
        assertThat(built.out().strip()).isEqualTo(rootId);
        assertThat(built.err()).doesNotContain("warning");
        // the store is the user's, in $XDG_DATA_HOME/whittle (~/.local/share by default), never /var/lib/whittle
        assertThat(Path.of("/home", user, ".local/share/whittle/index.json")).exists();

        // what a RUN sees of it, and `whittle run` as the user: root of the namespace, files of uid 1000
        Exec ran = whittleAs(
                        user,
                        "run",
                        "--rm",
                        "--network=none",
                        "owners",
                        "sh",
                        "-c",
                        "stat -c '%u:%g %a %n' /f /app/app.txt /d/sub/new; cat /whoami; ls /d/sub; test -e /gone || echo gone")
                .ok();
        assertThat(ran.out())
                .isEqualTo("1000:1000 4755 /f\n1000:1000 644 /app/app.txt\n0:0 644 /d/sub/new\n0\nnew\ngone\n");
    }

    /**
     * The single-stage scenarios ship Go's build cache, whose trim.txt and logs differ from build to build (two root
     * builds differ there too): their images are compared layer by layer and file by file instead.
     */
    static final Set<String> SHIPS_GO_BUILD_CACHE = Set.of("hello:single", "site:single");

    /**
     * The seed scenarios (examples/, ScenarioTest.ALL) built by root and again by the user from the same bases (saved
     * by root, loaded by the user): with SOURCE_DATE_EPOCH, the same image IDs.
     */
    @Test
    @Tag("scenarios")
    void theSeedScenariosGiveTheRootBuildsImageIds() throws IOException {
        Whittle rootStore = new Whittle(shared.resolve("scenario-root"));
        Scenarios.importBases(rootStore.root());
        Path bases = shared.resolve("scenario-bases.tar");
        rootStore
                .run(
                        "save",
                        "-o",
                        bases.toString(),
                        "golang:alpine",
                        "golang:1.14.4-alpine",
                        "alpine:latest",
                        "gcr.io/distroless/static-debian11")
                .ok();
        Path examples = shared.resolve("examples");
        for (String dir : List.of("hello", "site"))
            copyTree(Scenarios.examples().resolve(dir), examples.resolve(dir));
        openToAll(shared);
        whittleAs(user, "load", "-i", bases.toString()).ok();
        for (ScenarioTest.Scenario s : ScenarioTest.ALL) {
            Path ctx = examples.resolve(s.dir());
            List<String> build = List.of(
                    "build",
                    "-q",
                    "--check=warn",
                    "--network=none",
                    "--build-arg",
                    EPOCH,
                    "-f",
                    ctx.resolve(s.file()).toString(),
                    "-t",
                    "rs/" + s.tag(),
                    ctx.toString());
            String rootId =
                    rootStore.run(build.toArray(String[]::new)).ok().out().strip();
            Exec built = whittleAs(user, build.toArray(String[]::new)).ok();
            if (!SHIPS_GO_BUILD_CACHE.contains(s.tag())) {
                assertThat(built.out().strip()).as(s.tag()).isEqualTo(rootId);
                continue;
            }
            String layers = "{{json .RootFS.Layers}}";
            List<?> ours = (List<?>) Json.parse(rootStore
                    .run("inspect", "--format", layers, "rs/" + s.tag())
                    .ok()
                    .out());
            List<?> theirs = (List<?>) Json.parse(whittleAs(user, "inspect", "--format", layers, "rs/" + s.tag())
                    .ok()
                    .out());
            assertThat(theirs).as(s.tag() + " layers").hasSameSizeAs(ours);
            assertThat(IntStream.range(0, ours.size()).filter(i -> !ours.get(i).equals(theirs.get(i))))
                    .as(s.tag() + ": only the go build's layer differs")
                    .hasSize(1);
            Path rootTar = shared.resolve("root-export.tar"), userTar = Path.of("/home", user, "export.tar");
            rootStore.run("export", "-o", rootTar.toString(), "rs/" + s.tag()).ok();
            whittleAs(user, "export", "-o", userTar.toString(), "rs/" + s.tag()).ok();
            Predicate<String> goCache = p -> p.startsWith("root/.cache/go-build/");
            assertThat(TreeListing.diff(TreeListing.of(userTar, goCache), TreeListing.of(rootTar, goCache)))
                    .as(s.tag())
                    .isEmpty();
        }
    }

    /**
     * The differential cases (BuildDifferentialTest) that run something or set owners, every one with a RUN, a COPY
     * --chown or a USER, built by root and again by the user from the same busybox base (imported by root, loaded by
     * the user), with SOURCE_DATE_EPOCH: the same image IDs. Docker is not involved: BuildDifferentialTest holds
     * root's builds to Docker's. Left out, having none of the three: wordListInstructionsExpandBeforeTheySplit,
     * metadataInstructionsAndEntrypointResettingCmd, addOfALocalTarAndDockerignore.
     */
    @Test
    void theDifferentialCasesGiveTheRootBuildsImageIds() throws IOException {
        Path rootfs = RootFs.busybox(Files.createDirectories(shared.resolve("differential")));
        root.run(
                        "import",
                        "-c",
                        "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                        "-c",
                        "CMD [\"/bin/sh\"]",
                        rootfs.toString(),
                        BuildDifferentialTest.BASE)
                .ok();
        Path bases = shared.resolve("differential-base.tar");
        root.run("save", "-o", bases.toString(), BuildDifferentialTest.BASE).ok();
        openToAll(shared);
        whittleAs(user, "load", "-i", bases.toString()).ok();
        List<BuildDifferentialTest.Case> cases = List.of(
                new BuildDifferentialTest.Case(
                        BuildDifferentialTest.ONBUILD_PARENT, Map.of(), "-t", "whittle-it/onbuild:1"),
                BuildDifferentialTest.ONBUILD,
                BuildDifferentialTest.IDENTICAL_LAYERS,
                BuildDifferentialTest.PROXY_ARGS,
                BuildDifferentialTest.ESCAPED_ESCAPE,
                BuildDifferentialTest.LABELS,
                BuildDifferentialTest.WHITEOUTS,
                BuildDifferentialTest.LINKS_AND_SETUID,
                BuildDifferentialTest.LONG_AND_UNICODE_NAMES,
                BuildDifferentialTest.COPY_RULES,
                BuildDifferentialTest.WORKDIR_USER_ARGS);
        for (int i = 0; i < cases.size(); i++) {
            BuildDifferentialTest.Case c = cases.get(i);
            Path ctx = c.writeContext(shared.resolve("differential/case" + i));
            openToAll(ctx);
            List<String> build = new ArrayList<>(List.of("build", "-q", "--network=none", "--build-arg", EPOCH));
            build.addAll(c.flags());
            build.add(ctx.toString());
            String rootId = root.run(build.toArray(String[]::new)).ok().out().strip();
            Exec built = whittleAs(user, build.toArray(String[]::new)).ok();
            assertThat(built.out().strip()).as(c.dockerfile()).isEqualTo(rootId);
        }
    }

    /**
     * A Java program using dev.whittle.api as the user (examples/library/BuildCheckSave.java, run by java's source
     * launcher): it cannot re-enter itself as the command line does, so a RUN tells it the command line that runs it
     * as root of a user namespace; run so, it builds.
     */
    @Test
    void aLibraryProgramAsAUserIsToldHowToRunAndRunsSo() throws IOException {
        Path program = shared.resolve("BuildCheckSave.java");
        Files.copy(Scenarios.examples().resolve("library/BuildCheckSave.java"), program);
        Path ctx = context("library", "FROM BASE\nRUN --network=none echo hi > /f\nCMD [\"/bin/sh\"]\n");
        String store = "/home/" + user + "/library-store", archive = "/home/" + user + "/app.tar";
        whittleAs(user, "--root", store, "load", "-i", baseArchive.toString()).ok();
        List<String> run = List.of(
                java.get(0), java.get(1), java.get(2), java.get(3), program.toString(), store, ctx.toString(), archive);
        List<String> asUser = List.of("runuser", "-u", user, "--", "env", "-C", "/home/" + user, "HOME=/home/" + user);

        Exec refused =
                Exec.run(concat(asUser, run.toArray(String[]::new)), null, 300).fails(1);
        assertThat(refused.err())
                .contains("Dockerfile:2")
                .contains("RUN needs root")
                .contains("/usr/bin/unshare --user --map-root-user --map-auto --mount -- java -Duser.home=");

        List<String> fixed = new ArrayList<>(asUser);
        fixed.addAll(List.of(
                "/usr/bin/unshare",
                "--user",
                "--map-root-user",
                "--map-auto",
                "--mount",
                "--",
                java.get(0),
                "-Duser.home=/home/" + user));
        fixed.addAll(run.subList(1, run.size()));
        Exec built = Exec.run(fixed, null, 300).ok();
        assertThat(built.out()).contains("built sha256:").contains("saved " + archive);
    }

    /** Deletions, directories replaced (opaque), directories new to the image, over two RUN layers. */
    static final String REPLACED = """
            FROM BASE
            RUN mkdir -p /a/sub /b && touch /a/old /a/sub/z /b/old /f
            RUN rm -r /a && mkdir /a && touch /a/new && rm /f && rm -r /b && mkdir -p /n/m && touch /n/m/k && echo x > /g
            RUN rm /a/new && touch /n/m/k2 && mkdir /a/again
            """;

    /**
     * fuse-overlayfs, the fallback where the kernel refuses overlay in a user namespace, writes its upper directory in
     * a format of its own (every new directory opaque, marker files); the layers must still be the kernel's. Run as
     * root in a user namespace of its own (root owns /dev/fuse here, which is 0600), with WHITTLE_OVERLAY=fuse.
     */
    @Test
    void fuseOverlayfsGivesTheKernelOverlaysImage() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/fuse-overlayfs")), "no fuse-overlayfs");
        Path ctx = context("replaced", REPLACED);
        String rootId = root.run("build", "-q", "--network=none", "--build-arg", EPOCH, ctx.toString())
                .ok()
                .out()
                .strip();
        for (String overlay : new String[] {"kernel", "fuse"}) {
            Path store = shared.resolve("userns-" + overlay);
            List<String> cmd = new ArrayList<>(
                    List.of("unshare", "--user", "--map-root-user", "--mount", "env", "WHITTLE_OVERLAY=" + overlay));
            cmd.addAll(java);
            cmd.addAll(List.of("--root", store.toString()));
            Exec.run(concat(cmd, "load", "-i", baseArchive.toString())).ok();
            Exec built = Exec.run(concat(cmd, "build", "-q", "--network=none", "--build-arg", EPOCH, ctx.toString()))
                    .ok();
            assertThat(built.out().strip()).as(overlay).isEqualTo(rootId);
        }
    }

    /**
     * The Kaniko use case: whittle as an ordinary user inside a Docker container started without --privileged, with
     * the options docs/rootless.md names (each found necessary: SYS_ADMIN in the bounding set for newuidmap, no
     * seccomp filter for runc's session keyring, unmasked /proc paths for mounting a new /proc). No Debian image
     * can be pulled here (loopback only), so the container is alpine with the host's /usr (JDK, runc, uidmap)
     * mounted read-only and a passwd, group, subuid and subgid of its own; it builds the owners Dockerfile and gets
     * the root build's image ID.
     */
    @Test
    void insideAnUnprivilegedDockerContainer() throws IOException {
        Scenarios.require(); // dockerd running, the stand-in alpine:latest loaded into it (a fresh machine has none)
        Assumptions.assumeTrue(
                Exec.run("docker", "image", "inspect", "alpine:latest").code() == 0,
                "docker or its alpine:latest image is not available");
        Path ctx = context("owners-docker", OWNERS);
        String rootId = root.run("build", "-q", "--network=none", "--build-arg", EPOCH, ctx.toString())
                .ok()
                .out()
                .strip();
        Path etc = Files.createDirectories(shared.resolve("docker-etc"));
        Files.writeString(
                etc.resolve("passwd"), "root:x:0:0::/root:/bin/sh\nbuilder:x:1000:1000::/home/builder:/bin/sh\n");
        Files.writeString(etc.resolve("group"), "root:x:0:\nbuilder:x:1000:\n");
        Files.writeString(etc.resolve("subuid"), "builder:100000:65536\n");
        Files.writeString(etc.resolve("subgid"), "builder:100000:65536\n");
        Path home = Files.createDirectories(shared.resolve("docker-home"));
        openToAll(shared);
        Exec.run("chown", "1000:1000", home.toString()).ok();
        List<String> cmd = new ArrayList<>(List.of(
                "docker",
                "run",
                "--rm",
                "--user",
                "1000:1000",
                "--cap-add",
                "SYS_ADMIN",
                "--security-opt",
                "seccomp=unconfined",
                "--security-opt",
                "systempaths=unconfined",
                "--network",
                "none",
                "-v",
                "/usr:/usr:ro",
                "-v",
                "/usr/lib:/lib:ro",
                "-v",
                "/usr/lib64:/lib64:ro",
                "-v",
                "/etc/ld.so.cache:/etc/ld.so.cache:ro",
                "-v",
                shared + ":" + shared + ":ro",
                "-v",
                home + ":/home/builder",
                "-e",
                "HOME=/home/builder",
                "-e",
                "USER=builder",
                "-w",
                "/home/builder"));
        for (String f : List.of("passwd", "group", "subuid", "subgid"))
            cmd.addAll(List.of("-v", etc.resolve(f) + ":/etc/" + f + ":ro"));
        cmd.addAll(List.of("alpine:latest", "/usr/bin/env", "PATH=/usr/bin:/usr/sbin"));
        cmd.addAll(java);
        Exec.run(concat(cmd, "load", "-i", baseArchive.toString())).ok();
        Exec built = Exec.run(concat(cmd, "build", "-q", "--network=none", "--build-arg", EPOCH, ctx.toString()))
                .ok();
        assertThat(built.out().strip()).isEqualTo(rootId);
    }

    static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

    @Test
    void withoutASubordinateRangeOnlyTheUsersOwnIdIsMappedAndChownSaysWhy() throws IOException {
        Path ctx = context("plain", "FROM BASE\nRUN echo ok > /ok\n");
        whittleAs(plainUser, "load", "-i", baseArchive.toString()).ok();
        Exec built = whittleAs(plainUser, "build", "-q", "--network=none", ctx.toString())
                .ok();
        assertThat(built.err()).contains("warning: " + plainUser + " has no range in /etc/subuid");
        assertThat(built.err()).contains("usermod --add-subuids");

        Path chown = context("plain-chown", "FROM BASE\nRUN touch /f && chown 1000 /f\n");
        Exec refused = whittleAs(plainUser, "build", "-q", "--network=none", chown.toString())
                .fails(1);
        assertThat(refused.err())
                .contains("has no range in /etc/subuid")
                .contains("Dockerfile:2")
                .doesNotContain("\tat ");
    }

    /** A base image with a file of uid 1000, which a user without a range cannot unpack for RUN: the error says so. */
    @Test
    void anImageFileOwnedByAnUnmappedIdNamesThePathTheIdAndTheFix() throws IOException {
        Path owned = context("owned-base", "FROM BASE\nCOPY --chown=1000:1000 app.txt /app.txt\n");
        root.run("build", "-q", "-t", "rootless/owned:1", owned.toString()).ok();
        Path archive = shared.resolve("owned.tar");
        root.run("save", "-o", archive.toString(), "rootless/owned:1").ok();
        openToAll(shared);
        whittleAs(plainUser, "load", "-i", archive.toString()).ok();
        Path ctx = context("owned-run", "FROM rootless/owned:1\nRUN true\n");
        Exec refused = whittleAs(plainUser, "build", "-q", "--network=none", ctx.toString())
                .fails(1);
        assertThat(refused.err())
                .contains("\"app.txt\" is owned by 1000:1000, an id this user namespace does not map")
                .contains("usermod --add-subuids")
                .contains("Dockerfile:2")
                .doesNotContain("\tat ");
    }

    static final Path TUN = Path.of("/dev/net/tun");

    /** Restores what it changed when closed. */
    interface Restore extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    /** /dev/net/tun with the given permissions until closed, then as it was (the machine's is 0600, Debian's 0666). */
    static Restore tunMode(String perms) throws IOException {
        Assumptions.assumeTrue(Files.exists(TUN), "no /dev/net/tun on this machine");
        Set<PosixFilePermission> was = Files.getPosixFilePermissions(TUN);
        Files.setPosixFilePermissions(TUN, PosixFilePermissions.fromString(perms));
        return () -> Files.setPosixFilePermissions(TUN, was);
    }

    /**
     * RUN's default network as the user, with /dev/net/tun as Debian's udev leaves it (0666): slirp4netns's NAT, as
     * for root (NetworkTest): a server the test runs on 127.0.0.1 is reached through the gateway, not through the
     * RUN's own loopback.
     */
    @Test
    void aUsersRunReachesTheHostsLoopbackThroughTheNat() throws IOException {
        Assumptions.assumeTrue(UserModeNetwork.available(), "slirp4netns is not installed");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] hello = "hello from the host\n".getBytes(StandardCharsets.UTF_8);
        server.createContext("/hello.txt", ex -> {
            ex.sendResponseHeaders(200, hello.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(hello);
            }
        });
        server.start();
        try {
            Path ctx = context("net-open", """
                    FROM BASE
                    RUN busybox wget -q -O /fetched http://host.docker.internal:PORT/hello.txt
                    RUN busybox wget -q -T 3 -O - http://127.0.0.1:PORT/hello.txt > /own 2>&1 || echo unreachable > /own
                    """.replace(
                            "PORT", String.valueOf(server.getAddress().getPort())));
            whittleAs(user, "load", "-i", baseArchive.toString()).ok();
            try (Restore _ = tunMode("rw-rw-rw-")) {
                whittleAs(
                                user,
                                "build",
                                "-q",
                                "--no-cache",
                                "--add-host",
                                "host.docker.internal:host-gateway",
                                "-t",
                                "net-open",
                                ctx.toString())
                        .ok();
            }
        } finally {
            server.stop(0);
        }
        Exec ran = whittleAs(user, "run", "--rm", "--network=none", "net-open", "cat", "/fetched", "/own")
                .ok();
        assertThat(ran.out()).isEqualTo("hello from the host\nunreachable\n");
    }

    /** A /dev/net/tun closed to the user (0600, as on this machine): the error names it and the fixes. */
    @Test
    void aClosedTunIsNamedWithTheFix() throws IOException {
        Path ctx = context("net-closed", "FROM BASE\nRUN echo up\n");
        whittleAs(user, "load", "-i", baseArchive.toString()).ok();
        Exec built;
        try (Restore _ = tunMode("rw-------")) {
            built = whittleAs(user, "build", "-q", "--no-cache", ctx.toString());
        }
        built.fails(1);
        assertThat(built.err())
                .contains("Dockerfile:2")
                .contains("needs /dev/net/tun open to you")
                .contains("it is closed to you (rw-------; Debian's udev makes it rw-rw-rw-)")
                .contains("chmod 0666 /dev/net/tun")
                .contains("--network=none")
                .doesNotContain("\tat ");
    }
}
