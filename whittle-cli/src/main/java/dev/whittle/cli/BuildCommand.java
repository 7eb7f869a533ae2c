package dev.whittle.cli;

import dev.whittle.dockerfile.DockerfileException;
import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.Planner;
import dev.whittle.image.Platform;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "build", description = "Build an image from a Dockerfile", mixinStandardHelpOptions = true)
final class BuildCommand implements Callable<Integer> {
    final Context ctx;

    @Option(names = {"-f", "--file"}, paramLabel = "PATH", description = "Name of the Dockerfile (default: CONTEXT/Dockerfile, - for stdin)")
    String file;
    @Option(names = "--target", description = "Set the target build stage to build")
    String target;
    @Option(names = "--build-arg", paramLabel = "KEY[=VALUE]", description = "Set build-time variables (KEY alone takes the value from the environment)")
    List<String> buildArgs = new ArrayList<>();
    @Option(names = "--platform", description = "Set the target platform (default: this machine's)")
    String platform;
    @Option(names = "--call", paramLabel = "build|check|outline|targets", description = "Set method for evaluating build (build, check, outline, targets)")
    String call = "build";
    @Option(names = "--check", arity = "0..1", fallbackValue = "call", paramLabel = "error|warn|off",
            description = "Alone: shorthand for --call=check (the Dockerfile build checks). With a value: what happens when the built "
                    + "image's entrypoint cannot start — error (default: the image is stored and tagged, the command fails), warn, off")
    String check;
    @Option(names = "--format", paramLabel = "text|json", description = "Output format of --call (text, json)")
    String format = "text";
    @Option(names = {"-t", "--tag"}, paramLabel = "NAME[:TAG]", description = "Name and optionally a tag for the image")
    List<String> tags = new ArrayList<>();
    @Option(names = "--no-cache", description = "Do not use cache when building the image")
    boolean noCache;
    @Option(names = "--pull", arity = "0..1", fallbackValue = "always", paramLabel = "missing|always|never",
            description = "Base images: missing (default), always, never")
    String pull = "missing";
    @Option(names = "--network", description = "Networking for RUN: default (private, loopback only), none, host")
    String network = "default";
    @Option(names = "--progress", description = "Progress output: auto, tty, plain, quiet")
    String progressMode = "auto";
    @Option(names = {"-q", "--quiet"}, description = "Suppress the build output and print image ID on success")
    boolean quiet;
    @Option(names = "--secret", paramLabel = "id=ID,src=PATH|env=VAR", description = "Secret to expose to RUN --mount=type=secret")
    List<String> secrets = new ArrayList<>();
    @Option(names = {"-o", "--output"}, paramLabel = "type=docker|oci|local,dest=PATH", description = "Output destination (besides the store)")
    List<String> outputs = new ArrayList<>();
    @Option(names = "--push", description = "Push the image to its registry after the build (shorthand for --output type=registry)")
    boolean push;
    @Option(names = "--iidfile", paramLabel = "FILE", description = "Write the image ID to the file")
    java.nio.file.Path iidfile;
    @Parameters(index = "0", paramLabel = "CONTEXT")
    String context;

    BuildCommand(Context ctx) {
        this.ctx = ctx;
    }

    Map<String, String> buildArgMap() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String a : buildArgs) {
            int eq = a.indexOf('=');
            if (eq < 0) {
                String v = System.getenv(a);
                if (v != null) m.put(a, v);
            } else {
                m.put(a.substring(0, eq), a.substring(eq + 1));
            }
        }
        return m;
    }

    /** What to do when the built image cannot start. */
    String checkMode() {
        if (check == null || check.equals("call")) return "error";
        if (!check.equals("error") && !check.equals("warn") && !check.equals("off")) {
            throw new UserError("invalid --check value \"" + check + "\" (error, warn or off)");
        }
        return check;
    }

    /** BuildKit's network modes for RUN ("" is default); anything else is refused as docker refuses it. */
    String network() {
        return switch (network) {
            case "", "default" -> "default";
            case "none", "host" -> network;
            default -> throw new UserError("network mode \"" + network + "\" not supported by buildkit");
        };
    }

    Planner.Options options() {
        Platform target = platform == null ? Platform.host() : Platform.parse(platform);
        return new Planner.Options(this.target, buildArgMap(), Platform.host(), target);
    }

    @Override public Integer call() throws IOException {
        String method = "call".equals(check) ? "check" : call;
        String[] parts = method.split(",");
        method = parts[0];
        boolean json = format.equals("json");
        for (int i = 1; i < parts.length; i++) if (parts[i].equals("format=json")) json = true;
        BuildContext bc = BuildContext.locate(ctx, context, file);
        dev.whittle.build.Trace.mark("context located");
        try {
            // a build parses the Dockerfile only if it cannot answer from the memo of an identical earlier build
            if (method.equals("build")) return new BuildRun(this, bc).run();
            Dockerfile df = bc.parse();
            return switch (method) {
                case "targets" -> FrontendCalls.targets(df, options(), json, ctx.out());
                case "outline" -> FrontendCalls.outline(df, options(), json, ctx.out());
                case "check" -> FrontendCalls.check(ctx, df, options(), json, ctx.out());
                default -> throw new UserError("unknown --call method \"" + method + "\" (build, check, outline, targets)");
            };
        } catch (DockerfileException e) {
            throw new UserError(e.getMessage());
        }
    }
}
