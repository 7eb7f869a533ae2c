package dev.whittle.build;

import dev.whittle.diag.Trace;
import dev.whittle.dockerfile.DockerIgnore;
import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.DockerfileException;
import dev.whittle.dockerfile.Flag;
import dev.whittle.dockerfile.Heredoc;
import dev.whittle.dockerfile.Instruction;
import dev.whittle.dockerfile.Planner;
import dev.whittle.dockerfile.Scope;
import dev.whittle.dockerfile.ShellLex;
import dev.whittle.dockerfile.Word;
import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageConfig;
import dev.whittle.io.Compression;
import dev.whittle.registry.HttpFailures;
import dev.whittle.rootfs.ContextTree;
import dev.whittle.rootfs.FileTree;
import dev.whittle.rootfs.Users;
import dev.whittle.store.LayerIngest;
import dev.whittle.store.LayerWriter;
import dev.whittle.tar.PathNames;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarReader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * COPY, ADD and WORKDIR: their layer is written directly from the source (context, another stage, an image, a
 * heredoc, a local archive) — no container, no overlay. Docker's path rules: a directory source copies its
 * contents, several sources need a destination ending in '/', an existing destination directory receives sources,
 * {@code --chown} names resolve in the stage's own /etc/passwd.
 */
final class CopyStep {
    private final StepContext ctx;
    private final StepServices b;

    CopyStep(StepContext ctx) {
        this.ctx = ctx;
        this.b = ctx.services();
    }

    /** BuildKit's rule for ADD --checksum: one source, fetched over HTTP(S) or from git (the checksum is of that). */
    private void checksumNeedsOneRemoteSource(Instruction.Copy c, List<String> sources) {
        Flag checksum = c.flag("checksum").orElse(null);
        if (checksum == null || checksum.value().isEmpty()) return;
        if (sources.size() != 1) throw ctx.error(checksum.pos(), "checksum can't be specified for multiple sources");
        String src = sources.getFirst();
        if (!src.startsWith("http://")
                && !src.startsWith("https://")
                && !src.startsWith("git@")
                && !src.contains(".git#")) {
            throw ctx.error(checksum.pos(), "checksum requires HTTP(S) or Git sources");
        }
    }

    /** One entry of the layer to write: metadata and where its content comes from. */
    private record Planned(TarEntry entry, FileTree tree, FileTree.Node source, byte[] data, String identity) {}

    private final TreeMap<String, Planned> plan = new TreeMap<>();

