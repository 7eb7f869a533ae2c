package dev.whittle.registry;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ends reads that make no progress. The JDK's HTTP client has a time-out for the response headers only; a registry
 * (or proxy) that stops sending in the middle of a body would block a reader for ever. One daemon thread looks at
 * every guarded stream and interrupts a reader that has waited longer than the time-out, which the client turns into
 * an IOException that the caller retries or reports.
 */
final class StallGuard {
    private static final Set<Guarded> ACTIVE = ConcurrentHashMap.newKeySet();
    private static volatile Thread watcher;

    private StallGuard() {}

    static InputStream guard(InputStream in, Duration timeout) {
        ensureWatcher();
        return new Guarded(in, timeout.toNanos());
    }

    private static synchronized void ensureWatcher() {
        if (watcher != null) return;
        Thread t = new Thread(StallGuard::watch, "whittle-stall-guard");
        t.setDaemon(true);
        t.start();
        watcher = t;
    }

    private static void watch() {
        while (true) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Guarded g : ACTIVE) g.check(now);
        }
    }

    /** Thrown when a read waited longer than the time-out. */
    static final class StalledException extends IOException {
        StalledException(String message) {
            super(message);
        }
    }

    private static final class Guarded extends FilterInputStream {
        private final long timeoutNanos;
        private volatile Thread reader;
        private volatile long since;
        private volatile boolean fired;

        Guarded(InputStream in, long timeoutNanos) {
            super(in);
            this.timeoutNanos = timeoutNanos;
        }

        void check(long now) {
            Thread r = reader;
            if (r != null && now - since > timeoutNanos && !fired) {
                fired = true;
                r.interrupt();
            }
        }

        private void enter() {
            fired = false;
            since = System.nanoTime();
            reader = Thread.currentThread();
            ACTIVE.add(this);
        }

        private IOException leave(IOException e) {
            reader = null;
            ACTIVE.remove(this);
            if (fired) {
                Thread.interrupted();
                long secs = Math.max(1, timeoutNanos / 1_000_000_000L);
                return new StalledException("no data received for " + secs + " s");
            }
            return e;
        }

        @Override
        public int read() throws IOException {
            enter();
            int b;
            try {
                b = in.read();
            } catch (IOException e) {
                throw leave(e);
            }
            IOException stalled = leave(null);
            if (stalled != null) throw stalled;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            enter();
            int n;
            try {
                n = in.read(b, off, len);
            } catch (IOException e) {
                throw leave(e);
            }
            IOException stalled = leave(null);
            if (stalled != null) throw stalled;
            return n;
        }
    }
}
