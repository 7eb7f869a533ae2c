package dev.whittle.sandbox;

import dev.whittle.rootfs.ContextTree;
import dev.whittle.rootfs.Users;
import dev.whittle.dockerfile.DockerIgnore;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageConfig;
import dev.whittle.store.Store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs an image the way {@code docker run} would: the image's layers (snapshots) under a throw-away upper
 * directory, Entrypoint + Cmd with docker's override rules, its Env, WorkingDir and User, in runc.
 */
public final class ContainerRunner {
    private final Store store;
    private final Snapshots snapshots;

    public ContainerRunner(Store store) throws IOException {
        this.store = store;
        this.snapshots = new Snapshots(store);
    }

    /** What to run, with docker's flags. */
    public record Options(List<String> entrypoint, List<String> cmd, Map<String, String> env, String workdir, String user,
                          ContainerNetwork.Mode network, List<ContainerNetwork.ExtraHost> extraHosts) {}

    /** The outcome: the process's exit code, or the runtime's error when the process never started. */
    public record Outcome(int exitCode, String runtimeError) {}

    /** docker's rules: --entrypoint replaces the image's and drops its Cmd; arguments replace Cmd. */
    public static List<String> processArgs(ImageConfig c, Options o) {
        List<String> ep = o.entrypoint() != null ? o.entrypoint() : c.entrypoint() == null ? List.of() : c.entrypoint();
        List<String> cmd = o.cmd() != null && !o.cmd().isEmpty() ? o.cmd()
                : o.entrypoint() != null ? List.of() : c.cmd() == null ? List.of() : c.cmd();
        List<String> args = new ArrayList<>(ep);
        args.addAll(cmd);
        return args;
    }

    public Outcome run(ImageConfig c, Options o, Consumer<String> output) throws IOException {
        List<String> args = processArgs(c, o);
        if (args.isEmpty()) throw new IOException("no command specified");
        List<Path> lowers = new ArrayList<>();
        List<Digest> diffIds = c.diffIds();
        for (int i = diffIds.size() - 1; i >= 0; i--) lowers.add(snapshots.get(diffIds.get(i)));
        try (Cleanup.TempDirectory tmp = Cleanup.newTempDirectory(store.tempDir(), "ctr-");
             OverlayMount root = OverlayMount.mount(lowers, tmp.resolve("upper"), tmp.resolve("work"), tmp.resolve("rootfs"),
                     snapshots.root().resolve("empty"))) {
            Map<String, String> env = new LinkedHashMap<>();
            for (String e : c.env()) {
                int eq = e.indexOf('=');
                if (eq > 0) env.put(e.substring(0, eq), e.substring(eq + 1));
            }
            env.putAll(o.env());
            env.putIfAbsent("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
            env.putIfAbsent("HOSTNAME", "whittle");
            List<String> envList = new ArrayList<>();
            env.forEach((k, v) -> envList.add(k + "=" + v));
            String user = o.user() != null ? o.user() : c.user();
            Users.Id id = Users.resolve(new ContextTree(root.path(), DockerIgnore.none()), user);
            String cwd = o.workdir() != null ? o.workdir() : c.workingDir().isEmpty() ? "/" : c.workingDir();
            try (ContainerNetwork net = ContainerNetwork.prepare(o.network(), List.of(), o.extraHosts(), tmp.path())) {
                RuncSpec spec = new RuncSpec(args, envList, cwd, id.uid(), id.gid(), id.groups(), "whittle", net.network(), net.mounts(), false,
                        ProcessLimits.DEFAULT);
                return run(tmp.path(), spec, output);
            }
        }
    }

    /** Runs the bundle; a process runc could not start is docker's 127 (missing) or 126 (not executable). */
    private Outcome run(Path bundle, RuncSpec spec, Consumer<String> output) throws IOException {
        String[] error = {null};
        int code = new Runc(Runc.stateRoot(store)).run(bundle, spec, line -> {
            String err = Runc.startError(line);
            if (err != null) error[0] = err;
            else output.accept(line);
        }, null);
        if (error[0] != null) {
            int mapped = error[0].contains("no such file or directory") || error[0].contains("not found") ? 127 : 126;
            return new Outcome(mapped, error[0]);
        }
        return new Outcome(code, null);
    }
}
