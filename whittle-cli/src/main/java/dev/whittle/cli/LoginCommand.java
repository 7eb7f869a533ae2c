package dev.whittle.cli;

import dev.whittle.image.ImageRef;
import dev.whittle.registry.Credentials;
import dev.whittle.registry.DockerConfig;
import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "login", description = "Log in to a registry (credentials shared with docker in ~/.docker/config.json)")
final class LoginCommand implements Callable<Integer> {
    private final Context ctx;

    @Option(
            names = {"-u", "--username"},
            description = "Username")
    String username;

    @Option(
            names = {"-p", "--password"},
            description = "Password")
    String password;

    @Option(names = "--password-stdin", description = "Take the password from stdin")
    boolean passwordStdin;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SERVER", description = "Registry (default: Docker Hub)")
    String server;

    LoginCommand(Context ctx) {
        this.ctx = ctx;
    }

    /** docker accepts a URL or a host; credentials are kept per host (Docker Hub under its historical key). */
    static String registryHost(String server) {
        if (server == null || server.isEmpty()) return ImageRef.DOCKER_HUB;
        String s = server.replaceFirst("^https?://", "");
        int slash = s.indexOf('/');
        if (slash >= 0) s = s.substring(0, slash);
        if (s.equals("index.docker.io") || s.equals("registry-1.docker.io")) return ImageRef.DOCKER_HUB;
        return s;
    }

    @Override
    public Integer call() throws IOException {
        String host = registryHost(server);
        if (password != null) {
            ctx.err().println("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
            if (passwordStdin) throw new UserError("--password and --password-stdin are mutually exclusive", 125);
        }
        Console console = System.console();
        if (passwordStdin) {
            if (username == null || username.isEmpty())
                throw new UserError("Must provide --username with --password-stdin", 125);
            String p = new String(ctx.in().readAllBytes(), StandardCharsets.UTF_8);
            password = p.replaceAll("[\r\n]+$", "");
        }
        if (username == null || username.isEmpty()) {
            if (console == null) throw new UserError("Cannot perform an interactive login from a non TTY device");
            username = console.readLine("Username: ");
            if (username == null || username.isBlank()) throw new UserError("Username is required");
        }
        if (password == null) {
            if (console == null) throw new UserError("Cannot perform an interactive login from a non TTY device");
            char[] p = console.readPassword("Password: ");
            password = p == null ? "" : new String(p);
        }
        if (password.isEmpty()) throw new UserError("Password is required");
        Credentials c = new Credentials(username.strip(), password, null);
        ctx.registries(c).host(host).ping();
        DockerConfig config = ctx.dockerConfig();
        config.store(host, c);
        if (config.helperFor(host) == null) {
            ctx.err().println("WARNING! Your password will be stored unencrypted in " + config.file() + ".");
            ctx.err().println("Configure a credential helper to remove this warning. See");
            ctx.err().println("https://docs.docker.com/engine/reference/commandline/login/#credentials-store");
            ctx.err().println();
        }
        ctx.out().println("Login Succeeded");
        return 0;
    }
}
