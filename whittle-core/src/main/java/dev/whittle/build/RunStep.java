package dev.whittle.build;

import dev.whittle.diag.Trace;
import dev.whittle.dockerfile.DockerIgnore;
import dev.whittle.dockerfile.Flag;
import dev.whittle.dockerfile.Heredoc;
import dev.whittle.dockerfile.Instruction;
import dev.whittle.dockerfile.Mounts;
import dev.whittle.dockerfile.Planner;
import dev.whittle.dockerfile.Word;
import dev.whittle.ffi.Posix;
import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageConfig;
import dev.whittle.json.Json;
import dev.whittle.rootfs.ContextTree;
import dev.whittle.rootfs.FileTree;
import dev.whittle.rootfs.Users;
import dev.whittle.sandbox.Cleanup;
import dev.whittle.sandbox.ContainerNetwork;
import dev.whittle.sandbox.OverlayMount;
import dev.whittle.sandbox.ProcessLimits;
import dev.whittle.sandbox.RootedBind;
import dev.whittle.sandbox.Runc;
import dev.whittle.sandbox.RuncSpec;
import dev.whittle.sandbox.SecretFiles;
import dev.whittle.sandbox.Snapshots;
import dev.whittle.sandbox.SshForward;
import dev.whittle.sandbox.UpperDiff;
import dev.whittle.store.LayerIngest;
import dev.whittle.store.LayerWriter;
import dev.whittle.tar.PathNames;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * RUN: the stage's layers (unpacked once each) are the lower directories of an overlay, a fresh upper directory
 * takes the change, runc runs the command, and the new layer is made from the upper directory alone — which then
 * becomes that layer's snapshot. Mount points runc had to create are removed first, so they never reach a layer.
 */
final class RunStep {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final int TAIL = 20;
    private static final String PIPES = "/dev/pipes";
    private static final String HOSTNAME = "buildkitsandbox";

    /** The RUN's hostname: BuildKit's, or the BUILDKIT_SANDBOX_HOSTNAME build arg's (docker build has no --hostname). */
    private String hostname() {
        String h = b.req.options().buildArgs().get("BUILDKIT_SANDBOX_HOSTNAME");
        return h == null || h.isEmpty() ? HOSTNAME : h;
    }

    private final Builder.StepContext ctx;
    private final Builder b;
    /** A RUN's only heredoc when it starts with #!: run as an executable file, not given to the shell (set by args). */
    private Heredoc script;

    RunStep(Builder.StepContext ctx) {
        this.ctx = ctx;
        this.b = ctx.b();
    }

