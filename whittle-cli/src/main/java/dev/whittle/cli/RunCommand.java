package dev.whittle.cli;

import dev.whittle.image.ImageRef;
import dev.whittle.image.Platform;
import dev.whittle.sandbox.AttachedRun;
import dev.whittle.sandbox.Binfmt;
import dev.whittle.sandbox.Cleanup;
import dev.whittle.sandbox.ContainerNetwork;
import dev.whittle.sandbox.ContainerRunner;
import dev.whittle.sandbox.RuncSpec;
import dev.whittle.sandbox.SignalRelay;
import dev.whittle.sandbox.Tty;
import dev.whittle.store.Images;
import dev.whittle.store.StoredImage;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "run",
        description = "Run a command in a new container from an image (in runc; the container is removed afterwards)")
final class RunCommand implements Callable<Integer> {
    private static final Pattern CONTAINER_NAME = Pattern.compile("^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$");
    private final Context ctx;

    @Option(names = "--help", usageHelp = true, description = "Print usage")
    boolean help;

    @Option(names = "--rm", description = "Remove the container when it exits (always the case with whittle)")
    boolean rm;

    @Option(
            names = {"-i", "--interactive"},
            description = "Keep STDIN open: the container reads whittle's standard input")
    boolean interactive;

    @Option(
            names = {"-t", "--tty"},
            description = "Allocate a pseudo-TTY")
    boolean tty;

    @Option(
            names = "--name",
            description = "Assign a name to the container (accepted; whittle keeps no containers to name)")
    String name;

    @Option(
            names = {"-h", "--hostname"},
            description = "Container host name")
    String hostname;

    @Option(
            names = "--network",
            description =
                    "default (or bridge: a network of its own with outbound access), none (loopback only) or host")
    String network = "default";

    @Option(
            names = "--add-host",
            paramLabel = "NAME:IP",
            description = "Add a custom host-to-IP mapping (IP host-gateway: the host)")
    List<String> addHosts = new ArrayList<>();

    @Option(
            names = {"-e", "--env"},
            paramLabel = "KEY=VALUE",
            description = "Set environment variables")
    List<String> env = new ArrayList<>();

    @Option(names = "--env-file", paramLabel = "FILE", description = "Read in a file of environment variables")
    List<String> envFiles = new ArrayList<>();

    @Option(
            names = {"-v", "--volume"},
            paramLabel = "HOST:CONTAINER[:ro]",
            description = "Bind mount a host directory or file")
    List<String> volumes = new ArrayList<>();

    @Option(
            names = "--mount",
            paramLabel = "type=bind|tmpfs,...",
            description = "Attach a host path (type=bind) or a tmpfs to the container")
    List<String> mounts = new ArrayList<>();

    @Option(names = "--entrypoint", description = "Overwrite the default ENTRYPOINT of the image")
    String entrypoint;

    @Option(
            names = {"-w", "--workdir"},
            description = "Working directory inside the container")
    String workdir;

    @Option(
            names = {"-u", "--user"},
            paramLabel = "name|uid[:group|gid]",
            description = "Username or UID")
    String user;

    @Option(
            names = "--platform",
            description = "Set platform if server is multi-platform capable (an image of another platform is refused)")
    String platform;

    @Option(
            names = "--pull",
            description = "Pull image before running (\"always\"|\"missing\"|\"never\") (default \"missing\")")
    String pull = "missing";

    @Parameters(index = "0", paramLabel = "IMAGE")
    String image;

    @Parameters(index = "1..*", paramLabel = "COMMAND")
    List<String> command = new ArrayList<>();

    RunCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        try {
            return run();
        } catch (UserError e) {
            throw e;
        } catch (Exception e) {
            // as docker's client: whatever keeps the container from running is 125, not the program's exit code
            int code = Main.report(e, ctx.err(), ctx.debug());
            return code == 1 ? 125 : code;
        }
    }

    private int run() throws IOException {
        ContainerNetwork.Mode mode;
        List<ContainerNetwork.ExtraHost> hosts = new ArrayList<>();
        Platform wanted;
        try {
            mode = ContainerNetwork.Mode.parse(network);
            for (String h : addHosts) hosts.add(ContainerNetwork.ExtraHost.parse(h));
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), 125);
        }
        try {
            wanted = platform == null || platform.isEmpty() ? null : Platform.parse(platform);
        } catch (IllegalArgumentException e) {
            throw new UserError(
                    "error parsing specified platform: \"" + platform
                            + "\": cannot parse platform specifier: invalid argument",
                    125);
        }
        if (!List.of("always", "missing", "never").contains(pull)) {
            throw new UserError(
                    "invalid pull option: '" + pull + "': must be one of \"always\", \"missing\" or \"never\"", 125);
        }
        Map<String, String> environment = System.getenv();
        List<String> envList = new ArrayList<>();
        for (String f : envFiles) envList.addAll(RunEnv.file(f, environment));
        for (String e : env) envList.add(RunEnv.flag(e, environment));
        List<RuncSpec.Mount> mountList = new ArrayList<>();
        for (String v : volumes) mountList.add(RunMounts.volume(v));
        for (String m : mounts) mountList.add(RunMounts.mount(m));
        if (name != null && !CONTAINER_NAME.matcher(name).matches()) {
            throw new UserError(
                    "Invalid container name (" + name + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", 125);
        }
        boolean ownTerminal = ctx.ownsProcessStreams() && Tty.isTerminal(0);
        // docker's client, before anything else happens
        if (interactive && tty && !ownTerminal) throw new UserError("the input device is not a TTY", 1);
        if (!"root".equals(System.getProperty("user.name")))
            throw new UserError("whittle run needs root (runc and overlay mounts)", 125);

        StoredImage img = image(wanted);
        if (wanted != null && !wanted.compatible().contains(img.config().platform())) {
            throw new UserError(
                    "image with reference " + image + " was found but does not match the specified platform: wanted "
                            + wanted + ", actual: " + img.config().platform(),
                    125);
        }
        // as docker 20.10: an image for another machine, run without --platform, is run (emulated) with a warning
        if (wanted == null) {
            String warning = PlatformChoice.hostMismatch(img.config().platform());
            if (warning != null) ctx.err().println(warning);
        }
        String foreign = Binfmt.system().problem(img.config().platform());
        if (foreign != null) throw new UserError("cannot run " + image + " here: " + foreign, 125);
        List<String> ep = entrypoint == null ? null : entrypoint.isEmpty() ? List.of() : List.of(entrypoint);
        ContainerRunner.Options o =
                new ContainerRunner.Options(ep, command, envList, workdir, user, mode, hosts, hostname, mountList, tty);
        SignalRelay relay = new SignalRelay();
        InputStream stdin = interactive ? ctx.in() : null;
        AttachedRun.Io io = new AttachedRun.Io(
                stdin, ctx.out(), ctx.err(), ctx.ownsProcessStreams() ? RunCommand::localSize : null);
        ContainerRunner.Outcome out;
        try (RunSignals _ = ctx.ownsProcessStreams() ? RunSignals.install(relay) : null;
                RawMode _ = tty && interactive ? RawMode.of(0) : null) {
            out = new ContainerRunner(ctx.store()).run(img.config(), o, io, relay);
        }
        if (out.runtimeError() != null) ctx.err().println("whittle: " + out.runtimeError());
        return out.exitCode();
    }

    /** The local terminal's size (docker reads it from standard output), or null. */
    private static Tty.Size localSize() {
        Tty.Size s = Tty.size(1);
        return s != null ? s : Tty.size(0);
    }

    /** The image, pulled first as {@code --pull} says (docker shows the pull on standard error). */
    private StoredImage image(Platform wanted) throws IOException {
        Images images = new Images(ctx.store());
        // a multi-platform image answers with the wanted platform's image (this machine's when none is asked for)
        Optional<StoredImage> found = pull.equals("always")
                ? Optional.empty()
                : wanted == null ? images.find(image) : images.find(image, wanted);
        if (found.isPresent()) return found.get();
        if (pull.equals("never")) return images.resolve(image); // docker's "No such image"
        ImageRef ref = ImageRef.parse(image);
        if (pull.equals("missing")) ctx.err().println("Unable to find image '" + ref.familiar() + "' locally");
        PullCommand.pullShowing(
                ctx, ref, wanted == null ? Platform.host() : wanted, ctx.err(), ctx.stderrIsTerminal(), false);
        return images.resolve(ref.toString());
    }

    /** The local terminal in raw mode while the container has it (keys go to the container as typed), then back. */
    private static final class RawMode implements AutoCloseable {
        private final Cleanup.Handle handle;

        private RawMode(Cleanup.Handle handle) {
            this.handle = handle;
        }

        static RawMode of(int fd) throws IOException {
            byte[][] saved = {null};
            Cleanup.Handle h = Cleanup.register(() -> {
                if (saved[0] != null) Tty.restore(fd, saved[0]);
            });
            try {
                h.apply(() -> saved[0] = Tty.makeRaw(fd));
            } catch (IOException | RuntimeException e) {
                h.close();
                throw e;
            }
            return new RawMode(h);
        }

        @Override
        public void close() throws IOException {
            handle.close();
        }
    }
}
