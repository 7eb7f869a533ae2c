package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.image.ImageRef;
import dev.whittle.image.Manifest;
import dev.whittle.json.Json;
import dev.whittle.store.Images;
import dev.whittle.store.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pull, push, login and mirrors against Debian's docker-registry on 127.0.0.1: anonymous, htpasswd and token auth
 * (with a token server that signs what the registry trusts), and through a proxy that breaks things on purpose.
 */
class RegistryTest {
    @TempDir
    static Path dir;

    static Whittle src;
    static LocalRegistry open;
    static final String APP = "reg/app:1";
    static final AtomicInteger STORES = new AtomicInteger();

    @BeforeAll
    static void images() throws IOException {
        src = new Whittle(dir.resolve("src-store"));
        src.run(
                        "import",
                        "-c",
                        "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                        "-c",
                        "CMD [\"/bin/sh\"]",
                        RootFs.busybox(dir).toString(),
                        "reg/busybox:1")
                .ok();
        Path ctx = Files.createDirectories(dir.resolve("app"));
        byte[] big = new byte[3 << 20];
        new Random(42).nextBytes(big);
        Files.write(ctx.resolve("big.bin"), big);
        Files.writeString(ctx.resolve("hello.txt"), "hello from the registry test\n");
        Files.writeString(
                ctx.resolve("Dockerfile"),
                "FROM reg/busybox:1\nCOPY big.bin /data/big.bin\nCOPY hello.txt /hello.txt\nCMD [\"cat\", \"/hello.txt\"]\n");
        src.run("build", "--progress", "quiet", "--check=off", "-t", APP, ctx.toString())
                .ok();
        open = LocalRegistry.start(new LocalRegistry.Auth.None());
    }

    @AfterAll
    static void stop() {
        if (open != null) open.close();
    }

    /** A registries file: loopback only, short waits so fault tests stay quick. */
    static Path config(String extraJson) throws IOException {
        Path f = dir.resolve("registries-" + STORES.incrementAndGet() + ".json");
        Files.writeString(
                f,
                "{\"loopback-only\": true, \"retries\": 3, \"retry-backoff-ms\": 50, \"timeout-seconds\": 2"
                        + (extraJson.isEmpty() ? "" : ", " + extraJson) + "}");
        return f;
    }

    /** A whittle with a fresh empty store, the given registries file and its own docker config directory. */
    static Whittle fresh(Path registries) throws IOException {
        int n = STORES.incrementAndGet();
        Path docker = Files.createDirectories(dir.resolve("docker-config-" + n));
        return new Whittle(
                dir.resolve("store-" + n),
                List.of("--registries-config", registries.toString(), "--config", docker.toString()));
    }

    static Whittle source(Path registries, Path dockerConfig) {
        return new Whittle(
                src.root(), List.of("--registries-config", registries.toString(), "--config", dockerConfig.toString()));
    }

    static String inspect(Whittle w, String image, String format) {
        return w.run("inspect", "--format", format, image).ok().out().trim();
    }

    static List<Path> blobs(Whittle w) throws IOException {
        Path b = w.root().resolve("blobs/sha256");
        if (!Files.isDirectory(b)) return List.of();
        try (Stream<Path> s = Files.list(b)) {
            return s.toList();
        }
    }

    static void assertClean(Whittle w) throws IOException {
        Path tmp = w.root().resolve("whittle/tmp");
        if (Files.isDirectory(tmp)) {
            try (Stream<Path> s = Files.list(tmp)) {
                assertThat(s.toList()).as("temp files left in the store").isEmpty();
            }
        }
        if (Files.isDirectory(w.root().resolve("whittle")))
            assertThat(w.run("system", "fsck").ok().out()).contains("is consistent");
    }

    // ------------------------------------------------------------------------------------------------ basics

    @Test
    void pushThenPullGivesTheSameImageAndDigests() throws IOException {
        Path cfg = config("");
        String ref = open.host() + "/basics/app:1";
        Whittle s = source(cfg, dir.resolve("no-docker-config"));
        s.run("tag", APP, ref).ok();
        Exec push = s.run("push", ref).ok();
        assertThat(push.out())
                .contains("The push refers to repository [" + ref.replace(":1", "") + "]")
                .contains(": Pushed")
                .containsPattern("1: digest: sha256:[0-9a-f]{64} size: \\d+");
        String digest = push.out().replaceAll("(?s).*digest: (sha256:[0-9a-f]{64}).*", "$1");
        Exec again = s.run("push", ref).ok();
        assertThat(again.out())
                .contains("Layer already exists")
                .doesNotContain("Pushed")
                .contains("digest: " + digest);
        assertThat(inspect(s, APP, "{{json .RepoDigests}}")).contains(ref.replace(":1", "") + "@" + digest);

        Whittle w = fresh(cfg);
        Exec pull = w.run("pull", ref).ok();
        assertThat(pull.out())
                .contains("1: Pulling from basics/app")
                .contains("Pull complete")
                .contains("Digest: " + digest)
                .contains("Status: Downloaded newer image for " + ref)
                .endsWith(ref + "\n");
        assertThat(inspect(w, ref, "{{.Id}}")).isEqualTo(inspect(src, APP, "{{.Id}}"));
        assertThat(inspect(w, ref, "{{json .RootFS.Layers}}")).isEqualTo(inspect(src, APP, "{{json .RootFS.Layers}}"));
        assertThat(inspect(w, ref, "{{json .RepoDigests}}"))
                .isEqualTo("[\"" + ref.replace(":1", "") + "@" + digest + "\"]");
        assertThat(w.run("run", "--rm", ref).ok().out()).isEqualTo("hello from the registry test\n");

        int before = blobs(w).size();
        Exec repull = w.run("pull", ref).ok();
        assertThat(repull.out()).contains("Already exists").contains("Status: Image is up to date for " + ref);
        assertThat(blobs(w)).hasSize(before);

        Whittle byDigest = fresh(cfg);
        String dref = ref.replace(":1", "") + "@" + digest;
        byDigest.run("pull", "-q", dref).ok();
        assertThat(byDigest.run("images", "--digests", "--format", "{{.Repository}} {{.Tag}} {{.Digest}}")
                        .ok()
                        .out())
                .isEqualTo(ref.replace(":1", "") + " <none> " + digest + "\n");
        assertThat(inspect(byDigest, dref, "{{.Id}}")).isEqualTo(inspect(src, APP, "{{.Id}}"));
        assertClean(w);
    }

