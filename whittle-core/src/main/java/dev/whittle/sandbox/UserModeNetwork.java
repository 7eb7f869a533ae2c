package dev.whittle.sandbox;

import dev.whittle.ffi.Posix;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace of its own with outbound access through slirp4netns, a user-mode NAT: what `docker build` and
 * `docker run` give a container by default, without bridges, iptables rules or anything else on the host to undo. The
 * container has its own loopback; the host's loopback is reached only at {@link #GATEWAY} (slirp's host address), so a
 * RUN can reach a server the host runs on 127.0.0.1 only by asking for it ({@code --add-host name:host-gateway}).
 *
 * <p>Two helper processes hold it: one sits in the new namespace (a shell that waits on standard input), slirp4netns
 * serves it. Both end when whittle closes their standard input, or when whittle dies and the kernel closes it: a
 * killed whittle leaves neither behind.
 */
public final class UserModeNetwork implements AutoCloseable {
    /** slirp4netns's fixed addresses: the gateway (the host, its loopback included) and its DNS forwarder. */
    public static final String GATEWAY = "10.0.2.2", DNS = "10.0.2.3";

    public static final String SLIRP4NETNS = "/usr/bin/slirp4netns";

    private final Process holder;
    private final Process slirp;

    private UserModeNetwork(Process holder, Process slirp) {
        this.holder = holder;
        this.slirp = slirp;
    }

    public static boolean available() {
        return Files.isExecutable(Path.of(SLIRP4NETNS));
    }

    /** Starts the namespace and its NAT; returns once the namespace has its interface, address and route. */
    public static UserModeNetwork start() throws IOException {
        if (!available()) {
            throw new IOException("RUN's default network needs slirp4netns (apt-get install slirp4netns); "
                    + "or build with --network=none or --network=host");
        }
        if (Posix.inUserNamespace()) requireTunOpen(Path.of("/dev/net/tun"));
        // the shell says it is in the new namespace before slirp4netns may join it (a slirp in the host's namespace
        // would reconfigure the host)
        Process holder = new ProcessBuilder("unshare", "--net", "/bin/sh", "-c", "echo; exec cat >/dev/null")
                .redirectErrorStream(true)
                .start();
        Process slirp = null;
        try {
            expect(holder.getInputStream(), '\n', "unshare --net");
            slirp = new ProcessBuilder(
                            SLIRP4NETNS,
                            "--configure",
                            "--mtu=65520",
                            "--exit-fd=0",
                            "--ready-fd=1",
                            String.valueOf(holder.pid()),
                            "tap0")
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            expect(slirp.getInputStream(), '1', "slirp4netns");
            return new UserModeNetwork(holder, slirp);
        } catch (IOException | RuntimeException e) {
            stop(slirp);
            stop(holder);
            throw e;
        }
    }

    /**
     * slirp4netns opens the tun device inside the namespace as the user: a 0600 device (Debian's udev makes it 0666)
     * is closed to a rootless whittle, and slirp4netns would fail with a bare "Permission denied" (Podman shows that).
     */
    static void requireTunOpen(Path tun) throws IOException {
        if (Files.isReadable(tun) && Files.isWritable(tun)) return;
        String fixes = "; or use --network=none or --network=host";
        if (!Files.exists(tun)) {
            throw new IOException("RUN's default network needs " + tun + " (slirp4netns uses it), and there is none;"
                    + " as root: modprobe tun" + fixes);
        }
        throw new IOException("RUN's default network needs " + tun + " open to you (slirp4netns uses it), and it is"
                + " closed to you (" + PosixFilePermissions.toString(Files.getPosixFilePermissions(tun))
                + "; Debian's udev makes it rw-rw-rw-); as root: chmod 0666 " + tun + fixes);
    }

    private static void expect(InputStream in, char want, String what) throws IOException {
        int c = in.read();
        if (c != want)
            throw new IOException(
                    "could not set up RUN's network: " + what + " failed" + (c < 0 ? "" : " (" + (char) c + ")"));
    }

    /** The namespace, for the runtime spec: a path runc joins. */
    public String namespacePath() {
        return "/proc/" + holder.pid() + "/ns/net";
    }

    /**
     * resolv.conf for the container: the host's, unless it names only loopback servers (systemd-resolved's 127.0.0.53
     * is not reachable from another namespace); then slirp's DNS forwarder, which asks the host's.
     */
    public static String resolvConf(String host) {
        List<String> servers = host.lines()
                .map(String::strip)
                .filter(l -> l.startsWith("nameserver"))
                .toList();
        boolean loopbackOnly = servers.stream().allMatch(l -> {
            String addr = l.substring("nameserver".length()).strip();
            return addr.startsWith("127.") || addr.equals("::1");
        });
        if (!loopbackOnly) return host;
        StringBuilder b = new StringBuilder();
        host.lines()
                .filter(l -> !l.strip().startsWith("nameserver"))
                .forEach(l -> b.append(l).append('\n'));
        return b.append("nameserver ").append(DNS).append('\n').toString();
    }

    private static void stop(Process p) {
        if (p == null) return;
        try {
            p.getOutputStream().close(); // both end at end of input
            if (!p.waitFor(2, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
        } catch (IOException | InterruptedException e) {
            p.destroyForcibly();
        }
    }

    @Override
    public void close() {
        stop(slirp);
        stop(holder);
    }
}
