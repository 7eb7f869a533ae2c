package dev.whittle.sandbox;

import dev.whittle.ffi.Native;
import dev.whittle.ffi.Posix;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The master side of a container's pseudo-terminal, as runc hands it over the console socket: what the container
 * writes is read here, what is written here is its keyboard. Its copies run on platform threads (each read blocks in
 * native code).
 */
public final class PtyMaster implements AutoCloseable {
    private static final int BUFFER = 32 << 10;
    private final int fd;
    private volatile boolean closed;

    PtyMaster(int fd) {
        this.fd = fd;
    }

    /** Copies the container's output to {@code out} (flushed as it comes) until no process has the terminal open or {@code out} fails. */
    public void copyTo(OutputStream out) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(BUFFER), state = Native.errnoState(a);
            byte[] b = new byte[BUFFER];
            for (int n; !closed && (n = Tty.read(fd, buf, b, state)) > 0; ) {
                out.write(b, 0, n);
                out.flush();
                if (AttachedRun.failed(out)) return;
            }
        }
    }

    /** Copies {@code in} to the container's keyboard until {@code in} ends or the terminal is gone. */
    public void copyFrom(InputStream in) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(BUFFER), state = Native.errnoState(a);
            byte[] b = new byte[BUFFER];
            for (int n; (n = in.read(b)) > 0; ) {
                synchronized (this) { // not after close: the descriptor's number may be another file's by then
                    if (closed) return;
                    Tty.write(fd, buf, b, n, state);
                }
            }
        }
    }

    public synchronized void resize(Tty.Size size) throws IOException {
        if (!closed) Tty.setSize(fd, size);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        Posix.close(fd);
    }
}
