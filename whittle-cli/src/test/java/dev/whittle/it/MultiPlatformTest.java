package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.api.Build;
import dev.whittle.api.BuildSource;
import dev.whittle.api.BuildSpec;
import dev.whittle.api.PlatformBuild;
import dev.whittle.build.PlainProgress;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageRef;
import dev.whittle.image.Platform;
import dev.whittle.json.Json;
import dev.whittle.sandbox.Binfmt;
import dev.whittle.sandbox.Runc;
import dev.whittle.store.Store;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarReader;
import dev.whittle.tar.TarWriter;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code whittle build --platform linux/amd64,linux/arm64}: one image per platform under an OCI image index, the
 * build-platform stage built once, RUN for arm64 under qemu (binfmt_misc), the exec-format trap caught at build time,
 * and the image commands over the index. Real runc, qemu-user-static and docker-registry.
 */
@Tag("runc")
class MultiPlatformTest {
    static final Platform ARM64 = Platform.parse("linux/arm64");
    static final String BASE = "mp/busybox:1";

    @TempDir
    static Path dir;

    static Whittle whittle;
    /** A static Go program printing "hello from GOARCH", built on this machine for each platform. */
    static Path helloAmd64, helloArm64;

    @BeforeAll
    static void setUp() throws IOException {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "RUN needs root");
        Assumptions.assumeTrue(Runc.available(), "runc is not installed (apt-get install runc)");
        Assumptions.assumeTrue(Exec.available("go"), "needs golang-go");
        whittle = RootFs.busyboxStore(dir, BASE);
        helloAmd64 = go("amd64");
        helloArm64 = go("arm64");
    }

    static Path go(String arch) throws IOException {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("go.mod"), "module example.com/hello\n\ngo 1.19\n");
        Files.writeString(src.resolve("main.go"), """
                package main

                import ("fmt"; "runtime")

                func main() { fmt.Println("hello from", runtime.GOARCH) }
                """);
        Path out = dir.resolve("hello-" + arch);
        Exec.run(
                        List.of(
                                "env",
                                "CGO_ENABLED=0",
                                "GOARCH=" + arch,
                                "GOFLAGS=-mod=mod",
                                "GOCACHE=" + dir.resolve("gocache"),
                                "GOPATH=" + dir.resolve("gopath"),
                                "go",
                                "build",
                                "-o",
                                out.toString(),
                                "."),
                        src,
                        600)
                .ok();
        return out;
    }

    static void requireQemu() {
        String problem = Binfmt.system().problem(ARM64);
        Assumptions.assumeTrue(problem == null, "no arm64 emulation: " + problem);
    }

    /** A build context with the Dockerfile and both programs. */
    static Path context(String name, String dockerfile) throws IOException {
        Path ctx = Files.createDirectories(dir.resolve(name));
        Files.writeString(ctx.resolve("Dockerfile"), dockerfile.replace("BASE", BASE));
        Files.copy(helloAmd64, ctx.resolve("hello-amd64"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(helloArm64, ctx.resolve("hello-arm64"), StandardCopyOption.REPLACE_EXISTING);
        return ctx;
    }

    static Exec build(Path ctx, String... extra) {
        List<String> a = new ArrayList<>(List.of("build", "--progress", "plain"));
        a.addAll(List.of(extra));
        a.add(ctx.toString());
        return whittle.run(a.toArray(String[]::new));
    }

    static final String CROSS = """
            FROM --platform=$BUILDPLATFORM BASE AS tools
            RUN echo "tools made on $(uname -m)" > /made
            FROM scratch
            ARG TARGETARCH
            COPY --from=tools /made /made
            COPY hello-${TARGETARCH} /hello
            ENTRYPOINT ["/hello"]
            """;

    @Test
    void twoPlatformsAreOneIndexAndTheBuildPlatformStageRunsOnce() throws IOException {
        Path ctx = context("cross", CROSS);
        Exec b = build(ctx, "--platform", "linux/amd64,linux/arm64", "-t", "mp/hello:1")
                .ok();
        // each platform's steps are named with it; the tools stage's RUN ran for one platform only, the other waited
        assertThat(b.err()).contains("[linux/amd64 tools 2/2] RUN").contains("[linux/arm64 tools 2/2] RUN");
        assertThat(List.of(
                        stepOutcome(b.err(), "[linux/amd64 tools 2/2] RUN"),
                        stepOutcome(b.err(), "[linux/arm64 tools 2/2] RUN")))
                .containsExactlyInAnyOrder("DONE", "CACHED");
        assertThat(b.err()).contains("writing image index sha256:").contains("naming to docker.io/mp/hello:1 done");

        // one name, an OCI index with both platforms in the store's index.json
        Map<String, Object> index =
                Json.parseObject(Files.readAllBytes(whittle.root().resolve("index.json")));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> entries = (List<Map<String, Object>>) index.get("manifests");
        Map<String, Object> entry = entries.stream()
                .filter(e -> String.valueOf(e.get("annotations")).contains("docker.io/mp/hello:1"))
                .findFirst()
                .orElseThrow();
        assertThat(entry.get("mediaType")).isEqualTo("application/vnd.oci.image.index.v1+json");
        String indexDigest = ((String) entry.get("digest")).substring("sha256:".length());
        Map<String, Object> stored = Json.parseObject(
                Files.readAllBytes(whittle.root().resolve("blobs/sha256").resolve(indexDigest)));
        assertThat(String.valueOf(stored.get("manifests")))
                .contains("architecture=amd64")
                .contains("architecture=arm64");
        assertThat(whittle.run("images", "--format", "{{.Repository}}:{{.Tag}}", "mp/hello")
                        .ok()
                        .out())
                .isEqualTo("mp/hello:1\n");
        // --tree shows the platforms behind the row
        String amdId = inspect("mp/hello:1", "linux/amd64", "{{.Id}}").substring(7, 19);
        String armId = inspect("mp/hello:1", "linux/arm64", "{{.Id}}").substring(7, 19);
        assertThat(whittle.run("images", "--tree", "mp/hello").ok().out())
                .matches("(?s)IMAGE +ID +DISK USAGE +PLATFORM\nmp/hello:1 +[0-9a-f]{12} *\n"
                        + "├─ linux/amd64 +" + amdId + " +\\S+ +linux/amd64\n"
                        + "└─ linux/arm64 +" + armId + " +\\S+ +linux/arm64\n");

        // each platform's image is that platform's, with the same tools layer
        assertThat(inspect("mp/hello:1", null, "{{.Architecture}}")).isEqualTo("amd64");
        assertThat(inspect("mp/hello:1", "linux/arm64", "{{.Architecture}}")).isEqualTo("arm64");
        assertThat(inspect("mp/hello:1", "linux/arm64", "{{index .RootFS.Layers 0}}"))
                .isEqualTo(inspect("mp/hello:1", "linux/amd64", "{{index .RootFS.Layers 0}}"));
        assertThat(whittle.run("inspect", "--platform", "linux/s390x", "mp/hello:1")
                        .fails(1)
                        .err())
                .contains("has no image for linux/s390x (it has [linux/amd64, linux/arm64])");

        // a rebuild answers every step from the cache and names the same index
        Exec again = build(ctx, "--platform", "linux/amd64,linux/arm64", "-t", "mp/hello:1")
                .ok();
        for (String p : List.of("linux/amd64", "linux/arm64")) {
            assertThat(stepOutcome(again.err(), "[" + p + " tools 2/2] RUN")).isEqualTo("CACHED");
            assertThat(stepOutcome(again.err(), "[" + p + " stage-1 3/4] COPY")).isEqualTo("CACHED");
        }
        assertThat(again.err()).contains("writing image index sha256:" + indexDigest);
    }

    /**
     * A stage on $BUILDPLATFORM whose RUN differs per platform ({@code GOARCH=$TARGETARCH go build}'s shape), after a
     * RUN both platforms share. Each platform's RUN waits (through a cache mount both see) for the file the other
     * platform's RUN makes: built one after the other, the first would wait in vain and fail.
     */
    @Test
    void thePlatformsAreBuiltAtTheSameTimeAndTheSharedStepOnce() throws IOException {
        Assumptions.assumeTrue(
                Runtime.getRuntime().availableProcessors() >= 2, "one CPU builds one platform at a time");
        Path ctx = context("parallel", """
                FROM --platform=$BUILDPLATFORM BASE AS build
                RUN echo shared > /shared
                ARG TARGETARCH
                RUN --mount=type=cache,target=/sync,id=parallel-sync \
                    case $TARGETARCH in amd64) other=arm64;; *) other=amd64;; esac; \
                    touch /sync/$TARGETARCH; i=0; \
                    until [ -e /sync/$other ]; do \
                      i=$((i+1)); [ $i -gt 300 ] && echo "no $other build beside this one" && exit 1; \
                      busybox sleep 0.1; \
                    done; echo "$TARGETARCH saw $other"; echo "$TARGETARCH saw $other" > /made
                FROM scratch
                COPY --from=build /shared /made /
                """);
        Exec b = build(ctx, "--platform", "linux/amd64,linux/arm64", "-t", "mp/parallel:1", "--check=off")
                .ok();
        assertThat(b.err()).contains("amd64 saw arm64").contains("arm64 saw amd64");
        assertThat(List.of(
                        stepOutcome(b.err(), "[linux/amd64 build 2/4] RUN"),
                        stepOutcome(b.err(), "[linux/arm64 build 2/4] RUN")))
                .containsExactlyInAnyOrder("DONE", "CACHED");
        assertThat(inspect("mp/parallel:1", "linux/arm64", "{{len .RootFS.Layers}}"))
                .isEqualTo("1");
    }

    /**
     * One platform at a time ({@code WHITTLE_PLATFORMS_AT_ONCE=1}, the measurement of docs/multi-platform.md's speed
     * section): the platforms are built in the order given, the arm64 RUN finding in a cache mount both see that the
     * amd64 RUN finished (at once, it would start during the amd64 RUN's second), and the index still holds both.
     */
    @Test
    void oneAtATimeBuildsThePlatformsInTurn() throws IOException {
        Path ctx = context("serial", """
                FROM --platform=$BUILDPLATFORM BASE AS build
                ARG TARGETARCH
                RUN --mount=type=cache,target=/sync,id=serial-sync \
                    echo "$TARGETARCH found [$(ls /sync | tr '\\n' ' ')]" | tee /seen; \
                    touch /sync/$TARGETARCH-started; busybox sleep 1; touch /sync/$TARGETARCH-done
                FROM scratch
                COPY --from=build /seen /
                """);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Store store = Store.open(whittle.root())) {
            Build build = new Build(
                    store,
                    (ref, platform, log) -> {
                        throw new IOException("no pull in this test: " + ref);
                    },
                    m -> {});
            BuildSpec spec = BuildSpec.of(BuildSource.of(store, ctx, null))
                    .tag("mp/serial:1")
                    .build();
            PrintStream progress = new PrintStream(out, true, StandardCharsets.UTF_8);
            try (PlatformBuild.Result r = new PlatformBuild(store, build, 1)
                    .run(spec, List.of(Platform.parse("linux/amd64"), ARM64), new PlainProgress(progress))) {
                assertThat(r.index().manifests()).hasSize(2);
            }
        }
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("amd64 found []")
                .contains("arm64 found [amd64-done amd64-started ]");
    }

    /**
     * The arm64 RUN fails while the amd64 one runs: the amd64 one is stopped (it would otherwise run on for 60 s and
     * leave a mark in the cache mount), the error is arm64's, and nothing is left: no index, no image, no provisional
     * snapshot, no container.
     */
    @Test
    void aFailingPlatformStopsTheOthersAndLeavesNothingHalfWritten() throws IOException {
        Assumptions.assumeTrue(
                Runtime.getRuntime().availableProcessors() >= 2, "one CPU builds one platform at a time");
        Path ctx = context("stop", """
                FROM --platform=$BUILDPLATFORM BASE AS build
                RUN echo shared > /shared
                ARG TARGETARCH
                RUN --mount=type=cache,target=/sync,id=stop-sync \
                    if [ $TARGETARCH = arm64 ]; then \
                      until [ -e /sync/amd64-started ]; do busybox sleep 0.1; done; \
                      echo "arm64 gives up"; exit 3; \
                    fi; \
                    touch /sync/amd64-started; i=0; \
                    while [ $i -lt 600 ]; do i=$((i+1)); busybox sleep 0.1; done; \
                    touch /sync/amd64-ran-out
                FROM scratch
                COPY --from=build /shared /
                """);
        Exec b = build(ctx, "--platform", "linux/amd64,linux/arm64", "-t", "mp/stop:1", "--check=off")
                .fails(1);
        assertThat(b.err())
                .contains("arm64 gives up")
                .contains("did not complete successfully: exit code: 3")
                .doesNotContain("\tat dev.whittle");
        assertThat(stepOutcome(b.err(), "[linux/amd64 build 4/4] RUN")).isEqualTo("ERROR");
        assertThat(b.err()).contains("ERROR: CANCELED");
        Path cacheMounts = whittle.root().resolve("whittle/cachemounts");
        try (var dirs = Files.list(cacheMounts)) {
            assertThat(dirs.filter(d -> Files.exists(d.resolve("amd64-started"))))
                    .as("the amd64 RUN started")
                    .hasSize(1);
        }
        try (var dirs = Files.walk(cacheMounts)) {
            assertThat(dirs.filter(f -> f.getFileName().toString().equals("amd64-ran-out")))
                    .as("the amd64 RUN was stopped")
                    .isEmpty();
        }
        assertThat(whittle.run("images", "-q", "mp/stop").ok().out()).isEmpty();
        // every snapshot left is a layer's (the shared RUN's), none under a provisional id nor half-made
        try (var snaps = Files.list(whittle.root().resolve("whittle/s"))) {
            for (Path snap : snaps.filter(Files::isDirectory).toList()) {
                assertThat(snap.getFileName().toString()).doesNotContain(".tmp-");
                String diffId = Files.readAllLines(snap.resolve("diffid")).getFirst();
                assertThat(Files.isRegularFile(
                                whittle.root().resolve("whittle/layers").resolve(diffId.substring(7) + ".json")))
                        .as("snapshot %s is a layer's", snap)
                        .isTrue();
            }
        }
        assertThat(whittle.run("system", "fsck").code()).isZero();
    }

    /** {@code sharing=locked}: the platforms' RUNs take the cache mount in turn (the JVM refuses a second lock). */
    @Test
    void aLockedCacheMountIsTakenInTurnByThePlatforms() throws IOException {
        Path ctx = context("locked", """
                FROM --platform=$BUILDPLATFORM BASE AS build
                ARG TARGETARCH
                RUN --mount=type=cache,target=/c,id=locked-cache,sharing=locked \
                    if [ -e /c/busy ]; then echo "the cache is in use"; exit 1; fi; \
                    touch /c/busy; busybox sleep 1; rm /c/busy; echo $TARGETARCH > /arch
                FROM scratch
                COPY --from=build /arch /
                """);
        build(ctx, "--platform", "linux/amd64,linux/arm64", "-t", "mp/locked:1", "--check=off")
                .ok();
    }

    /**
     * {@code --output} of a two-platform build as BuildKit writes it: type=local a directory per platform, type=tar
     * one tar of those directories, type=oci an OCI archive with the index (loaded whole); type=docker is refused
     * before anything is built, as BuildKit's docker exporter refuses an index.
     */
    @Test
    void theOutputsOfATwoPlatformBuildHoldEveryPlatform() throws IOException {
        Path ctx = context("outputs", CROSS);
        Path local = dir.resolve("out-local"), tar = dir.resolve("out.tar"), oci = dir.resolve("out-oci.tar");
        build(
                        ctx,
                        "--platform",
                        "linux/amd64,linux/arm64",
                        "-t",
                        "mp/out:1",
                        "--check=off",
                        "--output",
                        "type=local,dest=" + local,
                        "--output",
                        "type=tar,dest=" + tar,
                        "--output",
                        "type=oci,dest=" + oci)
                .ok();
        for (String arch : List.of("amd64", "arm64")) {
            Path root = local.resolve("linux_" + arch);
            assertThat(Files.readAllBytes(root.resolve("hello")))
                    .isEqualTo(Files.readAllBytes(arch.equals("amd64") ? helloAmd64 : helloArm64));
            assertThat(Files.readString(root.resolve("made"))).startsWith("tools made on ");
        }
        try (var top = Files.list(local)) {
            assertThat(top.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("linux_amd64", "linux_arm64");
        }
        assertThat(Exec.run("tar", "-tf", tar.toString()).ok().out().lines())
                .containsExactly(
                        "linux_amd64/",
                        "linux_amd64/hello",
                        "linux_amd64/made",
                        "linux_arm64/",
                        "linux_arm64/hello",
                        "linux_arm64/made");
        Whittle fresh = new Whittle(dir.resolve("out-load-store"));
        assertThat(fresh.run("load", "-i", oci.toString()).ok().out()).isEqualTo("Loaded image: mp/out:1\n");
        assertSameIndex(fresh, "mp/out:1");

        Path docker = dir.resolve("out-docker.tar");
        Exec refused = build(ctx, "--platform", "linux/amd64,linux/arm64", "--output", "type=docker,dest=" + docker)
                .fails(1);
        assertThat(refused.err())
                .contains("docker exporter does not currently support exporting manifest lists")
                .doesNotContain("#1 ");
        assertThat(docker).doesNotExist();
    }

    /** {@code other} holds {@code name} as this test's store does: the same index and each platform's image. */
    static void assertSameIndex(Whittle other, String name) throws IOException {
        for (String arch : List.of("amd64", "arm64"))
            assertThat(other.run("inspect", "--platform", "linux/" + arch, "--format", "{{.Id}}", name)
                            .ok()
                            .out())
                    .as(name + " for " + arch)
                    .isEqualTo(whittle.run("inspect", "--platform", "linux/" + arch, "--format", "{{.Id}}", name)
                            .ok()
                            .out());
        assertThat(new ImageIndexesView(other).digest(name)).isEqualTo(new ImageIndexesView(whittle).digest(name));
    }

    @Test
    void theArm64ImageRunsUnderQemu() throws IOException {
        requireQemu();
        Path ctx = context("qemu", """
                FROM scratch
                ARG TARGETARCH
                COPY hello-${TARGETARCH} /hello
                RUN ["/hello"]
                ENTRYPOINT ["/hello"]
                """);
        Exec b = build(ctx, "--platform", "linux/amd64,linux/arm64", "-t", "mp/qemu:1")
                .ok();
        // RUN for arm64 ran the arm64 program, through binfmt_misc and qemu-user-static
        assertThat(b.err()).contains("hello from amd64").contains("hello from arm64");
        assertThat(whittle.run("run", "--rm", "--platform", "linux/arm64", "mp/qemu:1")
                        .ok()
                        .out())
                .isEqualTo("hello from arm64\n");
        assertThat(whittle.run("run", "--rm", "mp/qemu:1").ok().out()).isEqualTo("hello from amd64\n");
    }

    /**
     * Docker 20.10's {@code run} of an image for another machine, without {@code --platform}: it runs it (emulated),
     * warning first. An index without this machine's platform runs its first platform, as {@code images} shows it.
     */
    @Test
    void withoutPlatformAnImageForAnotherMachineRunsWithDockersWarning() throws IOException {
        requireQemu();
        Assumptions.assumeTrue(Platform.host().toString().equals("linux/amd64"), "host is linux/amd64");
        Path ctx = context("foreign", """
                FROM scratch
                ARG TARGETARCH
                COPY hello-${TARGETARCH} /hello
                ENTRYPOINT ["/hello"]
                """);
        // s390x gets the arm64 program: only arm64 is run here
        Files.copy(helloArm64, ctx.resolve("hello-s390x"), StandardCopyOption.REPLACE_EXISTING);
        build(ctx, "--platform", "linux/arm64,linux/s390x", "--check=off", "-t", "mp/foreign:1")
                .ok();
        build(ctx, "--platform", "linux/arm64", "--check=off", "-t", "mp/foreign-one:1")
                .ok();
        String warning = "WARNING: The requested image's platform (linux/arm64) does not match the detected host"
                + " platform (linux/amd64) and no specific platform was requested\n";
        for (String image : List.of("mp/foreign:1", "mp/foreign-one:1")) {
            Exec r = whittle.run("run", "--rm", image).ok();
            assertThat(r.out()).as(image).isEqualTo("hello from arm64\n");
            assertThat(r.err()).as(image).isEqualTo(warning);
            // asked for, it is not warned about
            assertThat(whittle.run("run", "--rm", "--platform", "linux/arm64", image)
                            .ok()
                            .err())
                    .as(image)
                    .isEmpty();
        }
    }

    @Test
    void aRunForAPlatformWithoutAnEmulatorSaysWhichAndHowToRegisterIt() throws IOException {
        Assumptions.assumeTrue(
                Binfmt.system().problem(Platform.parse("linux/s390x")) != null, "this machine runs s390x programs");
        Path ctx = context("no-emulator", """
                FROM scratch
                COPY hello-amd64 /hello
                RUN ["/hello"]
                """);
        Exec b = build(ctx, "--platform", "linux/amd64,linux/s390x", "-t", "mp/s390x:1", "--check=off")
                .fails(1);
        assertThat(b.err())
                .contains(":3:1: RUN for linux/s390x: no binfmt_misc handler for linux/s390x programs is registered: "
                        + "install qemu-user-static and binfmt-support, then register it with the F flag "
                        + "(update-binfmts --enable qemu-s390x, or docker run --privileged --rm tonistiigi/binfmt "
                        + "--install s390x)")
                .doesNotContain("exec format error")
                .doesNotContain("\tat dev.whittle");
        assertThat(whittle.run("images", "-q", "mp/s390x").ok().out()).isEmpty();
    }

    @Test
    void fromPlatformScratchIsAStageOfThatPlatform() throws IOException {
        // as BuildKit: FROM --platform=X scratch starts an X stage, whatever the target platform
        Path ctx = context("scratch-platform", """
                FROM --platform=linux/arm64 scratch
                COPY hello-arm64 /hello
                ENTRYPOINT ["/hello"]
                """);
        build(ctx, "-t", "mp/scratch:arm64").ok();
        assertThat(inspect("mp/scratch:arm64", null, "{{.Os}}/{{.Architecture}}"))
                .isEqualTo("linux/arm64");
    }

    @Test
    void theAmd64BinaryInTheArm64ImageFailsTheBuildWithTheFix() throws IOException {
        // the trap: the program is not built per target platform, so the arm64 image gets the amd64 one
        Path ctx = context("trap", """
                FROM scratch
                COPY hello-amd64 /hello
                ENTRYPOINT ["/hello"]
                """);
        Exec b = build(ctx, "--platform", "linux/amd64,linux/arm64", "-t", "mp/trap:1")
                .fails(1);
        assertThat(b.err())
                .contains("/hello is built for x86-64 (64-bit) but the image is linux/arm64")
                .contains("GOARCH=$TARGETARCH")
                .contains("Go build info: GOARCH=amd64, the image is arm64")
                .contains("mp/trap:1 was built, stored and tagged, but its entrypoint cannot start on linux/arm64");
        assertThat(b.err()).doesNotContain("but the image is linux/amd64");
        // check says the same of the stored image's arm64 platform
        Exec check = whittle.run("check", "--platform", "linux/arm64", "mp/trap:1");
        assertThat(check.code()).isNotZero();
        assertThat(check.out() + check.err()).contains("built for x86-64 (64-bit) but the image is linux/arm64");
    }

    @Test
    void aSinglePlatformBaseUsedForAnotherPlatformIsAnErrorNamingBoth() throws IOException {
        Path ctx = context("wrong-base", """
                FROM BASE
                RUN true
                """);
        Exec b = build(ctx, "--platform", "linux/amd64,linux/arm64", "-t", "mp/wrong:1")
                .fails(1);
        assertThat(b.err()).contains("image \"" + BASE + "\" is for linux/amd64, but the build targets linux/arm64");
        assertThat(whittle.run("images", "-q", "mp/wrong").ok().out()).isEmpty();
    }

    @Test
    void anIndexIsPushedWithEveryPlatformAndPulledPerPlatform() throws IOException {
        Path ctx = context("push", CROSS);
        build(ctx, "--platform", "linux/amd64,linux/arm64", "-t", "mp/push:1", "--check=off")
                .ok();
        try (LocalRegistry reg = LocalRegistry.start(new LocalRegistry.Auth.None())) {
            String target = reg.host() + "/mp/push:1";
            // a multi-platform image keeps being one under a new name
            whittle.run("tag", "mp/push:1", target).ok();
            whittle.run("push", target).ok();
            Assumptions.assumeTrue(Exec.available("skopeo"), "skopeo is not installed");
            Exec raw = Exec.run("skopeo", "inspect", "--tls-verify=false", "--raw", "docker://" + target)
                    .ok();
            Map<String, Object> index = Json.parseObject(raw.out().getBytes());
            assertThat(index.get("mediaType")).isEqualTo("application/vnd.oci.image.index.v1+json");
            assertThat(String.valueOf(index.get("manifests")))
                    .contains("architecture=amd64")
                    .contains("architecture=arm64");
            // a client that picks a platform gets that platform's image
            Exec arch = Exec.run(
                            "skopeo",
                            "inspect",
                            "--tls-verify=false",
                            "--override-arch",
                            "arm64",
                            "--format",
                            "{{.Architecture}}",
                            "docker://" + target)
                    .ok();
            assertThat(arch.out().strip()).isEqualTo("arm64");
            Exec copy = Exec.run(
                    "skopeo",
                    "copy",
                    "--src-tls-verify=false",
                    "--override-arch",
                    "arm64",
                    "docker://" + target,
                    "oci:" + dir.resolve("copied-arm64") + ":x");
            assertThat(copy.code()).as(copy.err()).isZero();

            // pull --platform into an empty store: that platform's image
            Whittle fresh = new Whittle(dir.resolve("pull-store"));
            fresh.run("pull", "--platform", "linux/arm64", target).ok();
            assertThat(fresh.run("inspect", "--format", "{{.Architecture}}", target)
                            .ok()
                            .out()
                            .strip())
                    .isEqualTo("arm64");

            // pull --all-platforms keeps the registry's index, byte for byte, with every platform
            Whittle whole = new Whittle(dir.resolve("pull-all-store"));
            whole.run("pull", "--all-platforms", target).ok();
            assertThat(new ImageIndexesView(whole).digest(target))
                    .isEqualTo(Digest.sha256(raw.out().getBytes()).toString());
            for (String a : List.of("amd64", "arm64"))
                assertThat(whole.run("inspect", "--platform", "linux/" + a, "--format", "{{.Architecture}}", target)
                                .ok()
                                .out()
                                .strip())
                        .isEqualTo(a);
            assertThat(whole.run("system", "fsck").code()).isZero();
        }
    }

    @Test
    void anOciArchiveKeepsTheIndexAndADockerArchiveHoldsOnePlatform() throws IOException {
        Path ctx = context("save", CROSS);
        build(ctx, "--platform", "linux/amd64,linux/arm64", "-t", "mp/save:1", "--check=off")
                .ok();
        Path oci = dir.resolve("save-oci.tar");
        whittle.run("save", "--format", "oci", "-o", oci.toString(), "mp/save:1")
                .ok();
        Whittle fresh = new Whittle(dir.resolve("load-store"));
        assertThat(fresh.run("load", "-i", oci.toString()).ok().out()).isEqualTo("Loaded image: mp/save:1\n");
        assertThat(fresh.run("images", "--format", "{{.Repository}}:{{.Tag}}")
                        .ok()
                        .out())
                .isEqualTo("mp/save:1\n");
        assertSameIndex(fresh, "mp/save:1");

        // a docker archive holds one platform, which Docker 20.10 loads and runs (arm64 under qemu)
        Path arm = dir.resolve("save-arm64.tar");
        whittle.run("save", "--platform", "linux/arm64", "-o", arm.toString(), "mp/save:1")
                .ok();
        DockerDaemon.require();
        requireQemu();
        DockerDaemon.docker("load", "-i", arm.toString()).ok();
        try {
            assertThat(DockerDaemon.docker("image", "inspect", "--format", "{{.Architecture}}", "mp/save:1")
                            .ok()
                            .out()
                            .strip())
                    .isEqualTo("arm64");
            assertThat(DockerDaemon.docker("run", "--rm", "--network", "none", "mp/save:1")
                            .ok()
                            .out())
                    .isEqualTo("hello from arm64\n");
        } finally {
            DockerDaemon.docker("rmi", "-f", "mp/save:1");
        }
    }

    /**
     * A docker archive of a multi-platform image, as Docker ≥ 25 (containerd store) saves it: an OCI layout whose
     * index.json names the index with every platform's blobs, and a manifest.json naming this machine's platform for
     * loaders that know no index. Docker 20.10 loads it (manifest.json) and runs it; whittle load keeps the index, or
     * the platform asked for.
     */
    @Test
    void aDockerArchiveOfAnIndexHoldsEveryPlatformAsDocker25WritesIt() throws IOException {
        Assumptions.assumeTrue(Platform.host().toString().equals("linux/amd64"), "host is linux/amd64");
        Path ctx = context("save25", """
                FROM scratch
                ARG TARGETARCH
                COPY hello-${TARGETARCH} /hello
                ENTRYPOINT ["/hello"]
                """);
        build(ctx, "--platform", "linux/amd64,linux/arm64", "-t", "mp/save25:1").ok();
        Path tar = dir.resolve("save25.tar");
        whittle.run("save", "-o", tar.toString(), "mp/save25:1").ok();
        Map<String, byte[]> members = new TreeMap<>();
        try (InputStream in = Files.newInputStream(tar);
                TarReader r = new TarReader(new BufferedInputStream(in, 1 << 16))) {
            for (TarEntry e; (e = r.next()) != null; ) if (e.isFile()) members.put(e.name(), r.readContent(1 << 30));
        }
        // index.json: the store's index under its name
        String indexDigest = new ImageIndexesView(whittle).digest("mp/save25:1");
        Map<String, Object> index = Json.parseObject(members.get("index.json"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> entries = (List<Map<String, Object>>) index.get("manifests");
        assertThat(entries).hasSize(1);
        assertThat(entries.getFirst().get("mediaType")).isEqualTo("application/vnd.oci.image.index.v1+json");
        assertThat(entries.getFirst().get("digest")).isEqualTo(indexDigest);
        assertThat(String.valueOf(entries.getFirst().get("annotations"))).contains("docker.io/mp/save25:1");
        // every platform's manifest, config and layers are in it
        for (String arch : List.of("amd64", "arm64")) {
            String config = inspect("mp/save25:1", "linux/" + arch, "{{.Id}}");
            assertThat(members).containsKey("blobs/sha256/" + config.substring("sha256:".length()));
        }
        // manifest.json: this machine's platform, for Docker ≤ 24's docker load
        List<?> manifestJson = (List<?>) Json.parse(new String(members.get("manifest.json"), StandardCharsets.UTF_8));
        assertThat(manifestJson).hasSize(1);
        Map<?, ?> me = (Map<?, ?>) manifestJson.getFirst();
        assertThat(me.get("Config"))
                .isEqualTo("blobs/sha256/"
                        + inspect("mp/save25:1", "linux/amd64", "{{.Id}}").substring("sha256:".length()));
        assertThat(me.get("RepoTags")).isEqualTo(List.of("mp/save25:1"));
        for (Object layer : (List<?>) me.get("Layers")) assertThat(members).containsKey((String) layer);

        // whittle load keeps the index whole
        Whittle fresh = new Whittle(dir.resolve("load25-store"));
        assertThat(fresh.run("load", "-i", tar.toString()).ok().out()).isEqualTo("Loaded image: mp/save25:1\n");
        assertThat(new ImageIndexesView(fresh).digest("mp/save25:1")).isEqualTo(indexDigest);
        // or the platform asked for
        Whittle one = new Whittle(dir.resolve("load25-one-store"));
        one.run("load", "--platform", "linux/arm64", "-i", tar.toString()).ok();
        assertThat(new ImageIndexesView(one).digest("mp/save25:1")).isNotEqualTo(indexDigest);
        assertThat(one.run("inspect", "--format", "{{.Id}}", "mp/save25:1")
                        .ok()
                        .out()
                        .strip())
                .isEqualTo(inspect("mp/save25:1", "linux/arm64", "{{.Id}}"));

        // an archive holding some platforms of its index (Docker 25 saves what it has: here arm64 only, pulled with
        // --platform) is loaded by its manifest.json
        Path partial = dir.resolve("save25-arm64-only.tar");
        partialArchive(members, indexDigest, partial);
        Whittle some = new Whittle(dir.resolve("load25-some-store"));
        assertThat(some.run("load", "-i", partial.toString()).ok().out()).isEqualTo("Loaded image: mp/save25:1\n");
        assertThat(some.run("inspect", "--format", "{{.Id}}", "mp/save25:1")
                        .ok()
                        .out()
                        .strip())
                .isEqualTo(inspect("mp/save25:1", "linux/arm64", "{{.Id}}"));

        // Docker 20.10 reads manifest.json: this machine's image, which it runs
        DockerDaemon.require();
        DockerDaemon.docker("load", "-i", tar.toString()).ok();
        try {
            assertThat(DockerDaemon.docker("image", "inspect", "--format", "{{.Id}} {{.Architecture}}", "mp/save25:1")
                            .ok()
                            .out()
                            .strip())
                    .isEqualTo(inspect("mp/save25:1", "linux/amd64", "{{.Id}}") + " amd64");
            assertThat(DockerDaemon.docker("run", "--rm", "--network", "none", "mp/save25:1")
                            .ok()
                            .out())
                    .isEqualTo("hello from amd64\n");
        } finally {
            DockerDaemon.docker("rmi", "-f", "mp/save25:1");
        }
    }

    /** The archive without the amd64 image's manifest, its manifest.json naming the arm64 image instead. */
    @SuppressWarnings("unchecked")
    static void partialArchive(Map<String, byte[]> members, String indexDigest, Path out) throws IOException {
        Map<String, Object> index = Json.parseObject(members.get("blobs/sha256/" + indexDigest.substring(7)));
        Map<String, byte[]> kept = new TreeMap<>(members);
        Map<String, Object> arm64 = null;
        for (Map<String, Object> m : (List<Map<String, Object>>) index.get("manifests")) {
            String blob = "blobs/sha256/" + ((String) m.get("digest")).substring(7);
            if (String.valueOf(m.get("platform")).contains("arm64")) arm64 = Json.parseObject(members.get(blob));
            else kept.remove(blob);
        }
        assertThat(arm64).isNotNull();
        Map<String, Object> me = new TreeMap<>();
        me.put(
                "Config",
                "blobs/sha256/" + ((String) ((Map<String, Object>) arm64.get("config")).get("digest")).substring(7));
        me.put("RepoTags", List.of("mp/save25:1"));
        me.put(
                "Layers",
                ((List<Map<String, Object>>) arm64.get("layers"))
                        .stream()
                                .map(l -> "blobs/sha256/" + ((String) l.get("digest")).substring(7))
                                .toList());
        kept.put("manifest.json", Json.write(List.of(me)));
        try (OutputStream o = Files.newOutputStream(out);
                TarWriter w = new TarWriter(o)) {
            for (Map.Entry<String, byte[]> m : kept.entrySet())
                w.write(TarEntry.file(m.getKey(), 0644, m.getValue().length, 0), m.getValue());
        }
    }

    /**
     * The seed scenario hello, cross-compiled in a {@code $BUILDPLATFORM} stage on the golang stand-in: without
     * {@code GOARCH=$TARGETARCH} the arm64 image holds the amd64 program and the build says so; with it, the arm64
     * image runs under qemu. The stand-in goes into a store of this test's own, kept across runs (importing 850 MB is
     * slow; no other test's store gets an index).
     */
    @Test
    void theHelloScenarioForgettingGoarchFailsAndWithTargetarchRunsOnArm64() throws IOException {
        Scenarios.requireBases(); // a fresh machine has none until they are made
        Path golang = Scenarios.BASES.resolve("golang.tar");
        Assumptions.assumeTrue(
                Files.isRegularFile(golang),
                "no stand-in bases in " + Scenarios.BASES + " (examples/bases/make-rootfs)");
        Whittle w = new Whittle(Path.of("/var/tmp/whittle-multiplatform-store"));
        if (w.run("images", "-q", "golang:1.14.4-alpine").ok().out().isBlank()) {
            w.run(
                            "import",
                            "-c",
                            "ENV PATH=/go/bin:/usr/lib/go-1.19/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                            "-c",
                            "ENV GOPATH=/go",
                            "-c",
                            "ENV CC=musl-gcc",
                            "-c",
                            "WORKDIR /go",
                            golang.toString(),
                            "golang:1.14.4-alpine")
                    .ok();
        }
        Path ctx = Files.createDirectories(dir.resolve("scenario-hello"));
        Files.copy(
                Scenarios.examples().resolve("hello/main.go"),
                ctx.resolve("main.go"),
                StandardCopyOption.REPLACE_EXISTING);
        String trap = """
                FROM --platform=$BUILDPLATFORM golang:1.14.4-alpine AS builder
                WORKDIR /go/src/app
                COPY main.go .
                RUN go build -o /go/bin/app main.go
                FROM scratch
                COPY --from=builder /go/bin/app /app
                ENTRYPOINT ["/app"]
                """;
        Files.writeString(ctx.resolve("Dockerfile"), trap);
        Exec b = w.run(
                "build",
                "--progress",
                "plain",
                "--platform",
                "linux/amd64,linux/arm64",
                "-t",
                "mp/hello:trap",
                ctx.toString());
        assertThat(b.code()).as(b.err()).isEqualTo(1);
        assertThat(b.err())
                .contains("/app is built for x86-64 (64-bit) but the image is linux/arm64")
                .contains("built in stage \"builder\"")
                .contains("GOARCH=$TARGETARCH")
                .contains("its entrypoint cannot start on linux/arm64");
        // the build stage ran once at most (this store is kept across runs): one platform's go build is the other's
        assertThat(List.of(
                        stepOutcome(b.err(), "[linux/amd64 builder 4/4] RUN"),
                        stepOutcome(b.err(), "[linux/arm64 builder 4/4] RUN")))
                .contains("CACHED");

        Files.writeString(
                ctx.resolve("Dockerfile"),
                trap.replace("WORKDIR /go/src/app", "ARG TARGETARCH\nWORKDIR /go/src/app")
                        .replace("RUN go build", "RUN GOARCH=$TARGETARCH go build"));
        w.run(
                        "build",
                        "--progress",
                        "plain",
                        "--platform",
                        "linux/amd64,linux/arm64",
                        "-t",
                        "mp/hello:fixed",
                        ctx.toString())
                .ok();
        requireQemu();
        assertThat(w.run("run", "--rm", "--platform", "linux/arm64", "mp/hello:fixed")
                        .ok()
                        .out())
                .isEqualTo("hello world\n");
        assertThat(w.run("check", "mp/hello:fixed").code()).isZero();
    }

    /**
     * The seed scenario site (cgo) for both platforms: cross-compiled on $BUILDPLATFORM with golang:bookworm's C
     * cross compiler for arm64 (the stand-in from golang-cross.tar), static, onto distroless/static of each platform; both images print {@code site 42}, the
     * arm64 one under qemu. In the hello scenario's kept store (the 850 MB toolchain is imported once).
     */
    @Test
    void theSiteScenarioCrossCompiledWithCgoRunsOnBothPlatforms() throws IOException {
        Path golangCross = Scenarios.requireGolangCross();
        requireQemu();
        Whittle w = new Whittle(Path.of("/var/tmp/whittle-multiplatform-store"));
        if (w.run("images", "-q", "golang:bookworm").ok().out().isBlank()) {
            w.run(
                            "import",
                            "-c",
                            "ENV PATH=/go/bin:/usr/lib/go-1.19/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                            "-c",
                            "ENV GOPATH=/go",
                            "-c",
                            "WORKDIR /go",
                            golangCross.toString(),
                            "golang:bookworm")
                    .ok();
        }
        String distroless = "gcr.io/distroless/static-debian11";
        if (w.run("images", "-q", distroless).ok().out().isBlank()) {
            // as examples/bases/import-multiplatform-bases: each platform imported, then a FROM-only index
            for (String arch : List.of("amd64", "arm64"))
                w.run(
                                "import",
                                "--platform",
                                "linux/" + arch,
                                "-c",
                                "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                Scenarios.BASES.resolve("distroless.tar").toString(),
                                "stand-in/distroless:" + arch)
                        .ok();
            Path idx = Files.createDirectories(dir.resolve("distroless-index"));
            Files.writeString(idx.resolve("Dockerfile"), "ARG TARGETARCH\nFROM stand-in/distroless:${TARGETARCH}\n");
            w.run(
                            "build",
                            "-q",
                            "--check=off",
                            "--platform",
                            "linux/amd64,linux/arm64",
                            "-t",
                            distroless,
                            idx.toString())
                    .ok();
        }
        Path ctx = dir.resolve("scenario-site");
        Exec.run("cp", "-a", Scenarios.examples().resolve("site").toString(), ctx.toString())
                .ok();
        Exec b = w.run(
                "build",
                "--progress",
                "plain",
                "--network",
                "none",
                "--platform",
                "linux/amd64,linux/arm64",
                "-f",
                ctx.resolve("Dockerfile.multiplatform").toString(),
                "-t",
                "mp/site:1",
                ctx.toString());
        assertThat(b.code()).as(b.err()).isZero();
        for (String arch : List.of("amd64", "arm64")) {
            assertThat(w.run("run", "--rm", "--platform", "linux/" + arch, "mp/site:1", "/app/site", "--version")
                            .ok()
                            .out())
                    .as(arch)
                    .isEqualTo("site 42\n");
            assertThat(w.run("inspect", "--platform", "linux/" + arch, "--format", "{{.Architecture}}", "mp/site:1")
                            .ok()
                            .out()
                            .strip())
                    .isEqualTo(arch);
        }
        assertThat(w.run("check", "mp/site:1").code()).isZero();
    }

    /**
     * Against Docker 20.10's BuildKit, one platform at a time ({@code docker build --platform linux/arm64}): the same
     * arm64 base (the alpine stand-in made from Debian's arm64 packages), a RUN under qemu and a COPY give the same
     * platform, history, RUN output and files.
     */
    @Test
    void anArm64BuildIsDockersArm64Build() throws IOException {
        Scenarios.requireMultiPlatformBases(); // made here if no demo made them before
        Path arm64Alpine = Scenarios.BASES.resolve("alpine-arm64.tar");
        Assumptions.assumeTrue(
                Files.isRegularFile(arm64Alpine),
                "no " + arm64Alpine + " (MULTIPLATFORM=1 examples/bases/make-rootfs)");
        requireQemu();
        DockerDaemon.require();
        String base = "mp-diff/alpine:arm64", app = "mp-diff/app:arm64";
        whittle.run(
                        "import",
                        "--platform",
                        "linux/arm64",
                        "-c",
                        "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                        arm64Alpine.toString(),
                        base)
                .ok();
        Path baseTar = dir.resolve("diff-base.tar");
        whittle.run("save", "-o", baseTar.toString(), base).ok();
        Path ctx = context("diff-arm64", """
                FROM mp-diff/alpine:arm64
                RUN uname -m > /arch && ls /lib > /libs
                COPY hello-arm64 /hello
                ENTRYPOINT ["/hello"]
                """);
        try {
            DockerDaemon.docker("load", "-i", baseTar.toString()).ok();
            Exec.run(List.of(
                            "env",
                            "DOCKER_BUILDKIT=1",
                            DockerDaemon.DOCKER,
                            "build",
                            "--network",
                            "none",
                            "-q",
                            "--platform",
                            "linux/arm64",
                            "-t",
                            app,
                            ctx.toString()))
                    .ok();
            build(ctx, "--platform", "linux/arm64", "-t", app).ok();
            for (String field : List.of(
                    "{{.Os}}/{{.Architecture}}/{{.Variant}}", "{{json .Config.Entrypoint}}", "{{len .RootFS.Layers}}"))
                assertThat(inspect(app, null, field))
                        .as(field)
                        .isEqualTo(DockerDaemon.docker("image", "inspect", "--format", field, app)
                                .ok()
                                .out()
                                .strip());
            assertThat(whittle.run("history", "--no-trunc", "--format", "{{.CreatedBy}}", app)
                            .ok()
                            .out())
                    .isEqualTo(DockerDaemon.docker("history", "--no-trunc", "--format", "{{.CreatedBy}}", app)
                            .ok()
                            .out());
            // what the RUN wrote under qemu, and the program, the same in both
            for (String file : List.of("/arch", "/libs")) {
                String ours = whittle.run("run", "--rm", "--entrypoint", "/bin/cat", app, file)
                        .ok()
                        .out();
                assertThat(ours)
                        .isEqualTo(DockerDaemon.docker(
                                        "run", "--rm", "--network", "none", "--entrypoint", "/bin/cat", app, file)
                                .ok()
                                .out());
            }
            assertThat(whittle.run("run", "--rm", "--platform", "linux/arm64", app)
                            .ok()
                            .out())
                    .isEqualTo("hello from arm64\n")
                    .isEqualTo(DockerDaemon.docker("run", "--rm", "--network", "none", app)
                            .ok()
                            .out());
        } finally {
            DockerDaemon.docker("rmi", "-f", app, base);
        }
    }

    /** The digest of the index a name holds in a store, read from its index.json. */
    record ImageIndexesView(Whittle w) {
        @SuppressWarnings("unchecked")
        String digest(String name) throws IOException {
            Map<String, Object> index =
                    Json.parseObject(Files.readAllBytes(w.root().resolve("index.json")));
            for (Map<String, Object> e : (List<Map<String, Object>>) index.get("manifests"))
                if (String.valueOf(e.get("annotations"))
                        .contains(ImageRef.parse(name).toString())) return (String) e.get("digest");
            return null;
        }
    }

    /** The last outcome of a plain-progress step: DONE, CACHED or ERROR. */
    static String stepOutcome(String log, String stepName) {
        String id = null;
        for (String l : log.split("\n")) {
            if (l.startsWith("#") && l.contains(" " + stepName)) id = l.substring(0, l.indexOf(' '));
        }
        assertThat(id).as("step %s in the log", stepName).isNotNull();
        String outcome = null;
        for (String l : log.split("\n")) {
            if (l.equals(id + " CACHED")) outcome = "CACHED";
            if (l.startsWith(id + " DONE")) outcome = "DONE";
            if (l.startsWith(id + " ERROR")) outcome = "ERROR";
        }
        return outcome;
    }

    static String inspect(String ref, String platform, String format) {
        List<String> a = new ArrayList<>(List.of("inspect", "--format", format));
        if (platform != null) a.addAll(List.of("--platform", platform));
        a.add(ref);
        return whittle.run(a.toArray(String[]::new)).ok().out().strip();
    }
}
