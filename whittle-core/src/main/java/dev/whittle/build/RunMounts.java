package dev.whittle.build;

import dev.whittle.dockerfile.Mounts;
import dev.whittle.image.Digest;
import dev.whittle.rootfs.ContextTree;
import dev.whittle.sandbox.OverlayMount;
import dev.whittle.sandbox.ProcessLimits;
import dev.whittle.sandbox.RootedBind;
import dev.whittle.sandbox.RuncSpec;
import dev.whittle.sandbox.SecretFiles;
import dev.whittle.sandbox.SshForward;
import dev.whittle.store.FileLocks;
import dev.whittle.tar.PathNames;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A RUN's {@code --mount}s made ready for runc, each as BuildKit makes it: a cache directory (locked for
 * {@code sharing=locked}), a tmpfs, a secret on a tmpfs of its own (or a variable), an SSH agent socket, a bind mount
 * of the context, a named directory or a stage (writable ones on a throw-away overlay). What it mounts is undone
 * through {@code undo} with the rest of the RUN's set-up; the locks are held until {@link #unlock}, which {@code undo}
 * also does, so a mount that fails to be made after a lock was taken does not keep it.
 */
final class RunMounts {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final StepContext ctx;
    private final StepServices services;
    private final State state;
    /** The RUN's bundle directory, where its mounts' helpers live. */
    private final Path tmp;

    private final List<AutoCloseable> undo;
    /** By lock file: a RUN mounting one cache twice takes its lock once, as BuildKit does (not waiting on itself). */
    private final Map<Path, FileLocks.Held> locks = new LinkedHashMap<>();
    /** One tmpfs for all of this RUN's secrets, mounted on the first. */
    private SecretFiles secrets;
    /** Secret mounts with env=: the process's variables. */
    private final Map<String, String> secretEnv = new LinkedHashMap<>();
    /** The first ssh mount is SSH_AUTH_SOCK, as in BuildKit. */
    private String sshSocket;

    RunMounts(StepContext ctx, State state, Path tmp, List<AutoCloseable> undo) {
        this.ctx = ctx;
        this.services = ctx.services();
        this.state = state;
        this.tmp = tmp;
        this.undo = undo;
    }

    /** Prepares a RUN --mount; returns the runc mount, or null for an optional secret or key that is not given. */
    RuncSpec.Mount prepare(Mounts.Spec m) throws IOException {
        RuncSpec.Mount mt = mount(m);
        if (mt != null && m.type() == Mounts.Type.SSH && sshSocket == null) sshSocket = mt.destination();
        return mt;
    }

    /** The agent socket the first ssh mount put in the container, or null. */
    String sshSocket() {
        return sshSocket;
    }

    /** The secrets given as variables, by name. */
    Map<String, String> secretEnv() {
        return secretEnv;
    }

    /** The tmpfs this RUN's secrets live on, mounted on first use. */
    SecretFiles secretFiles() throws IOException {
        if (secrets == null) {
            secrets = SecretFiles.mount(tmp.resolve("secrets"));
            undo.add(secrets);
        }
        return secrets;
    }

    /** Releases the locks of {@code sharing=locked} cache mounts. */
    void unlock() throws IOException {
        IOException first = null;
        for (FileLocks.Held l : locks.values()) {
            try {
                l.close();
            } catch (IOException e) {
                if (first == null) first = e;
            }
        }
        locks.clear();
        if (first != null) throw first;
    }

    /**
     * A cache mount's directory: one per id, and per owner and mode when the mount sets them. uid, gid and mode make a
     * cache of their own (in BuildKit they are a step the cache is keyed by), which --no-cache runs again: such a
     * cache starts empty then, for this build only ({@link FreshCaches}).
     */
    static Path cacheDir(StepContext ctx, Mounts.Spec m) throws IOException {
        boolean owned = m.uid() != null || m.gid() != null || m.mode() != null;
        String key = m.id() + (owned ? "\n" + m.uid() + ":" + m.gid() + ":" + m.mode() : "");
        Path caches = isFresh(ctx, m)
                ? ctx.services().freshCaches().root()
                : ctx.services().store().stateDir().resolve("cachemounts");
        return caches.resolve(
                Digest.sha256(key.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 24));
    }

    /** Whether a cache mount starts empty for this build only: such a cache is never exported nor imported. */
    static boolean isFresh(StepContext ctx, Mounts.Spec m) {
        return (m.uid() != null || m.gid() != null || m.mode() != null) && ctx.noCache();
    }

    private RuncSpec.Mount mount(Mounts.Spec m) throws IOException {
        String target = m.target() == null ? null : m.target().text();
        if (target != null && !target.startsWith("/")) {
            String wd = state.config().workingDirOrRoot();
            target = "/" + PathNames.clampToRoot(wd + "/" + target);
        }
        return switch (m.type()) {
            case CACHE -> cacheMount(m, target);
            case TMPFS -> tmpfsMount(m, target);
            case SECRET -> secretMount(m, target);
            case SSH -> sshMount(m, target);
            case BIND -> bindMount(m, target);
        };
    }

