package dev.whittle.io;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Asks the kernel to start writing a file's dirty pages now ({@code sync_file_range(2)} with
 * {@code SYNC_FILE_RANGE_WRITE}: it does not wait), while the file is still being written, so the fsync that makes
 * it durable at the end has little left to wait for. Pages go to disk in the background while the CPU keeps
 * hashing and compressing. A no-op where the call or native access is not available; durability still comes from
 * the fsync alone.
 */
public final class Writeback implements AutoCloseable {
    private static final int O_RDONLY = 0, O_CLOEXEC = 02000000, SYNC_FILE_RANGE_WRITE = 2;
    private static final MethodHandle OPEN, SYNC_RANGE, CLOSE;

    static {
        MethodHandle open = null, sync = null, close = null;
        if (System.getProperty("os.name", "").equals("Linux")) {
            try {
                Linker linker = Linker.nativeLinker();
                var libc = linker.defaultLookup();
                open = linker.downcallHandle(libc.find("open").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT),
                        Linker.Option.firstVariadicArg(2));
                sync = linker.downcallHandle(libc.find("sync_file_range").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
                close = linker.downcallHandle(libc.find("close").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
            } catch (Throwable t) {
                open = sync = close = null;
            }
        }
        OPEN = open;
        SYNC_RANGE = sync;
        CLOSE = close;
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
            int fd = (int) OPEN.invokeExact(a.allocateFrom(file.toString()), O_RDONLY | O_CLOEXEC);
            return fd < 0 ? NONE : new Writeback(fd);
        } catch (Throwable t) {
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
            int ignored = (int) SYNC_RANGE.invokeExact(fd, 0L, 0L, SYNC_FILE_RANGE_WRITE);
        } catch (Throwable t) {
            // only an optimisation
        }
    }

    /** Closes the descriptor, once (a second close could hit a descriptor reused by then). */
    @Override public synchronized void close() {
        if (fd < 0 || closed) return;
        closed = true;
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            // only an optimisation
        }
    }
}
