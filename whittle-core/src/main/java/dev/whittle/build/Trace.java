package dev.whittle.build;

/**
 * Timing marks for finding where a build spends its time: with {@code WHITTLE_TRACE=1} each mark prints the
 * milliseconds since the previous mark of the same thread, then the time since the first mark. Off, it costs one field
 * read.
 */
public final class Trace {
    private static final boolean ON = "1".equals(System.getenv("WHITTLE_TRACE"));
    private static final long START = System.nanoTime();
    private static final ThreadLocal<long[]> LAST = ThreadLocal.withInitial(() -> new long[] {System.nanoTime()});

    private Trace() {}

    public static void mark(String what) {
        if (!ON) return;
        long now = System.nanoTime();
        long[] last = LAST.get();
        System.err.printf("[trace] %8.1f ms  at %6.1f ms  %s%n", (now - last[0]) / 1e6, (now - START) / 1e6, what);
        last[0] = now;
    }
}