    State copy(State s, Instruction.Copy c) throws IOException {
        Scope scope = s.scope();
        String verb = c.add() ? "ADD" : "COPY";
        String fromRef =
                c.flag("from").map(f -> Planner.copyFrom(ctx.df(), b.lex(), f)).orElse(null);
        String chown = c.flag("chown").map(f -> expand(f.valueWord(), scope)).orElse(null);
        ChmodSpec chmod = c.flag("chmod")
                .map(f -> parseChmod(f, expand(f.valueWord(), scope)))
                .orElse(null);
        boolean parents = c.flag("parents")
                .map(f -> f.value() == null || f.value().equalsIgnoreCase("true"))
                .orElse(false);
        // ADD --unpack=false copies a local archive as it is (newer BuildKit; by default ADD unpacks it)
        boolean unpack = c.add()
                && c.flag("unpack")
                        .map(f -> f.value() == null || f.value().equalsIgnoreCase("true"))
                        .orElse(true);
        List<String> excludes = new ArrayList<>();
        for (Flag f : c.flagsNamed("exclude")) excludes.add(expand(f.valueWord(), scope));
        DockerIgnore exclude =
                excludes.isEmpty() ? DockerIgnore.none() : DockerIgnore.parse(String.join("\n", excludes), "--exclude");
        String destText = expand(c.dest(), scope);
        String workdir = s.config().workingDirOrRoot();
        boolean destIsDir = destText.endsWith("/") || destText.equals(".") || destText.isEmpty();
        String dest = PathNames.clampToRoot(destText.startsWith("/") ? destText : workdir + "/" + destText);

        // the cache is asked before the stage's file tree is read (which for an 800 MB base costs more than the rest
        // of a no-change rebuild): what COPY writes is decided by the parent step and the sources, so the key is too
        List<String> shown = new ArrayList<>();
        for (Word w : c.sources()) shown.add(expand(w, scope));
        checksumNeedsOneRemoteSource(c, shown);
        for (Heredoc h : c.heredocs()) shown.add("<<" + h.name());
        String shownHistory = verb + " " + String.join(" ", shown) + " " + destText;
        State.Origin shownOrigin = new State.Origin(
                c.name() + (fromRef != null ? " --from=" + fromRef : "") + " " + String.join(" ", shown) + " "
                        + destText,
                c.pos().line(),
                ctx.stage(),
                fromRef);
        Digest quick = sourceKey(
                s,
                c,
                verb,
                fromRef,
                parents,
                shownHistory,
                List.of(
                        chown == null ? "" : chown,
                        chmod == null ? "" : chmod.key(),
                        String.valueOf(parents),
                        String.join("\n", excludes),
                        c.flag("link").map(f -> String.valueOf(f.value())).orElse(""),
                        String.valueOf(unpack)));
        BuildCache.Entry early =
                quick == null || ctx.noCache() ? null : b.cache().get(quick);
        if (early != null) {
            State.Origin origin = fromRef != null
                            && b.sources().fromRef(fromRef, c.flag("from").get().valueWord()) == null
                    ? new State.Origin(shownOrigin.instruction(), shownOrigin.line(), shownOrigin.stage(), null)
                    : shownOrigin;
            return cached(s, quick, early, shownHistory + " # buildkit", origin);
        }

        try (StageTree target = b.stageTree(s.diffIds())) {
            Users.Id owner = chown == null ? null : chownIds(target, chown, c);
            FileTree source;
            State fromState = null;
            StageTree fromTree = null;
            if (fromRef != null) {
                fromState = b.sources().fromRef(fromRef, c.flag("from").get().valueWord());
                if (fromState != null) source = fromTree = b.stageTree(fromState.diffIds());
                else source = b.sources().contextTree(fromRef); // the build context, or a --build-context directory
            } else {
                source = b.sources().contextTree(null);
            }
            DestinationTree view = destination(target);
            How how = new How(owner, chmod, exclude, fromState == null);
            try {
                List<String> shownSources = new ArrayList<>();
                for (Word w : c.sources()) {
                    String src = expand(w, scope);
                    shownSources.add(src);
                    if (c.add() && (src.startsWith("http://") || src.startsWith("https://"))) {
                        addUrl(c, src, view, dest, destIsDir, how, scope);
                        continue;
                    }
                    if (src.startsWith("git@") || src.contains(".git#")) {
                        throw ctx.error(w.pos(), verb + " of git sources is not supported by whittle");
                    }
                    if (parents) {
                        Pivot pv = Pivot.of(src);
                        if (pv.required() != null && source.stat(pv.required(), true) == null)
                            throw notFound(w, verb, src, source, fromRef);
                        List<FileTree.Node> tops = new ArrayList<>();
                        matches(source, pv.from(), tops, new ArrayList<>());
                        for (FileTree.Node top : tops) copyParents(view, source, top, pv.pattern(), dest, how);
                        continue;
                    }
                    String rel = PathNames.clampToRoot(src);
                    List<FileTree.Node> matches = new ArrayList<>();
                    List<String> logical = new ArrayList<>();
                    if (!matches(source, rel, matches, logical)) throw notFound(w, verb, src, source, fromRef);
                    // each match is copied on its own, as BuildKit does: several sources (or wildcard matches) need
                    // no directory destination, a later one simply lands where an earlier one did
                    for (int k = 0; k < matches.size(); k++) {
                        FileTree.Node m = matches.get(k);
                        if (!m.isDir() && unpack && fromRef == null && isArchive(source, m)) {
                            extractArchive(source, m, view, dest, how);
                        } else {
                            copyMatch(view, source, m, PathNames.baseName(logical.get(k)), dest, destIsDir, how);
                        }
                    }
                }
                for (Heredoc h : c.heredocs()) {
                    String body = h.body();
                    if (h.expand()) body = expandHeredoc(body, scope);
                    byte[] data = body.getBytes(StandardCharsets.UTF_8);
                    String to = placeFile(view, h.name(), dest, destIsDir, owner);
                    long uid = owner == null ? 0 : owner.uid(), gid = owner == null ? 0 : owner.gid();
                    int mode = chmod != null ? chmod.apply(0644, false) : 0644;
                    planFile(
                            new Planned(
                                    new TarEntry(
                                            to, TarEntry.Type.FILE, mode, uid, gid, data.length, 0, "", 0, 0, null),
                                    null,
                                    null,
                                    data,
                                    "heredoc:" + Digest.sha256(data)),
                            view.lstat(to));
                    shownSources.add("<<" + h.name());
                }
                addParents(view, owner);
                String history = verb + " " + String.join(" ", shownSources) + " " + destText;
                Digest key = quick != null
                        ? quick
                        : CacheKeys.of(
                                s.cacheKey(),
                                verb,
                                history,
                                chown == null ? "" : chown,
                                chmod == null ? "" : chmod.key(),
                                contentKey());
                return layerStep(
                        s,
                        key,
                        history + " # buildkit",
                        new State.Origin(
                                c.name() + (fromRef != null ? " --from=" + fromRef : "") + " "
                                        + String.join(" ", shownSources) + " " + destText,
                                c.pos().line(),
                                ctx.stage(),
                                fromState == null ? null : fromRef));
            } catch (Refused e) {
                throw ctx.error(c.pos(), verb + " failed: " + e.getMessage());
            } finally {
                if (fromTree != null) fromTree.close();
            }
        }
    }

