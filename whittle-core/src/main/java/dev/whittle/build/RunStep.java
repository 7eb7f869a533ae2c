package dev.whittle.build;

import dev.whittle.diag.Trace;
import dev.whittle.dockerfile.DockerIgnore;
import dev.whittle.dockerfile.Flag;
import dev.whittle.dockerfile.Heredoc;
import dev.whittle.dockerfile.Instruction;
import dev.whittle.dockerfile.Mounts;
import dev.whittle.dockerfile.Word;
import dev.whittle.ffi.Posix;
import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.rootfs.ContextTree;
import dev.whittle.rootfs.Users;
import dev.whittle.sandbox.Binfmt;
import dev.whittle.sandbox.Bundle;
import dev.whittle.sandbox.ContainerNetwork;
import dev.whittle.sandbox.RuncSpec;
import dev.whittle.sandbox.Snapshots;
import dev.whittle.sandbox.UserNamespace;
import dev.whittle.store.LayerIngest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * RUN: the stage's layers (unpacked once each) are the lower directories of an overlay, a fresh upper directory
 * takes the change, runc runs the command, and the new layer is made from the upper directory alone — which then
 * becomes that layer's snapshot. Mount points runc had to create are removed first, so they never reach a layer.
 * The pieces: {@link RunCommand} (the arguments), {@link RunEnvironment}, {@link RunCacheKey}, {@link RunMounts} (the
 * --mounts), {@link #execute} (the container), {@link UpperLayer} (the change as a layer).
 */
final class RunStep {
    static final String HOSTNAME = "buildkitsandbox";

    private final StepContext ctx;
    private final StepServices services;

    RunStep(StepContext ctx) {
        this.ctx = ctx;
        this.services = ctx.services();
    }

    /** The RUN's hostname: BuildKit's, or the BUILDKIT_SANDBOX_HOSTNAME build arg's (docker build has no --hostname). */
    private String hostname() {
        String h = services.options().buildArgs().get("BUILDKIT_SANDBOX_HOSTNAME");
        return h == null || h.isEmpty() ? HOSTNAME : h;
    }

    State run(State s, Instruction.Run r) throws IOException {
        RunCommand cmd = RunCommand.of(s, r);
        List<Mounts.Spec> mounts = mounts(s, r);
        ContainerNetwork.Mode network = network(r);
        if (r.flag("security").map(f -> f.value().equals("insecure")).orElse(false)) {
            throw ctx.error(r.flag("security").get().pos(), "RUN --security=insecure is not allowed by whittle");
        }
        List<String> env = RunEnvironment.of(s);
        List<String> runtimeEnv =
                RunEnvironment.withProxies(s, env, services.options().buildArgs());
        String history = "RUN " + RunEnvironment.commandString(s, cmd.args()) + " # buildkit";
        List<String> mountKeys = new ArrayList<>();
        for (Mounts.Spec m : mounts) mountKeys.add(RunCacheKey.mountKey(m, services.sources()));
        Digest key = RunCacheKey.of(s, cmd, env, network, services.options().run(), hostname(), mountKeys);
        for (Mounts.Spec m : mounts) {
            // cached or not, the build's cache mounts are what a --cache-to carries
            if (m.type() == Mounts.Type.CACHE && !RunMounts.isFresh(ctx, m))
                services.cache().mountSeen(m.id(), RunMounts.cacheDir(ctx, m));
        }
        BuildCache.Entry hit = ctx.noCache() ? null : services.cache().getOrClaim(key, services.stop());
        if (hit != null) {
            services.progress().cached(ctx.step());
            return append(
                    s, hit.next() != null ? hit.next() : key, hit.diffId(), hit.blob(), hit.created(), history, r);
        }
        boolean deferred = false;
        try {
            // the claim waited for may have been given up by a platform that failed
            String stopped = services.stop().reason();
            if (stopped != null) throw new BuildException(stopped);
            if (!Posix.isRoot()) throw ctx.error(r.pos(), UserNamespace.rootNeeded("RUN"));
            Digest after = next(key);
            if (!ctx.exported()) {
                // a stage only read from: its layer is written in the background while the build goes on
                String[] created = {null}; // when the command ended, as for an exported layer
                Digest provisional = execute(s, r, cmd, runtimeEnv, mounts, network, upper -> {
                    created[0] = services.options().now();
                    String what = "RUN " + r.text() + " (Dockerfile:" + r.pos().line() + ")";
                    return UpperLayer.defer(services, upper, key, after, created[0], what);
                });
                // the claim ends when the entry is written (or the layer failed): then another platform looks again
                services.deferred().written(provisional).whenComplete((_, _) -> release(key));
                deferred = true;
                services.progress().done(ctx.step());
                return append(s, after == null ? key : after, provisional, null, created[0], history, r);
            }
            LayerIngest.Result layer = execute(
                    s,
                    r,
                    cmd,
                    runtimeEnv,
                    mounts,
                    network,
                    upper -> UpperLayer.write(
                            services.store(),
                            services.snapshots(),
                            upper,
                            services.options().clamp()));
            String created = services.options().now();
            services.cache().put(key, new BuildCache.Entry(layer.info().diffId(), layer.descriptor(), created, after));
            services.progress().done(ctx.step());
            return append(
                    s, after == null ? key : after, layer.info().diffId(), layer.descriptor(), created, history, r);
        } finally {
            if (!deferred) release(key);
        }
    }

    /** Ends this step's claim of its key ({@link BuildCache#getOrClaim}); none was made for --no-cache. */
    private void release(Digest key) {
        if (!ctx.noCache()) services.cache().release(key);
    }

    /** The --mount flags, each field's value expanded on its own after the CSV split, as BuildKit does. */
    private List<Mounts.Spec> mounts(State s, Instruction.Run r) {
        List<Mounts.Spec> mounts = new ArrayList<>();
        for (Flag f : r.flagsNamed("mount")) {
            mounts.add(Mounts.parse(
                    ctx.df(), f, v -> ctx.expand(new Word(v, f.valueWord().pos()), s.scope())));
        }
        return mounts;
    }

    /** RUN --network, else the build's. */
    private ContainerNetwork.Mode network(Instruction.Run r) {
        try {
            return r.flag("network").isPresent()
                    ? ContainerNetwork.Mode.parse(r.flag("network").get().value())
                    : services.options().run().network();
        } catch (IllegalArgumentException e) {
            throw ctx.error(r.flag("network").map(Flag::pos).orElse(r.pos()), e.getMessage());
        }
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

    /** What becomes of a RUN's upper directory (its change, mount stubs removed) once the command succeeded. */
    private interface Upper<T> {
        T take(Path upper) throws IOException;
    }

    private State append(
            State s, Digest key, Digest diffId, Descriptor blob, String created, String history, Instruction.Run r) {
        var origin = new State.Origin("RUN " + r.text(), r.pos().line(), ctx.stage(), null);
        return s.withLayer(key, diffId, blob, created, history, origin);
    }

    /**
     * Runs the command in a container over the stage's snapshots: the overlay, the user, the network, the mounts, the
     * bundle, runc; then the upper directory, stubs removed, goes to {@code result}.
     */
    private <T> T execute(
            State s,
            Instruction.Run r,
            RunCommand cmd,
            List<String> env,
            List<Mounts.Spec> mounts,
            ContainerNetwork.Mode network,
            Upper<T> result)
            throws IOException {
        String foreign = Binfmt.system().problem(s.config().platform());
        if (foreign != null) throw ctx.error(r.pos(), "RUN for " + s.config().platform() + ": " + foreign);
        List<Path> lowers = new ArrayList<>();
        List<State.Layer> layers = s.layers();
        for (int i = layers.size() - 1; i >= 0; i--)
            lowers.add(services.snapshots().get(layers.get(i).diffId(), extracting(ctx.step())));
        Trace.mark("RUN: lower snapshots ready");
        Bundle bundle = Bundle.open(services.store(), services.snapshots(), lowers, "run-");
        Path tmp = bundle.dir();
        List<AutoCloseable> undo = new ArrayList<>();
        try {
            Path upper = bundle.upper();
            Path rootfs = bundle.rootfs();
            String cwd = s.config().workingDirOrRoot();
            Users.Id id = user(s, r, rootfs);
            List<RuncSpec.Mount> extra = new ArrayList<>();
            if (cmd.script() != null) extra.add(scriptMount(tmp, cmd.script()));
            MountStubs stubs = new MountStubs(rootfs);
            ContainerNetwork net = bundle.network(
                    network, List.of(hostname()), services.options().run().extraHosts());
            extra.addAll(net.mounts());
            RunMounts runMounts = new RunMounts(ctx, s, tmp, undo);
            for (Mounts.Spec m : mounts) {
                RuncSpec.Mount mt = runMounts.prepare(m);
                if (mt == null) continue;
                stubs.note(mt.destination());
                extra.add(mt);
            }
            Trace.mark("RUN: overlay mounted, bundle prepared");
            if (runMounts.sshSocket() != null) {
                env = new ArrayList<>(env);
                env.add("SSH_AUTH_SOCK=" + runMounts.sshSocket());
            }
            if (!runMounts.secretEnv().isEmpty()) {
                env = RunEnvironment.withSecrets(env, runMounts.secretEnv());
                // runc reads the process's environment from the bundle's config.json, which is on disk: with a secret
                // in it, the file lives on the secrets' tmpfs and the bundle has a link to it (runc follows it, and
                // Runc.run writes through it), so no secret reaches persistent disk, even if whittle is killed
                Files.createSymbolicLink(
                        tmp.resolve("config.json"),
                        runMounts.secretFiles().write("config.json", new byte[0], 0, 0, 0600));
            }
            RuncSpec spec = new RuncSpec(
                    cmd.args(),
                    env,
                    cwd,
                    id.uid(),
                    id.gid(),
                    id.groups(),
                    hostname(),
                    net.network(),
                    extra,
                    false,
                    services.options().run().limits());
            RunOutput output = new RunOutput(services.progress(), ctx.step());
            int code;
            try {
                code = bundle.runc().run(tmp, spec, output::line, null, services.stop());
            } finally {
                runMounts.unlock();
            }
            Trace.mark("RUN: runc exited");
            String stopped = services.stop().reason();
            if (stopped != null) {
                services.failures().failed(ctx.step(), "CANCELED");
                throw new BuildException(stopped);
            }
            if (code != 0) {
                services.failures().failed(ctx.step(), output.reason(cmd.args(), code));
                throw ctx.error(r.pos(), output.detail(cmd.args(), code));
            }
            closeAll(undo);
            bundle.unmount();
            Trace.mark("RUN: unmounted");
            stubs.remove(upper);
            return result.take(upper);
        } finally {
            try {
                closeAll(undo);
            } finally {
                bundle.close();
            }
        }
    }

    /** The USER's ids, from the image's own /etc/passwd and /etc/group as runc resolves them. */
    private Users.Id user(State s, Instruction.Run r, Path rootfs) {
        try {
            return Users.resolve(
                    new ContextTree(rootfs, DockerIgnore.none()), s.config().user());
        } catch (IOException e) {
            throw ctx.error(r.pos(), "RUN failed: USER " + s.config().user() + ": " + e.getMessage());
        }
    }

    /** BuildKit mounts a heredoc script read-only at /dev/pipes, inside the container's /dev (so in no layer). */
    private static RuncSpec.Mount scriptMount(Path tmp, Heredoc script) throws IOException {
        Path pipes = Files.createDirectories(tmp.resolve("pipes"));
        Path f = pipes.resolve(script.name());
        Files.writeString(f, script.body());
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new RuncSpec.Mount(RunCommand.PIPES, "bind", pipes.toString(), List.of("rbind", "ro"));
    }

    /** A base layer unpacked on first use shows as the step's sub-row: {@code extracting sha256:...} with its bytes. */
    private Snapshots.Unpacking extracting(int step) {
        Progress progress = services.progress();
        return (diffId, size) -> {
            int sub = progress.subStart(step, "extracting " + diffId);
            progress.subProgress(sub, 0, size);
            return new Snapshots.Unpacking.Watch() {
                @Override
                public void read(long bytes) {
                    progress.subProgress(sub, bytes, size);
                }

                @Override
                public void close() {
                    progress.subDone(sub);
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
}
