package dev.whittle.sandbox;

import dev.whittle.ffi.Native;
import dev.whittle.ffi.Posix;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A container's standard streams without a terminal: pipes given to {@code runc create}, which hands them to the
 * container's init. They cannot be the JDK's process pipes: the JDK closes those when the process it started exits,
 * and runc create exits before the container even starts. So they are made here and given to runc through
 * /proc/self/fd, which opens the same pipe again.
 */
final class StdioPipes implements AutoCloseable {
    private static final int O_CLOEXEC = 02000000;
    private final int[] childEnds;
    private final OutputStream stdin;
    private final InputStream stdout, stderr;

    private StdioPipes(int[] childEnds, OutputStream stdin, InputStream stdout, InputStream stderr) {
        this.childEnds = childEnds;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    private static final class Libc {
        static final Native.Function PIPE2 = Native.libc("pipe2").orElse(null);
    }

    /** Pipes for stdout and stderr, and for stdin when {@code withStdin} (else the container reads /dev/null). */
    static StdioPipes open(boolean withStdin) throws IOException {
        int[] in = withStdin ? pipe() : null, out = pipe(), err = pipe();
        try {
            return new StdioPipes(
                    new int[] {in == null ? -1 : in[0], out[1], err[1]},
                    in == null ? null : new FileOutputStream(fdPath(in[1])),
                    new FileInputStream(fdPath(out[0])),
                    new FileInputStream(fdPath(err[0])));
        } finally {
            // the streams above opened their own descriptors of these pipes
            if (in != null) Posix.close(in[1]);
            Posix.close(out[0]);
            Posix.close(err[0]);
        }
    }

    private static File fdPath(int fd) {
        return new File("/proc/self/fd/" + fd);
    }

    private static int[] pipe() throws IOException {
        if (Libc.PIPE2 == null) throw new IOException("pipe2: not available (no native access to libc)");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(8, 4), state = Native.errnoState(a);
            if ((int) Libc.PIPE2.call(state, fds.address(), O_CLOEXEC) != 0) {
                throw new Posix.ErrnoException("pipe2", "", Native.errno(state));
            }
            return new int[] {fds.get(ValueLayout.JAVA_INT, 0), fds.get(ValueLayout.JAVA_INT, 4)};
        }
    }

    /** Gives runc the container's ends. */
    void redirect(ProcessBuilder pb) {
        pb.redirectInput(
                childEnds[0] < 0
                        ? ProcessBuilder.Redirect.from(new File("/dev/null"))
                        : ProcessBuilder.Redirect.from(fdPath(childEnds[0])));
        pb.redirectOutput(ProcessBuilder.Redirect.to(fdPath(childEnds[1])));
        pb.redirectError(ProcessBuilder.Redirect.to(fdPath(childEnds[2])));
    }

    /** Once runc has them: closes this process's copies of the container's ends, so the pipes end with the container. */
    void releaseChildEnds() {
        for (int i = 0; i < childEnds.length; i++) {
            Posix.close(childEnds[i]);
            childEnds[i] = -1;
        }
    }

    /** What the container reads, or null. */
    OutputStream stdin() {
        return stdin;
    }

    InputStream stdout() {
        return stdout;
    }

    InputStream stderr() {
        return stderr;
    }

    @Override
    public void close() throws IOException {
        releaseChildEnds();
        if (stdin != null) stdin.close();
        stdout.close();
        stderr.close();
    }
}
