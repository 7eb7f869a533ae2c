package dev.whittle.sandbox;

import dev.whittle.json.Json;
import dev.whittle.json.JsonException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One container of {@code whittle run}, attached to the caller's streams the way docker's shim attaches it:
 * {@code runc create} (with a console socket when it gets a terminal), {@code runc start}, then this process waits for
 * the init as its subreaper, copies its output, forwards signals and resizes, and deletes the container.
 * Unlike {@code runc run} in the foreground (which RUN uses), this gives the container a terminal whether or not
 * whittle has one, keeps its stdout and stderr apart, and lets whittle decide what a signal does.
 */
public final class AttachedRun {
    static final int SIGINT = 2, SIGKILL = 9, SIGTERM = 15;

    private AttachedRun() {}

    /**
     * The caller's side.
     *
     * @param stdin  what the container reads (docker's -i), or null for nothing
     * @param size   the local terminal's size, for a container with a terminal (null, or giving null: unknown)
     */
    public record Io(InputStream stdin, OutputStream stdout, OutputStream stderr, Supplier<Tty.Size> size) {}

    /** The exit code (docker's: the status, or 128 + a signal), or why the process never started. */
    public record Result(int exitCode, String startError) {}

    static Result run(Runc runc, Path bundle, Path consoleDir, RuncSpec spec, Io io, SignalRelay relay)
            throws IOException {
        String id = runc.prepare(bundle, spec);
        relay.arm();
        try (ConsoleSocket console = spec.terminal() ? ConsoleSocket.listen(consoleDir.resolve(id + ".sock")) : null;
                StdioPipes pipes = spec.terminal() ? null : StdioPipes.open(io.stdin() != null);
                Cleanup.Handle h = Cleanup.register(() -> runc.forceDelete(id))) {
            Path log = bundle.resolve("runc.log"), pidFile = bundle.resolve("init.pid");
            List<String> create = new ArrayList<>(List.of(
                    "--log",
                    log.toString(),
                    "--log-format",
                    "json",
                    "create",
                    "--bundle",
                    bundle.toString(),
                    "--pid-file",
                    pidFile.toString()));
            if (console != null)
                create.addAll(List.of("--console-socket", console.path().toString()));
            create.add(id);
            ProcessBuilder pb = new ProcessBuilder(runc.command(create.toArray(String[]::new)));
            if (pipes != null) pipes.redirect(pb);
            else
                pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            if (!Reaper.adoptingOrphans(() -> runStep(h, pb, pipes))) return new Result(-1, error(log, "create"));
            int pid = Integer.parseInt(Files.readString(pidFile).trim());
            try (PtyMaster master = console != null ? console.receive() : null) {
                Forwarder forwarder = new Forwarder(pid, master, io.size());
                if (master != null) forwarder.resized(); // before it starts, so the program sees its size at once
                List<Thread> copies = copy(io, pipes, master);
                if (!runStep(
                        h,
                        new ProcessBuilder(runc.command("--log", log.toString(), "--log-format", "json", "start", id))
                                .redirectErrorStream(true)
                                .redirectOutput(ProcessBuilder.Redirect.DISCARD),
                        null)) {
                    return new Result(-1, error(log, "start"));
                }
                relay.attach(forwarder);
                int code = Reaper.awaitExit(pid);
                relay.detach();
                forwarder.exited();
                Reaper.reap(pid);
                for (Thread t : copies) t.join();
                return new Result(forwarder.exitCode(code), null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while running " + spec.args());
        } finally {
            relay.detach();
        }
    }

    /** Runs {@code runc create} or {@code runc start} to its end; false when it failed. */
    private static boolean runStep(Cleanup.Handle h, ProcessBuilder pb, StdioPipes pipes)
            throws IOException, InterruptedException {
        Process[] p = {null};
        h.apply(() -> {
            try {
                p[0] = pb.start();
            } catch (IOException e) {
                throw new IOException(
                        "cannot start runc (" + pb.command().getFirst() + "): " + e.getMessage()
                                + " — install it with apt-get install runc",
                        e);
            }
        });
        if (pipes != null) pipes.releaseChildEnds();
        return p[0].waitFor() == 0;
    }

    /** The output copies (joined once the container is gone) and the input copy (left to end with its source). */
    private static List<Thread> copy(Io io, StdioPipes pipes, PtyMaster master) {
        List<Thread> outputs = new ArrayList<>();
        if (master != null) {
            outputs.add(platform("whittle-tty-out", () -> {
                master.copyTo(io.stdout());
                master.close(); // whittle's output is gone (or the container): a hang-up, as a closed terminal gives
            }));
            if (io.stdin() != null) platform("whittle-tty-in", () -> master.copyFrom(io.stdin()));
        } else {
            outputs.add(platform("whittle-stdout", () -> drain(pipes.stdout(), io.stdout())));
            outputs.add(platform("whittle-stderr", () -> drain(pipes.stderr(), io.stderr())));
            if (io.stdin() != null) {
                platform("whittle-stdin", () -> {
                    try (OutputStream to = pipes.stdin()) {
                        transfer(io.stdin(), to);
                    }
                });
            }
        }
        return outputs;
    }

    private interface Copy {
        void run() throws IOException;
    }

    /** A platform thread (its reads block in native code), a daemon so that one waiting for input never holds whittle up. */
    private static Thread platform(String name, Copy copy) {
        return Thread.ofPlatform().daemon().name(name).start(() -> {
            try {
                copy.run();
            } catch (IOException ignored) {
                // the other side is gone: the container ended, or whittle's output was closed
            }
        });
    }

    /**
     * Copies a container's output, then closes the pipe: when whittle cannot write on, the container's next write
     * fails (EPIPE), as in a pipeline, instead of both going on forever.
     */
    private static void drain(InputStream in, OutputStream out) throws IOException {
        try (in) {
            transfer(in, out);
        }
    }

    /** Copies as the bytes come (a prompt without a newline shows at once) until either side ends. */
    private static void transfer(InputStream in, OutputStream out) throws IOException {
        byte[] b = new byte[32 << 10];
        for (int n; (n = in.read(b)) > 0; ) {
            out.write(b, 0, n);
            out.flush();
            if (failed(out)) return;
        }
    }

    /** Whether writing to {@code out} failed (a PrintStream keeps that to itself: whittle's stdout is one). */
    static boolean failed(OutputStream out) {
        return out instanceof PrintStream ps && ps.checkError();
    }

    /** runc's error from its JSON log, as docker shows the part after its own prefixes. */
    static String error(Path log, String step) throws IOException {
        String msg = null;
        if (Files.exists(log)) {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                try {
                    if (Json.parse(line) instanceof Map<?, ?> m
                            && "error".equals(m.get("level"))
                            && m.get("msg") instanceof String s) msg = s;
                } catch (JsonException notJson) {
                    // runc writes one object a line; anything else is not its error
                }
            }
        }
        if (msg == null) return "runc " + step + " failed";
        for (String prefix : List.of("runc " + step + " failed: ", "unable to start container process: ")) {
            if (msg.startsWith(prefix)) msg = msg.substring(prefix.length());
        }
        return msg;
    }

    /** Where signals and resizes go while the container runs. */
    private static final class Forwarder implements SignalRelay.Target {
        private final int pid;
        private final PtyMaster master;
        private final Supplier<Tty.Size> size;
        private boolean exited;
        private int stops;
        private int killedFor;

        Forwarder(int pid, PtyMaster master, Supplier<Tty.Size> size) {
            this.pid = pid;
            this.master = master;
            this.size = size;
        }

        /**
         * As docker's client, the signal goes to the container. Where it would do nothing (the init has no handler
         * for it: the kernel drops it) or it is the third SIGINT/SIGTERM (docker's client gives up there and leaves
         * the container running), the container is killed instead: there is no container to go back to.
         */
        @Override
        public synchronized void signal(int signal) {
            if (exited) return; // its pid may be reaped and reused
            if (signal == SIGINT || signal == SIGTERM) stops++;
            if (stops >= 3 || !Reaper.catches(pid, signal)) {
                if (killedFor == 0) killedFor = signal;
                Reaper.kill(pid, SIGKILL);
            } else {
                Reaper.kill(pid, signal);
            }
        }

        @Override
        public void resized() {
            Tty.Size s = size == null ? null : size.get();
            if (master == null || s == null) return;
            try {
                master.resize(s);
            } catch (IOException gone) {
                // the container has ended
            }
        }

        synchronized void exited() {
            exited = true;
        }

        /** Killed in place of a signal: reported as that signal would have ended it. */
        synchronized int exitCode(int code) {
            return killedFor != 0 && code == 128 + SIGKILL ? 128 + killedFor : code;
        }
    }
}
