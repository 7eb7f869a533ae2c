package dev.whittle.cli;

import dev.whittle.sandbox.ContainerNetwork;
import dev.whittle.sandbox.ContainerRunner;
import dev.whittle.store.Images;
import dev.whittle.store.StoredImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "run", description = "Run a command in a new container from an image (in runc; the container is removed afterwards)",
        mixinStandardHelpOptions = true)
final class RunCommand implements Callable<Integer> {
    private final Context ctx;

    @Option(names = "--rm", description = "Remove the container when it exits (always the case with whittle)")
    boolean rm;
    @Option(names = "--network", description = "default (or bridge: a network of its own with outbound access), none (loopback only) or host")
    String network = "default";
    @Option(names = "--add-host", paramLabel = "NAME:IP", description = "Add a custom host-to-IP mapping (IP host-gateway: the host)")
    List<String> addHosts = new ArrayList<>();
    @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE", description = "Set environment variables")
    List<String> env = new ArrayList<>();
    @Option(names = "--entrypoint", description = "Overwrite the default ENTRYPOINT of the image")
    String entrypoint;
    @Option(names = {"-w", "--workdir"}, description = "Working directory inside the container")
    String workdir;
    @Option(names = {"-u", "--user"}, paramLabel = "name|uid[:group|gid]", description = "Username or UID")
    String user;
    @Parameters(index = "0", paramLabel = "IMAGE")
    String image;
    @Parameters(index = "1..*", paramLabel = "COMMAND")
    List<String> command = new ArrayList<>();

    RunCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override public Integer call() throws IOException {
        ContainerNetwork.Mode mode;
        List<ContainerNetwork.ExtraHost> hosts = new ArrayList<>();
        try {
            mode = ContainerNetwork.Mode.parse(network);
            for (String h : addHosts) hosts.add(ContainerNetwork.ExtraHost.parse(h));
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), 125);
        }
        if (!"root".equals(System.getProperty("user.name"))) throw new UserError("whittle run needs root (runc and overlay mounts)", 125);
        StoredImage img = new Images(ctx.store()).resolve(image);
        Map<String, String> e = new LinkedHashMap<>();
        for (String kv : env) {
            int eq = kv.indexOf('=');
            if (eq < 0) {
                String v = System.getenv(kv);
                if (v != null) e.put(kv, v);
            } else {
                e.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        List<String> ep = entrypoint == null ? null : entrypoint.isEmpty() ? List.of() : List.of(entrypoint);
        ContainerRunner.Options o = new ContainerRunner.Options(ep, command, e, workdir, user, mode, hosts);
        ContainerRunner.Outcome out = new ContainerRunner(ctx.store()).run(img.config(), o, line -> {
            ctx.out().println(line);
            ctx.out().flush();
        });
        if (out.runtimeError() != null) ctx.err().println("whittle: " + out.runtimeError());
        return out.exitCode();
    }
}