    /**
     * A loopback registry is asked over plain HTTP first; one that speaks only HTTPS (with a certificate nobody signed)
     * answers that with 400, and whittle goes on over TLS without verifying it, as docker does for loopback.
     */
    @Test
    void aLoopbackRegistryThatSpeaksOnlyTlsIsUsedOverTls() throws IOException {
        try (LocalRegistry tls = LocalRegistry.start(new LocalRegistry.Auth.None(), true)) {
            Path cfg = config("");
            String ref = tls.host() + "/tls/app:1";
            Whittle s = source(cfg, dir.resolve("no-docker-config"));
            s.run("tag", APP, ref).ok();
            String digest = s.run("push", ref).ok().out().replaceAll("(?s).*digest: (sha256:[0-9a-f]{64}).*", "$1");
            Whittle w = fresh(cfg);
            assertThat(w.run("pull", ref).ok().out()).contains("Digest: " + digest);
            assertThat(inspect(w, ref, "{{.Id}}")).isEqualTo(inspect(src, APP, "{{.Id}}"));
            assertThat(w.run("run", "--rm", ref).ok().out()).isEqualTo("hello from the registry test\n");
        }
    }

    /**
     * {@code whittle pull} checks each blob's digest as it arrives and its diffID behind the download. A config that
     * names the wrong diffID fails the pull with a message naming the image, the layer and what was expected, and the
     * image gets no name: {@code images} never shows it. An image that came in unverified another way (a pending claim
     * left by a pull of an earlier whittle) is caught on its first use, with the same names, and stays marked.
     */
    @Test
    void aConfigThatLiesAboutALayersDiffIdFailsThePull() throws Exception {
        // a registry of its own: blobs pushed here must not turn the other tests' pushes into mounts
        try (LocalRegistry own = LocalRegistry.start(new LocalRegistry.Auth.None())) {
            liesAreCaught(own);
        }
    }

    @SuppressWarnings("unchecked")
    private static void liesAreCaught(LocalRegistry registry) throws Exception {
        Path cfg = config("");
        String repo = registry.host() + "/lies/app";
        Whittle s = source(cfg, dir.resolve("no-docker-config"));
        s.run("tag", APP, repo + ":true").ok();
        String honest =
                s.run("push", repo + ":true").ok().out().replaceAll("(?s).*digest: (sha256:[0-9a-f]{64}).*", "$1");
        RawRegistry raw = new RawRegistry(registry.host(), "lies/app");
        String claimed = RawRegistry.sha256("not this layer".getBytes(StandardCharsets.UTF_8));
        byte[] honestManifest = raw.get("manifests/" + honest);
        String lying = raw.pushWithConfig(honestManifest, config -> {
            Map<String, Object> rootfs = new java.util.LinkedHashMap<>((Map<String, Object>) config.get("rootfs"));
            List<Object> ids = new ArrayList<>((List<Object>) rootfs.get("diff_ids"));
            ids.set(ids.size() - 1, claimed);
            rootfs.put("diff_ids", ids);
            config.put("rootfs", rootfs);
        });
        raw.tag(lying, "lie");
        List<Object> layers = (List<Object>) Json.parseObject(honestManifest).get("layers");
        String lastBlob = (String) ((Map<String, Object>) layers.getLast()).get("digest");
        String layerOf = "layer " + layers.size() + " of " + layers.size() + " (blob " + lastBlob + ")";

        Whittle w = fresh(cfg);
        for (String ref : List.of(repo + ":lie", repo + "@" + lying)) {
            Exec pull = w.run("pull", ref);
            assertThat(pull.code()).as(pull.out() + pull.err()).isEqualTo(1);
            assertThat(pull.err())
                    .startsWith("Error: image " + ref + ": " + layerOf)
                    .contains("expected diffID " + claimed)
                    .contains("The image was not stored")
                    .doesNotContain("Exception");
            assertThat(pull.out()).doesNotContain("Status:").doesNotContain("Digest:");
            assertThat(w.run("images", "-a", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}")
                            .ok()
                            .out())
                    .as("no name, no image")
                    .isEmpty();
            assertThat(w.root().resolve("whittle/layers/" + claimed.substring(7) + ".json"))
                    .doesNotExist();
            assertClean(w);
        }

        // the honest image, pulled next to it, is verified by the pull: images shows its full size at once
        String size = src.run("images", "--format", "{{.Size}}", APP).ok().out();
        assertThat(size).matches("[0-9.]+[kMG]?B\n");
        w.run("pull", "-q", repo + ":true").ok();
        assertThat(w.run("images", "--format", "{{.Size}}", repo + ":true").ok().out())
                .isEqualTo(size);
        assertThat(w.root().resolve("whittle/pending")).isEmptyDirectory();
        assertThat(w.run("run", "--rm", repo + ":true").ok().out()).isEqualTo("hello from the registry test\n");

        // an image that came in unverified (what a pull of an earlier whittle left: the layer a pending claim) fails
        // its
        // first use, naming image, layer and the diffID expected, and stays marked until removed
        Whittle old = fresh(cfg);
        old.run("pull", "-q", repo + "@" + lying).fails(1);
        byte[] lyingManifest = raw.get("manifests/" + lying);
        String blobType = (String) ((Map<String, Object>) layers.getLast()).get("mediaType");
        try (Store store = Store.open(old.root())) {
            store.putBlob(lyingManifest);
            Path claim = Files.createDirectories(old.root().resolve("whittle/pending/" + claimed.substring(7)));
            Files.writeString(claim.resolve(lastBlob.substring(7)), blobType);
            new Images(store)
                    .add(Manifest.parse(lyingManifest, null), List.of(ImageRef.parse(repo + ":old")), List.of());
        }
        for (int i = 0; i < 2; i++) {
            Exec run = old.run("run", "--rm", repo + ":old");
            assertThat(run.code()).isEqualTo(125); // run's own failure before the container starts, as docker's 125
            assertThat(run.err())
                    .startsWith("Error: image " + repo + ":old: " + layerOf)
                    .contains("expected diffID " + claimed)
                    .contains("whittle rmi " + repo + ":old")
                    .doesNotContain("Exception");
        }
        assertThat(old.run("save", "-o", dir.resolve("lie.tar").toString(), repo + ":old")
                        .err())
                .contains("expected diffID " + claimed);
        Exec fsck = old.run("system", "fsck");
        assertThat(fsck.out() + fsck.err()).contains(claimed);
        old.run("rmi", repo + ":old").ok();
        assertClean(old);
    }

