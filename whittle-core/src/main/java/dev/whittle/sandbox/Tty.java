package dev.whittle.sandbox;

import dev.whittle.ffi.Native;
import dev.whittle.ffi.Posix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Terminals by file descriptor, through {@link Native}: whether a descriptor is one, its window size, raw mode and
 * back (termios kept as opaque bytes, so no struct layout is assumed), and plain read/write for a pseudo-terminal's
 * master, which Java cannot open as a stream (reopening it through /proc would make a new terminal).
 */
public final class Tty {
    private static final long TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414; // the same on x86-64 and AArch64
    private static final int TCSANOW = 0, EINTR = 4;
    /** Room for glibc's struct termios (60 bytes) with a margin. */
    private static final int TERMIOS_BYTES = 256;

    private Tty() {}

    private static final class Libc {
        static final Native.Function ISATTY = bind("isatty"),
                IOCTL = bind("ioctl"),
                TCGETATTR = bind("tcgetattr"),
                TCSETATTR = bind("tcsetattr"),
                CFMAKERAW = bind("cfmakeraw"),
                READ = bind("read"),
                WRITE = bind("write");

        private static Native.Function bind(String name) {
            return Native.libc(name).orElse(null);
        }
    }

    /** A terminal's size in characters. */
    public record Size(int rows, int cols) {}

    /** Whether {@code fd} is a terminal. */
    public static boolean isTerminal(int fd) {
        return Libc.ISATTY != null && Libc.ISATTY.call(fd) == 1;
    }

    /** The window size of the terminal at {@code fd}, or null when it is not one. */
    public static Size size(int fd) {
        if (Libc.IOCTL == null) return null;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ws = a.allocate(8, 8); // struct winsize { u16 rows, cols, xpixel, ypixel; }
            if ((int) Libc.IOCTL.call(fd, TIOCGWINSZ, ws.address()) != 0) return null;
            return new Size(
                    Short.toUnsignedInt(ws.get(ValueLayout.JAVA_SHORT, 0)),
                    Short.toUnsignedInt(ws.get(ValueLayout.JAVA_SHORT, 2)));
        }
    }

    /** Sets the window size of the terminal at {@code fd} (its foreground process group gets SIGWINCH). */
    public static void setSize(int fd, Size size) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ws = a.allocate(8, 8);
            ws.set(ValueLayout.JAVA_SHORT, 0, (short) size.rows());
            ws.set(ValueLayout.JAVA_SHORT, 2, (short) size.cols());
            MemorySegment state = Native.errnoState(a);
            if ((int) Libc.IOCTL.call(state, fd, TIOCSWINSZ, ws.address()) != 0) {
                throw new Posix.ErrnoException("ioctl TIOCSWINSZ", "fd " + fd, Native.errno(state));
            }
        }
    }

    /** Puts the terminal at {@code fd} in raw mode (as cfmakeraw, docker's MakeRaw); returns its mode before. */
    public static byte[] makeRaw(int fd) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(TERMIOS_BYTES, 8), state = Native.errnoState(a);
            if ((int) Libc.TCGETATTR.call(state, fd, t.address()) != 0) {
                throw new Posix.ErrnoException("tcgetattr", "fd " + fd, Native.errno(state));
            }
            byte[] saved = t.toArray(ValueLayout.JAVA_BYTE);
            Libc.CFMAKERAW.call(t.address());
            setAttr(a, fd, t);
            return saved;
        }
    }

    /** Gives the terminal at {@code fd} back the mode {@link #makeRaw} returned. */
    public static void restore(int fd, byte[] saved) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(TERMIOS_BYTES, 8);
            MemorySegment.copy(saved, 0, t, ValueLayout.JAVA_BYTE, 0, saved.length);
            setAttr(a, fd, t);
        }
    }

    private static void setAttr(Arena a, int fd, MemorySegment t) throws IOException {
        MemorySegment state = Native.errnoState(a);
        if ((int) Libc.TCSETATTR.call(state, fd, TCSANOW, t.address()) != 0) {
            throw new Posix.ErrnoException("tcsetattr", "fd " + fd, Native.errno(state));
        }
    }

    /**
     * Reads up to {@code buf.length} bytes from {@code fd} (blocking; call from a platform thread). Returns -1 at the
     * end: end of file, or EIO, which a pseudo-terminal's master reads once no process has its other side open.
     */
    static int read(int fd, MemorySegment mem, byte[] buf, MemorySegment state) throws IOException {
        while (true) {
            long n = Libc.READ.call(state, fd, mem.address(), Math.min(buf.length, mem.byteSize()));
            if (n > 0) {
                MemorySegment.copy(mem, ValueLayout.JAVA_BYTE, 0, buf, 0, (int) n);
                return (int) n;
            }
            if (n == 0) return -1;
            int e = Native.errno(state);
            if (e == EINTR) continue;
            if (e == EIO) return -1;
            throw new Posix.ErrnoException("read", "fd " + fd, e);
        }
    }

    /** Writes all of {@code buf[0, len)} to {@code fd}. */
    static void write(int fd, MemorySegment mem, byte[] buf, int len, MemorySegment state) throws IOException {
        MemorySegment.copy(buf, 0, mem, ValueLayout.JAVA_BYTE, 0, len);
        long done = 0;
        while (done < len) {
            long n = Libc.WRITE.call(state, fd, mem.address() + done, len - done);
            if (n < 0) {
                int e = Native.errno(state);
                if (e == EINTR) continue;
                throw new Posix.ErrnoException("write", "fd " + fd, e);
            }
            done += n;
        }
    }

    private static final int EIO = 5;
}
