package dev.whittle.sandbox;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A container's network as RUN and `whittle run` set it up: the namespace (docker's default of a private network with
 * outbound access, loopback only, or the host's), and the /etc/hosts and /etc/resolv.conf mounted into it.
 */
public final class ContainerNetwork implements AutoCloseable {
    /** docker's network modes for builds and containers. */
    public enum Mode {
        /** A namespace of its own with outbound access through a user-mode NAT, as docker's bridge network gives. */
        DEFAULT,
        /** A namespace of its own with loopback only. */
        NONE,
        /** The host's network. */
        HOST;

        /** docker's names; {@code bridge} is docker run's name for the default. */
        public static Mode parse(String name) {
            return switch (name) {
                case "default", "bridge" -> DEFAULT;
                case "none" -> NONE;
                case "host" -> HOST;
                default ->
                    throw new IllegalArgumentException(
                            "network mode \"" + name + "\" is not supported (default, none or host)");
            };
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** An {@code --add-host} entry: a name and the address it resolves to ({@code host-gateway}: the host). */
    public record ExtraHost(String name, String address) {
        public static final String HOST_GATEWAY = "host-gateway";

        /** Parses {@code name:address} (docker's form; an IPv6 address keeps its colons) or {@code name=address}. */
        public static ExtraHost parse(String spec) {
            int sep = spec.indexOf('=') > 0 ? spec.indexOf('=') : spec.indexOf(':');
            if (sep <= 0) throw new IllegalArgumentException("bad format for add-host: \"" + spec + "\" (NAME:IP)");
            String name = spec.substring(0, sep), address = spec.substring(sep + 1);
            if (address.startsWith("[") && address.endsWith("]")) address = address.substring(1, address.length() - 1);
            if (!address.equals(HOST_GATEWAY)) {
                try {
                    InetAddress.ofLiteral(address);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("invalid IP address in add-host: \"" + address + "\"");
                }
            }
            return new ExtraHost(name, address);
        }

        @Override
        public String toString() {
            return name + ":" + address;
        }
    }

    private final RuncSpec.Network network;
    private final List<RuncSpec.Mount> mounts;
    private final UserModeNetwork nat;

    private ContainerNetwork(RuncSpec.Network network, List<RuncSpec.Mount> mounts, UserModeNetwork nat) {
        this.network = network;
        this.mounts = mounts;
        this.nat = nat;
    }

    /**
     * Sets up the network and writes hosts and resolv.conf into {@code dir}.
     *
     * @param localNames names for 127.0.0.1 besides localhost (BuildKit's RUN has {@code buildkitsandbox})
     */
    public static ContainerNetwork prepare(Mode mode, List<String> localNames, List<ExtraHost> extraHosts, Path dir)
            throws IOException {
        StringBuilder hosts = new StringBuilder("127.0.0.1\tlocalhost");
        for (String n : localNames) hosts.append(' ').append(n);
        hosts.append("\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        // the host as seen from inside: slirp's gateway, or the host's own loopback when the network is the host's
        String gateway = mode == Mode.HOST ? "127.0.0.1" : UserModeNetwork.GATEWAY;
        for (ExtraHost h : extraHosts) {
            hosts.append(h.address().equals(ExtraHost.HOST_GATEWAY) ? gateway : h.address())
                    .append('\t')
                    .append(h.name())
                    .append('\n');
        }
        Path hostsFile = Files.writeString(dir.resolve("hosts"), hosts);
        Path hostResolv = Path.of("/etc/resolv.conf");
        String resolv = Files.isRegularFile(hostResolv) ? Files.readString(hostResolv) : "";
        UserModeNetwork nat = mode == Mode.DEFAULT ? UserModeNetwork.start() : null;
        try {
            if (nat != null) resolv = UserModeNetwork.resolvConf(resolv);
            Path resolvFile = Files.writeString(dir.resolve("resolv.conf"), resolv);
            List<RuncSpec.Mount> mounts = new ArrayList<>();
            mounts.add(new RuncSpec.Mount("/etc/hosts", "bind", hostsFile.toString(), List.of("rbind", "ro")));
            mounts.add(new RuncSpec.Mount("/etc/resolv.conf", "bind", resolvFile.toString(), List.of("rbind", "ro")));
            RuncSpec.Network network = switch (mode) {
                case HOST -> RuncSpec.Network.HOST;
                case NONE -> RuncSpec.Network.LOOPBACK_ONLY;
                case DEFAULT -> RuncSpec.Network.join(nat.namespacePath());
            };
            return new ContainerNetwork(network, List.copyOf(mounts), nat);
        } catch (IOException | RuntimeException e) {
            if (nat != null) nat.close();
            throw e;
        }
    }

    public RuncSpec.Network network() {
        return network;
    }

    /** /etc/hosts and /etc/resolv.conf. */
    public List<RuncSpec.Mount> mounts() {
        return mounts;
    }

    @Override
    public void close() {
        if (nat != null) nat.close();
    }
}