    State workdir(State s, Instruction.Workdir w) throws IOException {
        String p = expand(w.path(), s.scope());
        String cur = s.config().workingDirOrRoot();
        String abs = "/" + PathNames.clampToRoot(p.startsWith("/") ? p : cur + "/" + p);
        ImageConfig cfg = s.config().toBuilder().configField("WorkingDir", abs).build();
        State withWd = Builder.withConfig(s, cfg);
        String rel = PathNames.clampToRoot(abs);
        if (rel.isEmpty()) {
            // the root always exists: BuildKit makes no file operation for it, so no layer, only an empty history entry
            b.progress().done(ctx.step());
            ImageConfig h = cfg.toBuilder()
                    .addHistory(new ImageConfig.History(s.created(), "WORKDIR /", null, Builder.COMMENT, true))
                    .build();
            return Builder.withConfig(s, h);
        }
        Digest key = CacheKeys.of(s.cacheKey(), "WORKDIR", abs, s.config().user());
        State.Origin origin = new State.Origin("WORKDIR " + abs, w.pos().line(), ctx.stage(), null);
        BuildCache.Entry early = ctx.noCache() ? null : b.cache().get(key);
        if (early != null) return cached(withWd, key, early, "WORKDIR " + abs, origin);
        Trace.mark("WORKDIR: cache looked up");
        try (StageTree target = b.stageTree(s.diffIds())) {
            Trace.mark("WORKDIR: tree read");
            DestinationTree view = destination(target);
            // BuildKit's mkdir -p of the path with every link in it followed (WORKDIR /var/run/app makes /run/app)
            String real = view.resolve(rel, true);
            FileTree.Node existing = view.lstat(real);
            if (existing != null && !existing.isDir()) {
                throw ctx.error(w.path().pos(), "WORKDIR " + abs + " is not a directory in the image");
            }
            if (existing == null) {
                String user = s.config().user();
                Users.Id id = user.isEmpty() ? null : Users.resolve(target, user);
                try {
                    mkdirAll(view, real, id);
                } catch (Refused e) {
                    throw ctx.error(w.path().pos(), "WORKDIR " + abs + ": " + e.getMessage());
                }
                addParents(view, id);
            }
        }
        Trace.mark("WORKDIR: planned");
        State r = layerStep(withWd, key, "WORKDIR " + abs, origin);
        Trace.mark("WORKDIR: layer written");
        return r;
    }

    /**
     * The cache key of a COPY from what decides its result: the parent step, the instruction as shown, its flags,
     * and the sources — a context path's tree digest, another stage's (or image's) own key, a heredoc's text. Null
     * for ADD of a URL, or when a source does not exist (the full path words that error).
     */
    private Digest sourceKey(
            State s,
            Instruction.Copy c,
            String verb,
            String fromRef,
            boolean parents,
            String history,
            List<String> flags)
            throws IOException {
        StringBuilder id = new StringBuilder();
        State from = null;
        if (fromRef != null) {
            from = b.sources().fromRef(fromRef, c.flag("from").get().valueWord());
            if (from != null) id.append("from:").append(from.cacheKey()).append('\n');
        }
        ContextTree context = b.sources().contextTree(from != null ? null : fromRef);
        for (Word w : c.sources()) {
            String src = expand(w, s.scope());
            if (c.add() && (src.startsWith("http://") || src.startsWith("https://"))) return null;
            id.append("src:").append(src).append('\n');
            if (from != null) continue;
            String rel = PathNames.clampToRoot(src);
            if (parents) {
                // what a pattern picks below the pivot is not known here: the whole tree it picks from decides
                Pivot pv = Pivot.of(src);
                rel = pv.required() != null ? pv.required() : pv.from();
            }
            List<FileTree.Node> matches = new ArrayList<>();
            if (!matches(context, rel, matches, new ArrayList<>())) return null;
            for (FileTree.Node m : matches)
                id.append(m.path()).append('=').append(context.treeDigest(m)).append('\n');
        }
        for (Heredoc h : c.heredocs()) {
            String body = h.expand() ? expandHeredoc(h.body(), s.scope()) : h.body();
            id.append("heredoc:")
                    .append(h.name())
                    .append('=')
                    .append(Digest.sha256(body.getBytes(StandardCharsets.UTF_8)))
                    .append('\n');
        }
        List<String> parts = new ArrayList<>(List.of(verb, history));
        parts.addAll(flags);
        parts.add(Digest.sha256(id.toString().getBytes(StandardCharsets.UTF_8)).toString());
        return CacheKeys.of(s.cacheKey(), parts.toArray(String[]::new));
    }

