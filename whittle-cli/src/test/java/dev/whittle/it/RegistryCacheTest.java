package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.api.BuildSpec;
import dev.whittle.cache.CacheSpec;
import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.Manifest;
import dev.whittle.image.MediaType;
import dev.whittle.json.Json;
import dev.whittle.json.JsonObjects;
import dev.whittle.store.Images;
import dev.whittle.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A build cache shared between machines through a directory or a registry (--cache-to / --cache-from): two stores
 * stand for two CI machines that start from the same base images; machine B, whose step cache is empty, builds what
 * machine A built with every step CACHED and the same image ID. Against Debian's docker-registry on 127.0.0.1, through
 * a proxy that records every request, so "nothing uploaded" is what the registry saw.
 */
class RegistryCacheTest {
    @TempDir
    static Path dir;

    /** A store holding only the base image: each machine starts as a copy of it. */
    static Path bases;

    static Path context;
    static LocalRegistry registry;
    static final AtomicInteger MACHINES = new AtomicInteger();

    static final String DOCKERFILE = """
            FROM cache/base:1
            COPY hello.txt /hello.txt
            RUN cat /hello.txt > /made.txt && echo made >> /made.txt
            COPY big.bin /data/big.bin
            CMD ["cat", "/made.txt"]
            """;

    @BeforeAll
    static void setUp() throws IOException {
        bases = dir.resolve("bases");
        new Whittle(bases)
                .run("import", RootFs.busybox(dir).toString(), "cache/base:1")
                .ok();
        context = Files.createDirectories(dir.resolve("app"));
        byte[] big = new byte[1 << 20];
        new Random(7).nextBytes(big);
        Files.write(context.resolve("big.bin"), big);
        Files.writeString(context.resolve("hello.txt"), "hello from machine A\n");
        Files.writeString(context.resolve("Dockerfile"), DOCKERFILE);
        registry = LocalRegistry.start(new LocalRegistry.Auth.None());
    }

    @AfterAll
    static void stop() {
        if (registry != null) registry.close();
    }

    /** A machine with the base images and nothing else: a copy of the bases store, with its own registries file. */
    static Whittle machine() throws IOException {
        int n = MACHINES.incrementAndGet();
        Path root = dir.resolve("machine-" + n);
        Exec cp = Exec.run(List.of("cp", "-a", bases.toString(), root.toString()), null, 120);
        assertThat(cp.code()).as(cp.err()).isZero();
        Path cfg = dir.resolve("registries-" + n + ".json");
        Files.writeString(
                cfg, "{\"loopback-only\": true, \"retries\": 2, \"retry-backoff-ms\": 50, \"timeout-seconds\": 5}");
        Path docker = Files.createDirectories(dir.resolve("docker-config-" + n));
        return new Whittle(root, List.of("--registries-config", cfg.toString(), "--config", docker.toString()));
    }

    static Exec build(Whittle w, Path ctx, String... flags) {
        List<String> a = new ArrayList<>(List.of("build", "--progress", "plain", "--check=off", "-t", "cache/app"));
        a.addAll(List.of(flags));
        a.add(ctx.toString());
        return w.run(a.toArray(String[]::new));
    }

    /** A cache's manifest as the test registry holds it under the tag "cache". */
    static Manifest cacheManifest(String repo) throws IOException {
        return Manifest.parse(get("/v2/" + repo + "/manifests/cache"), null);
    }