    /** A cache directory kept in the store across builds (locked while the RUN runs for sharing=locked). */
    private RuncSpec.Mount cacheMount(Mounts.Spec m, String target) throws IOException {
        Path dir = cacheDir(ctx, m);
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            Files.setAttribute(dir, "unix:uid", m.uid() == null ? 0 : m.uid(), NOFOLLOW);
            Files.setAttribute(dir, "unix:gid", m.gid() == null ? 0 : m.gid(), NOFOLLOW);
            Files.setAttribute(dir, "unix:mode", m.mode() == null ? 0755 : m.mode(), NOFOLLOW);
        }
        if (!isFresh(ctx, m)) services.cache().mountReady(dir); // an imported cache fills it before its first use
        Path lockFile = dir.resolveSibling(dir.getFileName() + ".lock");
        if (m.sharing() == Mounts.Sharing.LOCKED && !locks.containsKey(lockFile)) {
            // released with the rest of the set-up when a later mount fails: registered before the first is taken
            if (locks.isEmpty()) undo.add(this::unlock);
            locks.put(lockFile, lock(lockFile));
        }
        return new RuncSpec.Mount(target, "bind", dir.toString(), List.of("rbind", m.readOnly() ? "ro" : "rw"));
    }

    /**
     * Waits for a cache's lock: another platform of the build may hold it (FileLocks queues this process's threads
     * too), or another process. A build told to stop (a platform failed) stops waiting.
     */
    private FileLocks.Held lock(Path lockFile) throws IOException {
        try {
            return FileLocks.exclusive(lockFile, () -> services.stop().reason() != null);
        } catch (InterruptedIOException e) {
            String stopped = services.stop().reason();
            if (stopped == null) throw e;
            services.failures().failed(ctx.step(), "CANCELED");
            throw new BuildException(stopped);
        }
    }

    /** A tmpfs, nosuid and nodev, of the size asked. */
    private RuncSpec.Mount tmpfsMount(Mounts.Spec m, String target) throws IOException {
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

    /** A --secret as a file on a tmpfs of its own (or only a variable with env=); null when optional and not given. */
    private RuncSpec.Mount secretMount(Mounts.Spec m, String target) throws IOException {
        BuildRequest.Secret secret = services.options().secrets().get(m.id());
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
        SecretFiles files = secretFiles();
        Path f = files.write(
                Digest.sha256(m.id().getBytes()).hex().substring(0, 16),
                secret.value(),
                m.uid() == null ? 0 : m.uid(),
                m.gid() == null ? 0 : m.gid(),
                m.mode() == null ? 0400 : m.mode());
        return new RuncSpec.Mount(target, "bind", f.toString(), List.of("rbind", "ro"));
    }

    /** An agent socket forwarding a --ssh id; null when optional and not given. */
    private RuncSpec.Mount sshMount(Mounts.Spec m, String target) throws IOException {
        List<Path> sources = services.options().ssh().get(m.id());
        if (sources == null) {
            if (m.required()) {
                throw ctx.error(
                        m.pos(),
                        "no SSH key \"" + m.id() + "\" forwarded from the client (--ssh " + m.id() + "[=SOCKET|KEY])");
            }
            return null;
        }
        SshForward forward = SshForward.start(
                services.store(),
                sources,
                m.uid() == null ? 0 : m.uid(),
                m.gid() == null ? 0 : m.gid(),
                m.mode() == null ? 0600 : m.mode());
        undo.add(forward);
        return new RuncSpec.Mount(target, "bind", forward.socket().toString(), List.of("rbind", "ro"));
    }

    /** A bind mount of the context, a named directory or a stage; writes to a read-write one are thrown away. */
    private RuncSpec.Mount bindMount(Mounts.Spec m, String target) throws IOException {
        String from = m.from() == null ? null : m.from().text();
        String source =
                m.source() == null ? "" : PathNames.clampToRoot(m.source().text());
        Path root;
        String rel, where;
        ContextTree c = services.sources().contextTree(from);
        if (c != null) {
            rel = c.resolve(source, true);
            if (rel == null)
                throw ctx.error(m.pos(), "bind mount source \"" + source + "\" not found in the build context");
            root = c.root();
            where = "the build context";
        } else {
            State st = services.sources().fromRef(from, m.from());
            List<Path> lowers = new ArrayList<>();
            for (int i = st.layers().size() - 1; i >= 0; i--)
                lowers.add(services.snapshots().get(st.layers().get(i).diffId()));
            Path mnt = tmp.resolve("from-" + undo.size());
            undo.add(OverlayMount.mount(
                    lowers,
                    mnt.resolve("upper"),
                    mnt.resolve("work"),
                    mnt.resolve("root"),
                    services.snapshots().root().resolve("empty")));
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
                        services.snapshots().root().resolve("empty")));
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