    State run(State s, Instruction.Run r) throws IOException {
        List<String> args = args(s, r);
        List<Mounts.Spec> mounts = new ArrayList<>();
        for (Flag f : r.flagsNamed("mount")) {
            // each field's value expanded on its own, after the CSV split, as BuildKit does
            mounts.add(Mounts.parse(
                    ctx.df(), f, v -> ctx.expand(new Word(v, f.valueWord().pos()), s.scope())));
        }
        ContainerNetwork.Mode network;
        try {
            network = r.flag("network").isPresent()
                    ? ContainerNetwork.Mode.parse(r.flag("network").get().value())
                    : b.req.run().network();
        } catch (IllegalArgumentException e) {
            throw ctx.error(r.flag("network").map(Flag::pos).orElse(r.pos()), e.getMessage());
        }
        if (r.flag("security").map(f -> f.value().equals("insecure")).orElse(false)) {
            throw ctx.error(r.flag("security").get().pos(), "RUN --security=insecure is not allowed by whittle");
        }
        List<String> env = Builder.runEnv(s);
        List<String> runtimeEnv = withProxies(s, env);
        String history = "RUN " + Builder.runCommandString(s, args) + " # buildkit";
        List<String> keyParts = new ArrayList<>(List.of(
                "RUN",
                Json.writeString(args, Json.Style.COMPACT),
                String.join("\n", env),
                s.config().user(),
                s.config().workingDir(),
                network.toString()));
        if (script != null)
            keyParts.add("script\n" + script.body()); // the command is a file: its text decides the result
        String settings = b.req.run().cacheKeyPart();
        if (!settings.isEmpty()) keyParts.add(settings);
        if (!hostname().equals(HOSTNAME)) keyParts.add("hostname=" + hostname());
        for (Mounts.Spec m : mounts) keyParts.add(mountKey(s, m));
        Digest key = CacheKeys.of(s.cacheKey(), keyParts.toArray(String[]::new));
        for (Mounts.Spec m : mounts) {
            // cached or not, the build's cache mounts are what a --cache-to carries
            if (m.type() == Mounts.Type.CACHE && !isFresh(m)) b.cache.mountSeen(m.id(), cacheDir(m));
        }
        BuildCache.Entry hit = ctx.noCache() ? null : b.cache.get(key);
        if (hit != null) {
            b.progress.cached(ctx.step());
            return append(
                    s, hit.next() != null ? hit.next() : key, hit.diffId(), hit.blob(), hit.created(), history, r);
        }
        if (!Posix.isRoot()) throw ctx.error(r.pos(), "RUN needs root (runc and overlay mounts); run whittle as root");
        long clamp = b.req.sourceDateEpoch() == null ? -1 : b.req.sourceDateEpoch();
        if (!ctx.exported()) {
            // a stage only read from: its layer is written in the background while the build goes on
            String[] created = {null}; // when the command ended, as for an exported layer
            Digest after = next(key);
            Digest provisional = execute(s, r, args, runtimeEnv, mounts, network, upper -> {
                String when = created[0] = b.now();
                return b.deferred.defer(
                        upper,
                        key,
                        clamp,
                        "RUN " + r.text() + " (Dockerfile:" + r.pos().line() + ")",
                        layer -> b.cache.put(
                                key, new BuildCache.Entry(layer.info().diffId(), layer.descriptor(), when, after)));
            });
            b.progress.done(ctx.step());
            return append(s, after == null ? key : after, provisional, null, created[0], history, r);
        }
        LayerIngest.Result layer = execute(s, r, args, runtimeEnv, mounts, network, upper -> {
            LayerIngest.Result made;
            try (LayerWriter w = new LayerWriter(b.store, true)) {
                new UpperDiff(upper, clamp).write(w);
                Trace.mark("RUN: upper directory written as a layer");
                made = w.commit();
            }
            Trace.mark("RUN: layer committed");
            b.snapshots.adopt(upper, made.info().diffId());
            Trace.mark("RUN: upper adopted as snapshot");
            return made;
        });
        String created = b.now();
        Digest after = next(key);
        b.cache.put(key, new BuildCache.Entry(layer.info().diffId(), layer.descriptor(), created, after));
        b.progress.done(ctx.step());
        return append(s, after == null ? key : after, layer.info().diffId(), layer.descriptor(), created, history, r);
    }

    /**
     * The cache key the steps after this one build on. A step run again for --no-cache (or --no-cache-filter) made a
     * new layer under the same key; what follows (in this stage, and COPY --from or FROM this stage elsewhere) must
     * not be answered from entries made after the old layer, so the key then is a new one. BuildKit gets
     * the same from keying those steps by content. The cache entry keeps that key, so a later build that finds the
     * new layer builds on it as well, and finds the steps after it as this build made them. Null: the step's key.
     */
    private Digest next(Digest key) {
        return ctx.noCache() ? CacheKeys.of(key, "run again", UUID.randomUUID().toString()) : null;
    }

