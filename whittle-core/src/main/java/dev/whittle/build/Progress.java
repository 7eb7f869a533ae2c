package dev.whittle.build;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/** Build progress events; implementations render them (plain log lines, a live terminal view, or nothing). */
public interface Progress extends AutoCloseable {
    /** A new step; returns its id. */
    int start(String name);

    void cached(int step);

    void log(int step, String line);

    void done(int step);

    void error(int step, String message);

    /** A note not tied to a step (warnings, naming). */
    void note(String line);

    /** Whether notes are shown at all ({@link #QUIET} drops them: a warning must then go elsewhere). */
    default boolean showsNotes() {
        return true;
    }

    /**
     * A sub-row of a step, as BuildKit shows a vertex's statuses ({@code => => extracting sha256:... 1.2MB / 5MB 0.3s});
     * returns its id. Views that show no sub-rows ignore it.
     */
    default int subStart(int step, String name) {
        return 0;
    }

    /** How far a sub-row has got, in bytes ({@code total} 0 when unknown). */
    default void subProgress(int sub, long current, long total) {}

    default void subDone(int sub) {}

    @Override
    default void close() {}

    /** BuildKit's byte amounts: two decimals in decimal units ({@code 1.98MB}). */
    static String bytes(long n) {
        String[] units = {"B", "kB", "MB", "GB", "TB"};
        double v = n;
        int i = 0;
        while (v >= 1000 && i < units.length - 1) {
            v /= 1000;
            i++;
        }
        return i == 0 ? n + "B" : String.format(Locale.ROOT, "%.2f%s", v, units[i]);
    }

    Progress QUIET = new Progress() {
        private final AtomicInteger n = new AtomicInteger();

        @Override
        public int start(String name) {
            return n.incrementAndGet();
        }

        @Override
        public void cached(int step) {}

        @Override
        public void log(int step, String line) {}

        @Override
        public void done(int step) {}

        @Override
        public void error(int step, String message) {}

        @Override
        public void note(String line) {}

        @Override
        public boolean showsNotes() {
            return false;
        }
    };
}
