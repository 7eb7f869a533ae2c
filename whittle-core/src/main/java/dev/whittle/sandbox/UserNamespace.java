package dev.whittle.sandbox;

import dev.whittle.ffi.Posix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Rootless whittle, as Podman and Buildah do it: a user who is not root re-enters whittle in a user namespace of its
 * own (with a mount namespace) where it is root: its own id is the namespace's 0, its {@code /etc/subuid} and
 * {@code /etc/subgid} ranges (through the setuid {@code newuidmap}/{@code newgidmap} of Debian's {@code uidmap}) the
 * ids from 1 on, so a chown to 1000 in a RUN gives uid 1000 in the layer, as a root build does. util-linux's
 * {@code unshare --map-auto} sets the maps up. Without a range only the user's own id is mapped, with a warning.
 */
public final class UserNamespace {
    /** Set in the re-entered process's environment: it never tries again. */
    public static final String ENTERED = "WHITTLE_USERNS";

    /** A subordinate id range: the host's ids {@code start..start+count-1}. */
    public record Range(long start, long count) {}

    /** Where {@link #plan} looks: the host's files and programs (a test points them elsewhere). */
    public record Host(String user, long uid, Path subuid, Path subgid, Path procSys, Predicate<Path> executable) {
        public static Host current() throws IOException {
            return new Host(
                    System.getProperty("user.name"),
                    ownUid(),
                    Path.of("/etc/subuid"),
                    Path.of("/etc/subgid"),
                    Path.of("/proc/sys"),
                    Files::isExecutable);
        }
    }

    /** How to re-enter: the command line's prefix, and what to tell the user first (null: nothing). */
    public record Plan(List<String> prefix, String warning) {}

    static final Path UNSHARE = Path.of("/usr/bin/unshare"),
            NEWUIDMAP = Path.of("/usr/bin/newuidmap"),
            NEWGIDMAP = Path.of("/usr/bin/newgidmap");

    private UserNamespace() {}

    /** Whether whittle must re-enter itself: not root, not in a namespace of its own, not re-entered already. */
    public static boolean needed() {
        return !Posix.isRoot() && !Posix.inUserNamespace() && System.getenv(ENTERED) == null;
    }

    /**
     * How this user enters a user namespace, or an error that names what is missing and how to fix it: user
     * namespaces turned off by a sysctl, no {@code unshare}, a subuid range but no {@code newuidmap}.
     */
    public static Plan plan(Host h) throws IOException {
        if ("0".equals(sysctl(h, "user/max_user_namespaces")))
            throw new IOException("whittle as a non-root user needs user namespaces, which this kernel has turned off"
                    + " (user.max_user_namespaces=0); as root: sysctl -w user.max_user_namespaces=15000");
        if ("0".equals(sysctl(h, "kernel/unprivileged_userns_clone")))
            throw new IOException("whittle as a non-root user needs user namespaces, which this kernel allows only root"
                    + " (kernel.unprivileged_userns_clone=0); as root: sysctl -w kernel.unprivileged_userns_clone=1");
        if ("1".equals(sysctl(h, "kernel/apparmor_restrict_unprivileged_userns")))
            throw new IOException(
                    "whittle as a non-root user needs user namespaces, which AppArmor restricts"
                            + " (kernel.apparmor_restrict_unprivileged_userns=1); as root: sysctl -w"
                            + " kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile for java allowing userns");
        if (!h.executable().test(UNSHARE))
            throw new IOException("whittle as a non-root user needs " + UNSHARE + " (util-linux 2.38 or later)");
        Range uids = range(h.subuid(), h.user(), h.uid());
        Range gids = range(h.subgid(), h.user(), h.uid());
        List<String> prefix = new ArrayList<>(List.of(UNSHARE.toString(), "--user", "--map-root-user", "--mount"));
        if (uids == null || gids == null) {
            String file = uids == null ? h.subuid().toString() : h.subgid().toString();
            return new Plan(
                    prefix,
                    "whittle: warning: " + h.user() + " has no range in " + file + ", so only your own id is mapped"
                            + " (to root): a RUN that changes a file's owner, or an image with files of other owners,"
                            + " fails. As root: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 "
                            + h.user());
        }
        for (Path p : List.of(NEWUIDMAP, NEWGIDMAP)) {
            if (!h.executable().test(p))
                throw new IOException("whittle as a non-root user maps your /etc/subuid and /etc/subgid ranges with "
                        + p + ", which is not installed; as root: apt-get install uidmap");
        }
        prefix.add(3, "--map-auto");
        return new Plan(prefix, null);
    }

    /**
     * What a program that is not root is told when it needs runc: a Java program using {@code dev.whittle.api} cannot
     * re-enter itself as the command line does (a library must not replace its caller's process), so this names the
     * command line that starts it as root of a user namespace, with this user's mapping, or what is missing for one.
     */
    public static String rootNeeded(String what) {
        String fix;
        try {
            Plan plan = plan(Host.current());
            // inside, the JVM would take root's home, and the default store with it
            fix = "run the program as root of a user namespace, as the whittle command does for itself: "
                    + String.join(" ", plan.prefix()) + " -- java -Duser.home=$HOME … (docs/rootless.md); or as root";
            if (plan.warning() != null) fix += ". Note: " + plan.warning().replaceFirst("^whittle: warning: ", "");
        } catch (IOException e) {
            fix = e.getMessage() + "; or run it as root";
        }
        return what + " needs root (runc and overlay mounts), and this program runs as "
                + System.getProperty("user.name") + ": " + fix;
    }

    /** The first range {@code file} gives the user (by name or uid), or null. */
    static Range range(Path file, String user, long uid) throws IOException {
        if (!Files.isRegularFile(file)) return null;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] f = line.strip().split(":");
            if (f.length != 3 || !(f[0].equals(user) || f[0].equals(Long.toString(uid)))) continue;
            try {
                long start = Long.parseLong(f[1]), count = Long.parseLong(f[2]);
                if (count > 0) return new Range(start, count);
            } catch (NumberFormatException e) {
                // a malformed line: newuidmap skips it too
            }
        }
        return null;
    }

    private static String sysctl(Host h, String name) throws IOException {
        Path p = h.procSys().resolve(name);
        return Files.isReadable(p) ? Files.readString(p).strip() : null;
    }

    /**
     * Replaces this process with whittle in a new user namespace: the same JVM and arguments, after {@code prefix}.
     * The home directory is passed on (inside, the JVM would take root's), and {@link #ENTERED} is set.
     */
    public static void enter(Plan plan) throws IOException {
        byte[] raw = Files.readAllBytes(Path.of("/proc/self/cmdline"));
        List<String> cmdline = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == 0) {
                cmdline.add(new String(raw, from, i - from, StandardCharsets.UTF_8));
                from = i + 1;
            }
        }
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElseThrow(() -> new IOException("cannot tell which java runs whittle"));
        List<String> argv = new ArrayList<>(plan.prefix());
        argv.add("--");
        argv.add(java);
        argv.add("-Duser.home=" + System.getProperty("user.home"));
        argv.addAll(cmdline.subList(1, cmdline.size()));
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : System.getenv().entrySet()) env.add(e.getKey() + "=" + e.getValue());
        env.add(ENTERED + "=1");
        Posix.execve(plan.prefix().getFirst(), argv, env);
    }

    /** Whether this process's user namespace maps group {@code gid} (the host's namespace maps all). */
    static boolean mapsGid(long gid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/gid_map"))) {
                String[] f = line.strip().split("\\s+");
                long inside = Long.parseLong(f[0]), count = Long.parseLong(f[2]);
                if (gid >= inside && gid < inside + count) return true;
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return true; // no /proc to ask: as on a host
        }
    }

    private static long ownUid() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:"))
                return Long.parseLong(line.substring(4).strip().split("\\s+")[0]);
        }
        throw new IOException("cannot read this process's uid from /proc/self/status");
    }
}