    @Test
    void pullAllTagsFetchesEveryTagOfTheRepository() throws IOException {
        Path cfg = config("");
        String repo = open.host() + "/alltags/app";
        Whittle s = source(cfg, dir.resolve("no-docker-config"));
        for (String t : List.of("2", "1", "latest")) {
            s.run("tag", t.equals("2") ? "reg/busybox:1" : APP, repo + ":" + t).ok();
            s.run("push", "-q", repo + ":" + t).ok();
        }
        Whittle w = fresh(cfg);
        Exec all = w.run("pull", "-a", repo).ok();
        assertThat(all.out())
                .contains("1: Pulling from alltags/app")
                .contains("2: Pulling from alltags/app")
                .contains("latest: Pulling from alltags/app")
                .contains("Status: Downloaded newer image for " + repo)
                .endsWith(repo + "\n")
                .doesNotContain("Using default tag");
        assertThat(w.run("images", "--format", "{{.Tag}} {{.ID}}", repo)
                        .ok()
                        .out()
                        .lines()
                        .sorted()
                        .toList())
                .containsExactly(
                        "1 " + inspect(src, APP, "{{.Id}}").substring(7, 19),
                        "2 " + inspect(src, "reg/busybox:1", "{{.Id}}").substring(7, 19),
                        "latest " + inspect(src, APP, "{{.Id}}").substring(7, 19));
        assertThat(w.run("pull", "--all-tags", repo).ok().out()).contains("Status: Image is up to date for " + repo);
        assertThat(w.run("pull", "-a", repo + ":1").fails(1).err())
                .isEqualTo("Error: tag can't be used with --all-tags/-a\n");
        assertThat(w.run("pull", "-a", open.host() + "/alltags/none").fails(1).err())
                .contains("NAME_UNKNOWN");
        assertClean(w);
    }

