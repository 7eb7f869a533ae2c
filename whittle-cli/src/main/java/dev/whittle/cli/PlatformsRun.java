package dev.whittle.cli;

import dev.whittle.api.Build;
import dev.whittle.api.BuildSpec;
import dev.whittle.api.PlatformBuild;
import dev.whittle.build.Progress;
import dev.whittle.diag.Trace;
import dev.whittle.image.ImageRef;
import dev.whittle.image.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code whittle build --platform a,b}: each platform built ({@link PlatformBuild}), the index named, then every
 * platform's image checked: an entrypoint that cannot start on its own platform (the amd64 binary in the arm64 image)
 * fails the build as a single-platform build's does.
 */
final class PlatformsRun {
    private static final String AT_ONCE = "WHITTLE_PLATFORMS_AT_ONCE";
    private final BuildCommand cmd;
    private final Build build;
    private final Context ctx;

    PlatformsRun(BuildCommand cmd, Build build) {
        this.cmd = cmd;
        this.build = build;
        this.ctx = cmd.ctx;
    }

    int run(
            BuildSpec spec,
            List<Platform> platforms,
            List<ImageRef> names,
            List<BuildRun.OutputSpec> outputs,
            Progress progress)
            throws IOException {
        PlatformBuild.Result built = platformBuild().run(spec, platforms, progress);
        try {
            deliver(spec, built, names, outputs, progress);
        } catch (IOException | RuntimeException e) {
            built.closeQuietly();
            throw e;
        }
        built.close();
        Trace.mark("deferred layers and memo written");
        return 0;
    }

    /**
     * WHITTLE_PLATFORMS_AT_ONCE (undocumented, for measuring: 1 builds the platforms one after the other) overrides
     * the default of one platform per CPU.
     */
    private PlatformBuild platformBuild() {
        String env = System.getenv(AT_ONCE);
        if (env == null || env.isEmpty()) return new PlatformBuild(ctx.store(), build);
        try {
            int n = Integer.parseInt(env.strip());
            if (n >= 1) return new PlatformBuild(ctx.store(), build, n);
        } catch (NumberFormatException _) {
            // reported below, as a number below 1 is
        }
        throw new UserError(AT_ONCE + " must be a whole number of 1 or more, not '" + env + "'");
    }

    private void deliver(
            BuildSpec spec,
            PlatformBuild.Result built,
            List<ImageRef> names,
            List<BuildRun.OutputSpec> outputs,
            Progress progress)
            throws IOException {
        int step = progress.start("exporting to image");
        for (PlatformBuild.PlatformImage i : built.images())
            progress.note("#" + step + " writing image " + i.result().id() + " for " + i.platform() + " done");
        progress.note("#" + step + " writing image index " + built.index().digest() + " done");
        for (ImageRef n : names) progress.note("#" + step + " naming to " + n + " done");
        progress.done(step);
        progress.close();
        for (BuildRun.OutputSpec o : outputs) PlatformOutputs.write(ctx, o, built, names);
        if (cmd.push) {
            if (names.isEmpty()) throw new UserError("--push needs a name: tag the image with -t");
            for (ImageRef n : names) IndexPush.push(ctx, n, ctx.err(), false, cmd.quiet);
        }
        if (cmd.iidfile != null)
            Files.writeString(cmd.iidfile, built.index().digest().toString());
        if (cmd.quiet) ctx.out().println(built.index().digest());
        String mode = cmd.checkMode();
        if (mode.equals("off")) return;
        String base = names.isEmpty()
                ? built.index().digest().shortHex()
                : names.getFirst().familiar();
        List<String> failing = new ArrayList<>();
        for (PlatformBuild.PlatformImage i : built.images()) {
            String name = base + " (" + i.platform() + ")";
            Build.Verdict v = build.verdict(
                    spec, i.result().manifest().digest(), i.result().id(), name);
            if (v.noCommand()) continue;
            if (!v.text().isEmpty() && (!cmd.quiet || v.fails())) ctx.err().print("\n" + v.text());
            if (v.fails()) failing.add(i.platform().toString());
        }
        Trace.mark("entrypoints checked");
        if (!failing.isEmpty() && mode.equals("error")) {
            throw new UserError(base + " was built, stored and tagged, but its entrypoint cannot start on "
                    + String.join(", ", failing) + " (see above); use --check=warn to accept it");
        }
    }
}
