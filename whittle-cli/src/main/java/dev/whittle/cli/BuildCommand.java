package dev.whittle.cli;

import dev.whittle.api.BuildSource;
import dev.whittle.api.PlatformBuild;
import dev.whittle.build.GitContext;
import dev.whittle.build.NamedContext;
import dev.whittle.build.PullPolicy;
import dev.whittle.build.RunSettings;
import dev.whittle.diag.Trace;
import dev.whittle.dockerfile.DockerIgnore;
import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.DockerfileException;
import dev.whittle.dockerfile.Planner;
import dev.whittle.image.Platform;
import dev.whittle.rootfs.ContextTree;
import dev.whittle.sandbox.ContainerNetwork;
import dev.whittle.sandbox.ProcessLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "build", description = "Build an image from a Dockerfile", mixinStandardHelpOptions = true)
final class BuildCommand implements Callable<Integer> {
    final Context ctx;

    @Option(
            names = {"-f", "--file"},
            paramLabel = "PATH",
            description = "Name of the Dockerfile (default: CONTEXT/Dockerfile, - for stdin)")
    String file;

    @Option(names = "--target", description = "Set the target build stage to build")
    String target;

    @Option(
            names = "--build-arg",
            paramLabel = "KEY[=VALUE]",
            description = "Set build-time variables (KEY alone takes the value from the environment)")
    List<String> buildArgs = new ArrayList<>();

    @Option(
            names = "--platform",
            description =
                    "Set the target platform, or several (linux/amd64,linux/arm64: an image index) (default: this machine's)")
    String platform;

    @Option(
            names = "--call",
            paramLabel = "build|check|outline|targets",
            description = "Set method for evaluating build (build, check, outline, targets)")
    String call = "build";

    @Option(
            names = "--check",
            arity = "0..1",
            fallbackValue = "call",
            paramLabel = "error|warn|off",
            description =
                    "Alone: shorthand for --call=check (the Dockerfile build checks). With a value: what happens when the built "
                            + "image's entrypoint cannot start — error (default: the image is stored and tagged, the command fails), warn, off")
    String check;

    @Option(names = "--format", paramLabel = "text|json", description = "Output format of --call (text, json)")
    String format = "text";

    @Option(
            names = {"-t", "--tag"},
            paramLabel = "NAME[:TAG]",
            description = "Name and optionally a tag for the image")
    List<String> tags = new ArrayList<>();

    @Option(names = "--no-cache", description = "Do not use cache when building the image")
    boolean noCache;

    @Option(
            names = "--pull",
            arity = "0..1",
            fallbackValue = "always",
            paramLabel = "missing|always|never",
            description = "Base images: missing (default), always, never")
    String pull = "missing";

    @Option(
            names = "--network",
            description = "Networking for RUN: default (a network of its own with outbound access), none, host")
    String network = "default";

    @Option(
            names = "--add-host",
            paramLabel = "NAME:IP",
            description = "Add a custom host-to-IP mapping for RUN (IP host-gateway: the host)")
    List<String> addHosts = new ArrayList<>();

    @Option(names = "--shm-size", paramLabel = "SIZE", description = "Size of /dev/shm for RUN (default 64m)")
    String shmSize;

    @Option(names = "--ulimit", paramLabel = "NAME=SOFT[:HARD]", description = "Ulimit options for RUN")
    List<String> ulimits = new ArrayList<>();

    @Option(
            names = "--ssh",
            paramLabel = "default|ID[=SOCKET|KEY[,KEY]]",
            description = "SSH agent socket or keys to expose to RUN --mount=type=ssh (alone: $SSH_AUTH_SOCK)")
    List<String> ssh = new ArrayList<>();

    @Option(
            names = "--build-context",
            paramLabel = "NAME=DIR|docker-image://REF|oci-layout://DIR[:TAG|@DIGEST]",
            description =
                    "Additional build contexts: FROM NAME, COPY --from=NAME and RUN --mount=from=NAME take them (over a stage of that name)")
    List<String> buildContexts = new ArrayList<>();

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Set metadata for an image")
    List<String> labels = new ArrayList<>();

    @Option(
            names = "--no-cache-filter",
            paramLabel = "STAGE",
            split = ",",
            description = "Do not cache specified stages")
    List<String> noCacheFilter = new ArrayList<>();

    @Option(
            names = "--load",
            description = "Accepted for buildx: the image is always stored (whittle has no daemon to load it into)")
    boolean load;

    @Option(
            names = "--provenance",
            arity = "0..1",
            fallbackValue = "true",
            paramLabel = "false",
            description = "Accepted as false (whittle writes no attestations)")
    String provenance = "false";

