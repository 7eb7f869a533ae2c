package dev.whittle.build;

import dev.whittle.rootfs.Users;
import dev.whittle.rootfs.ContextTree;
import dev.whittle.diag.Trace;
import dev.whittle.rootfs.FileTree;
import dev.whittle.dockerfile.DockerIgnore;
import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.Flag;
import dev.whittle.dockerfile.Heredoc;
import dev.whittle.dockerfile.Instruction;
import dev.whittle.dockerfile.Scope;
import dev.whittle.dockerfile.Word;
import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageConfig;
import dev.whittle.io.Compression;
import dev.whittle.registry.HttpFailures;
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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
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
    private final Builder.StepContext ctx;
    private final Builder b;

    CopyStep(Builder.StepContext ctx) {
        this.ctx = ctx;
        this.b = ctx.b();
    }

    /** BuildKit's rule for ADD --checksum: one source, fetched over HTTP(S) or from git (the checksum is of that). */
    private void checksumNeedsOneRemoteSource(Instruction.Copy c, List<String> sources) {
        Flag checksum = c.flag("checksum").orElse(null);
        if (checksum == null || checksum.value().isEmpty()) return;
        if (sources.size() != 1) throw ctx.error(checksum.pos(), "checksum can't be specified for multiple sources");
        String src = sources.getFirst();
        if (!src.startsWith("http://") && !src.startsWith("https://") && !src.startsWith("git@") && !src.contains(".git#")) {
            throw ctx.error(checksum.pos(), "checksum requires HTTP(S) or Git sources");
        }
    }

    /** One entry of the layer to write: metadata and where its content comes from. */
    private record Planned(TarEntry entry, FileTree tree, FileTree.Node source, byte[] data, String identity) {}

    private final TreeMap<String, Planned> plan = new TreeMap<>();

    State copy(State s, Instruction.Copy c) throws IOException {
        Scope scope = s.scope();
        String verb = c.add() ? "ADD" : "COPY";
        String fromRef = c.flag("from").map(f -> expand(f.valueWord(), scope)).orElse(null);
        String chown = c.flag("chown").map(f -> expand(f.valueWord(), scope)).orElse(null);
        Integer chmod = c.flag("chmod").map(f -> parseChmod(f, expand(f.valueWord(), scope))).orElse(null);
        boolean parents = c.flag("parents").map(f -> f.value() == null || f.value().equalsIgnoreCase("true")).orElse(false);
        List<String> excludes = new ArrayList<>();
        for (Flag f : c.flagsNamed("exclude")) excludes.add(expand(f.valueWord(), scope));
        DockerIgnore exclude = excludes.isEmpty() ? DockerIgnore.none() : DockerIgnore.parse(String.join("\n", excludes), "--exclude");
        String destText = expand(c.dest(), scope);
        String workdir = s.config().workingDir().isEmpty() ? "/" : s.config().workingDir();
        boolean destIsDir = destText.endsWith("/") || destText.equals(".") || destText.isEmpty();
        String dest = PathNames.clampToRoot(destText.startsWith("/") ? destText : workdir + "/" + destText);

        // the cache is asked before the stage's file tree is read (which for an 800 MB base costs more than the rest
        // of a no-change rebuild): what COPY writes is decided by the parent step and the sources, so the key is too
        List<String> shown = new ArrayList<>();
        for (Word w : c.sources()) shown.add(expand(w, scope));
        checksumNeedsOneRemoteSource(c, shown);
        for (Heredoc h : c.heredocs()) shown.add("<<" + h.name());
        String shownHistory = verb + " " + String.join(" ", shown) + " " + destText;
        State.Origin shownOrigin = new State.Origin(c.name() + (fromRef != null ? " --from=" + fromRef : "") + " "
                + String.join(" ", shown) + " " + destText, c.pos().line(), ctx.stage(), fromRef);
        Digest quick = sourceKey(s, c, verb, fromRef, shownHistory, List.of(chown == null ? "" : chown,
                chmod == null ? "" : Integer.toOctalString(chmod), String.valueOf(parents), String.join("\n", excludes),
                c.flag("link").map(f -> String.valueOf(f.value())).orElse("")));
        BuildCache.Entry early = quick == null || ctx.noCache() ? null : b.cache.get(quick);
        if (early != null) {
            State.Origin origin = fromRef != null && b.fromRef(fromRef, c.flag("from").get().valueWord()) == null
                    ? new State.Origin(shownOrigin.instruction(), shownOrigin.line(), shownOrigin.stage(), null) : shownOrigin;
            return cached(s, quick, early, shownHistory + " # buildkit", origin);
        }

        try (StageTree target = StageTree.of(b, s.diffIds())) {
            Users.Id owner = chown == null ? null : chownIds(target, chown, c);
            FileTree source;
            State fromState = null;
            StageTree fromTree = null;
            if (fromRef != null) {
                fromState = b.fromRef(fromRef, c.flag("from").get().valueWord());
                if (fromState != null) source = fromTree = StageTree.of(b, fromState.diffIds());
                else source = b.contextTree(fromRef); // the build context, or a --build-context directory
            } else {
                source = b.req.context();
            }
            try {
                int count = c.sources().size() + c.heredocs().size();
                boolean anyWildcard = false;
                List<String> shownSources = new ArrayList<>();
                for (Word w : c.sources()) {
                    String src = expand(w, scope);
                    shownSources.add(src);
                    if (c.add() && (src.startsWith("http://") || src.startsWith("https://"))) {
                        addUrl(c, src, dest, destIsDir, owner, chmod, scope);
                        continue;
                    }
                    if (src.startsWith("git@") || src.contains(".git#")) {
                        throw ctx.error(w.pos(), verb + " of git sources is not supported by whittle");
                    }
                    String rel = PathNames.clampToRoot(src);
                    List<FileTree.Node> matches = new ArrayList<>();
                    List<String> logical = new ArrayList<>();
                    if (Glob.hasMeta(rel)) {
                        anyWildcard = true;
                        glob(source, "", List.of(rel.split("/")), 0, matches, logical);
                    } else {
                        FileTree.Node n = source.stat(rel, true);
                        if (n == null) {
                            throw ctx.error(w.pos(), verb + " failed: \"" + src + "\" not found" + (source instanceof ContextTree
                                    ? " in the build context or excluded by .dockerignore" : " in " + (fromRef == null ? "the source" : "\"" + fromRef + "\"")));
                        }
                        matches.add(n);
                        logical.add(rel);
                    }
                    for (int k = 0; k < matches.size(); k++) {
                        FileTree.Node m = matches.get(k);
                        String lpath = logical.get(k);
                        boolean toDir = destIsDir || count > 1 || anyWildcard || isDir(target, dest);
                        if ((count > 1 || anyWildcard) && !destIsDir && !isDir(target, dest)) {
                            throw ctx.error(c.dest().pos(), "When using " + verb + " with more than one source file, the destination must be a directory and end with a /");
                        }
                        String base = parents ? PathNames.join(dest, lpath) : dest;
                        if (m.isDir()) {
                            String top = parents ? base : dest;
                            // the directory itself is not copied, only its contents: the destination keeps its own
                            // metadata, or is created 0755 as BuildKit does
                            if (!top.isEmpty() && !plan.containsKey(top)) {
                                FileTree.Node existing = target.stat(top, true);
                                plan.put(top, existing != null && existing.isDir()
                                        ? new Planned(new TarEntry(top, TarEntry.Type.DIR, existing.mode(), existing.uid(), existing.gid(), 0,
                                                existing.mtime(), "", 0, 0, null), null, null, null, "dir")
                                        : new Planned(new TarEntry(top, TarEntry.Type.DIR, 0755, owner == null ? 0 : owner.uid(),
                                                owner == null ? 0 : owner.gid(), 0, nowSeconds(), "", 0, 0, null), null, null, null, "newdir"));
                            }
                            addTree(source, m, top, owner, chmod, exclude, "", fromState == null, false);
                        } else if (c.add() && fromRef == null && isArchive(source, m)) {
                            extractArchive(source, m, dest, owner);
                        } else {
                            String to = parents ? base : toDir ? PathNames.join(dest, PathNames.baseName(lpath)) : dest;
                            addFile(source, m, to, owner, chmod, fromState == null);
                        }
                    }
                }
                for (Heredoc h : c.heredocs()) {
                    String body = h.body();
                    if (h.expand()) body = expandHeredoc(body, scope);
                    String to = destIsDir || c.heredocs().size() > 1 ? PathNames.join(dest, h.name()) : dest;
                    byte[] data = body.getBytes(StandardCharsets.UTF_8);
                    long uid = owner == null ? 0 : owner.uid(), gid = owner == null ? 0 : owner.gid();
                    int mode = chmod != null ? chmod : 0644;
                    plan.put(to, new Planned(new TarEntry(to, TarEntry.Type.FILE, mode, uid, gid, data.length, 0, "", 0, 0, null),
                            null, null, data, "heredoc:" + Digest.sha256(data)));
                    shownSources.add("<<" + h.name());
                }
                addParents(target, owner);
                String history = verb + " " + String.join(" ", shownSources) + " " + destText;
                Digest key = quick != null ? quick : CacheKeys.of(s.cacheKey(), verb, history, chown == null ? "" : chown,
                        chmod == null ? "" : Integer.toOctalString(chmod), contentKey());
                return layerStep(s, key, history + " # buildkit", new State.Origin(c.name() + (fromRef != null ? " --from=" + fromRef : "") + " "
                        + String.join(" ", shownSources) + " " + destText, c.pos().line(), ctx.stage(), fromState == null ? null : fromRef));
            } finally {
                if (fromTree != null) fromTree.close();
            }
        }
    }

    State workdir(State s, Instruction.Workdir w) throws IOException {
        String p = expand(w.path(), s.scope());
        String cur = s.config().workingDir().isEmpty() ? "/" : s.config().workingDir();
        String abs = "/" + PathNames.clampToRoot(p.startsWith("/") ? p : cur + "/" + p);
        ImageConfig cfg = s.config().toBuilder().configField("WorkingDir", abs).build();
        State withWd = Builder.withConfig(s, cfg);
        String rel = PathNames.clampToRoot(abs);
        Digest key = CacheKeys.of(s.cacheKey(), "WORKDIR", abs, s.config().user());
        State.Origin origin = new State.Origin("WORKDIR " + abs, w.pos().line(), ctx.stage(), null);
        BuildCache.Entry early = ctx.noCache() ? null : b.cache.get(key);
        if (early != null) return cached(withWd, key, early, "WORKDIR " + abs, origin);
        Trace.mark("WORKDIR: cache looked up");
        try (StageTree target = StageTree.of(b, s.diffIds())) {
            Trace.mark("WORKDIR: tree read");
            FileTree.Node existing = rel.isEmpty() ? null : target.stat(rel, true);
            if (existing != null && !existing.isDir()) {
                throw ctx.error(w.path().pos(), "WORKDIR " + abs + " is not a directory in the image");
            }
            if (existing == null && !rel.isEmpty()) {
                String user = s.config().user();
                Users.Id id = user.isEmpty() ? null : Users.resolve(target, user);
                long now = nowSeconds();
                String acc = "";
                for (String part : rel.split("/")) {
                    acc = PathNames.join(acc, part);
                    FileTree.Node n = target.stat(acc, true);
                    if (n != null) {
                        plan.put(acc, new Planned(new TarEntry(acc, TarEntry.Type.DIR, n.mode(), n.uid(), n.gid(), 0, n.mtime(), "", 0, 0, null),
                                null, null, null, "dir"));
                    } else {
                        plan.put(acc, new Planned(new TarEntry(acc, TarEntry.Type.DIR, 0755, id == null ? 0 : id.uid(), id == null ? 0 : id.gid(),
                                0, now, "", 0, 0, null), null, null, null, "newdir"));
                    }
                }
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
    private Digest sourceKey(State s, Instruction.Copy c, String verb, String fromRef, String history, List<String> flags) throws IOException {
        StringBuilder id = new StringBuilder();
        State from = null;
        if (fromRef != null) {
            from = b.fromRef(fromRef, c.flag("from").get().valueWord());
            if (from != null) id.append("from:").append(from.cacheKey()).append('\n');
        }
        ContextTree context = b.contextTree(from != null ? null : fromRef);
        for (Word w : c.sources()) {
            String src = expand(w, s.scope());
            if (c.add() && (src.startsWith("http://") || src.startsWith("https://"))) return null;
            id.append("src:").append(src).append('\n');
            if (from != null) continue;
            String rel = PathNames.clampToRoot(src);
            List<FileTree.Node> matches = new ArrayList<>();
            List<String> logical = new ArrayList<>();
            if (Glob.hasMeta(rel)) {
                glob(context, "", List.of(rel.split("/")), 0, matches, logical);
            } else {
                FileTree.Node n = context.stat(rel, true);
                if (n == null) return null;
                matches.add(n);
            }
            for (FileTree.Node m : matches) id.append(m.path()).append('=').append(context.treeDigest(m)).append('\n');
        }
        for (Heredoc h : c.heredocs()) {
            String body = h.expand() ? expandHeredoc(h.body(), s.scope()) : h.body();
            id.append("heredoc:").append(h.name()).append('=').append(Digest.sha256(body.getBytes(StandardCharsets.UTF_8))).append('\n');
        }
        List<String> parts = new ArrayList<>(List.of(verb, history));
        parts.addAll(flags);
        parts.add(Digest.sha256(id.toString().getBytes(StandardCharsets.UTF_8)).toString());
        return CacheKeys.of(s.cacheKey(), parts.toArray(String[]::new));
    }

    /** Writes (or takes from the cache) the layer and records it in config and history. */
    private State layerStep(State s, Digest key, String history, State.Origin origin) throws IOException {
        BuildCache.Entry hit = ctx.noCache() ? null : b.cache.get(key);
        if (hit != null) return cached(s, key, hit, history, origin);
        LayerIngest.Result r = write();
        String created = b.now();
        BuildCache.Entry made = new BuildCache.Entry(r.info().diffId(), r.descriptor(), created);
        b.cache.put(key, made);
        b.progress.done(ctx.step());
        return withLayer(s, key, made, history, origin);
    }

    private State cached(State s, Digest key, BuildCache.Entry hit, String history, State.Origin origin) {
        b.progress.cached(ctx.step());
        return withLayer(s, key, hit, history, origin);
    }

    private State withLayer(State s, Digest key, BuildCache.Entry e, String history, State.Origin origin) {
        Digest diffId = e.diffId();
        Descriptor blob = e.blob();
        String created = e.created();
        List<State.Layer> layers = new ArrayList<>(s.layers());
        layers.add(new State.Layer(diffId, blob, origin));
        ImageConfig cfg = s.config().toBuilder().addLayer(diffId, new ImageConfig.History(created, history, null, Builder.COMMENT, false)).build();
        return new State(cfg, layers, s.scope(), key, created, s.cmdSet(), s.buildArgNames());
    }

    private LayerIngest.Result write() throws IOException {
        long clamp = b.req.sourceDateEpoch() == null ? -1 : b.req.sourceDateEpoch();
        try (LayerWriter w = new LayerWriter(b.store, true)) {
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
            String line = e.name() + "|" + e.type() + "|" + Integer.toOctalString(e.mode()) + "|" + e.uid() + ":" + e.gid() + "|"
                    + e.linkName() + "|" + p.identity() + "|" + (e.isDir() && "newdir".equals(p.identity()) ? "" : e.mtime()) + "\n";
            md.update(line.getBytes(StandardCharsets.UTF_8));
        }
        return Digest.ofSha256(md.digest()).toString();
    }

    private void addTree(FileTree src, FileTree.Node dir, String to, Users.Id owner, Integer chmod, DockerIgnore exclude, String rel,
                         boolean fromContext, boolean withSelf) throws IOException {
        if (withSelf && !to.isEmpty()) plan.put(to, planned(src, dir, to, owner, chmod, fromContext));
        for (String child : src.children(dir.path())) {
            String childRel = PathNames.join(rel, child);
            if (exclude.excluded(childRel)) continue;
            FileTree.Node n = src.stat(PathNames.join(dir.path(), child), false);
            if (n == null) continue;
            String childTo = PathNames.join(to, child);
            if (n.isDir()) addTree(src, n, childTo, owner, chmod, exclude, childRel, fromContext, true);
            else plan.put(childTo, planned(src, n, childTo, owner, chmod, fromContext));
        }
    }

    private void addFile(FileTree src, FileTree.Node n, String to, Users.Id owner, Integer chmod, boolean fromContext) throws IOException {
        plan.put(to, planned(src, n, to, owner, chmod, fromContext));
    }

    private Planned planned(FileTree src, FileTree.Node n, String to, Users.Id owner, Integer chmod, boolean fromContext) throws IOException {
        long uid = owner != null ? owner.uid() : fromContext ? 0 : n.uid();
        long gid = owner != null ? owner.gid() : fromContext ? 0 : n.gid();
        int mode = chmod != null && n.type() != TarEntry.Type.SYMLINK ? chmod : n.mode();
        TarEntry e = switch (n.type()) {
            case DIR -> new TarEntry(to, TarEntry.Type.DIR, mode, uid, gid, 0, n.mtime(), "", 0, 0, null);
            case SYMLINK -> new TarEntry(to, TarEntry.Type.SYMLINK, 0777, uid, gid, 0, n.mtime(), n.linkTarget(), 0, 0, null);
            default -> new TarEntry(to, TarEntry.Type.FILE, mode, uid, gid, n.size(), n.mtime(), "", 0, 0, null);
        };
        String identity = n.identity();
        if (identity == null && n.type() == TarEntry.Type.FILE && src instanceof ContextTree ct) identity = ct.digest(n);
        return new Planned(e, src, n, null, identity == null ? n.type().name() : identity);
    }

    /** Parents of everything planned: existing ones as they are in the stage, missing ones created 0755. */
    private void addParents(FileTree target, Users.Id owner) throws IOException {
        long now = nowSeconds();
        for (String path : new ArrayList<>(plan.keySet())) {
            for (String p = PathNames.parent(path); !p.isEmpty(); p = PathNames.parent(p)) {
                if (plan.containsKey(p)) continue;
                FileTree.Node n = target.stat(p, true);
                TarEntry e = n != null && n.isDir()
                        ? new TarEntry(p, TarEntry.Type.DIR, n.mode(), n.uid(), n.gid(), 0, n.mtime(), "", 0, 0, null)
                        : new TarEntry(p, TarEntry.Type.DIR, 0755, owner == null ? 0 : owner.uid(), owner == null ? 0 : owner.gid(), 0, now, "", 0, 0, null);
                plan.put(p, new Planned(e, null, null, null, n != null ? "dir" : "newdir"));
            }
        }
    }

    private boolean isDir(FileTree t, String dest) throws IOException {
        if (dest.isEmpty()) return true;
        FileTree.Node n = t.stat(dest, true);
        return n != null && n.isDir();
    }

    private void glob(FileTree tree, String dir, List<String> parts, int i, List<FileTree.Node> out, List<String> logical) throws IOException {
        if (i == parts.size()) {
            FileTree.Node n = tree.stat(dir, true);
            if (n != null) {
                out.add(n);
                logical.add(dir);
            }
            return;
        }
        String part = parts.get(i);
        if (!Glob.hasMeta(part)) {
            String next = PathNames.join(dir, part);
            if (i + 1 < parts.size() || tree.stat(next, true) != null) glob(tree, next, parts, i + 1, out, logical);
            return;
        }
        FileTree.Node d = tree.stat(dir, true);
        if (d == null || !d.isDir()) return;
        Pattern p = Glob.compile(part);
        for (String child : tree.children(d.path())) {
            if (p.matcher(child).matches()) glob(tree, PathNames.join(dir, child), parts, i + 1, out, logical);
        }
    }

    private Users.Id chownIds(FileTree target, String chown, Instruction.Copy c) {
        try {
            return Users.chown(target, chown);
        } catch (IOException e) {
            throw ctx.error(c.flag("chown").get().pos(), e.getMessage());
        }
    }

    private Integer parseChmod(Flag f, String v) {
        return checkChmod(ctx.df(), f, v);
    }

    /** A --chmod value: an octal mode. */
    static int checkChmod(Dockerfile df, Flag f, String v) {
        if (v.matches("[0-7]{1,4}")) return Integer.parseInt(v, 8);
        throw df.error(f.pos(), "invalid --chmod value \"" + v + "\" (an octal mode such as 755 is expected)");
    }

    private String expand(Word w, Scope scope) {
        return ctx.expand(w, scope);
    }

    private String expandHeredoc(String body, Scope scope) {
        try {
            return new dev.whittle.dockerfile.ShellLex('\\').rawQuotes(true).processWord(body, scope.lookup());
        } catch (RuntimeException e) {
            return body;
        }
    }

    private long nowSeconds() {
        return b.req.sourceDateEpoch() != null ? b.req.sourceDateEpoch() : Instant.now().getEpochSecond();
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

    private void extractArchive(FileTree src, FileTree.Node n, String dest, Users.Id owner) throws IOException {
        try (InputStream in = Compression.decompress(new BufferedInputStream(src.open(n), 1 << 16))) {
            TarReader r = new TarReader(in);
            for (TarEntry e; (e = r.next()) != null; ) {
                if (e.name().isEmpty()) continue;
                String to = PathNames.join(dest, e.name());
                TarEntry t = e.withName(to);
                if (owner != null) t = t.withOwner(owner.uid(), owner.gid());
                if (e.type() == TarEntry.Type.HARDLINK) {
                    t = new TarEntry(to, TarEntry.Type.HARDLINK, e.mode(), t.uid(), t.gid(), 0, e.mtime(), PathNames.join(dest, e.linkName()), 0, 0, null);
                }
                byte[] data = e.isFile() ? r.content().readAllBytes() : null;
                plan.put(to, new Planned(t, null, null, data, data == null ? e.type().name() : Digest.sha256(data).toString()));
            }
        }
    }

    private void addUrl(Instruction.Copy c, String url, String dest, boolean destIsDir, Users.Id owner, Integer chmod, Scope scope) throws IOException {
        b.notMemoizable(); // what the server answers next time cannot be seen from here
        java.net.URI uri = java.net.URI.create(url);
        String name = PathNames.baseName(uri.getPath() == null ? "" : uri.getPath());
        if (name.isEmpty()) name = "index.html";
        String to = destIsDir ? PathNames.join(dest, name) : dest;
        try (java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().followRedirects(java.net.http.HttpClient.Redirect.NORMAL)
                .connectTimeout(java.time.Duration.ofSeconds(30)).build()) {
            java.net.http.HttpResponse<byte[]> resp = client.send(java.net.http.HttpRequest.newBuilder(uri).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            if (resp.statusCode() / 100 != 2) throw ctx.error(c.pos(), "ADD failed: GET " + url + " returned HTTP " + resp.statusCode());
            byte[] data = resp.body();
            var checksum = c.flag("checksum");
            if (checksum.isPresent()) {
                String want = expand(checksum.get().valueWord(), scope);
                Digest got = Digest.sha256(data);
                if (!got.toString().equals(want)) {
                    throw ctx.error(checksum.get().pos(), "ADD failed: digest mismatch for " + url + ": expected " + want + ", got " + got);
                }
            }
            long mtime = resp.headers().firstValue("Last-Modified").map(v -> {
                try {
                    return java.time.ZonedDateTime.parse(v, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
                } catch (RuntimeException e) {
                    return 0L;
                }
            }).orElse(0L);
            int mode = chmod != null ? chmod : 0600;
            plan.put(to, new Planned(new TarEntry(to, TarEntry.Type.FILE, mode, owner == null ? 0 : owner.uid(), owner == null ? 0 : owner.gid(),
                    data.length, mtime, "", 0, 0, null), null, null, data, Digest.sha256(data).toString()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while downloading " + url);
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
