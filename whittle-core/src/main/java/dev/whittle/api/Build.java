package dev.whittle.api;

import dev.whittle.build.BuildMemo;
import dev.whittle.build.BuildRequest;
import dev.whittle.build.BuildResult;
import dev.whittle.build.Builder;
import dev.whittle.build.ImagePuller;
import dev.whittle.build.Progress;
import dev.whittle.cache.CacheExport;
import dev.whittle.cache.CacheImport;
import dev.whittle.cache.CacheRecord;
import dev.whittle.cache.CacheSpec;
import dev.whittle.check.CheckReport;
import dev.whittle.diag.Trace;
import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageConfig;
import dev.whittle.image.Manifest;
import dev.whittle.image.MediaType;
import dev.whittle.json.Json;
import dev.whittle.registry.Puller;
import dev.whittle.registry.RegistryClient;
import dev.whittle.registry.TransferProgress;
import dev.whittle.rootfs.ContextObservations;
import dev.whittle.rootfs.ContextTree;
import dev.whittle.sandbox.StopSignal;
import dev.whittle.store.AtomicFiles;
import dev.whittle.store.Images;
import dev.whittle.store.Store;
import dev.whittle.store.StoredImage;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * A build, as {@code whittle build} runs it: answered from the memo of an identical earlier build when it can be, else
 * planned and run ({@link Builder}), then the image named. What is left once the image is named (layers of stages only
 * read from, their cache entries, the memo entry) is written in the background and completed by
 * {@link Result#close()}, so the caller's outputs, push and check overlap with it.
 */
public final class Build {
    private final Store store;
    private final ImagePuller puller;
    private final Consumer<String> debug;
    private final Supplier<RegistryClient> registries;
    private final Consumer<String> log;

    /**
     * @param puller fetches base images the store lacks (see {@link #registryPuller}); null: none may be pulled
     * @param debug  receives why the memo answered or not; a no-op when not wanted
     */
    public Build(Store store, ImagePuller puller, Consumer<String> debug) {
        this(store, puller, debug, null, m -> {});
    }

    /**
     * @param registries the registry client for registry caches (--cache-from, --cache-to); null: none
     * @param log        receives the cache export's warnings, and the import's when the build's progress shows no
     *                   notes (quiet); otherwise the import reports through the progress
     */
    public Build(
            Store store,
            ImagePuller puller,
            Consumer<String> debug,
            Supplier<RegistryClient> registries,
            Consumer<String> log) {
        this.store = store;
        this.puller = puller;
        this.debug = debug;
        this.registries = registries != null
                ? registries
                : () -> {
                    throw new IllegalStateException("no registry client given for a registry cache");
                };
        this.log = log;
    }

    /**
     * Base images from registries, each step of a pull shown in the build's log as {@code describe} words it (a blob
     * already here, or pulled with its size).
     */
    public static ImagePuller registryPuller(
            Store store, Supplier<RegistryClient> registries, LongFunction<String> size) {
        return (ref, platform, log) ->
                new Puller(store, registries.get(), new BuildLogProgress(log, size)).pullImage(ref, platform);
    }

    /** The built image: its manifest and config, the build args no ARG used; close it to complete the build. */
    public static final class Result implements AutoCloseable {
        private final Manifest manifest;
        private final Digest config;
        private final Set<String> unusedBuildArgs;
        private final Finish finish;
        private boolean closed;
        /** What a --cache-to exports, once closed; null for a build the memo answered. */
        private CacheExport.Built forExport;

        private Result(Manifest manifest, Digest config, Set<String> unusedBuildArgs, Finish finish) {
            this.manifest = manifest;
            this.config = config;
            this.unusedBuildArgs = Set.copyOf(unusedBuildArgs);
            this.finish = finish;
        }

        public Manifest manifest() {
            return manifest;
        }

        /** The image ID (the config's digest). */
        public Digest id() {
            return config;
        }

        public Set<String> unusedBuildArgs() {
            return unusedBuildArgs;
        }

        /** Waits for what the build wrote in the background; needed even when the caller failed after the build. */
        @Override
        public void close() throws IOException {
            if (closed) return;
            closed = true;
            finish.run();
        }

        /** Completes the build after a failure of the caller's, whose error is the one to report. */
        public void closeQuietly() {
            try {
                close();
            } catch (IOException | RuntimeException ignored) {
                // only the step cache and the memo miss it
            }
        }
    }

    private interface Finish {
        void run() throws IOException;
    }

    /**
     * Exports the closed build's cache to each --cache-to of its spec; returns what each export did. A failure is an
     * error (the image is built and named, but the cache the user asked for is not where they asked), or a warning
     * with ignore-error=true.
     */
    public List<CacheExport.Report> exportCache(BuildSpec spec, Result built) throws IOException {
        if (spec.cacheTo().isEmpty()) return List.of();
        if (!built.closed) throw new IllegalStateException("close the result before exporting its cache");
        if (built.forExport == null) throw new IllegalStateException("the build left nothing to export");
        List<CacheExport.Report> out = new ArrayList<>();
        CacheExport export = new CacheExport(store, log);
        for (CacheSpec.Export to : spec.cacheTo()) {
            if (to.where() instanceof CacheSpec.Inline) continue; // in the image's config already
            try {
                out.add(export.export(to, built.forExport, registries));
            } catch (IOException | RuntimeException e) {
                if (!to.ignoreError()) throw e;
                log.accept("WARNING: cache export failed (ignore-error=true): "
                        + (e.getMessage() == null ? e.toString() : e.getMessage()));
            }
        }
        return out;
    }

    /** Builds (or recalls) the image and gives it the spec's names; {@code progress} shows the steps. */
    public Result run(BuildSpec spec, Progress progress) throws IOException {
        return run(spec, progress, new StopSignal());
    }

    /** As {@link #run(BuildSpec, Progress)}; {@code stop} ends the build early (another platform's build failed). */
    public Result run(BuildSpec spec, Progress progress, StopSignal stop) throws IOException {
        BuildMemo memo = new BuildMemo(store);
        BuildMemo.Inputs inputs = memoInputs(spec);
        Result built = null;
        if (!spec.memoizable()) {
            debug.accept("build memo: not used (--no-cache, --no-cache-filter, --pull=always or --build-context)");
        } else {
            BuildMemo.Answer a = memo.lookup(inputs, spec.source().ignore());
            debug.accept("build memo: " + (a.miss() == null ? "hit" : "miss: " + a.miss()));
            built = a.hit().map(e -> replay(e, progress)).orElse(null);
        }
        if (built == null) built = buildFully(spec, progress, memo, inputs, stop);
        try {
            Images images = new Images(store);
            if (!images.isNamed(built.manifest().digest(), spec.tags()))
                images.add(built.manifest(), spec.tags(), List.of());
            Trace.mark("image named");
        } catch (IOException | RuntimeException e) {
            built.closeQuietly();
            throw e;
        }
        return built;
    }

    /** Plans and runs the build (the Dockerfile parsed now), and remembers it for an identical rebuild. */
    private Result buildFully(
            BuildSpec spec, Progress progress, BuildMemo memo, BuildMemo.Inputs inputs, StopSignal stop)
            throws IOException {
        Dockerfile df = spec.source().parse();
        Trace.mark("Dockerfile parsed");
        BuildCalls.failOnViolations(store, df, spec.source().ignore(), spec.options());
        ContextObservations seen = new ContextObservations();
        BuildRequest req = new BuildRequest(
                new ContextTree(spec.source().dir(), spec.source().ignore()).observedBy(seen),
                df,
                spec.options(),
                spec.noCache(),
                spec.run(),
                spec.labels(),
                spec.noCacheStages(),
                spec.secrets(),
                spec.ssh(),
                spec.namedContexts(),
                spec.sourceDateEpoch(),
                progress,
                spec.pull(),
                puller,
                stop);
        Builder builder = new Builder(store, req);
        CacheImport.Loading imported = null;
        if (!spec.cacheFrom().isEmpty()) {
            imported = CacheImport.loadInBackground(store, spec.cacheFrom(), registries, importLog(progress));
            builder.cache().importFrom(imported);
        }
        Trace.mark("builder ready (store open)");
        BuildResult made;
        try {
            made = builder.build();
        } catch (IOException | RuntimeException e) {
            try {
                builder.finish();
                if (imported != null) imported.get(); // its messages before the build's error, not after
            } catch (IOException | RuntimeException ignored) {
                // the build's own error is the one to report
            }
            throw e;
        }
        BuildResult result = spec.cacheTo().stream().anyMatch(c -> c.where() instanceof CacheSpec.Inline)
                ? withInlineCache(made, builder)
                : made;
        CacheImport fromCaches = imported == null ? null : imported.get();
        Result[] self = {null};
        self[0] = new Result(result.manifest(), result.config().digest(), result.unusedBuildArgs(), () -> {
            List<String> cacheKeys = builder.finish();
            self[0].forExport = new CacheExport.Built(
                    builder.cache(),
                    cacheKeys,
                    result.config().diffIds(),
                    builder.cache().mountsUsed(),
                    fromCaches);
            if (!result.memoizable()) return;
            try {
                memo.save(
                        inputs,
                        new BuildMemo.Entry(
                                result.manifest().digest(),
                                result.config().digest(),
                                List.copyOf(result.unusedBuildArgs()),
                                result.steps(),
                                result.bases(),
                                cacheKeys,
                                seen.lines()));
            } catch (IOException | RuntimeException e) {
                // only a shortcut for the next build
            }
        });
        return self[0];
    }

    /**
     * Where the cache import reports while the build runs: the build's progress, as a note (a live view shows its
     * notes below itself, so a line never lands inside a frame it redraws); with no view (quiet), warnings still go to
     * the log.
     */
    private Consumer<String> importLog(Progress progress) {
        if (progress.showsNotes()) return progress::note;
        return line -> {
            if (line.startsWith("WARNING")) log.accept(line);
        };
    }

    /**
     * The built image with its cache in its config ({@code --cache-to type=inline}), as BuildKit's inline cache: a new
     * config, so a new image ID, the same layers.
     */
    private BuildResult withInlineCache(BuildResult r, Builder builder) throws IOException {
        ImageConfig config = r.config().toBuilder()
                .field(
                        CacheRecord.INLINE_FIELD,
                        CacheExport.inline(
                                builder.cache(),
                                builder.cache().used(),
                                r.config().diffIds(),
                                r.manifest().layers()))
                .build();
        store.putBlob(config.raw());
        Manifest m = Manifest.create(
                true,
                new Descriptor(MediaType.OCI_CONFIG, config.digest(), config.size()),
                r.manifest().layers(),
                null);
        store.putBlob(m.raw());
        r.provenance().save(store, config.digest());
        return new BuildResult(config, m, r.unusedBuildArgs(), r.provenance(), r.steps(), r.bases(), r.memoizable());
    }

    /** Shows a remembered build's steps as a fully cached rebuild shows them. */
    private Result replay(BuildMemo.Entry e, Progress progress) {
        for (BuildMemo.Step s : e.steps()) {
            int id = progress.start(s.name());
            if (s.cached()) progress.cached(id);
            else progress.done(id);
        }
        Manifest m = Manifest.parse(store.readBlob(e.manifest()), null);
        return new Result(m, e.config(), new LinkedHashSet<>(e.unusedBuildArgs()), () -> {});
    }

    /** What decides this build's result, apart from base images and the context's files (the memo checks those). */
    private BuildMemo.Inputs memoInputs(BuildSpec spec) {
        var opts = spec.options();
        List<String> secretNames = new ArrayList<>();
        for (BuildRequest.Secret sc : spec.secrets().values())
            secretNames.add(sc.id() + "=" + sc.file() + "|" + sc.env());
        for (String id : spec.ssh().keySet()) secretNames.add("ssh:" + id);
        BuildSource src = spec.source();
        return new BuildMemo.Inputs(
                identity(spec),
                src.dir(),
                src.dockerfileName(),
                src.dockerfileText(),
                src.ignoreFile() == null
                        ? null
                        : src.ignoreFile().toAbsolutePath().toString(),
                src.ignoreText(),
                spec.target(),
                opts.buildArgs(),
                opts.buildPlatform() + " -> " + opts.targetPlatform(),
                spec.run() + " labels=" + new TreeMap<>(spec.labels()),
                secretNames,
                spec.sourceDateEpoch());
    }

    /**
     * The entrypoint check of a built image, kept in the store by image, name and Dockerfile: an image is immutable and
     * the check deterministic, so an unchanged rebuild (of the 850 MB toolchain image, a quarter of a second of
     * reading) only reads the verdict back.
     */
    public Verdict verdict(BuildSpec spec, Digest manifest, Digest image, String name) throws IOException {
        String id = identity(spec) + "\n" + manifest + "\n" + name + "\n"
                + spec.source().dockerfilePath() + "\n" + spec.source().dockerfileText();
        Path kept = store.stateDir()
                .resolve("check")
                .resolve(Digest.sha256(id.getBytes(StandardCharsets.UTF_8)).hex());
        try {
            Map<String, Object> m = Json.parseObject(Files.readAllBytes(kept));
            return new Verdict((String) m.get("text"), (Boolean) m.get("fails"), (Boolean) m.get("noCommand"));
        } catch (IOException | RuntimeException e) {
            // not checked yet (or a damaged entry): check now
        }
        StoredImage img = new Images(store).find(image.toString()).orElseThrow();
        CheckReport report = Check.image(store, img, name);
        Verdict v = new Verdict(
                report.findings().isEmpty() ? "" : Check.render(report, "text"),
                report.fails(),
                report.findings().stream().anyMatch(f -> f.code().equals("NoCommand")));
        try {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("text", v.text());
            m.put("fails", v.fails());
            m.put("noCommand", v.noCommand());
            AtomicFiles.write(kept, Json.write(m));
        } catch (IOException | RuntimeException e) {
            // only a shortcut for the next build
        }
        return v;
    }

    /** What the entrypoint check says of a built image: its findings as text (empty when none), whether it fails. */
    public record Verdict(String text, boolean fails, boolean noCommand) {}

    private static String coreIdentity;

    /** The caller, and this library's jar (or class directory): a new build of either starts afresh. */
    private static String identity(BuildSpec spec) {
        synchronized (Build.class) {
            if (coreIdentity == null) coreIdentity = codeIdentity(Builder.class);
        }
        return spec.clientIdentity() + coreIdentity;
    }

    /** Where a class was loaded from, with that file's time and size. */
    public static String codeIdentity(Class<?> c) {
        try {
            URL u = c.getProtectionDomain().getCodeSource().getLocation();
            // the URL's path as it is where nothing needed escaping (URI parsing costs a young JVM a few ms)
            Path p = u.getPath().indexOf('%') < 0 ? Path.of(u.getPath()) : Path.of(u.toURI());
            var a = Files.readAttributes(p, BasicFileAttributes.class);
            return " " + p + "@" + a.lastModifiedTime().toMillis() + "/" + a.size();
        } catch (Exception e) {
            return " unknown:" + System.nanoTime(); // never equal twice: no memo hits
        }
    }

    /** Build-log lines for a base image pull: what is fetched and when each layer is in. */
    private record BuildLogProgress(Consumer<String> log, LongFunction<String> size) implements TransferProgress {
        @Override
        public void message(String line) {
            log.accept(line);
        }

        @Override
        public void blob(Digest d, long bytes, State state, long done) {
            switch (state) {
                case EXISTS -> log.accept(d.shortHex() + ": already in the store");
                case DONE -> log.accept(d.shortHex() + ": " + size.apply(bytes) + " pulled");
                default -> {}
            }
        }
    }
}
