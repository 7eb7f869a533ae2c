package dev.whittle.diag;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Timing marks for finding where a command spends its time: with {@code WHITTLE_TRACE=1} each mark is kept and
 * {@link #print} writes, at the end, the milliseconds since the previous mark of the same thread and since the first
 * mark. Marks are only recorded while the command runs, and printed without {@code java.util.Formatter}, so tracing
 * does not itself add the first-use costs it is meant to find. Off, a mark costs one field read.
 */
public final class Trace {
    private static final boolean ON = "1".equals(System.getenv("WHITTLE_TRACE"));
    private static final long START = System.nanoTime();
    private static final List<Object[]> MARKS = ON ? new ArrayList<>() : null;

    private Trace() {}

    public static void mark(String what) {
        if (!ON) return;
        long now = System.nanoTime();
        synchronized (MARKS) {
            MARKS.add(new Object[] {Thread.currentThread(), now, what});
        }
    }

    /** Writes the marks recorded so far (each thread's gaps measured from its own previous mark) and forgets them. */
    public static void print(PrintStream err) {
        if (!ON) return;
        synchronized (MARKS) {
            for (int i = 0; i < MARKS.size(); i++) {
                Object[] m = MARKS.get(i);
                long at = (Long) m[1], prev = START;
                for (int j = i - 1; j >= 0; j--) {
                    if (MARKS.get(j)[0] == m[0]) {
                        prev = (Long) MARKS.get(j)[1];
                        break;
                    }
                }
                err.println("[trace] " + ms(at - prev) + " ms  at " + ms(at - START) + " ms  " + m[2]);
            }
            MARKS.clear();
        }
    }

    private static String ms(long nanos) {
        long tenths = Math.round(nanos / 1e5);
        String s = (tenths / 10) + "." + (tenths % 10);
        return " ".repeat(Math.max(0, 7 - s.length())) + s;
    }
}