    /**
     * The environment RUN gets: the image's and the declared build args ({@code env}, which the cache key and history
     * see), plus the predefined proxy args given with --build-arg that no ARG declares: as in BuildKit they reach the
     * process without an ARG and stay out of the cache key, history and config (a proxy does not change what a
     * command makes, and its URL may hold credentials). A proxy given in either case reaches the process in both
     * ({@code http_proxy} and {@code HTTP_PROXY}: tools read one or the other), the lower-case value winning when
     * both are given, as BuildKit's ProxyEnv does.
     */
    private List<String> withProxies(State s, List<String> env) {
        Map<String, String> proxies = new TreeMap<>(); // upper-case name → value
        for (Map.Entry<String, String> a : new TreeMap<>(b.req.options().buildArgs()).entrySet()) {
            if (Planner.PROXY_ARGS.contains(a.getKey()) && a.getValue() != null)
                proxies.put(a.getKey().toUpperCase(Locale.ROOT), a.getValue());
        }
        List<String> out = null;
        for (Map.Entry<String, String> p : proxies.entrySet()) {
            for (String name : List.of(p.getKey(), p.getKey().toLowerCase(Locale.ROOT))) {
                if (s.buildArgNames().contains(name) || env.stream().anyMatch(e -> e.startsWith(name + "="))) continue;
                if (out == null) out = new ArrayList<>(env);
                out.add(name + "=" + p.getValue());
            }
        }
        return out == null ? env : out;
    }

    /** What becomes of a RUN's upper directory (its change, mount stubs removed) once the command succeeded. */
    private interface Upper<T> {
        T take(Path upper) throws IOException;
    }

    private State append(
            State s, Digest key, Digest diffId, Descriptor blob, String created, String history, Instruction.Run r) {
        List<State.Layer> layers = new ArrayList<>(s.layers());
        layers.add(new State.Layer(
                diffId, blob, new State.Origin("RUN " + r.text(), r.pos().line(), ctx.stage(), null)));
        ImageConfig cfg = s.config().toBuilder()
                .addLayer(diffId, new ImageConfig.History(created, history, null, Builder.COMMENT, false))
                .build();
        return new State(cfg, layers, s.scope(), key, created, s.cmdSet(), s.buildArgNames());
    }

    /** The process arguments: exec form as is; shell form through SHELL, heredocs included as BuildKit does. */
    private List<String> args(State s, Instruction.Run r) {
        if (r.command().exec()) return r.command().argStrings();
        List<String> shell = s.config().shell();
        List<String> out = new ArrayList<>(shell == null || shell.isEmpty() ? List.of("/bin/sh", "-c") : shell);
        String text = r.command().shell().text();
        List<Heredoc> docs = r.heredocs();
        if (docs.size() == 1
                && text.trim()
                        .matches("\\d*<<-?\\s*[\"']?"
                                + java.util.regex.Pattern.quote(docs.getFirst().name()) + "[\"']?")) {
            // RUN <<EOF: the body is the script; one with a shebang is a file the shell runs, so #! picks its
            // interpreter
            String body = docs.getFirst().body();
            String name = docs.getFirst().name();
            if (body.startsWith("#!") && name.matches("[A-Za-z0-9_.-]+") && !name.equals(".") && !name.equals("..")) {
                script = docs.getFirst();
                out.add(PIPES + "/" + script.name());
            } else {
                out.add(body);
            }
            return out;
        }
        StringBuilder full = new StringBuilder(text);
        for (Heredoc h : docs) full.append('\n').append(h.content()).append(h.name());
        out.add(full.toString());
        return out;
    }

    private String mountKey(State s, Mounts.Spec m) throws IOException {
        String base = m.type() + "|" + (m.target() == null ? "" : m.target().text()) + "|" + m.id() + "|" + m.readOnly()
                + "|" + (m.source() == null ? "" : m.source().text()) + "|"
                + (m.from() == null ? "" : m.from().text());
        if (m.type() == Mounts.Type.BIND) {
            String from = m.from() == null ? null : m.from().text();
            ContextTree c = b.contextTree(from);
            if (c != null) {
                // the bind source's content decides the result, as a COPY's would
                FileTree.Node n = c.stat(
                        m.source() == null
                                ? ""
                                : PathNames.clampToRoot(m.source().text()),
                        true);
                base += "|" + (n == null ? "missing" : c.treeDigest(n));
            } else {
                State st = b.fromRef(from, m.from());
                base += "|" + (st == null ? "context" : st.cacheKey());
            }
        }
        return base;
    }

