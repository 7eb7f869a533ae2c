package dev.whittle.io;

import dev.whittle.ffi.Native;
import java.lang.foreign.Arena;
import java.nio.file.Path;

/**
 * Asks the kernel to start writing a file's dirty pages now ({@code sync_file_range(2)} with
 * {@code SYNC_FILE_RANGE_WRITE}: it does not wait), while the file is still being written, so the fsync that makes
 * it durable at the end has little left to wait for. Pages go to disk in the background while the CPU keeps
 * hashing and compressing. A no-op where the call or native access is not available; durability still comes from
 * the fsync alone.
 */
public final class Writeback implements AutoCloseable {
    private static final int O_RDONLY = 0, O_CLOEXEC = 02000000, SYNC_FILE_RANGE_WRITE = 2;
    private static final Native.Function OPEN, SYNC_RANGE, CLOSE;

    static {
        Native.Function open = null, sync = null, close = null;
        if (System.getProperty("os.name", "").equals("Linux")) {
            open = Native.libc("open").orElse(null);
            sync = Native.libc("sync_file_range").orElse(null);
            close = Native.libc("close").orElse(null);
        }
        boolean all = open != null && sync != null && close != null;
        OPEN = all ? open : null;
        SYNC_RANGE = all ? sync : null;
        CLOSE = all ? close : null;
    }

    private static final Writeback NONE = new Writeback(-1);

    private final int fd;
    private boolean closed;

    private Writeback(int fd) {
        this.fd = fd;
    }

    /** For a file being written (a second descriptor on it: writeback is per file, not per descriptor). */
    public static Writeback of(Path file) {
        if (OPEN == null) return NONE;
        try (Arena a = Arena.ofConfined()) {
            // open(2) is variadic; with O_CREAT absent it never reads a third argument
            int fd = (int) OPEN.call(Native.cString(a, file.toString()), O_RDONLY | O_CLOEXEC);
            return fd < 0 ? NONE : new Writeback(fd);
        } catch (RuntimeException e) {
            return NONE;
        }
    }

    /** Whether a descriptor is open (false where the call is unavailable). */
    boolean active() {
        return fd >= 0 && !closed;
    }

    /** Starts writing whatever of the file is dirty and not already being written. */
    public synchronized void start() {
        if (fd < 0 || closed) return;
        try {
            SYNC_RANGE.call(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
        } catch (RuntimeException e) {
            // only an optimisation
        }
    }

    /** Closes the descriptor, once (a second close could hit a descriptor reused by then). */
    @Override
    public synchronized void close() {
        if (fd < 0 || closed) return;
        closed = true;
        try {
            CLOSE.call(fd);
        } catch (RuntimeException e) {
            // only an optimisation
        }
    }
}