    /** Writes (or takes from the cache) the layer and records it in config and history. */
    private State layerStep(State s, Digest key, String history, State.Origin origin) throws IOException {
        BuildCache.Entry hit = ctx.noCache() ? null : b.cache().get(key);
        if (hit != null) return cached(s, key, hit, history, origin);
        LayerIngest.Result r = write();
        String created = b.options().now();
        BuildCache.Entry made = new BuildCache.Entry(r.info().diffId(), r.descriptor(), created);
        b.cache().put(key, made);
        b.progress().done(ctx.step());
        return withLayer(s, key, made, history, origin);
    }

    private State cached(State s, Digest key, BuildCache.Entry hit, String history, State.Origin origin) {
        b.progress().cached(ctx.step());
        return withLayer(s, key, hit, history, origin);
    }

    private State withLayer(State s, Digest key, BuildCache.Entry e, String history, State.Origin origin) {
        Digest diffId = e.diffId();
        Descriptor blob = e.blob();
        String created = e.created();
        List<State.Layer> layers = new ArrayList<>(s.layers());
        layers.add(new State.Layer(diffId, blob, origin));
        ImageConfig cfg = s.config().toBuilder()
                .addLayer(diffId, new ImageConfig.History(created, history, null, Builder.COMMENT, false))
                .build();
        return new State(cfg, layers, s.scope(), key, created, s.cmdSet(), s.buildArgNames());
    }

    private LayerIngest.Result write() throws IOException {
        long clamp = b.options().sourceDateEpoch() == null ? -1 : b.options().sourceDateEpoch();
        try (LayerWriter w = new LayerWriter(b.store(), true)) {
            for (Planned p : plan.values()) {
                TarEntry e = p.entry();
                if (clamp >= 0 && e.mtime() > clamp) e = e.withMtime(clamp);
                w.entry(e);
                if (e.isFile()) {
                    if (p.data() != null) {
                        w.content(p.data());
                    } else {
                        try (InputStream in = p.tree().open(p.source())) {
                            w.content(in);
                        }
                    }
                }
            }
            return w.commit();
        }
    }

    /** A digest over every planned entry's metadata and content identity. */
    private String contentKey() {
        MessageDigest md = Digest.newSha256();
        for (Planned p : plan.values()) {
            TarEntry e = p.entry();
            String line = e.name() + "|" + e.type() + "|" + Integer.toOctalString(e.mode()) + "|" + e.uid() + ":"
                    + e.gid() + "|" + e.linkName() + "|" + p.identity() + "|"
                    + (e.isDir() && "newdir".equals(p.identity()) ? "" : e.mtime()) + "\n";
            md.update(line.getBytes(StandardCharsets.UTF_8));
        }
        return Digest.ofSha256(md.digest()).toString();
    }

    /** The stage's tree with this step's plan on top. */
    private DestinationTree destination(FileTree stage) {
        return new DestinationTree(stage, path -> {
            Planned p = plan.get(path);
            return p == null ? null : p.entry();
        });
    }

    /** How one COPY copies: the owner and mode it forces, the paths it leaves out, where its sources come from. */
    private record How(Users.Id owner, ChmodSpec chmod, DockerIgnore exclude, boolean fromContext) {}