    private <T> T execute(
            State s,
            Instruction.Run r,
            List<String> args,
            List<String> env,
            List<Mounts.Spec> mounts,
            ContainerNetwork.Mode network,
            Upper<T> result)
            throws IOException {
        List<Path> lowers = new ArrayList<>();
        List<State.Layer> layers = s.layers();
        for (int i = layers.size() - 1; i >= 0; i--)
            lowers.add(b.snapshots.get(layers.get(i).diffId(), extracting(ctx.step())));
        Trace.mark("RUN: lower snapshots ready");
        Cleanup.TempDirectory rmTmp = Cleanup.newTempDirectory(b.store.tempDir(), "run-");
        Path tmp = rmTmp.path();
        List<AutoCloseable> undo = new ArrayList<>();
        try {
            Path upper = tmp.resolve("upper");
            Path rootfs = tmp.resolve("rootfs");
            OverlayMount root = OverlayMount.mount(
                    lowers,
                    upper,
                    tmp.resolve("work"),
                    rootfs,
                    b.snapshots.root().resolve("empty"));
            undo.add(root);
            String cwd = s.config().workingDirOrRoot();
            Users.Id id;
            try {
                id = Users.resolve(
                        new ContextTree(rootfs, DockerIgnore.none()), s.config().user());
            } catch (IOException e) {
                throw ctx.error(r.pos(), "RUN failed: USER " + s.config().user() + ": " + e.getMessage());
            }

            List<RuncSpec.Mount> extra = new ArrayList<>();
            if (script != null) {
                // BuildKit mounts the file read-only at /dev/pipes, inside the container's /dev (so in no layer)
                Path pipes = Files.createDirectories(tmp.resolve("pipes"));
                Path f = pipes.resolve(script.name());
                Files.writeString(f, script.body());
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
                extra.add(new RuncSpec.Mount(PIPES, "bind", pipes.toString(), List.of("rbind", "ro")));
            }
            Map<String, Boolean> existed = new LinkedHashMap<>();
            for (String d : List.of("/proc", "/dev", "/sys", "/etc/hosts", "/etc/resolv.conf"))
                existed.put(d, exists(rootfs, d));
            ContainerNetwork net = ContainerNetwork.prepare(
                    network, List.of(hostname()), b.req.run().extraHosts(), tmp);
            undo.add(net);
            extra.addAll(net.mounts());
            List<FileLock> locks = new ArrayList<>();
            SecretFiles[] secrets = {null}; // one tmpfs for all of this RUN's secrets, mounted on the first
            String sshSocket = null; // the first ssh mount is SSH_AUTH_SOCK, as in BuildKit
            Map<String, String> secretEnv = new LinkedHashMap<>(); // secret mounts with env=: the process's variables
            for (Mounts.Spec m : mounts) {
                RuncSpec.Mount mt = prepareMount(s, r, m, tmp, undo, locks, secrets, secretEnv);
                if (mt == null) continue;
                if (m.type() == Mounts.Type.SSH && sshSocket == null) sshSocket = mt.destination();
                // Ancestors too: runc creates missing parents, which must not leak into the layer.
                String rel = PathNames.clampToRoot(mt.destination());
                for (String a = PathNames.parent(rel); !a.isEmpty(); a = PathNames.parent(a)) {
                    existed.putIfAbsent("/" + a, exists(rootfs, "/" + a));
                }
                existed.putIfAbsent(mt.destination(), exists(rootfs, mt.destination()));
                extra.add(mt);
            }
            Trace.mark("RUN: overlay mounted, bundle prepared");
            if (sshSocket != null) {
                env = new ArrayList<>(env);
                env.add("SSH_AUTH_SOCK=" + sshSocket);
            }
            if (!secretEnv.isEmpty()) {
                // over the image's variable of the same name (ENV SECRET=placeholder), for this process only
                List<String> withSecrets = new ArrayList<>();
                for (String e : env)
                    if (!secretEnv.containsKey(e.substring(0, Math.max(0, e.indexOf('='))))) withSecrets.add(e);
                secretEnv.forEach((k, v) -> withSecrets.add(k + "=" + v));
                env = withSecrets;
                // runc reads the process's environment from the bundle's config.json, which is on disk: with a secret
                // in it, the file lives on the secrets' tmpfs and the bundle has a link to it (runc follows it, and
                // Runc.run writes through it), so no secret reaches persistent disk, even if whittle is killed
                SecretFiles files = secrets[0];
                if (files == null) {
                    files = secrets[0] = SecretFiles.mount(tmp.resolve("secrets"));
                    undo.add(files);
                }
                Files.createSymbolicLink(
                        tmp.resolve("config.json"), files.write("config.json", new byte[0], 0, 0, 0600));
            }
            RuncSpec spec = new RuncSpec(
                    args,
                    env,
                    cwd,
                    id.uid(),
                    id.gid(),
                    id.groups(),
                    hostname(),
                    net.network(),
                    extra,
                    false,
                    b.req.run().limits());
            Deque<String> tail = new ArrayDeque<>();
            String[] notStarted = {null}; // runc's reason when the process could not be started at all
            int code;
            try {
                code = new Runc(Runc.stateRoot(b.store))
                        .run(
                                tmp,
                                spec,
                                line -> {
                                    String startError = Runc.startError(line);
                                    if (startError != null) {
                                        notStarted[0] = startError;
                                        return;
                                    }
                                    b.progress.log(ctx.step(), line);
                                    synchronized (tail) {
                                        tail.add(line);
                                        if (tail.size() > TAIL) tail.removeFirst();
                                    }
                                },
                                null);
            } finally {
                for (FileLock l : locks) {
                    l.channel().close();
                }
            }
            Trace.mark("RUN: runc exited");
            if (code != 0) {
                String msg = "process \"" + String.join(" ", args) + "\" "
                        + (notStarted[0] != null
                                ? "could not start: " + notStarted[0]
                                : "did not complete successfully: exit code: " + code);
                b.failed(ctx.step(), msg);
                StringBuilder detail = new StringBuilder("RUN failed: " + msg);
                if (!tail.isEmpty()) detail.append("\nlast output:\n  ").append(String.join("\n  ", tail));
                throw ctx.error(r.pos(), detail.toString());
            }
            closeAll(undo);
            Trace.mark("RUN: unmounted");
            removeStubs(upper, existed);
            return result.take(upper);
        } finally {
            closeAll(undo);
            rmTmp.close();
        }
    }

