package dev.whittle.build;

import dev.whittle.check.Provenance;
import dev.whittle.image.ImageConfig;
import dev.whittle.image.Manifest;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A built image (config and manifest in the store), what the user should hear about, and what it depended on beyond
 * its request ({@link BuildMemo}): the steps as a cached rebuild shows them and the manifest each base reference
 * resolved to (the step-cache entries come from {@link Builder#finish}); {@code memoizable} is false when it read
 * what a memo cannot see change (ADD of a URL).
 */
public record BuildResult(
        ImageConfig config,
        Manifest manifest,
        Set<String> unusedBuildArgs,
        Provenance provenance,
        List<BuildMemo.Step> steps,
        Map<String, String> bases,
        boolean memoizable) {}