    @Option(
            names = "--sbom",
            arity = "0..1",
            fallbackValue = "true",
            paramLabel = "false",
            description = "Accepted as false (whittle writes no attestations)")
    String sbom = "false";

    @Option(names = "--progress", description = "Progress output: auto, tty, plain, quiet")
    String progressMode = "auto";

    @Option(
            names = {"-q", "--quiet"},
            description = "Suppress the build output and print image ID on success")
    boolean quiet;

    @Option(
            names = "--secret",
            paramLabel = "id=ID,src=PATH|env=VAR",
            description = "Secret to expose to RUN --mount=type=secret")
    List<String> secrets = new ArrayList<>();

    @Option(
            names = {"-o", "--output"},
            paramLabel = "type=docker|oci|local,dest=PATH",
            description = "Output destination (besides the store)")
    List<String> outputs = new ArrayList<>();

    @Option(
            names = "--push",
            description = "Push the image to its registry after the build (shorthand for --output type=registry)")
    boolean push;

    @Option(
            names = "--cache-from",
            paramLabel = "type=registry,ref=REF|type=local,src=DIR",
            description = "External cache sources (several: asked in order)")
    List<String> cacheFrom = new ArrayList<>();

    @Option(
            names = "--cache-to",
            paramLabel =
                    "type=registry,ref=REF|type=local,dest=DIR[,mode=min|max][,mounts=true|false][,mounts-max=SIZE]",
            description = "Cache export destinations (with RUN --mount=type=cache directories unless mounts=false)")
    List<String> cacheTo = new ArrayList<>();

    @Option(names = "--iidfile", paramLabel = "FILE", description = "Write the image ID to the file")
    Path iidfile;

    @Parameters(index = "0", arity = "0..1", paramLabel = "CONTEXT")
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

    /**
     * `--check .` and `--pull .`: buildx's --check and docker's --pull take no value, so a word after them that is not
     * one of whittle's values for them is the context, which picocli gave them. docker's {@code --pull=true|false}
     * mean always and missing.
     */
    private void takeBackContext() {
        if (context == null
                && check != null
                && !List.of("call", "error", "warn", "off").contains(check)) {
            context = check;
            check = "call";
        }
        if (context == null
                && !List.of("missing", "always", "never", "true", "false").contains(pull)) {
            context = pull;
            pull = "always";
        }
        if (context == null && !List.of("true", "false", "0", "1").contains(provenance)) {
            context = provenance;
            provenance = "true";
        }
        if (context == null && !List.of("true", "false", "0", "1").contains(sbom)) {
            context = sbom;
            sbom = "true";
        }
        if (context == null)
            throw new UserError("\"whittle build\" requires exactly 1 argument.\nSee 'whittle build --help'.");
        for (String[] attestation : new String[][] {{"--provenance", provenance}, {"--sbom", sbom}}) {
            if (!attestation[1].equals("false") && !attestation[1].equals("0")) {
                throw new UserError(attestation[0] + "=" + attestation[1]
                        + " is not supported: whittle writes no attestations (use " + attestation[0] + "=false)");
            }
        }
    }

