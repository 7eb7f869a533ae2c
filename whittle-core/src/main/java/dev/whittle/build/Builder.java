package dev.whittle.build;

import dev.whittle.archive.LayoutImport;
import dev.whittle.check.Provenance;
import dev.whittle.diag.Trace;
import dev.whittle.dockerfile.BuildPlan;
import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.DockerfileException;
import dev.whittle.dockerfile.Instruction;
import dev.whittle.dockerfile.Mounts;
import dev.whittle.dockerfile.Parser;
import dev.whittle.dockerfile.Planner;
import dev.whittle.dockerfile.Scope;
import dev.whittle.dockerfile.ShellLex;
import dev.whittle.dockerfile.Stage;
import dev.whittle.dockerfile.Word;
import dev.whittle.ffi.Posix;
import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageConfig;
import dev.whittle.image.ImageRef;
import dev.whittle.image.Manifest;
import dev.whittle.image.MediaType;
import dev.whittle.image.Platform;
import dev.whittle.json.Json;
import dev.whittle.rootfs.ContextTree;
import dev.whittle.sandbox.Snapshots;
import dev.whittle.store.Images;
import dev.whittle.store.Store;
import dev.whittle.store.StoredImage;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Builds a Dockerfile's target: plans the stages the target needs, runs independent stages at the same time, and
 * executes each instruction into a new {@link State} — config instructions in memory, COPY/ADD/WORKDIR straight
 * into a layer, RUN in runc over an overlay of the stage's snapshots. Layer steps are cached by key.
 */
public final class Builder {
    public static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    static final String COMMENT = State.HISTORY_COMMENT;

    final Store store;
    final Snapshots snapshots;
    final BuildCache cache;
    final BuildRequest req;
    final Dockerfile df;
    final Progress progress;
    final ShellLex lex;
    private final Map<Integer, CompletableFuture<State>> stages = new ConcurrentHashMap<>();
    /** Named stages by (lower-case) name, for --from and mounts. */
    private final Map<String, Integer> stageIndex = new ConcurrentHashMap<>();

    private BuildPlan plan;
    /** For the memo: the steps as a fully cached rebuild shows them, the bases resolved, whether it may be kept. */
    private final List<BuildMemo.Step> steps = Collections.synchronizedList(new ArrayList<>());

    private final Map<String, String> resolvedBases = new ConcurrentHashMap<>();
    private volatile boolean memoizable = true;
    final DeferredLayers deferred;
    private final StepFailures failures;
    private final FreshCaches freshCaches;
    /** What the layer steps get of this build. */
    private final StepServices services;

    private Set<Integer> exported = Set.of();

    public Builder(Store store, BuildRequest req) throws IOException {
        this.store = store;
        this.snapshots = new Snapshots(store);
        this.cache = new BuildCache(store);
        this.deferred = new DeferredLayers(store, snapshots);
        this.req = req;
        this.df = req.dockerfile();
        this.progress = req.progress();
        this.lex = new ShellLex(df.escape());
        this.failures = new StepFailures(progress);
        this.freshCaches = new FreshCaches(store.tempDir());
        this.services = new StepServices(
                store,
                snapshots,
                cache,
                deferred,
                progress,
                failures,
                lex,
                StepOptions.of(req),
                new Sources(),
                freshCaches,
                this::notMemoizable,
                req.stop());
    }

    /** The build's answers to what a step's --from names. */
    private final class Sources implements StepSources {
        @Override
        public State fromRef(String ref, Word where) throws IOException {
            return Builder.this.fromRef(ref, where);
        }

        @Override
        public ContextTree contextTree(String ref) {
            return Builder.this.contextTree(ref);
        }
    }

    /** The step cache this build reads and writes (for --cache-from and --cache-to). */
    public BuildCache cache() {
        return cache;
    }

