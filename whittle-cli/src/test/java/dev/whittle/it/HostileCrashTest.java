package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Crash consistency: whittle is killed with SIGKILL (no exit hook runs) at random points of a command, many times
 * over, and after each kill the store must be whole: the next command removes what the dead process left (mounts,
 * containers, temp files), fsck finds nothing wrong, no secret is on disk, and the command done again succeeds.
 * The kill points are random (seeded per command and printed, so a failure can be replayed); how many kills per
 * command is {@code -Dwhittle.crash.kills} (default 6).
 */
@Tag("runc")
class HostileCrashTest {
    static final int KILLS = Integer.getInteger("whittle.crash.kills", 6);

    @TempDir
    static Path dir;

    static Path busybox, context, secretFile, registries, dockerConfig, archive;
    static String secret;
    static LocalRegistry registry;
    static final String BASE = "crash/busybox:1", APP = "crash/app:1";

    @BeforeAll
    static void setUp() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "RUN needs root");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                dev.whittle.sandbox.Runc.available(), "runc is not installed (apt-get install runc)");
        busybox = RootFs.busybox(dir);
        secret = "CRASH-SECRET-" + UUID.randomUUID();
        secretFile = Files.writeString(dir.resolve("secret"), secret);
        context = Files.createDirectories(dir.resolve("ctx"));
        byte[] big = new byte[8 << 20];
        new Random(7).nextBytes(big);
        Files.write(context.resolve("big.bin"), big);
        Files.writeString(context.resolve("small.txt"), "small\n");
        Files.writeString(context.resolve("Dockerfile"), """
                FROM crash/busybox:1
                COPY big.bin /big.bin
                RUN --mount=type=secret,id=tok busybox md5sum /run/secrets/tok > /tok.md5 && busybox dd if=/dev/urandom of=/r bs=1M count=4 2>/dev/null
                COPY small.txt /small.txt
                CMD ["cat", "/small.txt"]
                """);
        registry = LocalRegistry.start(new LocalRegistry.Auth.None());
        registries = Files.writeString(
                dir.resolve("registries.json"),
                "{\"loopback-only\": true, \"retries\": 2, \"retry-backoff-ms\": 50, \"timeout-seconds\": 5}");
        dockerConfig = Files.createDirectories(dir.resolve("docker-config"));
        Whittle source = whittle(dir.resolve("source"));
        prepare(source);
        source.run("push", registry.host() + "/" + APP).ok();
        archive = dir.resolve("app.tar");
        source.run("save", "-o", archive.toString(), APP).ok();
    }

    @AfterAll
    static void stop() {
        if (registry != null) registry.close();
    }

    static Whittle whittle(Path root) {
        return new Whittle(
                root, List.of("--registries-config", registries.toString(), "--config", dockerConfig.toString()));
    }

    /** The base image and the app built from it, also under the registry's name. */
    static void prepare(Whittle w) {
        w.run(
                        "import",
                        "-c",
                        "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                        busybox.toString(),
                        BASE)
                .ok();
        build(w, "--no-cache").ok();
        w.run("tag", APP, registry.host() + "/" + APP).ok();
    }

    static Exec build(Whittle w, String... extra) {
        List<String> a = new ArrayList<>(List.of(
                "build", "--progress", "plain", "--check=off", "-t", APP, "--secret", "id=tok,src=" + secretFile));
        a.addAll(List.of(extra));
        a.add(context.toString());
        return w.run(a.toArray(String[]::new));
    }

    @ParameterizedTest
    @ValueSource(strings = {"build", "load", "save", "pull", "push", "rmi", "prune"})
    void aKillAtAnyPointLeavesAConsistentStore(String command) throws Exception {
        Path root = dir.resolve("store-" + command);
        Whittle w = whittle(root);
        prepare(w);
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        for (int i = 0; i < KILLS; i++) {
            String what = command + " killed, round " + i + " of seed " + seed;
            List<String> args = new ArrayList<>(
                    List.of("--registries-config", registries.toString(), "--config", dockerConfig.toString()));
            switch (command) {
                case "build" ->
                    args.addAll(List.of(
                            "build",
                            "--progress",
                            "plain",
                            "--check=off",
                            "-t",
                            APP,
                            "--secret",
                            "id=tok,src=" + secretFile,
                            i % 2 == 0 ? "--no-cache" : "--pull=false",
                            context.toString()));
                case "load" -> {
                    forget(w);
                    args.addAll(List.of("load", "-i", archive.toString()));
                }
                case "save" ->
                    args.addAll(List.of(
                            "save", "-o", dir.resolve("saved-" + i + ".tar").toString(), APP));
                case "pull" -> {
                    forget(w);
                    args.addAll(List.of("pull", registry.host() + "/" + APP));
                }
                case "push" -> args.addAll(List.of("push", tagFor(w, i)));
                case "rmi" -> args.addAll(List.of("rmi", APP, registry.host() + "/" + APP));
                case "prune" -> {
                    build(w, "--no-cache").ok(); // the previous app image is now dangling, its cache entries unused
                    args.addAll(List.of("system", "prune", "-f"));
                }
                default -> throw new IllegalArgumentException(command);
            }
            WhittleProcess p =
                    WhittleProcess.start(root, dir.resolve(command + "-" + i + ".log"), args.toArray(String[]::new));
            Thread.sleep(random.nextInt(2500)); // a JVM start is ~0.5 s of it: kills land in start-up and in the work
            List<ProcessHandle> children = p.kill9();

            assertThat(Exec.run(
                                    "sh",
                                    "-c",
                                    "find " + root + " -xdev -type f -exec grep -l '" + secret
                                            + "' {} + 2>/dev/null || true")
                            .out())
                    .as(what + ": the secret on disk")
                    .isEmpty();
            w.run("images").ok(); // any command removes what the killed one left
            HostileSandboxTest.assertNothingLeft(root, children);
            assertThat(w.run("system", "fsck").out()).as(what).contains("is consistent");
            redo(w, command, i);
        }
    }

    /** The command done again succeeds, and the store is still consistent. */
    private static void redo(Whittle w, String command, int i) {
        switch (command) {
            case "build", "rmi", "prune" -> {
                build(w).ok();
                assertThat(w.run("run", "--rm", APP).ok().out()).isEqualTo("small\n");
                w.run("tag", APP, registry.host() + "/" + APP).ok();
            }
            case "load" -> {
                w.run("load", "-i", archive.toString()).ok();
                assertThat(w.run("run", "--rm", APP).ok().out()).isEqualTo("small\n");
            }
            case "save" -> {
                Path out = dir.resolve("resaved-" + i + ".tar");
                w.run("save", "-o", out.toString(), APP).ok();
                Whittle other = whittle(out.resolveSibling("resaved-store-" + i));
                other.run("load", "-i", out.toString()).ok();
                assertThat(other.run("run", "--rm", APP).ok().out()).isEqualTo("small\n");
            }
            case "pull" -> {
                w.run("pull", registry.host() + "/" + APP).ok();
                assertThat(w.run("run", "--rm", registry.host() + "/" + APP)
                                .ok()
                                .out())
                        .isEqualTo("small\n");
            }
            case "push" -> {
                w.run("push", tagFor(w, i)).ok();
                Whittle other = whittle(dir.resolve("pushed-store-" + i));
                other.run("pull", tagFor(w, i)).ok();
                assertThat(other.run("run", "--rm", tagFor(w, i)).ok().out()).isEqualTo("small\n");
            }
            default -> throw new IllegalArgumentException(command);
        }
        assertThat(w.run("system", "fsck").out())
                .as(command + " done again, round " + i)
                .contains("is consistent");
    }

    /** The app image gone from the store under both its names, and its blobs with it. */
    private static void forget(Whittle w) {
        w.run("rmi", "-f", APP); // either may be gone already
        w.run("rmi", "-f", registry.host() + "/" + APP);
        w.run("system", "prune", "-f").ok();
    }

    /** A repository of its own per round, so every push uploads. */
    private static String tagFor(Whittle w, int i) {
        String ref = registry.host() + "/crash/push-" + i + ":1";
        w.run("tag", APP, ref).ok();
        return ref;
    }
}
