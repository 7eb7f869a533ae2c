package dev.whittle.cli;

import dev.whittle.registry.DockerConfig;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "logout", description = "Log out from a registry")
final class LogoutCommand implements Callable<Integer> {
    private final Context ctx;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SERVER", description = "Registry (default: Docker Hub)")
    String server;

    LogoutCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws IOException {
        String host = LoginCommand.registryHost(server);
        DockerConfig config = ctx.dockerConfig();
        if (!config.erase(host)) {
            ctx.out().println("Not logged in to " + DockerConfig.key(host));
            return 0;
        }
        ctx.out().println("Removing login credentials for " + DockerConfig.key(host));
        return 0;
    }
}
