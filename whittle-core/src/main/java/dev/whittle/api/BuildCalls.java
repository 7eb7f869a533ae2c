package dev.whittle.api;

import dev.whittle.build.BaseImages;
import dev.whittle.build.BuildException;
import dev.whittle.dockerfile.Checks;
import dev.whittle.dockerfile.DockerIgnore;
import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.Outline;
import dev.whittle.dockerfile.Planner;
import dev.whittle.store.Images;
import dev.whittle.store.Store;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * BuildKit's frontend calls: the build checks over a Dockerfile ({@code --call=check}, and a build whose
 * {@code # check=error=true} makes a violation fail it), with what the store knows of the base images (their Env);
 * the stages one can build ({@code --call=targets}) and what a target needs ({@code --call=outline}).
 */
public final class BuildCalls {
    private BuildCalls() {}

    public static List<Outline.Target> targets(Dockerfile df) {
        return Outline.targets(df);
    }

    public static Outline.Of outline(Dockerfile df, Planner.Options opt) {
        return Outline.outline(df, opt);
    }

    public static Checks.Report check(Store store, Dockerfile df, DockerIgnore ignore, Planner.Options opt) {
        Images images = new Images(store);
        return Checks.run(
                df,
                opt,
                ref -> BaseImages.find(images, ref)
                        .map(img -> img.config().envMap())
                        .orElse(null),
                ignore);
    }

    /**
     * Fails a build, before any step, when the Dockerfile's {@code # check=error=true} (or the BUILDKIT_DOCKERFILE_CHECK
     * build arg) makes a violation an error, as BuildKit does. The checks cost nothing where they cannot fail it.
     */
    public static void failOnViolations(Store store, Dockerfile df, DockerIgnore ignore, Planner.Options opt) {
        String arg = opt.buildArgs().get("BUILDKIT_DOCKERFILE_CHECK");
        String directive = arg != null ? arg : df.directives().get("check");
        if (directive == null || !directive.contains("error")) return;
        Checks.Report r = check(store, df, ignore, opt);
        if (!r.errors() || r.violations().isEmpty()) return;
        Set<String> rules = new LinkedHashSet<>();
        for (Checks.Violation v : r.violations()) rules.add(v.rule().name());
        throw new BuildException(
                df.file() + ":" + r.violations().getFirst().pos().line() + ": lint violation found for rules: "
                        + String.join(", ", rules) + " (whittle build --call=check shows them)");
    }
}
