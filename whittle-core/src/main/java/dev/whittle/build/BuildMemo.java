package dev.whittle.build;

import dev.whittle.diag.Trace;
import dev.whittle.dockerfile.DockerIgnore;
import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageConfig;
import dev.whittle.image.Manifest;
import dev.whittle.image.Platform;
import dev.whittle.json.Json;
import dev.whittle.json.JsonObjects;
import dev.whittle.rootfs.ContextObservations;
import dev.whittle.store.AtomicFiles;
import dev.whittle.store.Images;
import dev.whittle.store.Maintenance;
import dev.whittle.store.Store;
import dev.whittle.store.StoredImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The outcome of whole builds, so that rebuilding what has not changed costs a lookup instead of a build. A build is
 * a function of its inputs: the builder itself, the Dockerfile and .dockerignore, the options (target, build args,
 * platform, network, secrets' names, SOURCE_DATE_EPOCH), the base images its references resolve to, and what it saw
 * of the context. The first five make the key; the last two are kept in the entry and checked on lookup — every base
 * reference must still resolve to the same manifest, every question the build asked of the context must get the same
 * answer ({@link ContextObservations}), and every step-cache entry the image came from must still exist (a pruned
 * cache means a rebuild, as BuildKit's would). A hit is exactly what the step cache would have given, every step
 * {@code CACHED}, only without planning the stages and looking up each step.
 * <p>A build whose result depends on what cannot be observed this way (ADD of a URL) is not kept.
 */
public final class BuildMemo {
    private final Store store;
    private final Path dir;

    public BuildMemo(Store store) {
        this.store = store;
        this.dir = store.stateDir().resolve("memo");
    }

    /** Everything of a build request that decides its result, except base images and the context's content. */
    public record Inputs(
            String builder,
            Path context,
            String dockerfileName,
            String dockerfileText,
            String ignoreFile,
            String ignoreText,
            String target,
            Map<String, String> buildArgs,
            String platform,
            String network,
            List<String> secrets,
            Long sourceDateEpoch) {
        Digest key() {
            StringBuilder b = new StringBuilder("whittle build memo 2\n");
            for (Object part : List.of(
                    builder,
                    context.toAbsolutePath().normalize(),
                    dockerfileName,
                    dockerfileText,
                    String.valueOf(ignoreFile),
                    String.valueOf(ignoreText),
                    String.valueOf(target),
                    new TreeMap<>(buildArgs),
                    platform,
                    network,
                    secrets,
                    String.valueOf(sourceDateEpoch))) {
                String s = String.valueOf(part);
                b.append(s.length()).append(':').append(s).append('\n');
            }
            return Digest.sha256(b.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * How an entry names a base: its reference and the platform it was resolved for. A multi-platform image answers
     * each platform with another manifest, and one build may use both ({@code FROM --platform=$BUILDPLATFORM a} beside
     * {@code FROM a}).
     */
    public static String baseKey(String ref, Platform platform) {
        return ref + " " + platform;
    }

    /** A progress step as a fully cached rebuild shows it: its name, and whether it says CACHED or DONE. */
    public record Step(String name, boolean cached) {}

    /** A remembered build: the image it made, what the rebuild shows, and what it depended on. */
    public record Entry(
            Digest manifest,
            Digest config,
            List<String> unusedBuildArgs,
            List<Step> steps,
            Map<String, String> bases,
            List<String> cacheKeys,
            List<String> context) {}

    /** A lookup's answer: the remembered build, or why there is none (for --debug and WHITTLE_TRACE). */
    public record Answer(Entry entry, String miss) {
        public Optional<Entry> hit() {
            return Optional.ofNullable(entry);
        }
    }

    /** The remembered result of a build with these inputs, if everything it depended on is as it was. */
    public Answer lookup(Inputs in, DockerIgnore ignore) {
        Entry e;
        try {
            e = read(Files.readAllBytes(dir.resolve(in.key().hex())));
        } catch (NoSuchFileException x) {
            return miss("no build with these inputs");
        } catch (IOException | RuntimeException x) {
            return miss("damaged entry: " + x);
        }
        Trace.mark("memo: entry read");
        try {
            if (!store.hasBlob(e.manifest()) || !store.hasBlob(e.config())) return miss("image gone");
            if (!indexed(e.manifest())) {
                // a removal cut short (rmi killed while it pruned) may have taken any of its blobs and layer records
                String gone = missingLayer(e);
                if (gone != null) return miss(gone);
            }
            Path cache = store.stateDir().resolve("cache");
            for (String k : e.cacheKeys())
                if (!Files.exists(cache.resolve(k))) return miss("step cache entry " + k + " gone");
            Trace.mark("memo: image and cache entries there");
            // the context first: a changed source file is the usual miss, and the cheapest to find
            String changed = ContextObservations.firstDifference(in.context(), ignore, e.context());
            if (changed != null) return miss("context: " + changed);
            Trace.mark("memo: context unchanged");
            if (!e.bases().isEmpty()) {
                Images images = new Images(store);
                for (Map.Entry<String, String> b : e.bases().entrySet()) {
                    int sp = b.getKey().lastIndexOf(' ');
                    String ref = b.getKey().substring(0, sp);
                    // resolved as the build resolved it: a multi-platform base answers with the stage's platform
                    Optional<StoredImage> now = BaseImages.find(
                            images, ref, Platform.parse(b.getKey().substring(sp + 1)));
                    if (now.isEmpty()
                            || !now.get()
                                    .manifestDescriptor()
                                    .digest()
                                    .toString()
                                    .equals(b.getValue())) {
                        return miss("base " + ref + " changed");
                    }
                }
            }
            Trace.mark("memo: hit");
            // a hit uses the entry and the step results it stands for: builder prune's until= and --keep-storage see it
            BuildCache.touch(dir.resolve(in.key().hex()));
            for (String k : e.cacheKeys()) BuildCache.touch(cache.resolve(k));
            return new Answer(e, null);
        } catch (IOException | RuntimeException x) {
            return miss(x.toString());
        }
    }

    /** Whether the index names the image: then garbage collection keeps all of it, so its layers need no look. */
    private boolean indexed(Digest manifest) {
        for (Descriptor d : store.indexEntries()) if (d.digest().equals(manifest)) return true;
        return false;
    }

    /** The first layer of the remembered image the store no longer holds, or null when it holds them all. */
    private String missingLayer(Entry e) {
        Manifest m = Manifest.parse(store.readBlob(e.manifest()), null);
        List<Digest> diffIds = ImageConfig.parse(store.readBlob(e.config())).diffIds();
        if (diffIds.size() != m.layers().size())
            return "image " + e.manifest() + " damaged: its manifest and config disagree on its layers";
        for (int i = 0; i < diffIds.size(); i++) {
            if (!store.holdsLayerIn(diffIds.get(i), m.layers().get(i).digest()))
                return "layer " + diffIds.get(i) + " gone";
        }
        return null;
    }

    private static Answer miss(String why) {
        Trace.mark("memo: " + why);
        return new Answer(null, why);
    }

    public void save(Inputs in, Entry e) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("manifest", e.manifest().toString());
        m.put("config", e.config().toString());
        m.put("unusedBuildArgs", e.unusedBuildArgs());
        List<Object> steps = new ArrayList<>();
        for (Step s : e.steps()) steps.add(List.of(s.name(), s.cached()));
        m.put("steps", steps);
        m.put("bases", e.bases());
        m.put("cacheKeys", e.cacheKeys());
        m.put("context", e.context());
        AtomicFiles.write(dir.resolve(in.key().hex()), Json.write(m));
    }

    @SuppressWarnings("unchecked")
    private static Entry read(byte[] bytes) {
        Map<String, Object> m = Json.parseObject(bytes);
        List<Step> steps = new ArrayList<>();
        for (Object o : (List<Object>) m.get("steps")) {
            List<Object> s = (List<Object>) o;
            steps.add(new Step((String) s.get(0), (Boolean) s.get(1)));
        }
        Map<String, String> bases = new LinkedHashMap<>();
        ((Map<String, Object>) m.get("bases")).forEach((k, v) -> bases.put(k, (String) v));
        return new Entry(
                Digest.parse(JsonObjects.requireString(m, "manifest")),
                Digest.parse(JsonObjects.requireString(m, "config")),
                strings(m.get("unusedBuildArgs")),
                steps,
                bases,
                strings(m.get("cacheKeys")),
                strings(m.get("context")));
    }

    private static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        for (Object x : (List<?>) o) out.add((String) x);
        return out;
    }

    /** Forgets every remembered build; returns how many. */
    public int clear() throws IOException {
        return Maintenance.deleteFilesIn(dir);
    }
}
