package dev.whittle.sandbox;

import dev.whittle.store.AtomicFiles;
import dev.whittle.store.Maintenance;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Undo actions registered while a build runs (kill a container, unmount, remove a temp directory), run in reverse
 * order when the step finishes — or from a shutdown hook when the user presses Ctrl-C — so an interrupted build
 * leaves no mount, runc state or temp directory behind.
 *
 * <p>The undo is registered <em>before</em> the change it undoes, and the change is made through
 * {@link Handle#apply}: a Ctrl-C that lands between the two cannot leave a directory, mount or container nobody
 * undoes. Once the exit hook has started, nothing new can be registered.
 *
 * <p>Actions and changes run one at a time under one lock, whether a step runs its own or the exit hook runs what is
 * left: a step that is removing its temp directory when Ctrl-C arrives finishes before the hook returns (the JVM halts
 * the moment the hooks are done), and a step cannot create or remove what the hook is undoing.
 */
public final class Cleanup {
    /** One undo action, or one change. */
    public interface Action {
        void run() throws Exception;
    }

    private static final Deque<Action> PENDING = new ArrayDeque<>();
    private static final Object RUNNING = new Object();
    private static boolean hooked; // guarded by PENDING
    private static boolean stopping; // guarded by PENDING

    private Cleanup() {}

    /**
     * Registers an undo action; returns a handle that makes the change ({@link Handle#apply}) and undoes it
     * ({@link Handle#close}). Throws {@link InterruptedIOException} once the process is exiting.
     */
    public static Handle register(Action undo) throws InterruptedIOException {
        synchronized (PENDING) {
            if (stopping) throw stopped();
            if (!hooked) {
                try {
                    Runtime.getRuntime().addShutdownHook(new Thread(Cleanup::runAll, "whittle-cleanup"));
                } catch (IllegalStateException exiting) {
                    stopping = true;
                    throw stopped();
                }
                hooked = true;
            }
            PENDING.push(undo);
        }
        return new Handle(undo);
    }

    /** A new, empty directory under {@code parent}, removed with everything in it when closed or when the process exits. */
    public static TempDirectory newTempDirectory(Path parent, String prefix) throws IOException {
        while (true) {
            Path p = AtomicFiles.tempName(parent, prefix, "");
            Handle h = register(() -> Maintenance.deleteTree(p));
            try {
                h.apply(() -> Files.createDirectory(p));
                return new TempDirectory(p, h);
            } catch (FileAlreadyExistsException taken) {
                h.discard(); // another process's, with a recycled pid: not ours to remove
            }
        }
    }

    /** Whether any undo action is registered and not yet run. */
    public static boolean pending() {
        synchronized (PENDING) {
            return !PENDING.isEmpty();
        }
    }

    static void runAll() {
        synchronized (PENDING) {
            stopping = true;
        }
        while (true) {
            synchronized (RUNNING) {
                Action a = take(null);
                if (a == null) return;
                try {
                    a.run();
                } catch (Exception ignored) {
                    // best effort while the process exits
                }
            }
        }
    }

    /** Runs an action, its checked exceptions other than IOException wrapped in one. */
    private static void runAsIo(Action a) throws IOException {
        try {
            a.run();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static InterruptedIOException stopped() {
        return new InterruptedIOException("interrupted: whittle is exiting");
    }

    /** Removes {@code a} (or, given null, the newest action) from the pending ones; null when it is not there. */
    private static Action take(Action a) {
        synchronized (PENDING) {
            if (a == null) return PENDING.poll();
            return PENDING.remove(a) ? a : null;
        }
    }

    private static boolean isPending(Action a) {
        synchronized (PENDING) {
            return PENDING.contains(a);
        }
    }

    /** A registered undo action: {@link #apply} makes its change, {@link #close} runs it (once) and unregisters it. */
    public static final class Handle implements AutoCloseable {
        private final Action undo;
        private boolean done;

        Handle(Action undo) {
            this.undo = undo;
        }

        /**
         * Makes the change this handle undoes, unless the exit hook has already undone it (the process is exiting):
         * then the change is not made and {@link InterruptedIOException} is thrown.
         */
        public void apply(Action change) throws IOException {
            synchronized (RUNNING) {
                if (done || !isPending(undo)) throw stopped();
                runAsIo(change);
            }
        }

        /** Unregisters the undo action without running it (the change was never made). */
        void discard() {
            done = true;
            take(undo);
        }

        @Override
        public void close() throws IOException {
            if (done) return;
            done = true;
            synchronized (RUNNING) {
                if (take(undo) == null) return; // the exit hook ran it already
                runAsIo(undo);
            }
        }
    }

    /** A directory that exists while it is open; closing (or the exit hook) removes it and everything in it. */
    public record TempDirectory(Path path, Handle handle) implements AutoCloseable {
        public Path resolve(String name) {
            return path.resolve(name);
        }

        @Override
        public void close() throws IOException {
            handle.close();
        }
    }
}
