package dev.whittle.build;

import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.Planner;

import dev.whittle.sandbox.ContainerNetwork;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What to build and how.
 *
 * @param network         RUN's network: {@code default} (a namespace of its own with outbound access through a
 *                        user-mode NAT, as docker's), {@code none} (loopback only) or {@code host}
 * @param extraHosts      {@code --add-host} entries for RUN's /etc/hosts
 * @param sourceDateEpoch SOURCE_DATE_EPOCH in seconds for reproducible builds, or null
 * @param pull            {@code missing} (pull images the store lacks), {@code always} or {@code never}
 * @param puller          fetches images from registries; null when none may be used
 */
public record BuildRequest(ContextTree context, Dockerfile dockerfile, Planner.Options options, boolean noCache, String network,
                           List<ContainerNetwork.ExtraHost> extraHosts, Map<String, Secret> secrets, Long sourceDateEpoch, Progress progress, String pull, ImagePuller puller) {
    public BuildRequest {
        secrets = secrets == null ? Map.of() : Map.copyOf(secrets);
        extraHosts = extraHosts == null ? List.of() : List.copyOf(extraHosts);
        if (network == null) network = "default";
        if (pull == null) pull = "missing";
    }

    /** A build secret: a file or an environment variable, never written to a layer, history or cache key. */
    public record Secret(String id, Path file, String env) {
        public byte[] value() throws java.io.IOException {
            if (file != null) return java.nio.file.Files.readAllBytes(file);
            String v = System.getenv(env);
            if (v == null) throw new java.io.IOException("secret " + id + ": environment variable " + env + " is not set");
            return v.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