    @Test
    void unknownImagesAndRefusedHostsAreClearErrors() throws IOException {
        Whittle w = fresh(config(""));
        Exec missing = w.run("pull", open.host() + "/nothing/here:1");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err())
                .isEqualTo("Error: " + open.host() + ": manifest for " + open.host()
                        + "/nothing/here:1: MANIFEST_UNKNOWN: manifest unknown\n");
        Exec hub = w.run("pull", "golang:1.22");
        assertThat(hub.code()).isEqualTo(1);
        assertThat(hub.err())
                .contains("registry registry-1.docker.io is not on this machine")
                .contains("loopback-only");
        Exec down = w.run("pull", "127.0.0.1:1/x:1");
        assertThat(down.code()).isEqualTo(1);
        assertThat(down.err()).isEqualTo("Error: 127.0.0.1:1: connection refused\n");
        Exec notLocal = w.run("push", open.host() + "/x:nope");
        assertThat(notLocal.code()).isEqualTo(1);
        assertThat(notLocal.err()).contains("An image does not exist locally with the tag: " + open.host() + "/x:nope");
        assertThat(blobs(w)).isEmpty();
    }

    @Test
    void buildPullsItsBaseAndPushesItsResult() throws IOException {
        Path cfg = config("");
        Whittle s = source(cfg, dir.resolve("no-docker-config"));
        s.run("tag", "reg/busybox:1", open.host() + "/base/busybox:1").ok();
        s.run("push", "-q", open.host() + "/base/busybox:1").ok();
        Path ctx = Files.createDirectories(dir.resolve("build-push"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM " + open.host() + "/base/busybox:1\nCOPY f /f\n");
        Files.writeString(ctx.resolve("f"), "built\n");
        Whittle w = fresh(cfg);
        Exec never = w.run("build", "--progress", "plain", "--check=off", "--pull=never", ctx.toString());
        assertThat(never.code()).isEqualTo(1);
        assertThat(never.err())
                .contains("Dockerfile:1:6: image \"" + open.host() + "/base/busybox:1\" is not in the store")
                .contains("--pull=never");
        String out = open.host() + "/built/app:1";
        Exec b = w.run("build", "--progress", "plain", "--check=off", "--push", "-t", out, ctx.toString())
                .ok();
        assertThat(b.err())
                .contains("[internal] pull " + open.host() + "/base/busybox:1")
                .contains("Pushed");
        String reg = open.host() + "/built/oci:1";
        w.run(
                        "build",
                        "--progress",
                        "quiet",
                        "--check=off",
                        "--output",
                        "type=registry,name=" + reg + ",oci-mediatypes=true",
                        ctx.toString())
                .ok();
        Whittle check = fresh(cfg);
        check.run("pull", "-q", out).ok();
        check.run("pull", "-q", reg).ok();
        assertThat(inspect(check, out, "{{.Id}}")).isEqualTo(inspect(w, out, "{{.Id}}"));
        assertThat(inspect(check, reg, "{{.Id}}")).isEqualTo(inspect(w, out, "{{.Id}}"));
        Exec skopeo = Exec.run("skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + reg);
        if (skopeo.code() == 0) assertThat(skopeo.out()).contains("application/vnd.oci.image.manifest.v1+json");
        // the base already in the store is not pulled again
        Exec rebuild = w.run("build", "--progress", "plain", "--check=off", "--no-cache", ctx.toString())
                .ok();
        assertThat(rebuild.err()).doesNotContain("[internal] pull");
    }

    @Test
    void zstdAndOciMediaTypesRoundTrip() throws IOException {
        Path cfg = config("");
        String ref = open.host() + "/zstd/app:1";
        Whittle s = source(cfg, dir.resolve("no-docker-config"));
        s.run("tag", APP, ref).ok();
        s.run("push", "--compression", "zstd", ref).ok();
        Exec raw = Exec.run("skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + ref);
        if (raw.code() == 0) {
            assertThat(raw.out())
                    .contains("application/vnd.oci.image.layer.v1.tar+zstd")
                    .contains("application/vnd.oci.image.manifest.v1+json");
        }
        Whittle w = fresh(cfg);
        w.run("pull", "-q", ref).ok();
        assertThat(inspect(w, ref, "{{.Id}}")).isEqualTo(inspect(src, APP, "{{.Id}}"));
        assertThat(w.run("run", "--rm", ref).ok().out()).isEqualTo("hello from the registry test\n");
    }

    // ------------------------------------------------------------------------------------------------ auth

    @Test
    void basicAuthLoginPushPullLogout() throws IOException {
        try (LocalRegistry reg = LocalRegistry.start(new LocalRegistry.Auth.Htpasswd("bob", "hunter2-pw"))) {
            Path cfg = config("");
            Path dockerDir = Files.createDirectories(dir.resolve("basic-docker"));
            Whittle s = source(cfg, dockerDir);
            String ref = reg.host() + "/private/app:1";
            s.run("tag", APP, ref).ok();
            Exec anon = s.run("push", ref);
            assertThat(anon.code()).isEqualTo(1);
            assertThat(anon.err()).contains(reg.host()).contains("UNAUTHORIZED");
            Exec wrong = s.runWithInput("nope\n".getBytes(), "login", "-u", "bob", "--password-stdin", reg.host());
            assertThat(wrong.code()).isEqualTo(1);
            assertThat(wrong.err()).contains("UNAUTHORIZED").doesNotContain("nope");
            assertThat(dockerDir.resolve("config.json")).doesNotExist();
            Exec login = s.runWithInput("hunter2-pw\n".getBytes(), "login", "-u", "bob", "--password-stdin", reg.host())
                    .ok();
            assertThat(login.out()).isEqualTo("Login Succeeded\n");
            assertThat(login.err())
                    .contains(
                            "WARNING! Your password will be stored unencrypted in " + dockerDir.resolve("config.json"));
            Map<String, Object> conf = Json.parseObject(Files.readAllBytes(dockerDir.resolve("config.json")));
            assertThat(conf.toString())
                    .contains(reg.host())
                    .contains(Base64.getEncoder().encodeToString("bob:hunter2-pw".getBytes()));
            assertThat(Files.getPosixFilePermissions(dockerDir.resolve("config.json"))
                            .toString())
                    .isEqualTo("[OWNER_READ, OWNER_WRITE]");
            Exec push = s.run("push", ref).ok();
            Whittle w = new Whittle(
                    dir.resolve("basic-pull"),
                    List.of("--registries-config", cfg.toString(), "--config", dockerDir.toString()));
            Exec pull = w.run("pull", ref).ok();
            for (Exec e : List.of(login, push, pull))
                assertThat(e.out() + e.err()).doesNotContain("hunter2-pw");
            assertThat(s.run("logout", reg.host()).ok().out())
                    .isEqualTo("Removing login credentials for " + reg.host() + "\n");
            assertThat(s.run("logout", reg.host()).ok().out()).isEqualTo("Not logged in to " + reg.host() + "\n");
            Exec after = fresh(cfg).run("pull", ref);
            assertThat(after.code()).isEqualTo(1);
            assertThat(after.err()).contains("UNAUTHORIZED");
        }
    }

    @Test
    void tokenAuthAnonymousAndCredentialedWithPostThenGet() throws IOException {
        try (TokenServer tokens = TokenServer.start();
                LocalRegistry reg = LocalRegistry.start(new LocalRegistry.Auth.Token(tokens))) {
            Path cfg = config("");
            Path dockerDir = Files.createDirectories(dir.resolve("token-docker"));
            Whittle s = source(cfg, dockerDir);
            String pub = reg.host() + "/public/app:1";
            s.run("tag", APP, pub).ok();
            Exec denied = s.run("push", pub);
            assertThat(denied.code()).isEqualTo(1);
            assertThat(denied.err()).contains(reg.host()).containsAnyOf("UNAUTHORIZED", "DENIED");
            s.runWithInput(
                            (TokenServer.PASSWORD + "\n").getBytes(),
                            "login",
                            "-u",
                            TokenServer.USER,
                            "--password-stdin",
                            reg.host())
                    .ok();
            tokens.requests().clear();
            s.run("push", pub).ok();
            assertThat(tokens.requests()).isNotEmpty();
            assertThat(tokens.requests().getFirst().method()).isEqualTo("POST");
            assertThat(tokens.requests()).allSatisfy(r -> assertThat(r.user()).isEqualTo(TokenServer.USER));
            // one token per scope set, reused by every blob of the push
            assertThat(tokens.requests().size()).isLessThanOrEqualTo(2);

            Whittle anonymous = fresh(cfg);
            anonymous.run("pull", pub).ok();
            assertThat(inspect(anonymous, pub, "{{.Id}}")).isEqualTo(inspect(src, APP, "{{.Id}}"));
            Exec privatePull = anonymous.run("pull", reg.host() + "/private/app:1");
            assertThat(privatePull.code()).isEqualTo(1);
            assertThat(privatePull.err()).contains(reg.host()).containsAnyOf("UNAUTHORIZED", "DENIED");

            tokens.refusePost();
            tokens.requests().clear();
            String priv = reg.host() + "/team/app:2";
            s.run("tag", APP, priv).ok();
            s.run("push", priv).ok();
            assertThat(tokens.requests().stream()
                            .map(TokenServer.Request::method)
                            .toList())
                    .startsWith("POST", "GET");
            Whittle w = new Whittle(
                    dir.resolve("token-pull"),
                    List.of("--registries-config", cfg.toString(), "--config", dockerDir.toString()));
            w.run("pull", priv).ok();

            Exec bad = s.runWithInput(
                    "wrong\n".getBytes(), "login", "-u", TokenServer.USER, "--password-stdin", reg.host());
            assertThat(bad.code()).isEqualTo(1);
            assertThat(bad.err()).contains("incorrect username or password").doesNotContain("wrong\n");
        }
    }

    @Test
    void credentialHelpersAreAskedAsDockerAsksThem() throws Exception {
        try (LocalRegistry reg = LocalRegistry.start(new LocalRegistry.Auth.Htpasswd("carol", "helper-secret"))) {
            Path bin = Files.createDirectories(dir.resolve("helper-bin"));
            Path calls = dir.resolve("helper-calls.log");
            Path helper = bin.resolve("docker-credential-whittletest");
            Files.writeString(helper, """
                    #!/bin/sh
                    read -r input || true
                    echo "$1 $input" >> %s
                    case "$1" in
                      get) if [ "$input" = "%s" ]; then echo '{"ServerURL":"%s","Username":"carol","Secret":"helper-secret"}';
                           else echo "credentials not found in native keychain"; exit 1; fi ;;
                      *) exit 0 ;;
                    esac
                    """.formatted(calls, reg.host(), reg.host()));
            helper.toFile().setExecutable(true);
            Path dockerDir = Files.createDirectories(dir.resolve("helper-docker"));
            Files.writeString(
                    dockerDir.resolve("config.json"),
                    "{\"credHelpers\": {\"" + reg.host() + "\": \"whittletest\"}, \"unknownField\": 1}");
            Path cfg = config("");
            Whittle s = source(cfg, dockerDir);
            String ref = reg.host() + "/helped/app:1";
            s.run("tag", APP, ref).ok();
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED",
                    "-cp",
                    System.getProperty("java.class.path"),
                    "dev.whittle.cli.Main",
                    "--root",
                    src.root().toString(),
                    "--registries-config",
                    cfg.toString(),
                    "--config",
                    dockerDir.toString(),
                    "push",
                    ref));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(out).isZero();
            assertThat(out).contains("digest: sha256:").doesNotContain("helper-secret");
            assertThat(Files.readString(calls)).contains("get " + reg.host());
            assertThat(Files.readString(dockerDir.resolve("config.json"))).contains("unknownField");
        }
    }

    // ------------------------------------------------------------------------------------------------ mirrors

    @Test
    void dockerHubNamesComeFromTheMirrorAndBuildsUseIt() throws IOException {
        Path cfg = config("");
        Whittle s = source(cfg, dir.resolve("no-docker-config"));
        s.run("tag", "reg/busybox:1", open.host() + "/library/busybox:mirrored").ok();
        s.run("push", "-q", open.host() + "/library/busybox:mirrored").ok();
        Path mirrors = config("\"registries\": {\"docker.io\": {\"mirrors\": [\"http://127.0.0.1:1\", \"" + open.host()
                + "\"], \"mirrors-only\": true}}");
        Whittle w = fresh(mirrors);
        Exec pull = w.run("pull", "busybox:mirrored").ok();
        assertThat(pull.out())
                .contains("mirrored: Pulling from library/busybox")
                .contains("mirror http://127.0.0.1:1 failed (127.0.0.1:1: ")
                .contains("connection refused), trying the next source")
                .endsWith("docker.io/library/busybox:mirrored\n");
        assertThat(w.run("images", "--format", "{{.Repository}}:{{.Tag}}").ok().out())
                .isEqualTo("busybox:mirrored\n");

        Path ctx = Files.createDirectories(dir.resolve("mirror-build"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox:mirrored\nCOPY f /f\n");
        Files.writeString(ctx.resolve("f"), "x");
        Whittle empty = fresh(mirrors);
        empty.run("build", "--progress", "quiet", "--check=off", "-t", "via/mirror", ctx.toString())
                .ok();
        assertThat(inspect(empty, "busybox:mirrored", "{{.Id}}")).isEqualTo(inspect(src, "reg/busybox:1", "{{.Id}}"));

        Exec gone = fresh(
                        config(
                                "\"registries\": {\"docker.io\": {\"mirrors\": [\"http://127.0.0.1:1\"], \"mirrors-only\": true}}"))
                .run("pull", "busybox:mirrored");
        assertThat(gone.code()).isEqualTo(1);
        assertThat(gone.err()).contains("mirror http://127.0.0.1:1").contains("connection refused");
        Exec docker = fresh(config("\"registry-mirrors\": [\"http://" + open.host() + "\"]"))
                .run("pull", "busybox:nope");
        assertThat(docker.code()).isEqualTo(1);
        assertThat(docker.err()).contains("MANIFEST_UNKNOWN").contains("registry-1.docker.io is not on this machine");
    }

    // ------------------------------------------------------------------------------------------------ faults

    private static String pushVia(FaultProxy proxy, String name, Path cfg) {
        String ref = proxy.host() + "/" + name;
        Whittle s = source(cfg, dir.resolve("no-docker-config"));
        s.run("tag", APP, ref).ok();
        s.run("push", "-q", ref).ok();
        return ref;
    }

    /** The digest of the largest layer blob of {@code repo:1} in the open registry. */
    @SuppressWarnings("unchecked")
    static String bigLayer(String repo) throws IOException {
        try {
            Map<String, Object> m = Json.parseObject(new RawRegistry(open.host(), repo).get("manifests/1"));
            return ((List<Map<String, Object>>) m.get("layers"))
                    .stream()
                            .max(java.util.Comparator.comparingLong(l -> ((Number) l.get("size")).longValue()))
                            .map(l -> (String) l.get("digest"))
                            .orElseThrow();
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
    }

    @Test
    void brokenAndStalledDownloadsResume() throws IOException {
        try (FaultProxy proxy = FaultProxy.to(open.host())) {
            Path cfg = config("");
            String ref = pushVia(proxy, "faults/resume:1", cfg);
            String big = bigLayer("faults/resume");
            proxy.cut("GET", big, 64 << 10, 1);
            proxy.stall("GET", big, 200 << 10, 6000, 1);
            proxy.status("GET", "/manifests/", 503, 2, Map.of());
            Whittle w = fresh(cfg);
            w.run("pull", ref).ok();
            assertThat(inspect(w, ref, "{{.Id}}")).isEqualTo(inspect(src, APP, "{{.Id}}"));
            assertThat(proxy.seen().stream()
                            .map(FaultProxy.Seen::range)
                            .filter(r -> r != null)
                            .toList())
                    .as("resumed with Range requests")
                    .contains("bytes=65536-");
            assertClean(w);
        }
    }

    @Test
    void rateLimitsAreWaitedForOrReportedWithTheirHint() throws IOException {
        try (FaultProxy proxy = FaultProxy.to(open.host())) {
            Path cfg = config("");
            String ref = pushVia(proxy, "faults/limit:1", cfg);
            proxy.status("GET", "/manifests/", 429, 1, Map.of("Retry-After", "1"));
            Whittle w = fresh(cfg);
            w.run("pull", "-q", ref).ok();
            proxy.status("GET", "/manifests/", 429, 1, Map.of("Retry-After", "3600"));
            Whittle limited = fresh(cfg);
            Exec e = limited.run("pull", ref);
            assertThat(e.code()).isEqualTo(1);
            assertThat(e.err())
                    .contains("TOOMANYREQUESTS")
                    .contains("retry after 3600 s")
                    .contains(proxy.host());
            assertThat(blobs(limited)).isEmpty();
        }
    }

    @Test
    void corruptOrEndlesslyBrokenBlobsNeverReachTheStore() throws IOException {
        try (FaultProxy proxy = FaultProxy.to(open.host())) {
            Path cfg = config("");
            String ref = pushVia(proxy, "faults/corrupt:1", cfg);
            String bigLayer = inspect(src, APP, "{{index .RootFS.Layers 1}}");
            proxy.corrupt("GET", "/blobs/sha256:", 1000);
            Whittle w = fresh(cfg);
            Exec corrupt = w.run("pull", ref);
            assertThat(corrupt.code()).isEqualTo(1);
            assertThat(corrupt.err())
                    .contains(proxy.host())
                    .containsAnyOf("digest", "DIGEST_INVALID")
                    .doesNotContain("Exception");
            assertThat(blobs(w).stream().map(p -> p.getFileName().toString())).doesNotContain(bigLayer.substring(7));
            assertThat(w.run("images", "-q").ok().out()).isEmpty();
            assertClean(w);

            try (FaultProxy cutting = FaultProxy.to(open.host())) {
                cutting.cut("GET", "/blobs/sha256:", 10 << 10, 1000);
                Whittle w2 = fresh(cfg);
                Exec cut = w2.run("pull", cutting.host() + "/faults/corrupt:1");
                assertThat(cut.code()).isEqualTo(1);
                assertThat(cut.err())
                        .contains("download failed after 4 attempts")
                        .contains("connection closed");
                assertThat(w2.run("images", "-q").ok().out()).isEmpty();
                assertClean(w2);
            }
        }
    }

    /**
     * A layer that has no compressed blob yet is compressed while it is sent, in one streamed PATCH; when that stream
     * is cut, the blob (complete in the store by then) is sent again from the store, and the push still succeeds.
     */
    @Test
    void layersCompressWhileTheyUploadAndACutStreamIsSentAgainFromTheStore() throws IOException {
        Path archive = dir.resolve("app-for-streaming.tar");
        src.run("save", "-o", archive.toString(), APP).ok();
        long uploadsWithoutFault = -1;
        for (boolean cut : new boolean[] {false, true}) {
            try (FaultProxy proxy = FaultProxy.to(open.host())) {
                Path cfg = config("");
                if (cut) proxy.cutRequest("PATCH", "/blobs/uploads/", 200 << 10, 1);
                Whittle w = fresh(cfg);
                w.run("load", "-q", "-i", archive.toString()).ok();
                String ref = proxy.host() + "/streamed/cut-" + cut + ":1";
                w.run("tag", APP, ref).ok();
                Exec push = w.run("push", ref).ok();
                assertThat(proxy.seen().stream()
                                .filter(x -> x.method().equals("PATCH"))
                                .count())
                        .as("one streamed PATCH per layer")
                        .isGreaterThanOrEqualTo(2);
                long uploads = proxy.seen().stream()
                        .filter(x -> x.method().equals("POST") && x.path().contains("/blobs/uploads/"))
                        .count();
                if (!cut) uploadsWithoutFault = uploads;
                else
                    assertThat(uploads)
                            .as("the cut layer went again, in an upload session of its own")
                            .isEqualTo(uploadsWithoutFault + 1);
                // docker's progress names layers by diffID
                String diffId = inspect(w, ref, "{{index .RootFS.Layers 0}}")
                        .substring("sha256:".length(), "sha256:".length() + 12);
                assertThat(push.out()).contains(diffId + ": Pushed");
                assertClean(w);
                Whittle back = fresh(cfg);
                back.run("pull", "-q", ref).ok();
                assertThat(inspect(back, ref, "{{.Id}}")).isEqualTo(inspect(src, APP, "{{.Id}}"));
                assertThat(w.run("push", ref).ok().out())
                        .contains("Layer already exists")
                        .doesNotContain("Pushed");
            }
        }
    }

    @Test
    void pushesRecoverFromServerErrorsAndDroppedUploads() throws IOException {
        try (FaultProxy proxy = FaultProxy.to(open.host())) {
            Path cfg = config("");
            proxy.status("PUT", "/blobs/uploads/", 500, 1, Map.of());
            proxy.cutRequest("PUT", "/blobs/uploads/", 100 << 10, 1);
            String ref = pushVia(proxy, "faults/push:1", cfg);
            Whittle w = fresh(cfg);
            w.run("pull", "-q", ref).ok();
            assertThat(inspect(w, ref, "{{.Id}}")).isEqualTo(inspect(src, APP, "{{.Id}}"));

            Whittle s = source(cfg, dir.resolve("no-docker-config"));
            s.run("tag", APP, proxy.host() + "/faults/mounted:1").ok();
            Exec mounted = s.run("push", proxy.host() + "/faults/mounted:1").ok();
            assertThat(mounted.out()).contains("Mounted from faults/push").doesNotContain("Pushed");

            // another host name to the client, so nothing to mount from: the layers go up in 1 MiB PATCHes
            try (FaultProxy second = FaultProxy.to(open.host())) {
                Path chunked = config("\"upload-chunk-size-mb\": 1");
                second.cutRequest("PATCH", "/blobs/uploads/", 300 << 10, 1);
                String cref = pushVia(second, "faults/chunked:1", chunked);
                assertThat(second.seen().stream()
                                .filter(x -> x.method().equals("PATCH"))
                                .count())
                        .isGreaterThanOrEqualTo(4);
                Whittle c = fresh(cfg);
                c.run("pull", "-q", cref).ok();
                assertThat(inspect(c, cref, "{{.Id}}")).isEqualTo(inspect(src, APP, "{{.Id}}"));
            }
        }
    }

    @Test
    void redirectsToAnotherHostNeverCarryTheCredentials() throws IOException {
        try (LocalRegistry reg = LocalRegistry.start(new LocalRegistry.Auth.Htpasswd("dave", "redirect-pw"));
                FaultProxy proxy = FaultProxy.to(reg.host())) {
            Path cfg = config("");
            Path dockerDir = Files.createDirectories(dir.resolve("redirect-docker"));
            Whittle s = source(cfg, dockerDir);
            s.runWithInput("redirect-pw".getBytes(), "login", "-u", "dave", "--password-stdin", proxy.host())
                    .ok();
            String ref = proxy.host() + "/redirected/app:1";
            s.run("tag", APP, ref).ok();
            s.run("push", "-q", ref).ok();
            proxy.redirectBlobs("Basic " + Base64.getEncoder().encodeToString("dave:redirect-pw".getBytes()));
            Whittle w = new Whittle(
                    dir.resolve("redirect-pull"),
                    List.of("--registries-config", cfg.toString(), "--config", dockerDir.toString()));
            w.run("pull", "-q", ref).ok();
            List<FaultProxy.Seen> direct = proxy.seen().stream()
                    .filter(x -> x.path().startsWith("/direct/"))
                    .toList();
            assertThat(direct)
                    .isNotEmpty()
                    .allSatisfy(x -> assertThat(x.authorized()).isFalse());
            assertThat(inspect(w, ref, "{{.Id}}")).isEqualTo(inspect(src, APP, "{{.Id}}"));
        }
    }

    // ------------------------------------------------------------------------------------------------ interop

    @Test
    void skopeoReadsWhatWhittlePushesAndWhittlePullsWhatSkopeoPushes() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Exec.available("skopeo"), "skopeo is not installed");
        Path cfg = config("");
        String ref = open.host() + "/interop/whittle:1";
        Whittle s = source(cfg, dir.resolve("no-docker-config"));
        s.run("tag", APP, ref).ok();
        String digest = s.run("push", ref).ok().out().replaceAll("(?s).*digest: (sha256:[0-9a-f]{64}).*", "$1");
        Map<String, Object> info =
                Json.parseObject(Exec.run("skopeo", "inspect", "--tls-verify=false", "docker://" + ref)
                        .ok()
                        .out()
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(info.get("Digest")).isEqualTo(digest);
        Path oci = dir.resolve("skopeo-oci");
        Exec.run("skopeo", "copy", "--src-tls-verify=false", "docker://" + ref, "oci:" + oci + ":copied")
                .ok();

        String back = open.host() + "/interop/skopeo:1";
        Exec.run("skopeo", "copy", "--dest-tls-verify=false", "oci:" + oci + ":copied", "docker://" + back)
                .ok();
        String skopeoDigest =
                (String) Json.parseObject(Exec.run("skopeo", "inspect", "--tls-verify=false", "docker://" + back)
                                .ok()
                                .out()
                                .getBytes(StandardCharsets.UTF_8))
                        .get("Digest");
        Whittle w = fresh(cfg);
        Exec pull = w.run("pull", back).ok();
        assertThat(pull.out()).contains("Digest: " + skopeoDigest);
        assertThat(inspect(w, back, "{{index .RepoDigests 0}}"))
                .isEqualTo(open.host() + "/interop/skopeo@" + skopeoDigest);
        // skopeo rewrote the config on its way to OCI: the ID is its config's digest
        Map<String, Object> raw =
                Json.parseObject(Exec.run("skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + back)
                        .ok()
                        .out()
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(inspect(w, back, "{{.Id}}")).isEqualTo(((Map<?, ?>) raw.get("config")).get("digest"));
    }

    @Test
    void dockerPullsAndRunsWhatWhittlePushes() throws IOException {
        DockerDaemon.require();
        Path cfg = config("");
        String ref = open.host() + "/interop/docker:1";
        Whittle s = source(cfg, dir.resolve("no-docker-config"));
        s.run("tag", APP, ref).ok();
        String digest = s.run("push", ref).ok().out().replaceAll("(?s).*digest: (sha256:[0-9a-f]{64}).*", "$1");
        try {
            assertThat(Exec.run("docker", "pull", ref).ok().out()).contains("Digest: " + digest);
            assertThat(Exec.run("docker", "inspect", "--format", "{{.Id}}", ref)
                            .ok()
                            .out()
                            .trim())
                    .isEqualTo(inspect(src, APP, "{{.Id}}"));
            assertThat(Exec.run("docker", "run", "--rm", "--network", "none", ref)
                            .ok()
                            .out())
                    .isEqualTo("hello from the registry test\n");
        } finally {
            Exec.run("docker", "rmi", "-f", ref);
        }
    }

    @Test
    void aMultiPlatformIndexResolvesToTheRequestedPlatform() throws Exception {
        Path cfg = config("");
        String base = open.host() + "/multi/app";
        Whittle s = source(cfg, dir.resolve("no-docker-config"));
        s.run("tag", APP, base + ":amd64").ok();
        String amd =
                s.run("push", base + ":amd64").ok().out().replaceAll("(?s).*digest: (sha256:[0-9a-f]{64}).*", "$1");
        RawRegistry raw = new RawRegistry(open.host(), "multi/app");
        byte[] amdManifest = raw.get("manifests/" + amd);
        String arm = raw.pushWithArchitecture(amdManifest, "arm64", "v8");
        String index = raw.putIndex(
                "multi",
                List.of(
                        RawRegistry.entry(amdManifest, "amd64", null),
                        RawRegistry.entry(raw.get("manifests/" + arm), "arm64", "v8")));
        String ref = base + ":multi";
        Whittle w = fresh(cfg);
        Exec pull = w.run("pull", ref).ok();
        assertThat(pull.out()).contains("Digest: " + index);
        assertThat(inspect(w, ref, "{{.Architecture}}")).isEqualTo("amd64");
        assertThat(inspect(w, ref, "{{index .RepoDigests 0}}")).isEqualTo(base + "@" + index);
        Whittle a = fresh(cfg);
        a.run("pull", "--platform", "linux/arm64", ref).ok();
        assertThat(inspect(a, ref, "{{.Architecture}}/{{.Variant}}")).isEqualTo("arm64/v8");
        Exec none = fresh(cfg).run("pull", "--platform", "linux/s390x", ref);
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).contains("no matching manifest for linux/s390x").contains("[linux/amd64, linux/arm64]");
    }
}
