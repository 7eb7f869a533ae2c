package dev.whittle.build;

import dev.whittle.diag.Trace;
import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.Flag;
import dev.whittle.dockerfile.Heredoc;
import dev.whittle.dockerfile.Instruction;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageConfig;
import dev.whittle.rootfs.FileTree;
import dev.whittle.rootfs.Users;
import dev.whittle.store.LayerIngest;
import dev.whittle.tar.PathNames;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * COPY, ADD and WORKDIR: their layer is written directly from the source (context, another stage, an image, a
 * heredoc, a local archive, a URL) — no container, no overlay. The step asks the cache first ({@link CopyCacheKey}),
 * then resolves its sources ({@link CopySources}), places them in the stage ({@link CopyPlanner}: docker's path
 * rules, {@code --chown} names resolved in the stage's own /etc/passwd) and writes the plan ({@link CopyLayer}).
 */
final class CopyStep {
    private final StepContext ctx;
    private final StepServices services;

    CopyStep(StepContext ctx) {
        this.ctx = ctx;
        this.services = ctx.services();
    }

    State copy(State s, Instruction.Copy c) throws IOException {
        CopyFlags flags = CopyFlags.parse(ctx, s, c);
        String verb = flags.verb();
        String fromRef = flags.fromRef();
        List<String> shown = flags.shown(c.heredocs());
        String history = verb + " " + String.join(" ", shown) + " " + flags.destText();
        State from = fromRef == null
                ? null
                : services.sources().fromRef(fromRef, c.flag("from").get().valueWord());
        State.Origin origin = new State.Origin(
                c.name() + (fromRef != null ? " --from=" + fromRef : "") + " " + String.join(" ", shown) + " "
                        + flags.destText(),
                c.pos().line(),
                ctx.stage(),
                from == null ? null : fromRef);

        // the cache is asked before the stage's file tree is read: what COPY writes is decided by the parent step and
        // the sources, so the key is too
        Digest quick = quickKey(s, c, flags, history, from);
        BuildCache.Entry early =
                quick == null || ctx.noCache() ? null : services.cache().get(quick);
        if (early != null) return cached(s, quick, early, history + " # buildkit", origin);

        try (StageTree target = services.stageTree(s.diffIds())) {
            Users.Id owner = flags.chown() == null ? null : chownIds(target, flags.chown(), c);
            StageTree fromTree = from == null ? null : services.stageTree(from.diffIds());
            // the build context, or a --build-context directory, when --from names no stage or image
            FileTree source = fromTree != null ? fromTree : services.sources().contextTree(fromRef);
            try {
                var how = new CopyPlanner.How(owner, flags.chmod(), flags.exclude(), from == null);
                CopyPlan plan = plan(s, c, flags, target, source, how);
                Digest key = quick != null
                        ? quick
                        : CopyCacheKey.ofPlan(
                                s.cacheKey(),
                                verb,
                                history,
                                flags.chown() == null ? "" : flags.chown(),
                                flags.chmod() == null ? "" : flags.chmod().key(),
                                plan);
                return layerStep(s, key, plan, history + " # buildkit", origin);
            } catch (CopyPlanner.Refused e) {
                throw ctx.error(c.pos(), verb + " failed: " + e.getMessage());
            } finally {
                if (fromTree != null) fromTree.close();
            }
        }
    }

    /** The cache key from the sources, before the stage is read; null when only the plan can decide it. */
    private Digest quickKey(State s, Instruction.Copy c, CopyFlags flags, String history, State from)
            throws IOException {
        List<String> keyParts = new ArrayList<>(List.of(flags.verb(), history));
        keyParts.addAll(flags.keyParts());
        List<Map.Entry<String, String>> heredocs = new ArrayList<>();
        for (Heredoc h : c.heredocs()) heredocs.add(Map.entry(h.name(), CopySources.heredocText(h, s.scope())));
        return CopyCacheKey.ofSources(
                s.cacheKey(),
                keyParts,
                from == null ? null : from.cacheKey(),
                from == null ? services.sources().contextTree(flags.fromRef()) : null,
                flags.sources(),
                c.add(),
                flags.parents(),
                heredocs);
    }

    /** Each source resolved and placed in the stage, in order, heredocs last. */
    private CopyPlan plan(
            State s, Instruction.Copy c, CopyFlags flags, FileTree target, FileTree source, CopyPlanner.How how)
            throws IOException {
        CopyPlanner planner = new CopyPlanner(target, services.options()::nowSeconds);
        CopySources sources = new CopySources(ctx, c, flags, s.scope(), source);
        for (int k = 0; k < c.sources().size(); k++) {
            CopySource src = sources.resolve(c.sources().get(k), flags.sources().get(k));
            planner.add(src, flags.dest(), flags.destIsDir(), how);
        }
        for (Heredoc h : c.heredocs()) planner.add(sources.heredoc(h), flags.dest(), flags.destIsDir(), how);
        planner.addParents(how.owner());
        return planner.plan();
    }

    State workdir(State s, Instruction.Workdir w) throws IOException {
        String p = ctx.expand(w.path(), s.scope());
        String cur = s.config().workingDirOrRoot();
        String abs = "/" + PathNames.clampToRoot(p.startsWith("/") ? p : cur + "/" + p);
        ImageConfig cfg = s.config().toBuilder().configField("WorkingDir", abs).build();
        State withWd = s.withConfig(cfg);
        String rel = PathNames.clampToRoot(abs);
        if (rel.isEmpty()) {
            // the root always exists: BuildKit makes no file operation for it, so no layer, only an empty history entry
            services.progress().done(ctx.step());
            ImageConfig h = cfg.toBuilder()
                    .addHistory(new ImageConfig.History(s.created(), "WORKDIR /", null, State.HISTORY_COMMENT, true))
                    .build();
            return s.withConfig(h);
        }
        Digest key = CacheKeys.of(s.cacheKey(), "WORKDIR", abs, s.config().user());
        State.Origin origin = new State.Origin("WORKDIR " + abs, w.pos().line(), ctx.stage(), null);
        BuildCache.Entry early = ctx.noCache() ? null : services.cache().get(key);
        if (early != null) return cached(withWd, key, early, "WORKDIR " + abs, origin);
        Trace.mark("WORKDIR: cache looked up");
        CopyPlan plan;
        try (StageTree target = services.stageTree(s.diffIds())) {
            Trace.mark("WORKDIR: tree read");
            CopyPlanner planner = new CopyPlanner(target, services.options()::nowSeconds);
            // BuildKit's mkdir -p of the path with every link in it followed (WORKDIR /var/run/app makes /run/app)
            String real = planner.resolve(rel, true);
            FileTree.Node existing = planner.lstat(real);
            if (existing != null && !existing.isDir()) {
                throw ctx.error(w.path().pos(), "WORKDIR " + abs + " is not a directory in the image");
            }
            if (existing == null) {
                String user = s.config().user();
                Users.Id id = user.isEmpty() ? null : Users.resolve(target, user);
                try {
                    planner.mkdirAll(real, id);
                } catch (CopyPlanner.Refused e) {
                    throw ctx.error(w.path().pos(), "WORKDIR " + abs + ": " + e.getMessage());
                }
                planner.addParents(id);
            }
            plan = planner.plan();
        }
        Trace.mark("WORKDIR: planned");
        State r = layerStep(withWd, key, plan, "WORKDIR " + abs, origin);
        Trace.mark("WORKDIR: layer written");
        return r;
    }

    /** Writes (or takes from the cache) the layer and records it in config and history. */
    private State layerStep(State s, Digest key, CopyPlan plan, String history, State.Origin origin)
            throws IOException {
        BuildCache.Entry hit = ctx.noCache() ? null : services.cache().get(key);
        if (hit != null) return cached(s, key, hit, history, origin);
        LayerIngest.Result r =
                CopyLayer.write(services.store(), plan, services.options().clamp());
        String created = services.options().now();
        BuildCache.Entry made = new BuildCache.Entry(r.info().diffId(), r.descriptor(), created);
        services.cache().put(key, made);
        services.progress().done(ctx.step());
        return s.withLayer(key, made.diffId(), made.blob(), created, history, origin);
    }

    private State cached(State s, Digest key, BuildCache.Entry hit, String history, State.Origin origin) {
        services.progress().cached(ctx.step());
        return s.withLayer(key, hit.diffId(), hit.blob(), hit.created(), history, origin);
    }

    private Users.Id chownIds(FileTree target, String chown, Instruction.Copy c) {
        try {
            return Users.chown(target, chown);
        } catch (IOException e) {
            throw ctx.error(c.flag("chown").get().pos(), e.getMessage());
        }
    }

    /** A --chmod value (octal, or symbolic as BuildKit takes it), or BuildKit's error at the flag. */
    static ChmodSpec checkChmod(Dockerfile df, Flag f, String v) {
        try {
            return ChmodSpec.parse(v);
        } catch (IllegalArgumentException e) {
            throw df.error(f.pos(), e.getMessage());
        }
    }
}
