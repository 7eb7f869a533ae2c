package dev.whittle.build;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options of a build request the layer steps read, and nothing else of it.
 *
 * @param noCache         {@code --no-cache}: no step uses the step cache
 * @param noCacheStages   {@code --no-cache-filter}: stages whose steps do not use it
 * @param sourceDateEpoch SOURCE_DATE_EPOCH in seconds, or null
 * @param buildArgs       {@code --build-arg}s (RUN reads the proxy args and BUILDKIT_SANDBOX_HOSTNAME)
 * @param run             how RUN's containers are set up
 * @param secrets         {@code --secret}s by id
 * @param ssh             {@code --ssh} ids and what each forwards
 */
record StepOptions(
        boolean noCache,
        Set<String> noCacheStages,
        Long sourceDateEpoch,
        Map<String, String> buildArgs,
        RunSettings run,
        Map<String, BuildRequest.Secret> secrets,
        Map<String, List<Path>> ssh) {
    StepOptions {
        noCacheStages = Set.copyOf(noCacheStages);
        buildArgs = Map.copyOf(buildArgs);
        secrets = Map.copyOf(secrets);
        ssh = Map.copyOf(ssh);
    }

    static StepOptions of(BuildRequest req) {
        return new StepOptions(
                req.noCache(),
                req.noCacheStages(),
                req.sourceDateEpoch(),
                req.options().buildArgs(),
                req.run(),
                req.secrets(),
                req.ssh());
    }

    /** Whether a step of this stage skips the step cache (--no-cache, or --no-cache-filter naming the stage). */
    boolean noCache(String stage) {
        return noCache || noCacheStages.contains(stage);
    }

    /** The time a layer made now records: SOURCE_DATE_EPOCH when given. */
    String now() {
        return Builder.time(sourceDateEpoch != null ? Instant.ofEpochSecond(sourceDateEpoch) : Instant.now());
    }

    /** The same in whole seconds (a directory a COPY makes). */
    long nowSeconds() {
        return sourceDateEpoch != null ? sourceDateEpoch : Instant.now().getEpochSecond();
    }

    /** The latest modification time a layer's entries may keep (SOURCE_DATE_EPOCH), or -1 for no limit. */
    long clamp() {
        return sourceDateEpoch == null ? -1 : sourceDateEpoch;
    }
}
