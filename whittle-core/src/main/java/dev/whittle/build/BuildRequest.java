package dev.whittle.build;

import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.Planner;
import dev.whittle.rootfs.ContextTree;
import dev.whittle.sandbox.StopSignal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What to build and how.
 *
 * @param run             how RUN's containers are set up (network, extra hosts, /dev/shm, ulimits)
 * @param labels          {@code --label}s for the image's config
 * @param noCacheStages   stages whose steps do not use the step cache ({@code --no-cache-filter})
 * @param namedContexts   {@code --build-context} names and what each stands for
 * @param ssh             {@code --ssh} ids and what each forwards: one agent socket, or private key files
 * @param sourceDateEpoch SOURCE_DATE_EPOCH in seconds for reproducible builds, or null
 * @param pull            when base images are pulled
 * @param puller          fetches images from registries; null when none may be used
 * @param stop            asks the build to stop (another platform of the same build failed); null: never
 */
public record BuildRequest(
        ContextTree context,
        Dockerfile dockerfile,
        Planner.Options options,
        boolean noCache,
        RunSettings run,
        Map<String, String> labels,
        Set<String> noCacheStages,
        Map<String, Secret> secrets,
        Map<String, List<Path>> ssh,
        Map<String, NamedContext> namedContexts,
        Long sourceDateEpoch,
        Progress progress,
        PullPolicy pull,
        ImagePuller puller,
        StopSignal stop) {
    public BuildRequest {
        if (stop == null) stop = new StopSignal();
        secrets = secrets == null ? Map.of() : Map.copyOf(secrets);
        if (run == null) run = RunSettings.DEFAULT;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        noCacheStages = noCacheStages == null ? Set.of() : Set.copyOf(noCacheStages);
        if (pull == null) pull = PullPolicy.MISSING;
        ssh = ssh == null ? Map.of() : Map.copyOf(ssh);
        namedContexts = namedContexts == null ? Map.of() : Map.copyOf(namedContexts);
    }

    /** A build secret: a file or an environment variable, never written to a layer, history or cache key. */
    public record Secret(String id, Path file, String env) {
        public byte[] value() throws IOException {
            if (file != null) return Files.readAllBytes(file);
            String v = System.getenv(env);
            if (v == null) throw new IOException("secret " + id + ": environment variable " + env + " is not set");
            return v.getBytes(StandardCharsets.UTF_8);
        }
    }
}
