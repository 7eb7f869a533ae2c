package dev.whittle.build;

import dev.whittle.image.ImageConfig;
import dev.whittle.image.Manifest;

import java.util.List;
import java.util.Set;

/** A finished build: the image (config and manifest in the store) and what the user should hear about. */
public record BuildResult(ImageConfig config, Manifest manifest, Set<String> unusedBuildArgs, List<String> warnings,
                          dev.whittle.check.Provenance provenance) {}
