package dev.whittle.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The seed scenarios' stand-in base images, made once per machine (mmdebstrap, about a minute) and imported into
 * a test store and into Docker, exactly as the demo does.
 */
public final class Scenarios {
    public static final Path BASES = Path.of(System.getenv().getOrDefault("WHITTLE_BASES", "/var/cache/whittle-bases"));
    public static final Path STORE = Path.of("/var/tmp/whittle-test-store");
    private static Boolean ready, made;

    private Scenarios() {}

    public static Path examples() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("examples/site"))) p = p.getParent();
        return p.resolve("examples");
    }

    /** Makes and imports the bases (whittle store and Docker); skips the test with the reason when impossible. */
    public static synchronized Whittle require() {
        DockerDaemon.require();
        if (ready == null) ready = prepare();
        Assumptions.assumeTrue(
                ready,
                "stand-in bases could not be made (mmdebstrap needs the Debian mirror): see examples/bases/make-rootfs");
        return new Whittle(STORE);
    }

    /** Imports the bases into a store of whittle's, without Docker; skips the test when they cannot be made. */
    public static synchronized void importBases(Path store) {
        if (made == null) made = make();
        Assumptions.assumeTrue(
                made,
                "stand-in bases could not be made (mmdebstrap needs the Debian mirror): see examples/bases/make-rootfs");
        Exec w = Exec.run(
                List.of(
                        "env",
                        "WHITTLE_ROOT=" + store,
                        "WHITTLE_NO_AOT=1", // three imports do not repay recording the start-up caches
                        examples().resolve("bases/import-bases").toString(),
                        BASES.toString()),
                null,
                600);
        if (w.code() != 0) throw new AssertionError("whittle import of the bases failed: " + w.err() + w.out());
    }

    /** Makes the stand-in bases (once); skips the test with the reason when they cannot be made. */
    public static synchronized void requireBases() {
        if (made == null) made = make();
        Assumptions.assumeTrue(
                made,
                "stand-in bases could not be made (mmdebstrap needs the Debian mirror): see examples/bases/make-rootfs");
    }

    /** The stand-in bases with the arm64 alpine too (Debian's arm64 packages); skips when they cannot be made. */
    public static synchronized void requireMultiPlatformBases() {
        requireBases();
        makeWith("MULTIPLATFORM", "the arm64 stand-in base");
    }

    /** golang-cross.tar: the golang stand-in with Debian's arm64 C cross compiler; skips when it cannot be made. */
    public static synchronized Path requireGolangCross() {
        requireBases();
        makeWith("CROSS", "the cross-compiling golang stand-in");
        return BASES.resolve("golang-cross.tar");
    }

    /**
     * A store of its own holding {@code alpine:latest} and {@code gcr.io/distroless/static-debian11} as two-platform
     * indexes (linux/amd64, linux/arm64) of the stand-ins: examples/bases/import-multiplatform-bases's steps, run
     * in-process (the script's launcher would package whittle first). Never the shared store (see that script).
     */
    public static Whittle multiPlatformBases(Path store) {
        requireMultiPlatformBases();
        Whittle w = new Whittle(store);
        String paths = "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        for (String arch : List.of("amd64", "arm64")) {
            String alpine = arch.equals("arm64") ? "alpine-arm64.tar" : "alpine.tar";
            w.run(
                            "import",
                            "--platform",
                            "linux/" + arch,
                            "-c",
                            paths,
                            "-c",
                            "CMD [\"/bin/sh\"]",
                            BASES.resolve(alpine).toString(),
                            "stand-in/alpine:" + arch)
                    .ok();
            // distroless/static holds no program: the same files serve both platforms
            w.run(
                            "import",
                            "--platform",
                            "linux/" + arch,
                            "-c",
                            paths,
                            "-c",
                            "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
                            BASES.resolve("distroless.tar").toString(),
                            "stand-in/distroless:" + arch)
                    .ok();
        }
        index(w, "alpine:latest", "stand-in/alpine");
        index(w, "gcr.io/distroless/static-debian11", "stand-in/distroless");
        return w;
    }

    /** Names an index of {@code repository:amd64} and {@code :arm64} with a FROM-only two-platform build. */
    private static void index(Whittle w, String name, String repository) {
        byte[] df = ("ARG TARGETARCH\nFROM " + repository + ":${TARGETARCH}\n").getBytes(StandardCharsets.UTF_8);
        w.runWithInput(
                        df,
                        "build",
                        "--progress",
                        "quiet",
                        "--check=off",
                        "--platform",
                        "linux/amd64,linux/arm64",
                        "-t",
                        name,
                        "-")
                .ok();
    }

    /** The runner image's stand-in Debian (examples/runner/Dockerfile), made once; skips when it cannot be made. */
    public static synchronized Path requireRunnerBase() {
        makeWith("RUNNER", "the runner's stand-in Debian");
        return BASES.resolve("debian-runner.tar");
    }

    /** Runs make-rootfs with one of its switches ({@code MULTIPLATFORM=1}, …); skips the test when that fails. */
    private static void makeWith(String switchName, String what) {
        Exec mk = Exec.run(
                List.of(
                        "env",
                        switchName + "=1",
                        examples().resolve("bases/make-rootfs").toString(),
                        BASES.toString()),
                null,
                1800);
        Assumptions.assumeTrue(mk.code() == 0, what + " could not be made (make-rootfs): " + mk.err());
    }

    private static boolean make() {
        Exec mk = Exec.run(List.of(examples().resolve("bases/make-rootfs").toString(), BASES.toString()), null, 1800);
        if (mk.code() != 0) System.err.println("make-rootfs failed: " + mk.err());
        return mk.code() == 0;
    }

    private static boolean prepare() {
        if (made == null) made = make();
        if (!made) return false;
        Path ex = examples();
        Exec d = Exec.run(List.of(ex.resolve("bases/import-bases").toString(), BASES.toString(), "docker"), null, 600);
        if (d.code() != 0) throw new AssertionError("docker import of the bases failed: " + d.err());
        importBases(STORE);
        return true;
    }
}
