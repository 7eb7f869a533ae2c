package dev.whittle.sandbox;

import dev.whittle.ffi.Posix;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OCI runtime configuration (config.json) for one process, with docker's defaults: its capability set, masked
 * and read-only /proc paths, /dev as tmpfs, read-only /sys, a private network namespace unless host networking is
 * asked for, and no-new-privileges off so setuid programs behave as in docker.
 */
public record RuncSpec(
        List<String> args,
        List<String> env,
        String cwd,
        long uid,
        long gid,
        List<Long> additionalGids,
        String hostname,
        Network network,
        List<Mount> mounts,
        boolean readonlyRoot,
        ProcessLimits limits,
        boolean terminal) {

    /** Without a terminal (RUN's). */
    public RuncSpec(
            List<String> args,
            List<String> env,
            String cwd,
            long uid,
            long gid,
            List<Long> additionalGids,
            String hostname,
            Network network,
            List<Mount> mounts,
            boolean readonlyRoot,
            ProcessLimits limits) {
        this(args, env, cwd, uid, gid, additionalGids, hostname, network, mounts, readonlyRoot, limits, false);
    }

    /** The container's network: the host's, a new namespace with loopback only, or an existing namespace to join. */
    public record Network(boolean host, String namespacePath) {
        public static final Network HOST = new Network(true, null), LOOPBACK_ONLY = new Network(false, null);

        public static Network join(String namespacePath) {
            return new Network(false, namespacePath);
        }
    }

    /** A mount in the container. */
    public record Mount(String destination, String type, String source, List<String> options) {}

    static final List<String> CAPS = List.of(
            "CAP_CHOWN",
            "CAP_DAC_OVERRIDE",
            "CAP_FSETID",
            "CAP_FOWNER",
            "CAP_MKNOD",
            "CAP_NET_RAW",
            "CAP_SETGID",
            "CAP_SETUID",
            "CAP_SETFCAP",
            "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE",
            "CAP_SYS_CHROOT",
            "CAP_KILL",
            "CAP_AUDIT_WRITE");

    public Map<String, Object> toJson() {
        Map<String, Object> process = new LinkedHashMap<>();
        process.put("terminal", terminal); // runc then sends the terminal's master to --console-socket
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("uid", uid);
        user.put("gid", gid);
        if (!additionalGids.isEmpty()) user.put("additionalGids", additionalGids);
        process.put("user", user);
        process.put("args", args);
        process.put("env", env);
        process.put("cwd", cwd);
        // A process of another user than root starts with no capabilities, only the bounding set (as Docker since
        // moby#36587, and BuildKit's RUN): with CAP_DAC_OVERRIDE effective at its first exec it could run files its
        // user may not (the kernel drops the capabilities only after that exec).
        Map<String, Object> caps = new LinkedHashMap<>();
        for (String k : uid == 0 ? List.of("bounding", "effective", "permitted") : List.of("bounding"))
            caps.put(k, CAPS);
        process.put("capabilities", caps);
        process.put("noNewPrivileges", false);
        if (!limits.ulimits().isEmpty()) process.put("rlimits", limits.rlimitsJson());

        List<Object> m = new ArrayList<>();
        m.add(mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")));
        m.add(mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")));
        List<String> devpts = new ArrayList<>(List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"));
        if (UserNamespace.mapsGid(5)) devpts.add("gid=5"); // a rootless whittle without a subgid range maps 0 only
        m.add(mount("/dev/pts", "devpts", "devpts", devpts));
        m.add(mount(
                "/dev/shm",
                "tmpfs",
                "shm",
                List.of("nosuid", "noexec", "nodev", "mode=1777", "size=" + limits.shmBytes())));
        m.add(mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")));
        if (network.host() && Posix.inUserNamespace()) {
            // sysfs may be mounted only by the owner of the network namespace: rootless with the host's network
            // binds the host's /sys instead, as rootless Podman does
            m.add(mount("/sys", "bind", "/sys", List.of("rbind", "nosuid", "noexec", "nodev", "ro")));
        } else {
            m.add(mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")));
        }
        for (Mount x : mounts) m.add(mount(x.destination(), x.type(), x.source(), x.options()));

        List<Object> ns = new ArrayList<>();
        for (String t : List.of("pid", "ipc", "uts", "mount")) ns.add(Map.of("type", t));
        if (!network.host()) {
            ns.add(
                    network.namespacePath() == null
                            ? Map.of("type", "network")
                            : Map.of("type", "network", "path", network.namespacePath()));
        }
        Map<String, Object> linux = new LinkedHashMap<>();
        linux.put("namespaces", ns);
        linux.put(
                "maskedPaths",
                List.of(
                        "/proc/asound",
                        "/proc/acpi",
                        "/proc/kcore",
                        "/proc/keys",
                        "/proc/latency_stats",
                        "/proc/timer_list",
                        "/proc/timer_stats",
                        "/proc/sched_debug",
                        "/proc/scsi",
                        "/sys/firmware"));
        linux.put("readonlyPaths", List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"));

        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("ociVersion", "1.0.2");
        spec.put("process", process);
        spec.put("root", Map.of("path", "rootfs", "readonly", readonlyRoot));
        spec.put("hostname", hostname);
        spec.put("mounts", m);
        spec.put("linux", linux);
        return spec;
    }

    private static Map<String, Object> mount(String dest, String type, String source, List<String> options) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("destination", dest);
        o.put("type", type);
        o.put("source", source);
        o.put("options", options);
        return o;
    }
}
