package dev.whittle.sandbox;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Undo actions registered while a build runs (kill a container, unmount, remove a temp directory), run in reverse
 * order when the step finishes — or from a shutdown hook when the user presses Ctrl-C — so an interrupted build
 * leaves no mount, runc state or temp directory behind.
 *
 * <p>Actions run one at a time under one lock, whether a step runs its own or the exit hook runs what is left: a step
 * that is removing its temp directory when Ctrl-C arrives finishes before the hook returns (the JVM halts the moment
 * the hooks are done), and a step cannot remove a directory the hook is still unmounting.
 */
public final class Cleanup {
    /** One undo action. */
    public interface Action {
        void run() throws Exception;
    }

    private static final Deque<Action> PENDING = new ArrayDeque<>();
    private static final Object RUNNING = new Object();
    private static volatile boolean hooked;

    private Cleanup() {}

    /** Registers an action; returns a handle that runs and forgets it. */
    public static Handle register(Action a) {
        synchronized (PENDING) {
            if (!hooked) {
                Runtime.getRuntime().addShutdownHook(new Thread(Cleanup::runAll, "whittle-cleanup"));
                hooked = true;
            }
            PENDING.push(a);
        }
        return new Handle(a);
    }

    /** Whether any undo action is registered and not yet run. */
    public static boolean pending() {
        synchronized (PENDING) {
            return !PENDING.isEmpty();
        }
    }

    static void runAll() {
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

    /** Removes {@code a} (or, given null, the newest action) from the pending ones; null when it is not there. */
    private static Action take(Action a) {
        synchronized (PENDING) {
            if (a == null) return PENDING.poll();
            return PENDING.remove(a) ? a : null;
        }
    }

    /** Runs a registered action now (once) and unregisters it. */
    public static final class Handle implements AutoCloseable {
        private final Action action;
        private boolean done;

        Handle(Action action) {
            this.action = action;
        }

        @Override public void close() throws java.io.IOException {
            if (done) return;
            done = true;
            synchronized (RUNNING) {
                if (take(action) == null) return; // the exit hook ran it already
                try {
                    action.run();
                } catch (java.io.IOException e) {
                    throw e;
                } catch (Exception e) {
                    throw new java.io.IOException(e.getMessage(), e);
                }
            }
        }
    }
}
