package dev.whittle.ffi;

import static dev.whittle.ffi.Native.cString;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The few system calls Java lacks, through {@link Native}: mount/umount2 (overlay snapshots), mknod (whiteouts and
 * device nodes), and the l*xattr family for any namespace (file capabilities, overlay's opaque marker), which
 * UserDefinedFileAttributeView cannot reach.
 */
public final class Posix {
    public static final int S_IFCHR = 0020000;
    public static final int S_IFBLK = 0060000;
    public static final int S_IFIFO = 0010000;
    public static final int MNT_DETACH = 2;
    public static final int ENODATA = 61;
    public static final int EINVAL = 22;
    private static final int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100;

    private Posix() {}

    /** The bound functions, on first use (binding is the costly part of a first call); null where libc lacks one. */
    private static final class Libc {
        static final Native.Function MOUNT = bind("mount"),
                UMOUNT2 = bind("umount2"),
                MKNOD = bind("mknod"),
                LSETXATTR = bind("lsetxattr"),
                LGETXATTR = bind("lgetxattr"),
                LLISTXATTR = bind("llistxattr"),
                UTIMENSAT = bind("utimensat"),
                LCHOWN = bind("lchown"),
                CHMOD = bind("chmod"),
                STRERROR = bind("strerror"),
                STATX = bind("statx"),
                OPEN = bind("open"),
                CLOSE = bind("close"),
                SYSCALL = bind("syscall"),
                EXECVE = bind("execve");

        private static Native.Function bind(String name) {
            return Native.libc(name).orElse(null);
        }
    }

    /** A failed system call, with its errno. */
    public static final class ErrnoException extends IOException {
        private final int errno;

        public ErrnoException(String call, String path, int errno) {
            super(call + " " + path + ": " + strerror(errno));
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }

    static String strerror(int errno) {
        if (Libc.STRERROR == null) return "errno " + errno;
        try {
            long s = Libc.STRERROR.call(errno);
            return MemorySegment.ofAddress(s).reinterpret(256).getString(0);
        } catch (RuntimeException e) {
            return "errno " + errno;
        }
    }

    /** One system call: its arena for arguments, its errno, the error it raises on failure. */
    private record Call(Arena arena, MemorySegment state) implements AutoCloseable {
        /** Starts a call of {@code f} (null: not available, an IOException naming the call). */
        static Call start(Native.Function f, String what) throws IOException {
            if (f == null) throw new IOException(what + ": not available (no native access to libc)");
            Arena a = Arena.ofConfined();
            return new Call(a, Native.errnoState(a));
        }

        long str(String s) {
            return cString(arena, s);
        }

        /** The result, or an ErrnoException when it is negative. */
        long check(long result, String what, Object path) throws ErrnoException {
            if (result < 0) throw new ErrnoException(what, String.valueOf(path), Native.errno(state));
            return result;
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    public static void mount(String source, Path target, String fsType, long flags, String data) throws IOException {
        try (Call c = Call.start(Libc.MOUNT, "mount")) {
            c.check(
                    (int) Libc.MOUNT.call(
                            c.state(), c.str(source), c.str(target.toString()), c.str(fsType), flags, c.str(data)),
                    "mount",
                    target);
        }
    }

    private static final int O_PATH = 010000000, O_DIRECTORY = 0200000, O_CLOEXEC = 02000000, O_NOFOLLOW = 0400000;
    private static final long SYS_OPENAT2 =
            437; // the same number on x86-64 and AArch64 (new system calls share one table)
    private static final long RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_IN_ROOT = 0x10;
    public static final int ENOENT = 2, ENOTDIR = 20, ENOSYS = 38;

    /**
     * Opens {@code rel} inside the directory {@code root} as if {@code root} were "/": symlinks (absolute ones too)
     * and ".." are resolved by the kernel within it (openat2 with RESOLVE_IN_ROOT), the final symlink included, so no
     * path a hostile tree makes can leave it, and no component swapped while it runs can either. Returns an
     * O_PATH descriptor: a handle on exactly what was found, for {@link #bindMount} through /proc/self/fd.
     */
    public static int openInRoot(Path root, String rel) throws IOException {
        try (Call c = Call.start(Libc.SYSCALL, "openat2")) {
            int dir = (int) c.check(
                    Libc.OPEN.call(c.state(), c.str(root.toString()), O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW),
                    "open",
                    root);
            try {
                MemorySegment how = c.arena().allocate(24, 8); // struct open_how { u64 flags, mode, resolve; }
                how.set(ValueLayout.JAVA_LONG, 0, O_PATH | O_CLOEXEC);
                how.set(ValueLayout.JAVA_LONG, 8, 0);
                how.set(ValueLayout.JAVA_LONG, 16, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
                String path = rel.isEmpty() ? "." : rel;
                return (int) c.check(
                        Libc.SYSCALL.call(c.state(), SYS_OPENAT2, dir, c.str(path), how.address(), 24),
                        "openat2",
                        root + " + " + path);
            } finally {
                Libc.CLOSE.call(dir);
            }
        }
    }

    public static void close(int fd) {
        if (fd >= 0 && Libc.CLOSE != null) Libc.CLOSE.call(fd);
    }

    /** A bind mount (recursive) of what an open descriptor refers to, whatever has happened to its path since. */
    public static void bindMount(int fd, Path target) throws IOException {
        mount("/proc/self/fd/" + fd, target, null, MS_BIND | MS_REC, null);
    }

    public static final long MS_BIND = 0x1000, MS_REC = 0x4000;

    public static void umount(Path target, int flags) throws IOException {
        try (Call c = Call.start(Libc.UMOUNT2, "umount2")) {
            c.check((int) Libc.UMOUNT2.call(c.state(), c.str(target.toString()), flags), "umount", target);
        }
    }

    /** What lstat(2) says of a path (through statx, whose layout is the same on every architecture). */
    public record Stat(
            int mode,
            long uid,
            long gid,
            long size,
            long nlink,
            long ino,
            long dev,
            int rdevMajor,
            int rdevMinor,
            long mtimeSeconds,
            int mtimeNanos,
            long ctimeSeconds,
            int ctimeNanos) {
        public int type() {
            return mode & 0170000;
        }
    }

    /** Per thread: room for a path, statx's answer and errno, so a walk over many files allocates nothing per call. */
    private static final ThreadLocal<MemorySegment[]> SCRATCH = ThreadLocal.withInitial(() -> {
        Arena a = Arena.ofAuto();
        return new MemorySegment[] {a.allocate(256, 8), Native.errnoState(a), a.allocate(4096)};
    });

    /** Whether {@link #lstat} works here (statx in libc, native access allowed). */
    public static boolean canStat() {
        return Libc.STATX != null;
    }

    /** The path as a C string in this thread's scratch memory (valid until the thread's next call). */
    private static long scratchPath(MemorySegment[] s, Path path) {
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        MemorySegment str =
                name.length < s[2].byteSize() ? s[2] : Arena.ofAuto().allocate(name.length + 1);
        MemorySegment.copy(name, 0, str, ValueLayout.JAVA_BYTE, 0, name.length);
        str.set(ValueLayout.JAVA_BYTE, name.length, (byte) 0);
        return str.address();
    }

    /**
     * lstat(2) of a path: one system call and no allocation beyond the result, where the JDK's "unix:" attribute view
     * builds a map of boxed values per file (~110 µs a file in a young JVM, most of the walk over a RUN's upper
     * directory). Null when the path does not exist. Only where {@link #canStat()}.
     */
    public static Stat lstat(Path path) throws IOException {
        MemorySegment[] s = SCRATCH.get();
        MemorySegment buf = s[0], state = s[1];
        int r = (int) Libc.STATX.call(
                state, AT_FDCWD, scratchPath(s, path), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buf.address());
        if (r != 0) {
            int e = Native.errno(state);
            if (e == ENOENT || e == ENOTDIR) return null;
            throw new ErrnoException("statx", path.toString(), e);
        }
        return (new Stat(
                buf.get(ValueLayout.JAVA_SHORT, 28) & 0xffff,
                buf.get(ValueLayout.JAVA_INT, 20) & 0xffffffffL,
                buf.get(ValueLayout.JAVA_INT, 24) & 0xffffffffL,
                buf.get(ValueLayout.JAVA_LONG, 40),
                buf.get(ValueLayout.JAVA_INT, 16) & 0xffffffffL,
                buf.get(ValueLayout.JAVA_LONG, 32),
                makedev(
                        buf.get(ValueLayout.JAVA_INT, 136),
                        buf.get(ValueLayout.JAVA_INT, 140)), // as stat(2) and the JDK give it
                buf.get(ValueLayout.JAVA_INT, 128),
                buf.get(ValueLayout.JAVA_INT, 132),
                buf.get(ValueLayout.JAVA_LONG, 112),
                buf.get(ValueLayout.JAVA_INT, 120),
                buf.get(ValueLayout.JAVA_LONG, 96),
                buf.get(ValueLayout.JAVA_INT, 104)));
    }

    /**
     * A small attribute's value (up to 64 bytes) through scratch memory, or null when the file lacks it: overlay's
     * opaque marker is asked of every directory of an upper directory. Only where {@link #canStat()}.
     */
    public static byte[] lgetxattrSmall(Path path, String name) throws IOException {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        if (n.length >= 128) return lgetxattr(path, name);
        MemorySegment[] s = SCRATCH.get();
        long p = scratchPath(s, path);
        MemorySegment nameAt = s[0].asSlice(0, 128), value = s[0].asSlice(128, 64);
        MemorySegment.copy(n, 0, nameAt, ValueLayout.JAVA_BYTE, 0, n.length);
        nameAt.set(ValueLayout.JAVA_BYTE, n.length, (byte) 0);
        long got = Libc.LGETXATTR.call(s[1], p, nameAt.address(), value.address(), value.byteSize());
        if (got < 0) {
            int e = Native.errno(s[1]);
            if (e == ENODATA) return null;
            if (e == ERANGE) return lgetxattr(path, name);
            throw new ErrnoException("getxattr " + name, path.toString(), e);
        }
        return value.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE);
    }

    /** Whether a path has extended attributes at all: one call in scratch memory (most files have none). */
    public static boolean hasXattrs(Path path) throws IOException {
        MemorySegment[] s = SCRATCH.get();
        long size = Libc.LLISTXATTR.call(s[1], scratchPath(s, path));
        if (size < 0) throw new ErrnoException("listxattr", path.toString(), Native.errno(s[1]));
        return size > 0;
    }

    private static final int ERANGE = 34, STATX_BASIC_STATS = 0x7ff;

    public static long makedev(int major, int minor) {
        return ((long) (major & 0xfffff000) << 32)
                | ((major & 0xfff) << 8)
                | ((long) (minor & 0xffffff00) << 12)
                | (minor & 0xff);
    }

    public static void mknod(Path path, int mode, long dev) throws IOException {
        try (Call c = Call.start(Libc.MKNOD, "mknod")) {
            c.check((int) Libc.MKNOD.call(c.state(), c.str(path.toString()), mode, dev), "mknod", path);
        }
    }

    public static void lsetxattr(Path path, String name, byte[] value) throws IOException {
        try (Call c = Call.start(Libc.LSETXATTR, "lsetxattr")) {
            MemorySegment v = c.arena().allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            c.check(
                    (int) Libc.LSETXATTR.call(
                            c.state(), c.str(path.toString()), c.str(name), v.address(), value.length),
                    "setxattr " + name,
                    path);
        }
    }

    /** An attribute's value, or null when the file does not have it. */
    public static byte[] lgetxattr(Path path, String name) throws IOException {
        try (Call c = Call.start(Libc.LGETXATTR, "lgetxattr")) {
            long p = c.str(path.toString()), n = c.str(name);
            long size = Libc.LGETXATTR.call(c.state(), p, n);
            if (size < 0 && Native.errno(c.state()) == ENODATA) return null;
            c.check(size, "getxattr " + name, path);
            MemorySegment buf = c.arena().allocate(Math.max(1, size));
            long got = c.check(Libc.LGETXATTR.call(c.state(), p, n, buf.address(), size), "getxattr " + name, path);
            return buf.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** Names of a file's extended attributes (all namespaces visible to the caller). */
    public static List<String> llistxattr(Path path) throws IOException {
        try (Call c = Call.start(Libc.LLISTXATTR, "llistxattr")) {
            long p = c.str(path.toString());
            long size = c.check(Libc.LLISTXATTR.call(c.state(), p), "listxattr", path);
            List<String> out = new ArrayList<>();
            if (size == 0) return out;
            MemorySegment buf = c.arena().allocate(size);
            long got = c.check(Libc.LLISTXATTR.call(c.state(), p, buf.address(), size), "listxattr", path);
            byte[] b = buf.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE);
            int start = 0;
            for (int i = 0; i < b.length; i++) {
                if (b[i] == 0) {
                    if (i > start) out.add(new String(b, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            return out;
        }
    }

    /**
     * Sets access and modification time without following a final symlink and without opening the file (the JDK
     * opens it, which a device node does not allow).
     */
    public static void setTimes(Path path, long epochSeconds) throws IOException {
        try (Call c = Call.start(Libc.UTIMENSAT, "utimensat")) {
            MemorySegment ts = c.arena().allocate(32);
            ts.set(ValueLayout.JAVA_LONG, 0, epochSeconds);
            ts.set(ValueLayout.JAVA_LONG, 8, 0);
            ts.set(ValueLayout.JAVA_LONG, 16, epochSeconds);
            ts.set(ValueLayout.JAVA_LONG, 24, 0);
            c.check(
                    (int) Libc.UTIMENSAT.call(
                            c.state(), AT_FDCWD, c.str(path.toString()), ts.address(), AT_SYMLINK_NOFOLLOW),
                    "utimensat",
                    path);
        }
    }

    /** lchown(2): the link itself, never its target. */
    public static void lchown(Path path, long uid, long gid) throws IOException {
        try (Call c = Call.start(Libc.LCHOWN, "lchown")) {
            c.check((int) Libc.LCHOWN.call(c.state(), c.str(path.toString()), (int) uid, (int) gid), "lchown", path);
        }
    }

    /** chmod(2) with all twelve bits (setuid, setgid, sticky), without opening the file. Not for symlinks. */
    public static void chmod(Path path, int mode) throws IOException {
        try (Call c = Call.start(Libc.CHMOD, "chmod")) {
            c.check((int) Libc.CHMOD.call(c.state(), c.str(path.toString()), mode & 07777), "chmod", path);
        }
    }

    /** Binds the functions now, so the first mount does not wait for it (the build does it on a background thread while it plans). */
    public static void prepare() {
        String ignored = String.valueOf(Libc.MOUNT);
        if (canStat()) {
            try {
                lstat(Path.of("/")); // the first call through the shared handle is costly too
            } catch (IOException e) {
                // statx works or it does not: callers find out on their own
            }
        }
        warm = true;
    }

    private static volatile boolean warm;

    /**
     * Whether the functions are bound and called once already. Binding and the first call cost a young JVM ~40 ms,
     * the JDK's attribute views ~150 µs a file: a few dozen stats are cheaper through the JDK until then.
     */
    public static boolean isWarm() {
        return warm;
    }

    /**
     * Replaces this process with {@code argv} (same pid, so signals and the exit code reach the caller as if it had
     * been started directly); returns only by throwing.
     */
    public static void execve(String path, List<String> argv, List<String> env) throws IOException {
        try (Call c = Call.start(Libc.EXECVE, "execve")) {
            MemorySegment args = c.arena().allocate(ValueLayout.ADDRESS, argv.size() + 1L);
            for (int i = 0; i < argv.size(); i++) args.setAtIndex(ValueLayout.JAVA_LONG, i, c.str(argv.get(i)));
            MemorySegment envp = c.arena().allocate(ValueLayout.ADDRESS, env.size() + 1L);
            for (int i = 0; i < env.size(); i++) envp.setAtIndex(ValueLayout.JAVA_LONG, i, c.str(env.get(i)));
            c.check((int) Libc.EXECVE.call(c.state(), c.str(path), args.address(), envp.address()), "exec", path);
        }
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static volatile Boolean userNamespace;

    /**
     * Whether this process is root of a user namespace other than the host's (a rootless whittle re-entered itself
     * so, or a container with its own): its ids map to a range of the host's, not to all of them, so it may mount
     * overlays and chown only as far as the namespace allows, and host-wide places (/run, /var/lib) are not its own.
     */
    public static boolean inUserNamespace() {
        Boolean b = userNamespace;
        if (b == null) {
            try {
                String map = Files.readString(Path.of("/proc/self/uid_map"));
                b = userNamespace = !map.strip().matches("0\\s+0\\s+4294967295");
            } catch (IOException e) {
                b = userNamespace = false; // no /proc: no way to tell, and no user namespaces either
            }
        }
        return b;
    }
}
