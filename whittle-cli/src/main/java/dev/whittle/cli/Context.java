package dev.whittle.cli;

import dev.whittle.registry.Credentials;
import dev.whittle.registry.DockerConfig;
import dev.whittle.registry.RegistryClient;
import dev.whittle.registry.RegistryConfig;
import dev.whittle.sandbox.Leftovers;
import dev.whittle.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** What every command gets: the streams, the store (opened on first use) and the global flags. */
public final class Context implements AutoCloseable {
    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;
    private final boolean debug;
    private final Path root;
    private final Path registriesConfig;
    private final Path dockerConfigDir;
    private final boolean processStreams;
    private Store store;
    private RegistryClient registries;

    public Context(PrintStream out, PrintStream err, InputStream in, boolean debug, Path root) {
        this(out, err, in, debug, root, null, null, false);
    }

    /**
     * @param registriesConfig the registries file given with --registries-config, or null for the default places
     * @param dockerConfigDir  docker's client configuration directory given with --config, or null for the default
     */
    public Context(
            PrintStream out,
            PrintStream err,
            InputStream in,
            boolean debug,
            Path root,
            Path registriesConfig,
            Path dockerConfigDir,
            boolean processStreams) {
        this.out = out;
        this.err = err;
        this.in = in;
        this.debug = debug;
        this.root = root;
        this.registriesConfig = registriesConfig;
        this.dockerConfigDir = dockerConfigDir;
        this.processStreams = processStreams;
    }

    /** Credentials, as docker keeps them ({@code --config DIR}, $DOCKER_CONFIG or ~/.docker). */
    public DockerConfig dockerConfig() {
        return dockerConfigDir == null
                ? DockerConfig.load()
                : DockerConfig.load(dockerConfigDir.resolve("config.json"));
    }

    /** The registry client for this command, with the configured mirrors and docker's credentials. */
    public synchronized RegistryClient registries() {
        if (registries == null) {
            RegistryConfig rc =
                    registriesConfig != null ? RegistryConfig.load(registriesConfig, true) : RegistryConfig.load();
            registries = new RegistryClient(rc, host -> dockerConfig().lookup(host));
        }
        return registries;
    }

    /** A registry client that uses the given credentials (for login). */
    public RegistryClient registries(Credentials c) {
        RegistryConfig rc =
                registriesConfig != null ? RegistryConfig.load(registriesConfig, true) : RegistryConfig.load();
        return new RegistryClient(rc, host -> c);
    }

    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    public InputStream in() {
        return in;
    }

    public boolean debug() {
        return debug;
    }

    public Path root() {
        return root;
    }

    /** The store, once whatever a killed whittle process left in it is removed (when no other process uses it). */
    public synchronized Store store() {
        if (store == null) {
            store = Store.open(root);
            Leftovers.cleanIfIdle(store);
        }
        return store;
    }

    /** The store as it is, leftovers of killed processes included (for fsck and prune, which report them). */
    public synchronized Store storeAsFound() {
        if (store == null) store = Store.open(root);
        return store;
    }

    /** Whether out, err and in are this process's own standard streams (not a test's, running whittle in its JVM). */
    public boolean ownsProcessStreams() {
        return processStreams;
    }

    /** True when standard output is a terminal (docker refuses to write archives there; progress bars go there). */
    public boolean stdoutIsTerminal() {
        return processStreams && isTerminal(1);
    }

    /** True when standard error is a terminal (the live build view goes there). */
    public boolean stderrIsTerminal() {
        return processStreams && isTerminal(2);
    }

    /** A file descriptor is a terminal when it is a tty or a pseudo-terminal (no native call needed). */
    private static boolean isTerminal(int fd) {
        try {
            String target =
                    Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (registries != null) registries.close();
        if (store != null) store.close();
    }
}