    /** A document from the test registry. */
    static byte[] get(String path) throws IOException {
        try {
            HttpResponse<byte[]> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://" + registry.host() + path))
                                    .header("Accept", MediaType.OCI_MANIFEST)
                                    .build(),
                            HttpResponse.BodyHandlers.ofByteArray());
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** The manifest digest an export reported. */
    static String cacheDigest(Exec e) {
        Matcher m = Pattern.compile("exported cache to .*\\((sha256:[0-9a-f]{64})\\)")
                .matcher(e.err());
        assertThat(m.find()).as(e.err()).isTrue();
        return m.group(1);
    }

    static String id(Whittle w) {
        return w.run("inspect", "--format", "{{.Id}}", "cache/app").ok().out().trim();
    }

    /** The layer steps' outcomes in order: CACHED or DONE per COPY/RUN step. */
    static List<String> layerSteps(Exec e) {
        List<String> names = new ArrayList<>();
        List<String> out = new ArrayList<>();
        for (String l : e.err().lines().toList()) {
            if (l.matches("#\\d+ \\[[^]]*\\d+/\\d+\\] (COPY|RUN) .*")) names.add(l.substring(0, l.indexOf(' ')));
            for (String n : names) {
                if (l.equals(n + " CACHED")) out.add("CACHED");
                else if (l.startsWith(n + " DONE")) out.add("DONE");
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------ registry

    /** Requests that send data to the registry: blob uploads (POST, PATCH, PUT) and manifest PUTs. */
    static List<FaultProxy.Seen> writes(List<FaultProxy.Seen> seen) {
        return seen.stream()
                .filter(s -> !s.method().equals("GET") && !s.method().equals("HEAD"))
                .toList();
    }

    @Test
    void machineBBuildsFromTheRegistryCacheAndAnUnchangedReExportWritesNothing() throws IOException {
        try (FaultProxy proxy = FaultProxy.to(registry.host())) {
            String ref = proxy.host() + "/ci/app:cache";
            Whittle a = machine();
            Exec first =
                    build(a, context, "--cache-to", "type=registry,ref=" + ref).ok();
            assertThat(first.err())
                    .contains("exported cache to registry cache " + ref + ": 4 blobs sent")
                    .contains("manifest written");

            Whittle b = machine();
            Exec onB = build(b, context, "--cache-from", "type=registry,ref=" + ref)
                    .ok();
            assertThat(layerSteps(onB)).containsExactly("CACHED", "CACHED", "CACHED");
            assertThat(id(b)).isEqualTo(id(a));

            // no cache churn: the same build exported again sends no blob and leaves the manifest as it is
            int before = proxy.seen().size();
            Exec again =
                    build(a, context, "--cache-to", "type=registry,ref=" + ref).ok();
            assertThat(again.err()).contains("0 blobs sent (0 bytes), 4 already there, manifest unchanged");
            assertThat(writes(proxy.seen().subList(before, proxy.seen().size())))
                    .isEmpty();

            // machine B exports to another repository: every blob is mounted from the imported one, none uploaded
            before = proxy.seen().size();
            String other = proxy.host() + "/ci/other:cache";
            Exec mounted = build(b, context, "--cache-from", ref, "--cache-to", "type=registry,ref=" + other)
                    .ok();
            assertThat(mounted.err()).contains("0 blobs sent (0 bytes), 4 already there, manifest written");
            // B passes on what it imported: the same cache, the same document as A's
            assertThat(cacheDigest(mounted)).isEqualTo(cacheDigest(first));
            List<FaultProxy.Seen> w =
                    writes(proxy.seen().subList(before, proxy.seen().size()));
            assertThat(w)
                    .allMatch(s -> (s.method().equals("POST") && s.path().contains("mount="))
                            || (s.method().equals("PUT") && s.path().contains("/manifests/")));
            assertThat(w).filteredOn(s -> s.path().contains("mount=")).hasSize(4);
        }
    }

    // ------------------------------------------------------------------------------------------------ lazy import

    /** A builder stage whose RUN layers only a cached COPY --from reads, as examples/site's golang stage. */
    static final String STAGED = """
            FROM cache/base:1 AS build
            RUN dd if=/dev/urandom of=/tool.bin bs=64k count=8 2>/dev/null && echo tool > /tool.txt
            RUN cp /tool.txt /out.txt
            FROM cache/base:1
            COPY --from=build /out.txt /out.txt
            COPY hello.txt /hello.txt
            CMD ["cat", "/out.txt"]
            """;

    static Path stagedContext() throws IOException {
        Path ctx = dir.resolve("lazy");
        if (Files.isDirectory(ctx)) return ctx;
        Files.createDirectories(ctx);
        Files.writeString(ctx.resolve("hello.txt"), "lazy\n");
        Files.writeString(ctx.resolve("Dockerfile"), STAGED);
        return ctx;
    }

    /**
     * The blobs of a cache in the test registry that hold layers of a machine's cache/app image (the cache's blobs are
     * compressed: the image in the store may name other blobs of the same layers).
     */
    static Set<Digest> imageBlobs(String repo, Manifest cache, Whittle w) throws IOException {
        Set<Object> diffIds =
                new HashSet<>((List<?>) Json.parse(w.run("inspect", "--format", "{{json .RootFS.Layers}}", "cache/app")
                        .ok()
                        .out()));
        Set<Digest> out = new HashSet<>();
        for (Object o : JsonObjects.array(
                Json.parseObject(get("/v2/" + repo + "/blobs/" + cache.config().digest())), "steps")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> step = (Map<String, Object>) o;
            if (diffIds.contains(step.get("diffId")))
                out.add(cache.layers()
                        .get(((Number) step.get("blob")).intValue())
                        .digest());
        }
        return out;
    }

    /** The blobs a proxy saw downloaded (GET), by digest. */
    static Set<Digest> blobGets(FaultProxy proxy) {
        Set<Digest> out = new HashSet<>();
        Pattern p = Pattern.compile("/blobs/(sha256:[0-9a-f]{64})");
        for (FaultProxy.Seen s : proxy.seen()) {
            Matcher m = p.matcher(s.path());
            if (s.method().equals("GET") && m.find()) out.add(Digest.parse(m.group(1)));
        }
        return out;
    }

    @Test
    void machineBDownloadsOnlyTheLayersOfTheImageItStores() throws IOException {
        Path ctx = stagedContext();
        String ref = registry.host() + "/ci/lazy:cache";
        Whittle a = machine();
        build(a, ctx, "--cache-to", "type=registry,mode=max,ref=" + ref).ok();
        Manifest cache = cacheManifest("ci/lazy");
        Set<Digest> image = imageBlobs("ci/lazy", cache, a);
        List<Digest> stageOnly = cache.layers().stream()
                .map(Descriptor::digest)
                .filter(d -> !image.contains(d))
                .toList();
        assertThat(stageOnly).as("the builder stage's two RUN layers").hasSize(2);
        try (FaultProxy proxy = FaultProxy.to(registry.host())) {
            // a builder stage's layer whose bytes lie: nothing needs its files, so it is never read
            proxy.corrupt("GET", stageOnly.getFirst().toString(), 1000);
            Whittle b = machine();
            Exec onB = build(b, ctx, "--cache-from", proxy.host() + "/ci/lazy:cache")
                    .ok();
            assertThat(onB.err()).doesNotContain("WARNING");
            assertThat(layerSteps(onB)).containsExactly("CACHED", "CACHED", "CACHED", "CACHED");
            assertThat(id(b)).isEqualTo(id(a));
            // the cache's config and the image's own new layers (the two COPYs), nothing of the builder stage
            Set<Digest> wanted = new HashSet<>();
            wanted.add(cache.config().digest());
            wanted.addAll(image);
            assertThat(wanted).hasSize(3);
            assertThat(blobGets(proxy)).isEqualTo(wanted);
            assertLayersFetchedAsAStep(onB, image);
            assertThat(b.run("run", "--rm", "cache/app").ok().out()).isEqualTo("tool\n");
            assertThat(b.run("system", "fsck").ok().out()).contains("is consistent");
        }
    }

    @Test
    void anExportToAnotherRepositoryMountsWhatItNeverDownloadedAndDownloadsOnlyWhenTheMountIsRefused()
            throws IOException {
        Path ctx = stagedContext();
        Whittle a = machine();
        build(a, ctx, "--cache-to", "type=registry,mode=max,ref=" + registry.host() + "/ci/mount-src:cache")
                .ok();
        Manifest cache = cacheManifest("ci/mount-src");
        Set<Digest> image = imageBlobs("ci/mount-src", cache, a);
        Set<Digest> stageOnly = new HashSet<>();
        for (Descriptor d : cache.layers()) if (!image.contains(d.digest())) stageOnly.add(d.digest());
        assertThat(stageOnly).as("the builder stage's two RUN layers").hasSize(2);
        try (FaultProxy proxy = FaultProxy.to(registry.host())) {
            // machine B never reads the builder stage's layers: exported on, they are mounted, not downloaded
            build(
                            machine(),
                            ctx,
                            "--cache-from",
                            proxy.host() + "/ci/mount-src:cache",
                            "--cache-to",
                            "type=registry,mode=max,ref=" + proxy.host() + "/ci/mount-dst:cache")
                    .ok();
            assertThat(blobGets(proxy)).doesNotContainAnyElementsOf(stageOnly);
            for (Digest d : stageOnly) assertThat(blobStatus("ci/mount-dst", d)).isEqualTo(200);
        }
        try (FaultProxy proxy = FaultProxy.to(registry.host())) {
            // a registry that refuses the mount: the layer is downloaded (verified) and uploaded
            proxy.status("POST", "mount=", 404, 100, Map.of());
            build(
                            machine(),
                            ctx,
                            "--cache-from",
                            proxy.host() + "/ci/mount-src:cache",
                            "--cache-to",
                            "type=registry,mode=max,ref=" + proxy.host() + "/ci/mount-refused:cache")
                    .ok();
            assertThat(blobGets(proxy)).containsAll(stageOnly);
            for (Digest d : stageOnly)
                assertThat(blobStatus("ci/mount-refused", d)).isEqualTo(200);
        }
    }

    @Test
    void aSecondBuildInOneProcessFindsItsImportedStepsWithoutDownloadingTheirLayers() throws IOException {
        Path ctx = stagedContext();
        Whittle a = machine();
        build(a, ctx, "--cache-to", "type=registry,mode=max,ref=" + registry.host() + "/ci/twice:cache")
                .ok();
        Manifest cache = cacheManifest("ci/twice");
        Set<Digest> image = imageBlobs("ci/twice", cache, a);
        Set<Digest> stageOnly = new HashSet<>();
        for (Descriptor d : cache.layers()) if (!image.contains(d.digest())) stageOnly.add(d.digest());
        assertThat(stageOnly).as("the builder stage's two RUN layers").hasSize(2);
        Path cfg = dir.resolve("registries-library.json");
        Files.writeString(cfg, "{\"loopback-only\": true, \"retries\": 2, \"timeout-seconds\": 5}");
        try (FaultProxy proxy = FaultProxy.to(registry.host());
                var lib = Library.open(machine().root(), cfg)) {
            CacheSpec.Import from = CacheSpec.parseImport(proxy.host() + "/ci/twice:cache");
            // the first build stores the imported steps' entries; the second (a build arg no step reads keeps the
            // build memo from answering it) finds them in the store while the builder stage's layers are still known
            // by descriptor only: found, not downloaded
            lib.build(BuildSpec.of(lib.source(ctx))
                            .tag("cache/app")
                            .cacheFrom(from)
                            .build())
                    .close();
            lib.build(BuildSpec.of(lib.source(ctx))
                            .tag("cache/app")
                            .cacheFrom(from)
                            .buildArg("UNREAD", "1")
                            .build())
                    .close();
            assertThat(blobGets(proxy)).containsAll(image).doesNotContainAnyElementsOf(stageOnly);
        }
    }

    /** The test registry's answer to a HEAD of a blob in a repository: 200 when it holds it. */
    static int blobStatus(String repo, Digest d) throws IOException {
        try {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(
                                            URI.create("http://" + registry.host() + "/v2/" + repo + "/blobs/" + d))
                                    .method("HEAD", HttpRequest.BodyPublishers.noBody())
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /**
     * The image's lazily known layers download after the last step under a step of their own, a row per layer with
     * its bytes (as BuildKit shows a lazy ref being pulled), before the image is written: not an unexplained pause.
     */
    static void assertLayersFetchedAsAStep(Exec e, Set<Digest> layers) {
        String err = e.err();
        Matcher step =
                Pattern.compile("(?m)^#(\\d+) fetching layers from cache$").matcher(err);
        assertThat(step.find()).as(err).isTrue();
        String n = step.group(1);
        for (Digest d : layers)
            assertThat(err)
                    .as(err)
                    .containsPattern("(?m)^#" + n + " " + d + " [0-9.]+[kMG]?B / [0-9.]+[kMG]?B [0-9.]+s done$");
        assertThat(err).contains("#" + n + " DONE ");
        assertThat(err.indexOf("#" + n + " DONE ")).isLessThan(err.indexOf("exporting to image"));
    }

    @Test
    void aLayerThatLiesAndIsNeededFailsTheBuildAndIsNeverStored() throws IOException {
        Path ctx = stagedContext();
        String ref = registry.host() + "/ci/lazy-lie:cache";
        Whittle a = machine();
        build(a, ctx, "--cache-to", "type=registry,mode=max,ref=" + ref).ok();
        Manifest cache = cacheManifest("ci/lazy-lie");
        // a COPY's layer: CACHED, its files needed only to store the image
        Digest copied = new TreeSet<>(imageBlobs("ci/lazy-lie", cache, a)).first();
        try (FaultProxy proxy = FaultProxy.to(registry.host())) {
            proxy.corrupt("GET", copied.toString(), 1000);
            String via = proxy.host() + "/ci/lazy-lie:cache";
            Whittle b = machine();
            Exec lied = build(b, ctx, "--cache-from", via);
            assertThat(lied.code()).isEqualTo(1);
            assertThat(lied.err())
                    .contains("Error: registry cache " + via + ": layer " + copied + " ")
                    .contains("A step of this build was CACHED from it")
                    .contains("build again without this --cache-from")
                    .doesNotContain("\tat dev.whittle");
            assertThat(blob(b.root(), copied)).doesNotExist();
            assertThat(b.run("inspect", "cache/app").code()).isNotZero();
            assertThat(b.run("system", "fsck").ok().out()).contains("is consistent");
        }
    }

    @Test
    void aChangedBuildSendsOnlyItsNewBlobs() throws IOException {
        String ref = registry.host() + "/ci/changed:cache";
        Path ctx = Files.createDirectories(dir.resolve("changed"));
        Exec.run(List.of("cp", "-a", context + "/.", ctx.toString()));
        Whittle a = machine();
        build(a, ctx, "--cache-to", "type=registry,ref=" + ref).ok();
        byte[] big = new byte[1 << 20];
        new Random(8).nextBytes(big);
        Files.write(ctx.resolve("big.bin"), big);
        Exec changed = build(a, ctx, "--cache-to", "type=registry,ref=" + ref).ok();
        // the last COPY's layer and the config are new; the layers of the steps before it are there already
        assertThat(changed.err()).contains("2 blobs sent").contains("2 already there, manifest written");
    }

    @Test
    void aRegistryThatFailsMidImportOrServesABadLayerOnlyCostsTheCache() throws IOException {
        String ref = registry.host() + "/ci/faults:cache";
        build(machine(), context, "--cache-to", "type=registry,ref=" + ref).ok();
        try (FaultProxy proxy = FaultProxy.to(registry.host())) {
            String via = proxy.host() + "/ci/faults:cache";
            // the manifest and config come through, then every layer download is cut short (more times than the
            // client retries): the registry stopped in the middle of the import. The steps were CACHED from layers
            // known by descriptor; storing the image needs them, so the build fails, saying which and what to do
            for (Descriptor layer : cacheManifest("ci/faults").layers())
                proxy.cut("GET", layer.digest().toString(), 10, 1000);
            Whittle b = machine();
            Exec cut = build(b, context, "--cache-from", via);
            assertThat(cut.code()).isEqualTo(1);
            assertThat(cut.err())
                    .containsPattern("Error: registry cache " + Pattern.quote(via)
                            + ": layer sha256:[0-9a-f]{64} could not be read: ")
                    .contains("build again without this --cache-from")
                    .doesNotContain("\tat dev.whittle");
            assertThat(b.run("system", "fsck").ok().out()).contains("is consistent");
            assertThat(b.run("inspect", "cache/app").code()).isNotZero();
            assertThat(layerSteps(build(b, context).ok())).containsExactly("DONE", "DONE", "DONE");
            assertThat(b.run("run", "--rm", "cache/app").ok().out()).isEqualTo("hello from machine A\nmade\n");
        }
        try (FaultProxy proxy = FaultProxy.to(registry.host())) {
            // a layer whose bytes are not its digest: refused, never used
            proxy.corrupt("GET", "/blobs/", 1000);
            Whittle c = machine();
            Exec lied = build(c, context, "--cache-from", proxy.host() + "/ci/faults:cache")
                    .ok();
            assertThat(lied.err()).contains("WARNING: ");
            assertThat(c.run("run", "--rm", "cache/app").ok().out()).isEqualTo("hello from machine A\nmade\n");
            assertThat(c.run("system", "fsck").ok().out()).contains("is consistent");
        }
    }

    @Test
    void anExportCutShortFailsClearlyAndLeavesTheLastCacheWhole() throws IOException {
        String ref = registry.host() + "/ci/cut:cache";
        Path ctx = Files.createDirectories(dir.resolve("cut"));
        Exec.run(List.of("cp", "-a", context + "/.", ctx.toString()));
        Whittle a = machine();
        build(a, ctx, "--cache-to", "type=registry,ref=" + ref).ok();
        byte[] big = new byte[1 << 20];
        new Random(9).nextBytes(big);
        Files.write(ctx.resolve("big.bin"), big);
        try (FaultProxy proxy = FaultProxy.to(registry.host())) {
            // every blob upload dropped after 1000 bytes: the registry "stops" in the middle of the export
            proxy.cutRequest("PUT", "/blobs/uploads/", 1000, 1000);
            Exec cut = build(a, ctx, "--cache-to", "type=registry,ref=" + proxy.host() + "/ci/cut:cache");
            assertThat(cut.code()).isEqualTo(1);
            assertThat(cut.err()).contains("Error: ").contains("upload failed").doesNotContain("\tat dev.whittle");
            assertThat(writes(proxy.seen())).noneMatch(s -> s.path().contains("/manifests/"));
            // buildx's ignore-error=true: the same failure is a warning, and the build succeeds
            Exec ignored = build(
                            a,
                            ctx,
                            "--cache-to",
                            "type=registry,ignore-error=true,ref=" + proxy.host() + "/ci/cut:cache")
                    .ok();
            assertThat(ignored.err()).contains("WARNING: cache export failed (ignore-error=true): ");
        }
        assertThat(id(a)).as("the image is built and named all the same").startsWith("sha256:");
        // the cache there is the last complete one: another machine imports it without a warning
        Exec c = build(machine(), ctx, "--cache-from", ref).ok();
        assertThat(c.err()).doesNotContain("WARNING");
        assertThat(layerSteps(c)).containsExactly("CACHED", "CACHED", "DONE");
    }

    @Test
    void tokenAuthAsPushAndPullHaveIt() throws IOException {
        try (TokenServer tokens = TokenServer.start();
                LocalRegistry reg = LocalRegistry.start(new LocalRegistry.Auth.Token(tokens))) {
            String ref = reg.host() + "/private/app:cache";
            Whittle a = machine();
            Exec denied = build(a, context, "--cache-to", "type=registry,ref=" + ref);
            assertThat(denied.code()).isEqualTo(1);
            assertThat(denied.err()).contains("Error: ").containsAnyOf("UNAUTHORIZED", "DENIED");
            login(a, reg);
            build(a, context, "--cache-to", "type=registry,ref=" + ref).ok();
            assertThat(tokens.requests()).isNotEmpty();

            Whittle b = machine();
            login(b, reg);
            Exec onB = build(b, context, "--cache-from", ref).ok();
            assertThat(layerSteps(onB)).containsExactly("CACHED", "CACHED", "CACHED");

            Exec anonymous = build(machine(), context, "--cache-from", ref).ok();
            assertThat(anonymous.err()).contains("WARNING: cannot import registry cache " + ref);
            assertThat(layerSteps(anonymous)).containsExactly("DONE", "DONE", "DONE");
        }
    }

    static void login(Whittle w, LocalRegistry reg) {
        w.runWithInput(
                        (TokenServer.PASSWORD + "\n").getBytes(),
                        "login",
                        "-u",
                        TokenServer.USER,
                        "--password-stdin",
                        reg.host())
                .ok();
    }

    @Test
    void anInlineCacheTravelsInTheImageItself() throws IOException {
        String image = registry.host() + "/ci/inline:1";
        Whittle a = machine();
        build(a, context, "--cache-to", "type=inline").ok();
        String config = Files.readString(a.root().resolve("blobs/sha256").resolve(id(a).substring("sha256:".length())));
        assertThat(config).contains("\"whittle.cache.v1\":{\"version\":1,\"steps\":[{\"key\":");
        a.run("tag", "cache/app", image).ok();
        a.run("push", image).ok();

        Whittle b = machine();
        Exec onB = build(b, context, "--cache-to", "type=inline", "--cache-from", image)
                .ok();
        assertThat(layerSteps(onB)).containsExactly("CACHED", "CACHED", "CACHED");
        assertThat(id(b)).isEqualTo(id(a));
    }

    @Test
    void twoMachinesExportingToOneTagAtOnceLeaveOneWholeCache() throws Exception {
        String ref = registry.host() + "/ci/race:cache";
        Path cfg = dir.resolve("race-registries.json");
        Files.writeString(cfg, "{\"loopback-only\": true, \"retries\": 2, \"timeout-seconds\": 30}");
        List<Path> contexts = new ArrayList<>();
        List<WhittleProcess> running = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Path ctx = Files.createDirectories(dir.resolve("race-" + i));
            Exec.run(List.of("cp", "-a", context + "/.", ctx.toString()));
            Files.writeString(ctx.resolve("hello.txt"), "machine " + i + "\n");
            contexts.add(ctx);
            Whittle m = machine();
            running.add(WhittleProcess.start(
                    m.root(),
                    dir.resolve("race-" + i + ".log"),
                    "--registries-config",
                    cfg.toString(),
                    "build",
                    "--progress",
                    "plain",
                    "--check=off",
                    "--cache-to",
                    "type=registry,ref=" + ref,
                    ctx.toString()));
        }
        for (WhittleProcess p : running) assertThat(p.waitFor()).as(p.output()).isZero();
        // the last writer won: its cache is whole, the other's is simply not the tag's
        int whole = 0;
        for (Path ctx : contexts) {
            Exec e = build(machine(), ctx, "--cache-from", ref).ok();
            assertThat(e.err()).doesNotContain("WARNING");
            if (layerSteps(e).equals(List.of("CACHED", "CACHED", "CACHED"))) whole++;
        }
        assertThat(whole).isEqualTo(1);
    }

    @Test
    void aCacheIsReadThroughTheConfiguredMirrors() throws IOException {
        build(machine(), context, "--cache-to", "type=registry,ref=" + registry.host() + "/ci/mirrored:cache")
                .ok();
        // origin.example is not on this machine: only its mirror (the loopback registry) may be asked
        Path cfg = dir.resolve("mirrors.json");
        Files.writeString(
                cfg,
                "{\"loopback-only\": true, \"registries\": {\"origin.example\": {\"mirrors\": [\"http://"
                        + registry.host() + "\"], \"mirrors-only\": true}}}");
        Whittle b = machine().with("--registries-config", cfg.toString());
        Exec e = build(b, context, "--cache-from", "origin.example/ci/mirrored:cache")
                .ok();
        assertThat(e.err()).doesNotContain("WARNING");
        assertThat(layerSteps(e)).containsExactly("CACHED", "CACHED", "CACHED");
    }

    @Test
    void anImageIsNotACacheAndAnUnreachableRegistryIsAWarning() throws IOException {
        Whittle a = machine();
        String image = registry.host() + "/ci/image:1";
        a.run("tag", "cache/base:1", image).ok();
        a.run("push", image).ok();
        Exec notCache = build(machine(), context, "--cache-from", image).ok();
        assertThat(notCache.err()).contains("WARNING: cannot import registry cache " + image + ": not a whittle cache");
        assertThat(layerSteps(notCache)).containsExactly("DONE", "DONE", "DONE");

        String down = "127.0.0.1:" + LocalRegistry.freePort() + "/ci/app:cache";
        Exec unreachable = build(machine(), context, "--cache-from", down).ok();
        assertThat(unreachable.err()).contains("WARNING: cannot import registry cache " + down);
    }

    // ------------------------------------------------------------------------------------------------ cache mounts

    static final Path GOLANG = Scenarios.BASES.resolve("golang.tar");

    /** The stand-in golang base (examples/bases/make-rootfs), imported once into a store of its own. */
    static synchronized Path goBases() throws IOException {
        Path store = dir.resolve("go-bases");
        if (Files.isDirectory(store)) return store;
        Assumptions.assumeTrue(
                Files.isRegularFile(GOLANG), "the golang stand-in base is needed (examples/bases/make-rootfs)");
        new Whittle(store)
                .run(
                        "import",
                        "-c",
                        "ENV PATH=/go/bin:/usr/lib/go-1.19/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                        "-c",
                        "ENV GOPATH=/go",
                        "-c",
                        "WORKDIR /go",
                        GOLANG.toString(),
                        "cache/golang:1")
                .ok();
        return store;
    }

    /** A machine with the golang base: its blobs hard-linked from the base store (they are never written in place). */
    static Whittle goMachine() throws IOException {
        int n = MACHINES.incrementAndGet();
        Path root = dir.resolve("machine-" + n);
        Exec cp = Exec.run(List.of("cp", "-al", goBases().toString(), root.toString()), null, 300);
        assertThat(cp.code()).as(cp.err()).isZero();
        Path cfg = dir.resolve("registries-" + n + ".json");
        Files.writeString(cfg, "{\"loopback-only\": true, \"retries\": 2, \"timeout-seconds\": 30}");
        return new Whittle(root, List.of("--registries-config", cfg.toString()));
    }

    /** How many packages `go build -x` compiled (a package found in the Go build cache is not compiled). */
    static long compiled(Exec e) {
        return e.err()
                .lines()
                .filter(l -> l.matches(".*pkg/tool/[a-z0-9_]+/compile -o .*"))
                .count();
    }

    @Test
    void theGoBuildCacheTravelsSoMachineBBuildsIncrementally() throws IOException {
        // Debian's Go ships the standard library compiled, so a package of the app's own shows what the cache saves
        Path app = Files.createDirectories(dir.resolve("goapp/lib"));
        app = app.getParent();
        Files.writeString(app.resolve("go.mod"), "module example.com/ci\n\ngo 1.19\n");
        Files.writeString(app.resolve("lib/lib.go"), "package lib\n\nfunc Answer() int { return 42 }\n");
        Files.writeString(app.resolve("main.go"), """
                package main

                import (
                	"fmt"

                	"example.com/ci/lib"
                )

                func main() { fmt.Println("ci", lib.Answer()) }
                """);
        Files.writeString(app.resolve("Dockerfile"), """
                FROM cache/golang:1
                WORKDIR /app
                COPY . .
                RUN --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -x -o /ci .
                CMD ["/ci"]
                """);
        String ref = registry.host() + "/ci/go:cache";
        Whittle a = goMachine();
        Exec cold = build(a, app, "--cache-to", "type=registry,ref=" + ref + ",mounts-max=1g")
                .ok();
        long everything = compiled(cold);
        assertThat(everything)
                .as("a cold build compiles package lib and package main")
                .isEqualTo(2);
        assertThat(cold.err()).contains("manifest written");

        // machine B: main.go changed; the Go build cache comes from the registry, so only package main compiles
        Files.writeString(app.resolve("main.go"), "\n// changed on machine B\n", StandardOpenOption.APPEND);
        Whittle b = goMachine();
        Exec incremental = build(b, app, "--cache-from", ref, "--cache-to", "type=registry,ref=" + ref)
                .ok();
        assertThat(incremental.err())
                .contains("cache mount /root/.cache/go-build: restored from registry cache " + ref);
        assertThat(compiled(incremental)).as(incremental.err()).isEqualTo(1);
        assertThat(b.run("run", "--rm", "cache/app").ok().out()).isEqualTo("ci 42\n");

        // the unchanged build exported again: the cache mount's tar is the same blob, nothing is sent
        Exec again = build(b, app, "--cache-to", "type=registry,ref=" + ref).ok();
        assertThat(again.err()).contains("0 blobs sent (0 bytes)").contains("manifest unchanged");

        // a cap below the mount's size leaves it out, with a warning
        Exec capped = build(b, app, "--cache-to", "type=local,dest=" + dir.resolve("capped") + ",mounts-max=1k")
                .ok();
        assertThat(capped.err())
                .contains("WARNING: cache mount /root/.cache/go-build is ")
                .contains("more than mounts-max=1024");
    }

    // ------------------------------------------------------------------------------------------------ local

    @Test
    void aFreshStoreImportingALocalCacheGetsEveryStepCachedAndTheSameImage() throws IOException {
        Path cache = dir.resolve("local-cache");
        Whittle a = machine();
        Exec first = build(a, context, "--cache-to", "type=local,dest=" + cache).ok();
        assertThat(layerSteps(first)).containsExactly("DONE", "DONE", "DONE");
        assertThat(first.err()).contains("exported cache to local cache " + cache);
        assertThat(cache.resolve("index.json")).exists();
        assertThat(cache.resolve("oci-layout")).exists();

        Whittle b = machine();
        // several --cache-from, asked in order: one that is not there, then A's
        Exec second = build(
                        b,
                        context,
                        "--cache-from",
                        "type=local,src=" + dir.resolve("not-there"),
                        "--cache-from",
                        "type=local,src=" + cache)
                .ok();
        assertThat(layerSteps(second)).containsExactly("CACHED", "CACHED", "CACHED");
        assertThat(id(b)).isEqualTo(id(a));
        assertThat(b.run("run", "--rm", "cache/app").ok().out()).isEqualTo("hello from machine A\nmade\n");
    }

    @Test
    void modeMinCarriesTheImagesStepsOnlyAndModeMaxEveryStage() throws IOException {
        Path ctx = Files.createDirectories(dir.resolve("staged"));
        Files.writeString(ctx.resolve("hello.txt"), "staged\n");
        Files.writeString(ctx.resolve("Dockerfile"), """
                FROM cache/base:1 AS tool
                RUN echo tool > /tool.txt
                FROM cache/base:1
                COPY --from=tool /tool.txt /tool.txt
                COPY hello.txt /hello.txt
                """);
        Path min = dir.resolve("min-cache"), max = dir.resolve("max-cache");
        Whittle a = machine();
        build(a, ctx, "--cache-to", "type=local,dest=" + min, "--cache-to", "type=local,mode=max,dest=" + max)
                .ok();

        Exec fromMin =
                build(machine(), ctx, "--cache-from", "type=local,src=" + min).ok();
        // the tool stage's RUN is not in the image: mode=min does not carry it, so it runs; the image's steps hit
        assertThat(layerSteps(fromMin)).containsExactly("DONE", "CACHED", "CACHED");
        Exec fromMax =
                build(machine(), ctx, "--cache-from", "type=local,src=" + max).ok();
        assertThat(layerSteps(fromMax)).containsExactly("CACHED", "CACHED", "CACHED");
    }

    @Test
    void aMissingOrDamagedCacheIsAWarningAndTheBuildGoesOn() throws IOException {
        Path none = dir.resolve("no-such-cache");
        Exec missing = build(machine(), context, "--cache-from", "type=local,src=" + none)
                .ok();
        assertThat(missing.err()).contains("WARNING: local cache " + none + " not found: building without it");
        assertThat(layerSteps(missing)).containsExactly("DONE", "DONE", "DONE");

        Path bad = Files.createDirectories(dir.resolve("damaged-cache"));
        Files.writeString(
                bad.resolve("index.json"),
                "{\"manifests\": [{\"digest\": \"sha256:" + "ab".repeat(32)
                        + "\", \"size\": 3, \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\"}]}");
        Exec damaged = build(machine(), context, "--cache-from", "type=local,src=" + bad)
                .ok();
        assertThat(damaged.err()).contains("WARNING: cannot import local cache " + bad);
        assertThat(layerSteps(damaged)).containsExactly("DONE", "DONE", "DONE");
    }

    @Test
    void importWarningsGoThroughTheProgressViewNotAcrossIt() throws IOException {
        Path none = dir.resolve("no-cache-for-tty");
        String warning = "WARNING: local cache " + none + " not found: building without it";
        // the tty view redraws itself in place: a line written past it would be drawn over or split a frame; its notes
        // come below the finished view, once
        Exec tty = w(machine(), "--progress", "tty", "--cache-from", "type=local,src=" + none);
        assertThat(tty.err()).containsOnlyOnce(warning);
        assertThat(tty.err().indexOf(warning))
                .as(tty.err())
                .isGreaterThan(tty.err().lastIndexOf("\033[J"));
        // with no view (quiet), a warning still reaches stderr
        assertThat(w(machine(), "--progress", "quiet", "--cache-from", "type=local,src=" + none)
                        .err())
                .contains(warning);
    }

    /** A build of the test context with these flags (its own --progress), which must succeed. */
    static Exec w(Whittle m, String... flags) {
        List<String> a = new ArrayList<>(List.of("build", "--check=off", "-t", "cache/app"));
        a.addAll(List.of(flags));
        a.add(context.toString());
        return m.run(a.toArray(String[]::new)).ok();
    }

    @Test
    void aCacheWhoseConfigLiesAboutALayerIsNeverUsed() throws IOException {
        Path cache = dir.resolve("lying-cache");
        build(machine(), context, "--cache-to", "type=local,dest=" + cache).ok();
        // every step now claims a layer its blob does not hold (one no store has, so each blob must be checked)
        Manifest m = localCacheManifest(cache);
        String config = Files.readString(blob(cache, m.config().digest()));
        List<String> diffIds = new ArrayList<>();
        Matcher d = Pattern.compile("\"diffId\":\"(sha256:[0-9a-f]{64})\"").matcher(config);
        while (d.find()) diffIds.add(d.group(1));
        String lying = config;
        for (String x : diffIds)
            lying = lying.replace(
                    x, Digest.sha256("forged".getBytes(StandardCharsets.UTF_8)).toString());
        byte[] lie = lying.getBytes(StandardCharsets.UTF_8);
        Files.write(blob(cache, Digest.sha256(lie)), lie);
        replaceManifest(cache, new Descriptor(m.config().mediaType(), Digest.sha256(lie), lie.length), m.layers());

        Whittle b = machine();
        Exec e = build(b, context, "--cache-from", "type=local,src=" + cache);
        // every step hit, by key; the lie shows when the image is stored and its layers are fetched: too late to
        // run the steps, so the build fails, and nothing of the forged layers is kept
        assertTheLieFailsTheBuildAndIsNotKept(b, e, cache, m, "is not what the cache says");
        assertThat(layerSteps(build(b, context).ok())).containsExactly("DONE", "DONE", "DONE");
        assertThat(b.run("run", "--rm", "cache/app").ok().out()).isEqualTo("hello from machine A\nmade\n");
    }

    /**
     * A layer of local cache {@code cache} (manifest {@code m}) that lies, found when the image was stored: the build
     * failed with an error saying {@code why} and the fix, no stack trace, the store is consistent and holds none of
     * the cache's layer blobs.
     */
    static void assertTheLieFailsTheBuildAndIsNotKept(Whittle b, Exec build, Path cache, Manifest m, String why)
            throws IOException {
        assertThat(build.code()).as(build.err()).isEqualTo(1);
        assertThat(build.err())
                .contains("Error: local cache " + cache + ": layer ")
                .contains(why)
                .contains("build again without this --cache-from")
                .doesNotContain("\tat dev.whittle");
        assertThat(b.run("system", "fsck").ok().out()).contains("is consistent");
        for (Descriptor l : m.layers())
            assertThat(blob(b.root(), l.digest()))
                    .as("a layer the cache lied about is not kept")
                    .doesNotExist();
    }

    /** The manifest of a local cache (its index's only entry). */
    static Manifest localCacheManifest(Path cache) throws IOException {
        Descriptor md = Descriptor.fromJson(
                JsonObjects.array(Json.parseObject(Files.readAllBytes(cache.resolve("index.json"))), "manifests")
                        .getFirst());
        return Manifest.parse(Files.readAllBytes(blob(cache, md.digest())), null);
    }

    /** Makes a local cache's index name a manifest of this config and these layers, as a forger would. */
    static void replaceManifest(Path cache, Descriptor config, List<Descriptor> layers) throws IOException {
        Manifest forged = Manifest.create(true, config, layers, null);
        Files.write(blob(cache, forged.digest()), forged.raw());
        Files.writeString(
                cache.resolve("index.json"),
                "{\"schemaVersion\":2,\"manifests\":["
                        + Json.writeString(forged.descriptor().toJson(), Json.Style.COMPACT) + "]}");
    }

    /**
     * Asserts that the stored image's manifest tells the truth about every layer blob: its size, and the compression
     * its media type names (what a puller of the pushed image unpacks it as).
     */
    static void assertManifestMatchesItsBlobs(Whittle w) throws IOException {
        Manifest m;
        try (Store store = Store.open(w.root())) {
            m = new Images(store).resolve("cache/app").manifest();
        }
        for (Descriptor l : m.layers()) {
            Path b = blob(w.root(), l.digest());
            assertThat(Files.size(b)).as("size of " + l).isEqualTo(l.size());
            byte[] head;
            try (InputStream in = Files.newInputStream(b)) {
                head = in.readNBytes(4);
            }
            MediaType.Compression found = head[0] == (byte) 0x1f && head[1] == (byte) 0x8b
                    ? MediaType.Compression.GZIP
                    : head[0] == (byte) 0x28 && head[1] == (byte) 0xb5 && head[2] == (byte) 0x2f
                            ? MediaType.Compression.ZSTD
                            : MediaType.Compression.NONE;
            assertThat(MediaType.layerCompression(l.mediaType()))
                    .as("compression of " + l)
                    .isEqualTo(found);
        }
    }

    @Test
    void aCacheThatLiesAboutALayersCompressionFailsTheBuildAndLeavesNothingOfTheLie() throws IOException {
        Path cache = dir.resolve("type-lie-cache");
        build(machine(), context, "--cache-to", "type=local,dest=" + cache + ",compression=zstd")
                .ok();
        Manifest m = localCacheManifest(cache);
        List<Descriptor> gzip = new ArrayList<>();
        for (Descriptor l : m.layers())
            gzip.add(new Descriptor(l.mediaType().replace("+zstd", "+gzip"), l.digest(), l.size()));
        replaceManifest(cache, m.config(), gzip);

        Whittle b = machine();
        Exec lied = build(b, context, "--cache-from", "type=local,src=" + cache);
        assertTheLieFailsTheBuildAndIsNotKept(
                b, lied, cache, m, "is not the application/vnd.oci.image.layer.v1.tar+gzip the cache says it is");
        // without the cache, nothing of it is found: the steps run, and the image's manifest is true
        assertThat(layerSteps(build(b, context).ok())).containsExactly("DONE", "DONE", "DONE");
        assertManifestMatchesItsBlobs(b);
        assertThat(b.run("system", "fsck").ok().out()).contains("is consistent");
    }

    @Test
    void aCacheThatLiesAboutTheSizeOfALayerTheStoreHasIsAMissNotAManifestEntry() throws IOException {
        Path cache = dir.resolve("size-lie-cache");
        build(machine(), context, "--cache-to", "type=local,dest=" + cache).ok();
        Whittle b = machine();
        build(b, context, "--cache-from", "type=local,src=" + cache).ok();
        // the store now has every layer's blob; forget the steps, keep the image (and so the layers)
        b.run("builder", "prune", "-af").ok();
        Manifest m = localCacheManifest(cache);
        List<Descriptor> bigger = new ArrayList<>();
        for (Descriptor l : m.layers()) bigger.add(new Descriptor(l.mediaType(), l.digest(), l.size() + 1000));
        replaceManifest(cache, m.config(), bigger);

        Path again = dir.resolve("size-lie-reexport");
        Exec e = build(b, context, "--cache-from", "type=local,src=" + cache, "--cache-to", "type=local,dest=" + again)
                .ok();
        assertThat(e.err())
                .contains("WARNING: local cache " + cache + ": layer ")
                .contains(" not used: ");
        assertThat(layerSteps(e)).containsExactly("DONE", "DONE", "DONE");
        assertManifestMatchesItsBlobs(b);
        for (Descriptor l : localCacheManifest(again).layers())
            assertThat(Files.size(blob(again, l.digest()))).as("exported " + l).isEqualTo(l.size());
        assertThat(b.run("system", "fsck").ok().out()).contains("is consistent");
        // the image stays true when the steps hit locally too, even on step-cache entries that lie about their
        // blobs (as an older whittle wrote them from a lying cache): a hit describes the blob as the store knows it
        Path entries;
        try (Store store = Store.open(b.root())) {
            entries = store.stateDir().resolve("cache");
        }
        try (var files = Files.list(entries)) {
            for (Path p : files.toList()) {
                String entry = Files.readString(p);
                Matcher size = Pattern.compile("\"size\":\\s*(\\d+)").matcher(entry);
                assertThat(size.find()).as(entry).isTrue();
                Files.writeString(
                        p,
                        size.replaceFirst("\"size\":" + (Long.parseLong(size.group(1)) + 1000))
                                .replace("+gzip", "+zstd"));
            }
        }
        // another image (its config differs) whose manifest is made from the hits
        Path labelled = Files.createDirectories(dir.resolve("size-lie-labelled"));
        for (String f : List.of("hello.txt", "big.bin")) Files.copy(context.resolve(f), labelled.resolve(f));
        Files.writeString(labelled.resolve("Dockerfile"), DOCKERFILE + "LABEL made=again\n");
        Exec hits = build(b, labelled).ok();
        assertThat(layerSteps(hits)).as(hits.err()).containsExactly("CACHED", "CACHED", "CACHED");
        assertManifestMatchesItsBlobs(b);
    }

    static Path blob(Path layout, Digest d) {
        return layout.resolve("blobs/sha256").resolve(d.hex());
    }

    @Test
    void zstdCachesImportAndImportedStepsAreBuildCacheToDfAndPrune() throws IOException {
        Path cache = dir.resolve("zstd-cache");
        build(machine(), context, "--cache-to", "type=local,dest=" + cache + ",compression=zstd")
                .ok();
        Descriptor md = Descriptor.fromJson(
                JsonObjects.array(Json.parseObject(Files.readAllBytes(cache.resolve("index.json"))), "manifests")
                        .getFirst());
        assertThat(Files.readString(blob(cache, md.digest())))
                .contains("application/vnd.oci.image.layer.v1.tar+zstd")
                .doesNotContain("gzip");
        Whittle b = machine();
        Exec imported =
                build(b, context, "--cache-from", "type=local,src=" + cache).ok();
        assertThat(layerSteps(imported)).containsExactly("CACHED", "CACHED", "CACHED");
        // what was imported is step cache like any other: system df counts it, builder prune removes it
        assertThat(b.run("system", "df").ok().out()).containsPattern("Build Cache\\s+[1-9]");
        b.run("builder", "prune", "-af").ok();
        assertThat(layerSteps(build(b, context).ok())).containsExactly("DONE", "DONE", "DONE");
    }

    @Test
    void badCacheFlagsAreRefusedBeforeTheBuild() throws IOException {
        Whittle w = machine();
        assertThat(build(w, context, "--cache-to", "type=local").fails(1).err())
                .contains("Error: --cache-to type=local: dest= is required for type=local");
        assertThat(build(w, context, "--cache-to", "type=local,dest=/x,mode=all")
                        .fails(1)
                        .err())
                .contains("invalid mode \"all\" (min or max)");
        assertThat(build(w, context, "--cache-to", "type=local,dest=/x,mounts-max=lots")
                        .fails(1)
                        .err())
                .contains("invalid mounts-max \"lots\"");
        assertThat(build(w, context, "--cache-from", "type=gha").fails(1).err())
                .contains("cache type \"gha\" is not supported (registry or local)");
    }
}
