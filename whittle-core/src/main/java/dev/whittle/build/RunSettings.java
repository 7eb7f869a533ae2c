package dev.whittle.build;

import dev.whittle.sandbox.ContainerNetwork;
import dev.whittle.sandbox.ProcessLimits;
import java.util.List;

/**
 * How a build's RUN containers are set up, as docker build's flags say: the network (RUN --network overrides it),
 * {@code --add-host} entries, {@code --shm-size} and {@code --ulimit}.
 */
public record RunSettings(
        ContainerNetwork.Mode network, List<ContainerNetwork.ExtraHost> extraHosts, ProcessLimits limits) {
    public static final RunSettings DEFAULT =
            new RunSettings(ContainerNetwork.Mode.DEFAULT, List.of(), ProcessLimits.DEFAULT);

    public RunSettings {
        extraHosts = List.copyOf(extraHosts);
    }

    /** What of these decides a RUN's result beyond its network (part of its cache key; empty when all is default). */
    String cacheKeyPart() {
        if (extraHosts.isEmpty() && limits.equals(ProcessLimits.DEFAULT)) return "";
        return extraHosts + " shm=" + limits.shmBytes() + " " + limits.ulimits();
    }

    @Override
    public String toString() {
        return network + " " + extraHosts + " shm=" + limits.shmBytes() + " " + limits.ulimits();
    }
}
