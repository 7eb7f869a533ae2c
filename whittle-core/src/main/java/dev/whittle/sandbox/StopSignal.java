package dev.whittle.sandbox;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A request to stop work that runs beside other work: when one platform of a multi-platform build fails, the others
 * stop (as BuildKit cancels a solve) rather than run on to an image nobody gets. Work asks {@link #reason} between
 * steps; a running container registers how to end it ({@link #whileRunning}).
 */
public final class StopSignal {
    private volatile String reason;
    private final Set<Runnable> running = ConcurrentHashMap.newKeySet();

    /** A signal not given yet. */
    public StopSignal() {}

    /** Asks everything under this signal to stop, saying why; ends the running containers (on their own threads). */
    public void stop(String why) {
        synchronized (this) {
            if (reason != null) return;
            reason = why;
        }
        for (Runnable r : running) Thread.ofVirtual().start(r);
    }

    /** Why the work should stop, or null while it should go on. */
    public String reason() {
        return reason;
    }

    /** While the returned handle is open, {@link #stop} runs {@code end} (at once when stopped already). */
    public Registration whileRunning(Runnable end) {
        running.add(end);
        if (reason != null) Thread.ofVirtual().start(end);
        return () -> running.remove(end);
    }

    /** A registration of {@link #whileRunning}; closing it never fails. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }
}
