package dev.whittle.sandbox;

import dev.whittle.image.Digest;
import dev.whittle.image.ImageConfig;
import dev.whittle.rootfs.ContextTree;
import dev.whittle.rootfs.FileTree;
import dev.whittle.rootfs.Users;
import dev.whittle.store.Store;
import dev.whittle.tar.TarEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs an image the way {@code docker run} would: the image's layers (snapshots) under a throw-away upper
 * directory, Entrypoint + Cmd with docker's override rules, its Env, WorkingDir and User as the Engine sets them, in
 * runc, attached to the caller's streams (or a terminal).
 */
public final class ContainerRunner {
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private final Store store;
    private final Snapshots snapshots;

    public ContainerRunner(Store store) throws IOException {
        this.store = store;
        this.snapshots = new Snapshots(store);
    }

    /**
     * What to run, with docker's flags.
     *
     * @param env      -e and --env-file entries in docker's order: KEY=VALUE, or KEY alone to unset it
     * @param hostname --hostname, or null for docker's (the container ID's first 12 digits; the host's with --network host)
     * @param mounts   -v and --mount
     * @param tty      -t: a terminal of its own
     */
    public record Options(
            List<String> entrypoint,
            List<String> cmd,
            List<String> env,
            String workdir,
            String user,
            ContainerNetwork.Mode network,
            List<ContainerNetwork.ExtraHost> extraHosts,
            String hostname,
            List<RuncSpec.Mount> mounts,
            boolean tty) {}

    /** The outcome: the process's exit code, or the runtime's error when the process never started. */
    public record Outcome(int exitCode, String runtimeError) {}

    /** docker's rules: --entrypoint replaces the image's and drops its Cmd; arguments replace Cmd. */
    public static List<String> processArgs(ImageConfig c, Options o) {
        List<String> ep = o.entrypoint() != null ? o.entrypoint() : c.entrypoint() == null ? List.of() : c.entrypoint();
        List<String> cmd = o.cmd() != null && !o.cmd().isEmpty()
                ? o.cmd()
                : o.entrypoint() != null ? List.of() : c.cmd() == null ? List.of() : c.cmd();
        List<String> args = new ArrayList<>(ep);
        args.addAll(cmd);
        return args;
    }

    /**
     * The process's environment as the Engine builds it: PATH, HOSTNAME and (with a terminal) TERM first, then the
     * container's Env — the user's entries, then the image's the user did not name — each replacing a default of the
     * same name or appended; a name without a value removes a default.
     */
    static List<String> environment(ImageConfig c, Options o, String hostname) {
        List<String> config = new ArrayList<>(o.env());
        Set<String> userKeys = new HashSet<>();
        for (String e : o.env()) userKeys.add(key(e));
        for (String e : c.env()) if (!userKeys.contains(key(e))) config.add(e);
        List<String> env = new ArrayList<>(List.of("PATH=" + DEFAULT_PATH, "HOSTNAME=" + hostname));
        if (o.tty()) env.add("TERM=xterm");
        Map<String, Integer> defaults = new HashMap<>();
        for (int i = 0; i < env.size(); i++) defaults.put(key(env.get(i)), i);
        for (String e : config) {
            Integer at = defaults.get(key(e));
            if (e.indexOf('=') < 0) {
                if (at != null) env.set(at, null);
            } else if (at != null) {
                env.set(at, e);
            } else {
                env.add(e);
            }
        }
        env.removeIf(e -> e == null);
        return env;
    }

    private static String key(String env) {
        int eq = env.indexOf('=');
        return eq < 0 ? env : env.substring(0, eq);
    }

    /** A hostname as docker makes one: the first 12 hex digits of a random container ID, never all digits. */
    static String randomHostname() {
        while (true) {
            byte[] b = new byte[6];
            ThreadLocalRandom.current().nextBytes(b);
            String id = HexFormat.of().formatHex(b);
            if (!id.chars().allMatch(Character::isDigit)) return id;
        }
    }

    public Outcome run(ImageConfig c, Options o, AttachedRun.Io io, SignalRelay relay) throws IOException {
        List<String> args = processArgs(c, o);
        if (args.isEmpty()) throw new IOException("no command specified");
        String cwd = o.workdir() != null && !o.workdir().isEmpty() ? o.workdir() : c.workingDirOrRoot();
        if (!cwd.startsWith("/"))
            throw new IOException("the working directory '" + cwd + "' is invalid, it needs to be an absolute path");
        String hostname = o.hostname() != null
                ? o.hostname()
                : o.network() == ContainerNetwork.Mode.HOST
                        ? Files.readString(Path.of("/proc/sys/kernel/hostname")).trim()
                        : randomHostname();
        List<Path> lowers = new ArrayList<>();
        List<Digest> diffIds = c.diffIds();
        for (int i = diffIds.size() - 1; i >= 0; i--) lowers.add(snapshots.get(diffIds.get(i)));
        try (Bundle bundle = Bundle.open(store, snapshots, lowers, "ctr-")) {
            FileTree tree = ContextTree.imageRoot(bundle.rootfs());
            Users.Id id = Users.forContainer(tree, o.user() != null && !o.user().isEmpty() ? o.user() : c.user());
            FileTree.Node dir = tree.stat(cwd, true);
            if (dir != null && dir.type() != TarEntry.Type.DIR)
                throw new IOException("Cannot mkdir: " + cwd + " is not a directory");
            ContainerNetwork net = bundle.network(o.network(), List.of(), o.extraHosts());
            List<RuncSpec.Mount> mounts = mounts(o.mounts(), net.mounts(), bundle.hostnameFile(hostname));
            RuncSpec spec = new RuncSpec(
                    args,
                    environment(c, o, hostname),
                    cwd,
                    id.uid(),
                    id.gid(),
                    id.groups(),
                    hostname,
                    net.network(),
                    mounts,
                    false,
                    ProcessLimits.DEFAULT,
                    o.tty());
            AttachedRun.Result r =
                    AttachedRun.run(bundle.runc(), bundle.dir(), ConsoleSocket.socketDir(store), spec, io, relay);
            return r.startError() == null
                    ? new Outcome(r.exitCode(), null)
                    : new Outcome(exitCode(r.startError()), r.startError());
        }
    }

    /**
     * The user's mounts and the ones docker adds (/etc/hosts, /etc/resolv.conf, /etc/hostname) unless the user mounts
     * something there, shallowest first (stable, as the Engine sorts them), so a mount inside another lands on it.
     */
    static List<RuncSpec.Mount> mounts(
            List<RuncSpec.Mount> user, List<RuncSpec.Mount> network, RuncSpec.Mount hostname) {
        List<RuncSpec.Mount> all = new ArrayList<>(user);
        Set<String> taken = new HashSet<>();
        for (RuncSpec.Mount m : user) taken.add(clean(m.destination()));
        List<RuncSpec.Mount> added = new ArrayList<>(network);
        added.add(hostname);
        for (RuncSpec.Mount m : added) if (!taken.contains(m.destination())) all.add(m);
        all.sort(Comparator.comparingInt(m -> clean(m.destination()).split("/", -1).length));
        return all;
    }

    private static String clean(String path) {
        return Path.of("/").resolve(path).normalize().toString();
    }

    /** docker's client: a missing program is 127, one that may not run 126, any other failure to start 125. */
    static int exitCode(String error) {
        if (error.contains("executable file not found") || error.contains("no such file or directory")) return 127;
        if (error.contains("permission denied") || error.contains("is a directory")) return 126;
        return 125;
    }
}