    /** RUN's network, hosts, /dev/shm and ulimits, from the flags. */
    RunSettings runSettings() {
        try {
            List<ContainerNetwork.ExtraHost> hosts = new ArrayList<>();
            for (String h : addHosts) hosts.add(ContainerNetwork.ExtraHost.parse(h));
            List<ProcessLimits.Ulimit> limits = new ArrayList<>();
            for (String u : ulimits) limits.add(ProcessLimits.Ulimit.parse(u));
            long shm = shmSize == null ? ProcessLimits.DEFAULT_SHM : ProcessLimits.parseSize(shmSize);
            return new RunSettings(ContainerNetwork.Mode.parse(network()), hosts, new ProcessLimits(shm, limits));
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }

    /** --ssh, as buildx reads it: an id, then an agent socket or key files; none: $SSH_AUTH_SOCK. */
    Map<String, List<Path>> sshSources() {
        Map<String, List<Path>> m = new LinkedHashMap<>();
        for (String spec : ssh) {
            int eq = spec.indexOf('=');
            String id = eq < 0 ? spec : spec.substring(0, eq);
            List<Path> paths = new ArrayList<>();
            if (eq >= 0) for (String p : spec.substring(eq + 1).split(",")) if (!p.isEmpty()) paths.add(Path.of(p));
            if (paths.isEmpty()) {
                String sock = System.getenv("SSH_AUTH_SOCK");
                if (sock == null || sock.isEmpty())
                    throw new UserError(
                            "invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set (--ssh " + id + ")");
                paths.add(Path.of(sock));
            }
            for (Path p : paths) {
                if (!Files.exists(p)) throw new UserError("--ssh " + spec + ": " + p + " does not exist");
            }
            m.put(id, paths);
        }
        return m;
    }

    /** --build-context NAME=VALUE, as buildx reads it. */
    Map<String, NamedContext> namedContexts() {
        Map<String, NamedContext> m = new LinkedHashMap<>();
        for (String spec : buildContexts) {
            int eq = spec.indexOf('=');
            if (eq <= 0 || eq == spec.length() - 1)
                throw new UserError("invalid --build-context \"" + spec + "\": NAME=VALUE expected");
            String name = spec.substring(0, eq), value = spec.substring(eq + 1);
            m.put(name, namedContext(name, value));
        }
        return m;
    }

    private static NamedContext namedContext(String name, String value) {
        if (value.startsWith("docker-image://"))
            return new NamedContext.Image(value.substring("docker-image://".length()));
        if (value.startsWith("oci-layout://")) {
            String rest = value.substring("oci-layout://".length()), tag = null, digest = null;
            int at = rest.indexOf("@sha256:");
            if (at >= 0) {
                digest = rest.substring(at + 1);
                rest = rest.substring(0, at);
            } else {
                int colon = rest.lastIndexOf(':');
                if (colon > rest.lastIndexOf('/')) {
                    tag = rest.substring(colon + 1);
                    rest = rest.substring(0, colon);
                }
            }
            return new NamedContext.OciLayout(Path.of(rest), tag, digest);
        }
        if (value.contains("://") || GitContext.isGitUrl(value)) {
            throw new UserError("--build-context " + name + "=" + value
                    + ": only a directory, docker-image:// and oci-layout:// are supported");
        }
        Path dir = Path.of(value);
        if (!Files.isDirectory(dir))
            throw new UserError("--build-context " + name + ": " + value + " is not a directory");
        try {
            Path ignore = dir.resolve(".dockerignore");
            DockerIgnore rules = Files.isRegularFile(ignore)
                    ? DockerIgnore.parse(Files.readString(ignore), ignore.toString())
                    : DockerIgnore.none();
            return new NamedContext.Directory(new ContextTree(dir, rules));
        } catch (IOException e) {
            throw new UserError("--build-context " + name + ": " + e.getMessage());
        }
    }

    /** --label KEY=VALUE (a key alone: an empty value, as docker's ConvertKVStringsToMap). */
    Map<String, String> labels() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String l : labels) {
            int eq = l.indexOf('=');
            m.put(eq < 0 ? l : l.substring(0, eq), eq < 0 ? "" : l.substring(eq + 1));
        }
        return m;
    }

    /** --pull: missing (default), always (a bare --pull, or true), never; false is missing. */
    PullPolicy pullPolicy() {
        try {
            return PullPolicy.parse(pull);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
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

    /** {@code --platform}'s list (one or more); this machine's platform when not given. */
    List<Platform> platforms() {
        if (platform == null || platform.isBlank()) return List.of(Platform.host());
        try {
            return PlatformBuild.parse(platform);
        } catch (IllegalArgumentException e) {
            throw new UserError("invalid --platform \"" + platform + "\": " + e.getMessage());
        }
    }

    Planner.Options options() {
        Platform target = platforms().getFirst();
        return new Planner.Options(
                this.target,
                buildArgMap(),
                Platform.host(),
                target,
                namedContexts().keySet());
    }

    @Override
    public Integer call() throws IOException {
        takeBackContext();
        String method = "call".equals(check) ? "check" : call;
        String[] parts = method.split(",");
        method = parts[0];
        boolean json = format.equals("json");
        for (int i = 1; i < parts.length; i++) if (parts[i].equals("format=json")) json = true;
        BuildSource bc = BuildSource.locate(ctx.store(), ctx.in(), context, file);
        Trace.mark("context located");
        try (bc) { // a git or stdin context's temporary directory goes with it
            // a build parses the Dockerfile only if it cannot answer from the memo of an identical earlier build
            if (method.equals("build")) return new BuildRun(this, bc).run();
            Dockerfile df = bc.parse();
            return switch (method) {
                case "targets" -> FrontendCalls.targets(df, json, ctx.out());
                case "outline" -> FrontendCalls.outline(df, options(), json, ctx.out());
                case "check" -> FrontendCalls.check(ctx, df, bc.ignore(), options(), json, ctx.out());
                default ->
                    throw new UserError("unknown --call method \"" + method + "\" (build, check, outline, targets)");
            };
        } catch (DockerfileException e) {
            throw new UserError(e.getMessage());
        }
    }
}