    /**
     * Builds the image. Layers of stages the image does not export may still be being written when this returns:
     * {@link #finish} waits for them (and is needed even when this throws).
     */
    public BuildResult build() throws IOException {
        Trace.mark("build: start");
        prepareNativeInBackground();
        plan = Planner.plan(df, req.options());
        exported = plan.exported();
        for (Stage st : plan.allStages()) if (st.name() != null) stageIndex.put(st.name(), st.index());
        Preflight.check(this, plan); // what needs no files fails now, not after the RUNs above it
        Trace.mark("build: planned");
        State fin;
        try (ExecutorService exec = Executors.newVirtualThreadPerTaskExecutor()) {
            this.exec = exec;
            // in plan order, so each stage's dependencies exist already (no recursion: chains of stages can be long)
            for (BuildPlan.PlannedStage p : plan.stages()) launch(p);
            fin = stages.get(plan.target()).join();
        } catch (CompletionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof IOException io) throw io;
            throw new BuildException(String.valueOf(c), c);
        }
        Trace.mark("build: all stages done");
        if (deferred.anyPending(fin.diffIds()))
            throw new IllegalStateException("a layer of the exported image was deferred");
        // an imported cache's layers that no step read are fetched now: the store holds whole images
        fetchLayers(fin);
        Trace.mark("build: layers of the image in the store");
        ImageConfig.Builder finished = fin.config().toBuilder().created(fin.created());
        req.labels().forEach((k, v) -> finished.putMapEntry("Labels", k, v)); // --label, over the Dockerfile's
        ImageConfig config = finished.build();
        if (config.size() > Json.MAX_DOCUMENT) {
            // stored, it could not be read back (by whittle, containerd or docker): refuse it now
            throw new BuildException("the image config would be " + (config.size() >> 20) + " MiB, more than the "
                    + (Json.MAX_DOCUMENT >> 20)
                    + " MiB an image config may have: fewer or smaller ENV and LABEL values");
        }
        store.putBlob(config.raw());
        List<Descriptor> layers = fin.layers().stream().map(State.Layer::blob).toList();
        Manifest m = Manifest.create(
                true, new Descriptor(MediaType.OCI_CONFIG, config.digest(), config.size()), layers, null);
        store.putBlob(m.raw());
        List<Provenance.Layer> origins = new ArrayList<>();
        for (int i = 0; i < fin.layers().size(); i++) {
            State.Origin o = fin.layers().get(i).origin();
            if (o != null) origins.add(new Provenance.Layer(i, o.instruction(), o.line(), o.stage(), o.fromStage()));
        }
        Map<String, String> bases = new LinkedHashMap<>();
        for (BuildPlan.PlannedStage p : plan.stages()) {
            bases.put(label(p.stage()), p.base() instanceof BuildPlan.Base.Image img ? img.reference() : fromText(p));
        }
        var provenance = new Provenance(df.file(), origins, bases);
        provenance.save(store, config.digest());
        Trace.mark("build: config, manifest and provenance stored");
        return new BuildResult(
                config,
                m,
                Planner.unusedBuildArgs(plan, req.options().buildArgs()),
                provenance,
                List.copyOf(steps),
                new TreeMap<>(resolvedBases),
                memoizable);
    }

    /**
     * Waits for the layers written in the background and their step-cache entries; returns the step-cache keys the
     * build found or stored, sorted (what its image came from).
     */
    public List<String> finish() throws IOException {
        try {
            deferred.finish();
        } finally {
            freshCaches.close();
        }
        return cache.used();
    }

    /** A stage's result: it runs once the stages it needs are done (they have their futures already). */
    private CompletableFuture<State> stage(BuildPlan.PlannedStage p, ExecutorService exec) {
        List<CompletableFuture<State>> deps = new ArrayList<>();
        for (int d : p.dependsOn()) deps.add(stages.get(d));
        return CompletableFuture.allOf(deps.toArray(CompletableFuture[]::new))
                .thenApplyAsync(
                        v -> {
                            try {
                                return runStage(p);
                            } catch (IOException e) {
                                throw new CompletionException(e);
                            }
                        },
                        exec);
    }

    /** Runs stages; set while {@link #build} runs. */
    private ExecutorService exec;

    /** Starts a planned stage unless it is started already. */
    private synchronized CompletableFuture<State> launch(BuildPlan.PlannedStage p) {
        CompletableFuture<State> f = stages.get(p.stage().index());
        if (f == null) {
            f = stage(p, exec);
            stages.put(p.stage().index(), f);
        }
        return f;
    }

    /**
     * The final state of a stage (for FROM, COPY --from and mounts). A stage the plan left out is one only a base
     * image's ONBUILD trigger names: it is planned and started now, with what it needs.
     */
    State stageResult(int index) {
        CompletableFuture<State> f = stages.get(index);
        if (f == null) {
            for (BuildPlan.PlannedStage p :
                    Planner.plan(df, req.options(), index).stages()) f = launch(p);
        }
        return f.join();
    }

    /**
     * The state a {@code --from} or mount {@code from=} names: a stage, an image or a named context standing for an
     * image; null when it names a file tree of the client's (the build context, or a named directory: see
     * {@link #contextTree}).
     */
    State fromRef(String ref, Word where) throws IOException {
        if (ref.equals("context")) return null;
        NamedContext named = req.namedContexts().get(ref);
        if (named instanceof NamedContext.Directory) return null;
        if (named != null) return imageState(ref, where, req.options().targetPlatform());
        Integer idx = stageIndex.get(ref.toLowerCase(Locale.ROOT));
        if (idx == null && ref.matches("\\d+")) idx = Integer.parseInt(ref);
        if (idx != null) return stageResult(idx);
        return imageState(ref, where, req.options().targetPlatform());
    }

    private State runStage(BuildPlan.PlannedStage p) throws IOException {
        Stage s = p.stage();
        // FROM is a step only when it loads an image: as in BuildKit, FROM scratch and FROM <stage> are not shown
        boolean fromStep = p.base() instanceof BuildPlan.Base.Image;
        int total = s.instructions().size() + (fromStep ? 1 : 0);
        String label = label(s);
        State state;
        int step = fromStep ? start("[" + label + " 1/" + total + "] FROM " + fromText(p), false) : -1;
        Trace.mark("FROM: step shown");
        // FROM --platform: the stage runs on that platform (a tool stage on $BUILDPLATFORM), else the target's
        String fromPlatform = switch (p.base()) {
            case BuildPlan.Base.Image img -> img.platform();
            case BuildPlan.Base.Scratch sc -> sc.platform();
            case BuildPlan.Base.StageRef r -> null;
        };
        Platform platform = s.from().flag("platform").isPresent() && fromPlatform != null
                ? Platform.parse(fromPlatform)
                : req.options().targetPlatform();
        switch (p.base()) {
            case BuildPlan.Base.Scratch sc -> state = scratch(platform);
            case BuildPlan.Base.StageRef r -> state = stageResult(r.index());
            case BuildPlan.Base.Image img ->
                state = imageState(img.reference(), s.from().image(), platform);
        }
        state = withDefaultPath(state);
        Trace.mark("FROM: base state ready");
        if (fromStep) progress.done(step);
        // ONBUILD triggers of the base run first, then are cleared (not inherited by grandchildren)
        List<String> triggers = state.config().onBuild();
        if (!triggers.isEmpty()) {
            state = withConfig(
                    state,
                    state.config().toBuilder().configField("OnBuild", null).build());
            for (String t : triggers) {
                Dockerfile tdf = Parser.parse("ONBUILD trigger of " + fromText(p), t);
                for (Instruction i : tdf.instructions()) {
                    earlierStagesOnly(tdf, i, s);
                    int st = start("[" + label + " ONBUILD] " + t, makesLayer(i));
                    state = execute(new StepContext(services, tdf, label, st, exported.contains(s.index())), state, i);
                }
            }
        } else if (state.config().config().containsKey("OnBuild")) {
            state = withConfig(
                    state,
                    state.config().toBuilder().configField("OnBuild", null).build());
        }
        int n = fromStep ? 1 : 0;
        ConfigInstructions config = configInstructions(df);
        ConfigInstructions.Draft draft = null; // a run of config instructions shares one copy of the config
        for (Instruction i : s.instructions()) {
            n++;
            int st = start("[" + label + " " + n + "/" + total + "] " + i.name() + " " + i.text(), makesLayer(i));
            if (ConfigInstructions.handles(i)) {
                if (draft == null) draft = config.draft(state);
                try {
                    draft.apply(i);
                } catch (DockerfileException e) {
                    failed(st, e.reason().lines().findFirst().orElse(e.reason()));
                    throw e;
                }
                progress.done(st);
                continue;
            }
            if (draft != null) {
                state = draft.state();
                draft = null;
            }
            state = execute(new StepContext(services, df, label, st, exported.contains(s.index())), state, i);
        }
        return draft != null ? draft.state() : state;
    }

    /**
     * A trigger may name (COPY --from, RUN --mount from=) only a stage defined before the one it runs in, as a
     * Dockerfile's own steps may: what it names is built on demand, and a later stage could need this one.
     */
    private void earlierStagesOnly(Dockerfile tdf, Instruction i, Stage s) {
        List<Word> refs = new ArrayList<>();
        if (i instanceof Instruction.Copy c && !c.add()) for (var f : c.flagsNamed("from")) refs.add(f.valueWord());
        if (i instanceof Instruction.Run) {
            for (var f : i.flagsNamed("mount")) {
                var m = Mounts.parse(tdf, f);
                if (m.from() != null) refs.add(m.from());
            }
        }
        for (Word w : refs) {
            Integer idx = stageIndex.get(w.text().toLowerCase(Locale.ROOT));
            if (idx == null && w.text().matches("\\d{1,9}")) idx = Integer.parseInt(w.text());
            if (idx != null && idx >= s.index()) {
                throw tdf.error(
                        w.pos(),
                        "cannot use stage \"" + w.text() + "\" in a trigger of stage \"" + label(s)
                                + "\": it needs to be defined before the stage");
            }
        }
    }

    ConfigInstructions configInstructions(Dockerfile d) {
        return new ConfigInstructions(d, lex, plan.globalArgs(), req.options().buildArgs(), true);
    }

    /** Brings the image's layers into the store; those an imported cache named are downloaded under a step of their own. */
    private void fetchLayers(State fin) {
        if (fin.diffIds().stream().noneMatch(store::isKnownOnly)) {
            store.verifyPendingLayers(fin.diffIds());
            return;
        }
        Map<Digest, Descriptor> blobs = new LinkedHashMap<>();
        for (State.Layer l : fin.layers()) blobs.putIfAbsent(l.diffId(), l.blob());
        int step = progress.start("fetching layers from cache");
        try {
            store.verifyPendingLayers(fin.diffIds(), new LayerFetchRows(progress, step, blobs));
        } catch (RuntimeException e) {
            progress.error(step, e.getMessage());
            throw e;
        }
        progress.done(step);
    }

    /** Starts a progress step, noting how a fully cached rebuild would show it. */
    private int start(String name, boolean cachedOnRebuild) {
        String stop = req.stop().reason();
        if (stop != null) throw new BuildException(stop);
        steps.add(new BuildMemo.Step(name, cachedOnRebuild));
        return progress.start(name);
    }

    /** Whether an instruction is a layer step (CACHED on a rebuild) rather than a change of config (DONE). */
    private static boolean makesLayer(Instruction i) {
        return i instanceof Instruction.Run || i instanceof Instruction.Copy || i instanceof Instruction.Workdir;
    }

    /** Called by a step whose result depends on something the memo cannot see change. */
    void notMemoizable() {
        memoizable = false;
    }

    private static String label(Stage s) {
        return s.name() != null ? s.name() : "stage-" + s.index();
    }

    private String fromText(BuildPlan.PlannedStage p) {
        return switch (p.base()) {
            case BuildPlan.Base.Scratch s -> "scratch";
            case BuildPlan.Base.StageRef r -> plan.allStages().get(r.index()).displayName();
            case BuildPlan.Base.Image i -> {
                try {
                    yield ImageRef.parse(i.reference()).toString();
                } catch (IllegalArgumentException e) {
                    yield i.reference();
                }
            }
        };
    }

    /**
     * BuildKit gives every stage a PATH when its base's config has none (dockerfile2llb: "make sure that PATH is
     * always set"): appended to the config's Env, and seen by the stage's instructions.
     */
    static State withDefaultPath(State s) {
        if (s.config().envMap().containsKey("PATH")) return s;
        List<String> env = new ArrayList<>(s.config().env());
        env.add(DEFAULT_PATH);
        ImageConfig c = s.config().toBuilder().configField("Env", env).build();
        return new State(
                c,
                s.layers(),
                s.scope().withEnv("PATH", DEFAULT_PATH.substring("PATH=".length())),
                s.cacheKey(),
                s.created(),
                s.cmdSet(),
                s.buildArgNames());
    }

    State scratch() {
        return scratch(req.options().targetPlatform());
    }

    /** An empty stage for {@code pl} (FROM --platform=… scratch, or the target's). */
    State scratch(Platform pl) {
        ImageConfig c = ImageConfig.builder(pl)
                .configField("Env", List.of(DEFAULT_PATH))
                .configField("WorkingDir", "/")
                .build();
        Instant t = req.sourceDateEpoch() != null ? Instant.ofEpochSecond(req.sourceDateEpoch()) : Instant.EPOCH;
        return new State(
                c, List.of(), Scope.empty(), CacheKeys.of(null, "scratch", pl.toString()), time(t), false, List.of());
    }

    /**
     * Binds libc's functions and libcrypto's on a background thread: a build's first mount otherwise waits ~30 ms for
     * the FFM binding, while the second core idles as the build plans its stages.
     */
    private static void prepareNativeInBackground() {
        Thread.ofPlatform().daemon().name("whittle-ffm-warmup").start(() -> {
            if (Posix.isRoot()) Posix.prepare();
            Digest.prepareNativeHashing();
        });
    }

    /**
     * The state of an image base as far as the store knows it now, without pulling (or a named context's image); null
     * when it is not there yet.
     */
    State storedImageState(String ref) {
        NamedContext named = req.namedContexts().get(ref);
        if (named != null && !(named instanceof NamedContext.Image)) return null;
        String name = named instanceof NamedContext.Image alias ? alias.reference() : ref;
        if (req.pull() == PullPolicy.ALWAYS) return null;
        try {
            if (new Images(store).find(name).isEmpty()) return null;
            return imageState(ref, null, req.options().targetPlatform());
        } catch (IOException | RuntimeException e) {
            return null; // the build itself says what is wrong with it
        }
    }

    /** The file tree a {@code --from} names when it is the build context (null, "context") or a named directory. */
    ContextTree contextTree(String ref) {
        if (ref == null || ref.equals("context")) return req.context();
        return req.namedContexts().get(ref) instanceof NamedContext.Directory d ? d.tree() : null;
    }

    /** The state of an image base (or a named context's image), which must be for the platform {@code want}. */
    State imageState(String ref, Word where, Platform want) throws IOException {
        StoredImage img = switch (req.namedContexts().get(ref)) {
            case null -> baseImage(ref, where, want);
            case NamedContext.Image alias -> baseImage(alias.reference(), where, want);
            case NamedContext.OciLayout layout -> layoutImage(ref, layout, where);
            case NamedContext.Directory d ->
                throw df.error(
                        where.pos(),
                        "FROM " + ref + ": the build context \"" + ref
                                + "\" is a directory; whittle takes it with COPY --from=" + ref
                                + " or RUN --mount=from=" + ref + " only");
        };
        Platform have = img.config().platform();
        if (!have.architecture().equals(want.architecture()) || !have.os().equals(want.os())) {
            throw df.error(where.pos(), "image \"" + ref + "\" is for " + have + ", but the build targets " + want);
        }
        List<Digest> diffIds = img.config().diffIds();
        List<State.Layer> layers = new ArrayList<>();
        for (int i = 0; i < diffIds.size(); i++)
            layers.add(new State.Layer(diffIds.get(i), img.manifest().layers().get(i)));
        Map<String, String> env = img.config().envMap();
        String created = img.config().createdText() != null ? img.config().createdText() : time(Instant.EPOCH);
        return new State(
                img.config(),
                layers,
                Scope.of(Map.of(), env),
                CacheKeys.of(null, "image", img.manifest().digest().toString()),
                created,
                false,
                List.of());
    }

    /** The image an {@code oci-layout://} context names, loaded into the store (once per build). */
    private StoredImage layoutImage(String name, NamedContext.OciLayout layout, Word where) throws IOException {
        try {
            return layouts.computeIfAbsent(name, k -> {
                try {
                    return new LayoutImport(store, req.options().targetPlatform())
                            .load(layout.dir(), layout.tag(), layout.digest());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException | IllegalArgumentException e) {
            String msg = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
            throw df.error(where.pos(), "build context \"" + name + "\" (oci-layout://" + layout.dir() + "): " + msg);
        }
    }

    private final Map<String, StoredImage> layouts = new ConcurrentHashMap<>();

    /** One pull per image per build, however many stages name it. */
    private final Map<String, CompletableFuture<StoredImage>> pulls = new ConcurrentHashMap<>();

    /** An image for FROM or --from: from the store, or pulled as the --pull policy says. */
    private StoredImage baseImage(String ref, Word where, Platform platform) throws IOException {
        ImageRef parsed;
        try {
            parsed = ImageRef.parse(ref);
        } catch (IllegalArgumentException e) {
            throw df.error(where.pos(), "invalid image reference \"" + ref + "\": " + e.getMessage());
        }
        StoredImage have = req.pull() == PullPolicy.ALWAYS
                ? null
                : BaseImages.find(new Images(store), ref, platform).orElse(null);
        if (have != null) {
            resolvedBases.put(
                    BuildMemo.baseKey(ref, platform),
                    have.manifestDescriptor().digest().toString());
            return have;
        }
        if (req.pull() == PullPolicy.NEVER || req.puller() == null) {
            throw df.error(
                    where.pos(),
                    "image \"" + ref + "\" is not in the store (" + store.root() + ")"
                            + (req.pull() == PullPolicy.NEVER ? " and --pull=never forbids pulling it" : "")
                            + ": pull it with whittle pull, load it with whittle load or import it with whittle import"
                            + laterStage(ref, where));
        }
        CompletableFuture<StoredImage> mine = new CompletableFuture<>();
        CompletableFuture<StoredImage> f = pulls.putIfAbsent(parsed + " " + platform, mine);
        if (f == null) {
            f = mine;
            int step = progress.start("[internal] pull " + parsed);
            try {
                mine.complete(req.puller().pull(parsed, platform, line -> progress.log(step, line)));
                progress.done(step);
            } catch (IOException | RuntimeException e) {
                progress.error(step, e.getMessage());
                mine.completeExceptionally(e);
            }
        }
        try {
            StoredImage pulled = f.join();
            resolvedBases.put(
                    BuildMemo.baseKey(ref, platform),
                    pulled.manifestDescriptor().digest().toString());
            return pulled;
        } catch (CompletionException e) {
            Throwable c = e.getCause();
            String msg = c.getMessage() == null ? c.toString() : c.getMessage();
            throw df.error(
                    where.pos(),
                    "image \"" + ref + "\" is not in the store and could not be pulled: " + msg
                            + laterStage(ref, where));
        }
    }

    /**
     * When an image reference is also a stage's name, why the stage was not taken: as in BuildKit, FROM names only
     * an earlier stage (so {@code FROM a AS b} / {@code FROM b AS a} starts from the image a, and cannot loop).
     */
    private String laterStage(String ref, Word where) {
        Integer idx = stageIndex.get(ref.toLowerCase(Locale.ROOT));
        if (idx == null) return "";
        int line = plan.allStages().get(idx).from().pos().line();
        return line == where.pos().line()
                ? "; note: \"" + ref + "\" is this stage's own name, and FROM names only earlier stages"
                : "; note: stage \"" + ref + "\" (line " + line + ") comes later, and FROM names only earlier stages";
    }

    static String time(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t.atOffset(ZoneOffset.UTC));
    }

    static State withConfig(State s, ImageConfig c) {
        return s.withConfig(c);
    }

    State execute(StepContext ctx, State s, Instruction i) throws IOException {
        State next;
        try {
            next = switch (i) {
                case Instruction.Run r -> new RunStep(ctx).run(s, r);
                case Instruction.Copy c -> new CopyStep(ctx).copy(s, c);
                case Instruction.Workdir w -> new CopyStep(ctx).workdir(s, w);
                default -> {
                    State m = configInstructions(ctx.df()).apply(s, i);
                    progress.done(ctx.step());
                    yield m;
                }
            };
        } catch (DockerfileException e) {
            failed(ctx.step(), e.reason().lines().findFirst().orElse(e.reason()));
            throw e;
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // whatever else went wrong is this step's error too, shown on its row and with its line of the Dockerfile
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            failed(ctx.step(), msg);
            DockerfileException located = ctx.error(i.pos(), msg);
            located.initCause(e);
            throw located;
        }
        Trace.mark("step " + ctx.step() + ": " + i.name());
        return next;
    }

    /** Marks a step failed, once (a step that said why already keeps its own words). */
    void failed(int step, String message) {
        failures.failed(step, message);
    }
}