    /** A copy BuildKit refuses (the message is BuildKit's, with the path inside the image). */
    private static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }

    /**
     * One source, as BuildKit's copy (tonistiigi/fsutil's {@code Copy}) places it: a file into a destination that is
     * (or, followed through links, leads to) a directory keeps its name, else it becomes the destination; a
     * directory's contents merge into the destination, which is created if missing.
     */
    private void copyMatch(
            DestinationTree view, FileTree src, FileTree.Node m, String name, String dest, boolean destIsDir, How how)
            throws IOException {
        if (!m.isDir()) {
            copyNode(view, src, m, placeFile(view, name, dest, destIsDir, how.owner()), false, false, "", how);
            return;
        }
        mkdirAll(view, view.resolve(destIsDir ? dest : PathNames.parent(dest), true), how.owner());
        String to = view.resolve(dest, true);
        if (view.lstat(to) == null) mkdirAll(view, to, how.owner());
        copyNode(view, src, m, to, false, false, "", how);
    }

    /**
     * Where a file source lands, its parent directories planned: the destination with every link followed, or the
     * directory it names plus the file's own name. A destination written with a trailing '/' is a directory.
     */
    private String placeFile(DestinationTree view, String name, String dest, boolean destIsDir, Users.Id owner)
            throws IOException {
        mkdirAll(view, view.resolve(destIsDir ? dest : PathNames.parent(dest), true), owner);
        String to = view.resolve(dest, true);
        FileTree.Node there = view.lstat(to);
        if (there != null && there.isDir()) to = PathNames.join(to, name);
        mkdirAll(view, PathNames.parent(to), owner);
        return to;
    }

    /**
     * fsutil's copy of one path: a file or link replaces what is there unless that is a directory; a directory is
     * created with the source's metadata, or merged into an existing one (below the top, taking the source's metadata
     * as BuildKit does), and never replaces a file or a link (BuildKit refuses that).
     */
    private void copyNode(
            DestinationTree view,
            FileTree src,
            FileTree.Node n,
            String to,
            boolean nested,
            boolean fresh,
            String rel,
            How how)
            throws IOException {
        // below a directory this step creates, the stage has nothing: only the plan needs asking (a big tree copies
        // without a lookup in the stage per file)
        FileTree.Node there = fresh ? view.planned(to) : view.lstat(to);
        if (!n.isDir()) {
            planFile(planned(src, n, to, how), there);
            return;
        }
        if (there != null && !there.isDir()) throw new Refused("cannot copy to non-directory: /" + to);
        Planned before = plan.get(to);
        boolean freshBelow = fresh || there == null || before != null && "newdir".equals(before.identity());
        if (there == null || nested) {
            plan.put(to, planned(src, n, to, how));
        } else if (!to.isEmpty() && !plan.containsKey(to)) {
            plan.put(to, existingDir(to, there));
        }
        for (String child : src.children(n.path())) {
            String childRel = PathNames.join(rel, child);
            if (how.exclude().excluded(childRel)) continue;
            FileTree.Node c = src.stat(PathNames.join(n.path(), child), false);
            if (c != null) copyNode(view, src, c, PathNames.join(to, child), true, freshBelow, childRel, how);
        }
    }

    /** Plans a file or link, which replaces anything but a directory ({@code there}: what is at its path now). */
    private void planFile(Planned p, FileTree.Node there) throws IOException {
        String to = p.entry().name();
        if (there != null && there.isDir()) throw new Refused("cannot replace to directory /" + to + " with file");
        plan.put(to, p);
    }

    /** fsutil's MkdirAll of a resolved path: missing directories are made 0755, owned by --chown's user. */
    private void mkdirAll(DestinationTree view, String path, Users.Id owner) throws IOException {
        if (path.isEmpty()) return;
        String acc = "";
        for (String part : path.split("/")) {
            acc = PathNames.join(acc, part);
            FileTree.Node n = view.lstat(acc);
            if (n == null) plan.put(acc, newDir(acc, owner));
            else if (!n.isDir()) throw new Refused("mkdir /" + acc + ": not a directory");
        }
    }

    private Planned newDir(String path, Users.Id owner) {
        return new Planned(
                new TarEntry(
                        path,
                        TarEntry.Type.DIR,
                        0755,
                        owner == null ? 0 : owner.uid(),
                        owner == null ? 0 : owner.gid(),
                        0,
                        nowSeconds(),
                        "",
                        0,
                        0,
                        null),
                null,
                null,
                null,
                "newdir");
    }

    private static Planned existingDir(String path, FileTree.Node n) {
        return new Planned(
                new TarEntry(path, TarEntry.Type.DIR, n.mode(), n.uid(), n.gid(), 0, n.mtime(), "", 0, 0, null),
                null,
                null,
                null,
                "dir");
    }

    private Planned planned(FileTree src, FileTree.Node n, String to, How how) throws IOException {
        Users.Id owner = how.owner();
        long uid = owner != null ? owner.uid() : how.fromContext() ? 0 : n.uid();
        long gid = owner != null ? owner.gid() : how.fromContext() ? 0 : n.gid();
        int mode = how.chmod() != null && n.type() != TarEntry.Type.SYMLINK
                ? how.chmod().apply(n.mode(), n.isDir())
                : n.mode();
        TarEntry e = switch (n.type()) {
            case DIR -> new TarEntry(to, TarEntry.Type.DIR, mode, uid, gid, 0, n.mtime(), "", 0, 0, null);
            case SYMLINK ->
                new TarEntry(to, TarEntry.Type.SYMLINK, 0777, uid, gid, 0, n.mtime(), n.linkTarget(), 0, 0, null);
            default -> new TarEntry(to, TarEntry.Type.FILE, mode, uid, gid, n.size(), n.mtime(), "", 0, 0, null);
        };
        String identity = n.identity();
        if (identity == null && n.type() == TarEntry.Type.FILE && src instanceof ContextTree ct)
            identity = ct.digest(n);
        return new Planned(e, src, n, null, identity == null ? n.type().name() : identity);
    }

    /**
     * The parents of everything planned, as the stage has them (a layer lists the directories its files are in).
     * Planned paths are resolved, so each parent is a directory of the stage or one this step makes.
     */
    private void addParents(DestinationTree view, Users.Id owner) throws IOException {
        for (String path : new ArrayList<>(plan.keySet())) {
            for (String p = PathNames.parent(path); !p.isEmpty() && !plan.containsKey(p); p = PathNames.parent(p)) {
                FileTree.Node n = view.lstat(p);
                if (n != null && !n.isDir())
                    throw new IllegalStateException(
                            "/" + path + " was planned below /" + p + ", which is not a directory");
                plan.put(p, n != null ? existingDir(p, n) : newDir(p, owner));
            }
        }
    }

    /** A source's paths: a wildcard's matches, else the path itself; false when a path without wildcards is absent. */
    private boolean matches(FileTree tree, String rel, List<FileTree.Node> out, List<String> logical)
            throws IOException {
        if (Glob.hasMeta(rel)) {
            glob(tree, rel, out, logical);
            return true;
        }
        FileTree.Node n = tree.stat(rel, true);
        if (n == null) return false;
        out.add(n);
        logical.add(rel);
        return true;
    }

    private DockerfileException notFound(Word w, String verb, String src, FileTree source, String fromRef) {
        return ctx.error(
                w.pos(),
                verb + " failed: \"" + src + "\" not found"
                        + (source instanceof ContextTree
                                ? " in the build context or excluded by .dockerignore"
                                : " in " + (fromRef == null ? "the source" : "\"" + fromRef + "\"")));
    }

    /**
     * A COPY --parents source as BuildKit splits it: up to a {@code /./} pivot (else the root) is where copying starts,
     * the rest a pattern (.dockerignore syntax: {@code *}, {@code **}) of the paths copied with their directories.
     * {@code required} is the path that must exist when neither part has a wildcard, else null.
     */
    private record Pivot(String from, String pattern, String required) {
        static Pivot of(String src) {
            int i = src.indexOf("/./");
            String from = PathNames.clampToRoot(i < 0 ? "/" : src.substring(0, i));
            String pattern = PathNames.clampToRoot(i < 0 ? src : src.substring(i + 3));
            boolean wild = Glob.hasMeta(from) || Glob.hasMeta(pattern);
            return new Pivot(from, pattern, wild ? null : PathNames.join(from, pattern));
        }
    }

    /** COPY --parents from one directory: what the pattern picks below it, with the directories on the way. */
    private void copyParents(
            DestinationTree view, FileTree src, FileTree.Node top, String pattern, String dest, How how)
            throws IOException {
        String to = view.resolve(dest, true);
        mkdirAll(view, to, how.owner());
        if (!top.isDir()) {
            copyMatch(view, src, top, PathNames.baseName(top.path()), dest, true, how);
            return;
        }
        copyPicked(view, src, top, to, "", DockerIgnore.parse(pattern, "--parents"), pattern, how);
    }

    /**
     * Copies what {@code pick} matches below a directory (everything below a match too); a directory on the way is
     * made, with the source's metadata as fsutil's lazy parent directories are, only when something below it is.
     */
    private boolean copyPicked(
            DestinationTree view,
            FileTree src,
            FileTree.Node dir,
            String to,
            String rel,
            DockerIgnore pick,
            String pattern,
            How how)
            throws IOException {
        boolean any = false;
        for (String child : src.children(dir.path())) {
            String childRel = PathNames.join(rel, child);
            if (how.exclude().excluded(childRel)) continue;
            FileTree.Node c = src.stat(PathNames.join(dir.path(), child), false);
            if (c == null) continue;
            String childTo = PathNames.join(to, child);
            if (pick.excluded(childRel)) {
                copyNode(view, src, c, childTo, true, false, childRel, how);
                any = true;
            } else if (c.isDir() && (Glob.hasMeta(pattern) || (pattern + "/").startsWith(childRel + "/"))) {
                FileTree.Node there = view.lstat(childTo);
                if (copyPicked(view, src, c, childTo, childRel, pick, pattern, how)) {
                    if (there != null && !there.isDir()) throw new Refused("cannot copy to non-directory: /" + childTo);
                    plan.put(childTo, planned(src, c, childTo, how));
                    any = true;
                }
            }
        }
        return any;
    }

    /**
     * A wildcard source's matches, as BuildKit finds them: the part before the first wildcard is resolved through
     * links, the rest is matched component by component while walking real directories (links are not descended,
     * though a link can be a match), in name order.
     */
    private void glob(FileTree tree, String rel, List<FileTree.Node> out, List<String> logical) throws IOException {
        List<String> parts = List.of(rel.split("/"));
        int first = 0;
        while (!Glob.hasMeta(parts.get(first))) first++;
        String prefix = String.join("/", parts.subList(0, first));
        FileTree.Node top = tree.stat(prefix, true);
        if (top == null || !top.isDir()) return;
        walk(tree, top.path(), prefix, parts, first, out, logical);
    }

    private void walk(
            FileTree tree,
            String dir,
            String shown,
            List<String> parts,
            int i,
            List<FileTree.Node> out,
            List<String> logical)
            throws IOException {
        Pattern p = Glob.compile(parts.get(i));
        boolean last = i == parts.size() - 1;
        for (String child : tree.children(dir)) {
            if (!p.matcher(child).matches()) continue;
            String path = PathNames.join(dir, child);
            if (last) {
                FileTree.Node n = tree.stat(path, true);
                if (n != null) {
                    out.add(n);
                    logical.add(PathNames.join(shown, child));
                }
            } else {
                FileTree.Node n = tree.stat(path, false);
                if (n != null && n.isDir())
                    walk(tree, n.path(), PathNames.join(shown, child), parts, i + 1, out, logical);
            }
        }
    }

    private Users.Id chownIds(FileTree target, String chown, Instruction.Copy c) {
        try {
            return Users.chown(target, chown);
        } catch (IOException e) {
            throw ctx.error(c.flag("chown").get().pos(), e.getMessage());
        }
    }

    private ChmodSpec parseChmod(Flag f, String v) {
        return checkChmod(ctx.df(), f, v);
    }

    /** A --chmod value (octal, or symbolic as BuildKit takes it), or BuildKit's error at the flag. */
    static ChmodSpec checkChmod(Dockerfile df, Flag f, String v) {
        try {
            return ChmodSpec.parse(v);
        } catch (IllegalArgumentException e) {
            throw df.error(f.pos(), e.getMessage());
        }
    }

    private String expand(Word w, Scope scope) {
        return ctx.expand(w, scope);
    }

    private String expandHeredoc(String body, Scope scope) {
        try {
            // variables only: quotes in a heredoc are its text, not shell quoting (BuildKit's SkipProcessQuotes)
            return new ShellLex('\\').skipProcessQuotes(true).processWord(body, scope.lookup());
        } catch (RuntimeException e) {
            return body;
        }
    }

    private long nowSeconds() {
        return b.options().sourceDateEpoch() != null
                ? b.options().sourceDateEpoch()
                : Instant.now().getEpochSecond();
    }

    // ------------------------------------------------------------------------------------------ ADD extras

    private boolean isArchive(FileTree src, FileTree.Node n) throws IOException {
        if (n.size() < 512 && n.size() < 4) return false;
        try (InputStream raw = new BufferedInputStream(src.open(n), 1 << 16)) {
            Compression.Kind k = Compression.detect(raw);
            InputStream in = Compression.decompress(raw, k);
            byte[] h = in.readNBytes(512);
            if (h.length < 512) return false;
            boolean ustar = h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r';
            if (ustar) return true;
            long stored = 0;
            for (int i = 148; i < 156 && h[i] != 0 && h[i] != ' '; i++) {
                if (h[i] < '0' || h[i] > '7') return false;
                stored = stored * 8 + (h[i] - '0');
            }
            long sum = 0;
            for (int i = 0; i < 512; i++) sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
            return stored == sum && stored != 8 * ' ';
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * ADD of a local archive, as docker unpacks it: into the destination (links followed, created if missing), each
     * entry's directory resolved as a process chrooted into the destination sees it (so {@code var/run/x} goes through
     * an image's {@code /var/run -> /run}), the entry itself replacing whatever is at its name (a directory entry
     * named like a link replaces the link), missing directories made on the way.
     */
    private void extractArchive(FileTree src, FileTree.Node n, DestinationTree view, String dest, How how)
            throws IOException {
        Users.Id owner = how.owner();
        String top = view.resolve(dest, true);
        mkdirAll(view, top, owner);
        try (InputStream in = Compression.decompress(new BufferedInputStream(src.open(n), 1 << 16))) {
            TarReader r = new TarReader(in);
            for (TarEntry e; (e = r.next()) != null; ) {
                if (e.name().isEmpty()) continue;
                String dir = view.resolveIn(top, e.parent(), true);
                mkdirAll(view, dir, owner);
                String to = PathNames.join(dir, e.baseName());
                TarEntry t = e.withName(to);
                if (owner != null) t = t.withOwner(owner.uid(), owner.gid());
                if (e.type() == TarEntry.Type.HARDLINK) {
                    String target = PathNames.join(
                            view.resolveIn(top, PathNames.parent(e.linkName()), true),
                            PathNames.baseName(e.linkName()));
                    t = new TarEntry(
                            to, TarEntry.Type.HARDLINK, e.mode(), t.uid(), t.gid(), 0, e.mtime(), target, 0, 0, null);
                }
                byte[] data = e.isFile() ? r.content().readAllBytes() : null;
                plan.put(
                        to,
                        new Planned(
                                t,
                                null,
                                null,
                                data,
                                data == null
                                        ? e.type().name()
                                        : Digest.sha256(data).toString()));
            }
        }
    }

    private void addUrl(
            Instruction.Copy c, String url, DestinationTree view, String dest, boolean destIsDir, How how, Scope scope)
            throws IOException {
        b.notMemoizable().run(); // what the server answers next time cannot be seen from here
        URI uri = URI.create(url);
        String name = PathNames.baseName(uri.getPath() == null ? "" : uri.getPath());
        if (name.isEmpty()) name = "index.html";
        try (HttpClient client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30))
                .build()) {
            HttpResponse<byte[]> resp =
                    client.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (resp.statusCode() / 100 != 2)
                throw ctx.error(c.pos(), "ADD failed: GET " + url + " returned HTTP " + resp.statusCode());
            byte[] data = resp.body();
            var checksum = c.flag("checksum");
            if (checksum.isPresent()) {
                String want = expand(checksum.get().valueWord(), scope);
                Digest got = Digest.sha256(data);
                if (!got.toString().equals(want)) {
                    throw ctx.error(
                            checksum.get().pos(),
                            "ADD failed: digest mismatch for " + url + ": expected " + want + ", got " + got);
                }
            }
            long mtime = resp.headers()
                    .firstValue("Last-Modified")
                    .map(v -> {
                        try {
                            return ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME)
                                    .toEpochSecond();
                        } catch (RuntimeException e) {
                            return 0L;
                        }
                    })
                    .orElse(0L);
            int mode = how.chmod() != null ? how.chmod().apply(0600, false) : 0600;
            Users.Id owner = how.owner();
            String to = placeFile(view, name, dest, destIsDir, owner);
            planFile(
                    new Planned(
                            new TarEntry(
                                    to,
                                    TarEntry.Type.FILE,
                                    mode,
                                    owner == null ? 0 : owner.uid(),
                                    owner == null ? 0 : owner.gid(),
                                    data.length,
                                    mtime,
                                    "",
                                    0,
                                    0,
                                    null),
                            null,
                            null,
                            data,
                            Digest.sha256(data).toString()),
                    view.lstat(to));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while downloading " + url);
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            throw ctx.error(c.pos(), "ADD failed: cannot download " + url + ": " + downloadFailure(e, uri));
        }
    }

    /** What went wrong with a download and what to do, in one line (the JDK's own message is often null). */
    private static String downloadFailure(IOException e, URI uri) {
        String what = HttpFailures.describe(e, "the server");
        if (e instanceof ConnectException && what.equals("connection refused")) {
            int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
            what += ": nothing accepts connections on " + uri.getHost() + ":" + port;
        }
        return what + "; check the URL and that the server is up and reachable from this machine";
    }
}