    /** A base layer unpacked on first use shows as the step's sub-row: {@code extracting sha256:...} with its bytes. */
    private Snapshots.Unpacking extracting(int step) {
        return (diffId, size) -> {
            int sub = b.progress.subStart(step, "extracting " + diffId);
            b.progress.subProgress(sub, 0, size);
            return new Snapshots.Unpacking.Watch() {
                @Override
                public void read(long bytes) {
                    b.progress.subProgress(sub, bytes, size);
                }

                @Override
                public void close() {
                    b.progress.subDone(sub);
                }
            };
        };
    }

    private static void closeAll(List<AutoCloseable> undo) throws IOException {
        IOException first = null;
        for (int i = undo.size() - 1; i >= 0; i--) {
            try {
                undo.get(i).close();
            } catch (IOException e) {
                if (first == null) first = e;
            } catch (Exception e) {
                if (first == null) first = new IOException(e.getMessage(), e);
            }
        }
        undo.clear();
        if (first != null) throw first;
    }

    private static boolean exists(Path rootfs, String abs) {
        return Files.exists(rootfs.resolve(PathNames.clampToRoot(abs)), NOFOLLOW);
    }

    /** Removes what runc created only to mount over (and parents it created for them), leaving real changes. */
    private static void removeStubs(Path upper, Map<String, Boolean> existed) throws IOException {
        for (Map.Entry<String, Boolean> e : existed.entrySet()) {
            if (e.getValue()) continue;
            String rel = PathNames.clampToRoot(e.getKey());
            Path p = upper.resolve(rel);
            if (Files.isDirectory(p, NOFOLLOW)) {
                try (var s = Files.list(p)) {
                    if (s.findAny().isPresent()) continue;
                }
                Files.delete(p);
            } else if (Files.isRegularFile(p, NOFOLLOW) && Files.size(p) == 0) {
                Files.delete(p);
            } else {
                continue;
            }
            for (String parent = PathNames.parent(rel); !parent.isEmpty(); parent = PathNames.parent(parent)) {
                if (existed.getOrDefault("/" + parent, true)) break;
                Path pp = upper.resolve(parent);
                try (var s = Files.list(pp)) {
                    if (s.findAny().isPresent()) break;
                }
                Files.delete(pp);
            }
        }
    }

