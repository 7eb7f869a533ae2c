package dev.whittle.sandbox;

import dev.whittle.json.Json;
import dev.whittle.store.Maintenance;
import dev.whittle.store.Store;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Runs one process in runc (crun when present) from a bundle whose rootfs is already mounted. Output is streamed
 * line by line to the caller; on Ctrl-C the container is killed and deleted by the registered cleanup.
 */
public final class Runc {
    private static final AtomicLong SEQ = new AtomicLong();
    private final String binary;
    private final Path stateRoot;

    private static final FileAttribute<?> PRIVATE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    public Runc(Path stateRoot) {
        this.binary = find();
        this.stateRoot = stateRoot;
    }

    static String find() {
        for (String b : new String[] {
            "/usr/bin/crun", "/usr/sbin/runc", "/usr/bin/runc", "/usr/local/bin/runc", "/usr/local/sbin/runc"
        }) {
            if (Files.isExecutable(Path.of(b)) && !b.endsWith("crun")) return b;
        }
        return "runc";
    }

    /**
     * The runc state root of a store's containers: one per store (so a dead process's containers can be told from a
     * live one's by the store's lock), on /run, a tmpfs that a reboot empties along with the containers themselves.
     */
    public static Path stateRoot(Store store) {
        return RuntimeDir.of(store, RuntimeDir.RUNC);
    }

    /** Kills and removes a container whose "runc run" is gone (a killed whittle's); one already gone is fine. */
    void forceDelete(String id) throws IOException {
        try {
            runcQuietly("delete", "--force", id);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while removing container " + id);
        }
        Maintenance.deleteTree(stateRoot.resolve(id));
    }

    public static boolean available() {
        for (String b :
                new String[] {"/usr/sbin/runc", "/usr/bin/runc", "/usr/local/bin/runc", "/usr/local/sbin/runc"}) {
            if (Files.isExecutable(Path.of(b))) return true;
        }
        return false;
    }

    /**
     * Runs the process; returns its exit code.
     *
     * @param bundle a directory holding {@code rootfs} (mounted); config.json is written there
     * @param output receives each line the process prints (stdout and stderr merged)
     * @param stdin  what to feed the process, or null for /dev/null
     */
    public int run(Path bundle, RuncSpec spec, Consumer<String> output, InputStream stdin) throws IOException {
        return run(bundle, spec, output, stdin, new StopSignal());
    }

    /** As {@link #run(Path, RuncSpec, Consumer, InputStream)}; {@code stop} kills the container (exit code 137). */
    public int run(Path bundle, RuncSpec spec, Consumer<String> output, InputStream stdin, StopSignal stop)
            throws IOException {
        String id = prepare(bundle, spec);
        List<String> cmd = command("run", "--bundle", bundle.toString(), id);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.redirectInput(
                stdin == null ? ProcessBuilder.Redirect.from(new File("/dev/null")) : ProcessBuilder.Redirect.PIPE);
        Process[] started = {null};
        try (Cleanup.Handle h = Cleanup.register(() -> stop(started[0], id))) {
            h.apply(() -> {
                try {
                    started[0] = pb.start();
                } catch (IOException e) {
                    throw new IOException(
                            "cannot start runc (" + binary + "): " + e.getMessage()
                                    + " — install it with apt-get install runc",
                            e);
                }
            });
            Process p = started[0];
            // a stop (another platform failed) ends the container as Ctrl-C does
            try (StopSignal.Registration _ = stop.whileRunning(() -> {
                try {
                    stop(p, id);
                } catch (IOException | InterruptedException e) {
                    p.destroyForcibly();
                }
            })) {
                if (stdin != null) {
                    Thread.ofVirtual().start(() -> {
                        try (var o = p.getOutputStream()) {
                            stdin.transferTo(o);
                        } catch (IOException ignored) {
                            // the process stopped reading
                        }
                    });
                }
                try (BufferedReader r =
                        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) output.accept(line);
                }
                try {
                    return p.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    p.destroy();
                    throw new InterruptedIOException("interrupted while running " + spec.args());
                }
            }
        } finally {
            Maintenance.deleteTree(stateRoot.resolve(id));
        }
    }

    /** Writes the bundle's config.json; returns a new container id (the state root's entries are containers). */
    String prepare(Path bundle, RuncSpec spec) throws IOException {
        Files.createDirectories(stateRoot, PRIVATE); // a container's state holds its environment
        Files.write(bundle.resolve("config.json"), Json.write(spec.toJson(), Json.Style.INDENT));
        return "whittle-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
    }

    /** A runc command line with this state root. */
    List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(binary, "--root", stateRoot.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    Path stateRoot() {
        return stateRoot;
    }

    /**
     * Ends a "runc run" that may still be creating its container: "runc kill" fails until the container exists, so it
     * is repeated until runc exits (its container's init died). A foreground "runc run" removes its container when the
     * process ends; only one it did not finish leaves its state behind, and only then is "runc delete" (~25 ms) run.
     */
    private void stop(Process p, String id) throws IOException, InterruptedException {
        if (p == null) return;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (p.isAlive() && System.nanoTime() < deadline) {
            runcQuietly("kill", id, "KILL");
            p.waitFor(100, TimeUnit.MILLISECONDS);
        }
        if (p.isAlive()) p.destroyForcibly().waitFor();
        if (Files.exists(stateRoot.resolve(id))) runcQuietly("delete", "--force", id);
    }

    void runcQuietly(String... args) throws IOException, InterruptedException {
        new ProcessBuilder(command(args))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start()
                .waitFor();
    }

    /** runc's own start-up failure, reduced to the part docker shows ({@code exec /app/site: no such file or directory}). */
    public static String startError(String line) {
        int i = line.indexOf("runc run failed: ");
        if (i < 0 || !line.contains("level=error")) return null;
        String msg = line.substring(i + "runc run failed: ".length());
        if (msg.endsWith("\"")) msg = msg.substring(0, msg.length() - 1);
        msg = msg.replace("\\\"", "\"");
        int exec = msg.indexOf("exec");
        return exec >= 0 && msg.startsWith("unable to start container process: ")
                ? msg.substring("unable to start container process: ".length())
                : msg;
    }
}
