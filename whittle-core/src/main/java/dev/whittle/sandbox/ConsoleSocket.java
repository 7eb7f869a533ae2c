package dev.whittle.sandbox;

import dev.whittle.ffi.Native;
import dev.whittle.ffi.Posix;
import dev.whittle.store.Store;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The socket runc's {@code --console-socket} connects to, to hand over the master of the pseudo-terminal it made for
 * the container (one message, the descriptor as SCM_RIGHTS). Java's Unix sockets cannot receive descriptors, so the
 * socket is made and read through {@link Native}. It lives in a directory only root can enter, under /run: a socket
 * path may not exceed 107 bytes, and a store's path may.
 */
public final class ConsoleSocket implements AutoCloseable {
    private static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_NONBLOCK = 04000, SOCK_CLOEXEC = 02000000;
    private static final int SOL_SOCKET = 1, SCM_RIGHTS = 1, MSG_CMSG_CLOEXEC = 0x40000000, EAGAIN = 11, EINTR = 4;
    private static final int SUN_PATH_MAX = 108;

    private final int fd;
    private final Path path;

    private static final class Libc {
        static final Native.Function SOCKET = bind("socket"),
                BIND = bind("bind"),
                LISTEN = bind("listen"),
                ACCEPT4 = bind("accept4"),
                RECVMSG = bind("recvmsg");

        private static Native.Function bind(String name) {
            return Native.libc(name).orElse(null);
        }
    }

    private ConsoleSocket(int fd, Path path) {
        this.fd = fd;
        this.path = path;
    }

    /** Where a store's console sockets live (a dead process's are {@link Leftovers}). */
    public static Path socketDir(Store store) {
        return RuntimeDir.of(store, RuntimeDir.CONSOLE);
    }

    /** Listens at {@code path} (in a directory made private to root here). */
    public static ConsoleSocket listen(Path path) throws IOException {
        Files.createDirectories(
                path.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length >= SUN_PATH_MAX) throw new IOException("console socket path too long: " + path);
        if (Libc.SOCKET == null) throw new IOException("socket: not available (no native access to libc)");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = Native.errnoState(a);
            int fd = (int) Libc.SOCKET.call(state, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (fd < 0) throw new Posix.ErrnoException("socket", path.toString(), Native.errno(state));
            MemorySegment addr = a.allocate(2 + SUN_PATH_MAX, 8); // struct sockaddr_un { u16 family; char path[108]; }
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(name, 0, addr, ValueLayout.JAVA_BYTE, 2, name.length);
            if ((int) Libc.BIND.call(state, fd, addr.address(), 2 + name.length + 1) != 0
                    || (int) Libc.LISTEN.call(state, fd, 1) != 0) {
                int e = Native.errno(state);
                Posix.close(fd);
                throw new Posix.ErrnoException("bind", path.toString(), e);
            }
            return new ConsoleSocket(fd, path);
        }
    }

    public Path path() {
        return path;
    }

    /**
     * The terminal runc sent. Only after {@code runc create} succeeded: runc has connected and sent it by then, so
     * nothing here waits; no connection is an error, not a hang.
     */
    public PtyMaster receive() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = Native.errnoState(a);
            int conn = (int) Libc.ACCEPT4.call(state, fd, 0, 0, SOCK_CLOEXEC);
            if (conn < 0) {
                int e = Native.errno(state);
                if (e == EAGAIN) throw new IOException("runc did not send the container's terminal");
                throw new Posix.ErrnoException("accept", path.toString(), e);
            }
            try {
                return new PtyMaster(receiveFd(a, conn));
            } finally {
                Posix.close(conn);
            }
        }
    }

    /** One recvmsg: the name runc sends as data, one descriptor as SCM_RIGHTS (64-bit layouts of msghdr and cmsghdr). */
    private int receiveFd(Arena a, int conn) throws IOException {
        MemorySegment state = Native.errnoState(a);
        MemorySegment data = a.allocate(4096);
        MemorySegment iov = a.allocate(16, 8); // struct iovec { void *base; size_t len; }
        iov.set(ValueLayout.JAVA_LONG, 0, data.address());
        iov.set(ValueLayout.JAVA_LONG, 8, data.byteSize());
        MemorySegment control = a.allocate(64, 8); // CMSG_SPACE(sizeof(int)) is 24
        MemorySegment msg = a.allocate(56, 8); // struct msghdr
        msg.set(ValueLayout.JAVA_LONG, 16, iov.address()); // msg_iov
        msg.set(ValueLayout.JAVA_LONG, 24, 1); // msg_iovlen
        msg.set(ValueLayout.JAVA_LONG, 32, control.address()); // msg_control
        msg.set(ValueLayout.JAVA_LONG, 40, control.byteSize()); // msg_controllen
        long n;
        do {
            n = Libc.RECVMSG.call(state, conn, msg.address(), MSG_CMSG_CLOEXEC);
        } while (n < 0 && Native.errno(state) == EINTR);
        if (n < 0) throw new Posix.ErrnoException("recvmsg", path.toString(), Native.errno(state));
        long controlLen = msg.get(ValueLayout.JAVA_LONG, 40);
        // struct cmsghdr { size_t len; int level; int type; unsigned char data[]; }
        if (controlLen < 20
                || control.get(ValueLayout.JAVA_INT, 8) != SOL_SOCKET
                || control.get(ValueLayout.JAVA_INT, 12) != SCM_RIGHTS) {
            throw new IOException("runc's console message carried no terminal");
        }
        return control.get(ValueLayout.JAVA_INT, 16);
    }

    @Override
    public void close() throws IOException {
        Posix.close(fd);
        Files.deleteIfExists(path);
    }
}