    /** Whether a cache mount starts empty for this build only (see {@link Builder#freshCacheRoot}). */
    private boolean isFresh(Mounts.Spec m) {
        return (m.uid() != null || m.gid() != null || m.mode() != null) && ctx.noCache();
    }

    /** A cache mount's directory: one per id, and per owner and mode when the mount sets them. */
    private Path cacheDir(Mounts.Spec m) throws IOException {
        boolean owned = m.uid() != null || m.gid() != null || m.mode() != null;
        String key = m.id() + (owned ? "\n" + m.uid() + ":" + m.gid() + ":" + m.mode() : "");
        Path caches = isFresh(m) ? b.freshCacheRoot() : b.store.stateDir().resolve("cachemounts");
        return caches.resolve(
                Digest.sha256(key.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 24));
    }

    /** Prepares a RUN --mount; returns the runc mount, or null for an optional secret that is not given. */
    private RuncSpec.Mount prepareMount(
            State s,
            Instruction.Run r,
            Mounts.Spec m,
            Path tmp,
            List<AutoCloseable> undo,
            List<FileLock> locks,
            SecretFiles[] secrets,
            Map<String, String> secretEnv)
            throws IOException {
        String target = m.target() == null ? null : m.target().text();
        if (target != null && !target.startsWith("/")) {
            String wd = s.config().workingDirOrRoot();
            target = "/" + PathNames.clampToRoot(wd + "/" + target);
        }
        switch (m.type()) {
            case CACHE -> {
                // uid, gid and mode make a cache of their own (in BuildKit they are a step the cache is keyed by),
                // which
                // --no-cache runs again: such a cache starts empty then, for this build only
                Path dir = cacheDir(m);
                if (!Files.isDirectory(dir)) {
                    Files.createDirectories(dir);
                    Files.setAttribute(dir, "unix:uid", m.uid() == null ? 0 : m.uid(), NOFOLLOW);
                    Files.setAttribute(dir, "unix:gid", m.gid() == null ? 0 : m.gid(), NOFOLLOW);
                    Files.setAttribute(dir, "unix:mode", m.mode() == null ? 0755 : m.mode(), NOFOLLOW);
                }
                if (!isFresh(m)) b.cache.mountReady(dir); // an imported cache fills it before its first use
                if (m.sharing() == Mounts.Sharing.LOCKED) {
                    FileChannel ch = FileChannel.open(
                            dir.resolveSibling(dir.getFileName() + ".lock"),
                            StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE);
                    locks.add(ch.lock());
                }
                return new RuncSpec.Mount(target, "bind", dir.toString(), List.of("rbind", m.readOnly() ? "ro" : "rw"));
            }
            case TMPFS -> {
                List<String> opts = new ArrayList<>(List.of("nosuid", "nodev"));
                if (m.size() != null) {
                    try {
                        opts.add("size=" + ProcessLimits.parseSize(m.size()));
                    } catch (IllegalArgumentException e) {
                        throw ctx.error(m.pos(), "invalid value for size: " + m.size());
                    }
                }
                return new RuncSpec.Mount(target, "tmpfs", "tmpfs", opts);
            }
            case SECRET -> {
                BuildRequest.Secret secret = b.req.secrets().get(m.id());
                if (secret == null) {
                    if (m.required())
                        throw ctx.error(
                                m.pos(),
                                "secret " + m.id() + ": not found (required; give it with --secret id=" + m.id()
                                        + ",src=PATH)");
                    return null;
                }
                if (m.env() != null) {
                    secretEnv.put(m.env(), new String(secret.value(), StandardCharsets.UTF_8));
                    if (m.target() == null) return null; // env= alone: no file
                }
                SecretFiles files = secrets[0];
                if (files == null) {
                    files = secrets[0] = SecretFiles.mount(tmp.resolve("secrets"));
                    undo.add(files);
                }
                Path f = files.write(
                        Digest.sha256(m.id().getBytes()).hex().substring(0, 16),
                        secret.value(),
                        m.uid() == null ? 0 : m.uid(),
                        m.gid() == null ? 0 : m.gid(),
                        m.mode() == null ? 0400 : m.mode());
                return new RuncSpec.Mount(target, "bind", f.toString(), List.of("rbind", "ro"));
            }
            case SSH -> {
                List<Path> sources = b.req.ssh().get(m.id());
                if (sources == null) {
                    if (m.required()) {
                        throw ctx.error(
                                m.pos(),
                                "no SSH key \"" + m.id() + "\" forwarded from the client (--ssh " + m.id()
                                        + "[=SOCKET|KEY])");
                    }
                    return null;
                }
                SshForward forward = SshForward.start(
                        b.store,
                        sources,
                        m.uid() == null ? 0 : m.uid(),
                        m.gid() == null ? 0 : m.gid(),
                        m.mode() == null ? 0600 : m.mode());
                undo.add(forward);
                return new RuncSpec.Mount(target, "bind", forward.socket().toString(), List.of("rbind", "ro"));
            }
            case BIND -> {
                String from = m.from() == null ? null : m.from().text();
                String source = m.source() == null
                        ? ""
                        : PathNames.clampToRoot(m.source().text());
                Path root;
                String rel, where;
                ContextTree c = b.contextTree(from);
                if (c != null) {
                    rel = c.resolve(source, true);
                    if (rel == null)
                        throw ctx.error(m.pos(), "bind mount source \"" + source + "\" not found in the build context");
                    root = c.root();
                    where = "the build context";
                } else {
                    State st = b.fromRef(from, m.from());
                    List<Path> lowers = new ArrayList<>();
                    for (int i = st.layers().size() - 1; i >= 0; i--)
                        lowers.add(b.snapshots.get(st.layers().get(i).diffId()));
                    Path mnt = tmp.resolve("from-" + undo.size());
                    undo.add(OverlayMount.mount(
                            lowers,
                            mnt.resolve("upper"),
                            mnt.resolve("work"),
                            mnt.resolve("root"),
                            b.snapshots.root().resolve("empty")));
                    root = mnt.resolve("root");
                    rel = source;
                    where = "\"" + from + "\"";
                }
                RootedBind bind;
                try {
                    bind = RootedBind.mount(root, rel, tmp.resolve("bind-" + undo.size()));
                } catch (NoSuchFileException e) {
                    throw ctx.error(m.pos(), "bind mount source \"" + source + "\" not found in " + where);
                }
                undo.add(bind);
                Path src = bind.path();
                if (!m.readOnly()) {
                    // writes to a rw bind mount are discarded, as BuildKit does: give the process an overlay of it
                    if (bind.directory()) {
                        Path mnt = tmp.resolve("rw-" + undo.size());
                        undo.add(OverlayMount.mount(
                                List.of(src),
                                mnt.resolve("upper"),
                                mnt.resolve("work"),
                                mnt.resolve("root"),
                                b.snapshots.root().resolve("empty")));
                        src = mnt.resolve("root");
                    } else {
                        Path copy = tmp.resolve("rw-file-" + undo.size());
                        Files.copy(src, copy);
                        src = copy;
                    }
                }
                return new RuncSpec.Mount(target, "bind", src.toString(), List.of("rbind", m.readOnly() ? "ro" : "rw"));
            }
        }
        return null;
    }
}
