package dev.whittle.sandbox;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The few system calls Java lacks, through the FFM API: mount/umount2 (overlay snapshots), mknod (whiteouts and
 * device nodes), and the l*xattr family for any namespace (file capabilities, overlay's opaque marker), which
 * UserDefinedFileAttributeView cannot reach.
 */
public final class Posix {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final long ERRNO_OFFSET = Linker.Option.captureStateLayout()
            .byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle MOUNT = handle("mount", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
    private static final MethodHandle UMOUNT2 = handle("umount2", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
            ValueLayout.JAVA_INT));
    private static final MethodHandle MKNOD = handle("mknod", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    private static final MethodHandle LSETXATTR = handle("lsetxattr", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle LGETXATTR = handle("lgetxattr", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS,
            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle LLISTXATTR = handle("llistxattr", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle UTIMENSAT = handle("utimensat", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle LCHOWN = handle("lchown", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle CHMOD = handle("chmod", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
            ValueLayout.JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(LIBC.find("strerror").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final VarHandle ERRNO_HANDLE = ValueLayout.JAVA_INT.varHandle();

    public static final int S_IFCHR = 0020000;
    public static final int S_IFBLK = 0060000;
    public static final int S_IFIFO = 0010000;
    public static final int MNT_DETACH = 2;
    public static final int ENODATA = 61;
    public static final int EINVAL = 22;

    private Posix() {}

    private static MethodHandle handle(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(() -> new IllegalStateException("libc has no " + name)), fd, ERRNO);
    }

    /** A failed system call, with its errno. */
    public static final class ErrnoException extends IOException {
        private final int errno;

        ErrnoException(String call, String path, int errno) {
            super(call + " " + path + ": " + strerror(errno));
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }

    static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO_HANDLE.get(state, ERRNO_OFFSET);
    }

    private static MemorySegment str(Arena a, String s) {
        return s == null ? MemorySegment.NULL : a.allocateFrom(s, StandardCharsets.UTF_8);
    }

    public static void mount(String source, Path target, String fsType, long flags, String data) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Linker.Option.captureStateLayout());
            int r = (int) MOUNT.invokeExact(st, str(a, source), str(a, target.toString()), str(a, fsType), flags, str(a, data));
            if (r != 0) throw new ErrnoException("mount", target.toString(), errno(st));
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("mount " + target + ": " + t, t);
        }
    }

    public static void umount(Path target, int flags) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Linker.Option.captureStateLayout());
            int r = (int) UMOUNT2.invokeExact(st, str(a, target.toString()), flags);
            if (r != 0) throw new ErrnoException("umount", target.toString(), errno(st));
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("umount " + target + ": " + t, t);
        }
    }

    public static long makedev(int major, int minor) {
        return ((long) (major & 0xfffff000) << 32) | ((major & 0xfff) << 8) | ((long) (minor & 0xffffff00) << 12) | (minor & 0xff);
    }

    public static void mknod(Path path, int mode, long dev) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Linker.Option.captureStateLayout());
            int r = (int) MKNOD.invokeExact(st, str(a, path.toString()), mode, dev);
            if (r != 0) throw new ErrnoException("mknod", path.toString(), errno(st));
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("mknod " + path + ": " + t, t);
        }
    }

    public static void lsetxattr(Path path, String name, byte[] value) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Linker.Option.captureStateLayout());
            MemorySegment v = a.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            int r = (int) LSETXATTR.invokeExact(st, str(a, path.toString()), str(a, name), v, (long) value.length, 0);
            if (r != 0) throw new ErrnoException("setxattr " + name, path.toString(), errno(st));
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("setxattr " + path + ": " + t, t);
        }
    }

    /** An attribute's value, or null when the file does not have it. */
    public static byte[] lgetxattr(Path path, String name) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Linker.Option.captureStateLayout());
            MemorySegment p = str(a, path.toString()), n = str(a, name);
            long size = (long) LGETXATTR.invokeExact(st, p, n, MemorySegment.NULL, 0L);
            if (size < 0) {
                int e = errno(st);
                if (e == ENODATA) return null;
                throw new ErrnoException("getxattr " + name, path.toString(), e);
            }
            MemorySegment buf = a.allocate(Math.max(1, size));
            long got = (long) LGETXATTR.invokeExact(st, p, n, buf, size);
            if (got < 0) throw new ErrnoException("getxattr " + name, path.toString(), errno(st));
            return buf.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("getxattr " + path + ": " + t, t);
        }
    }

    /** Names of a file's extended attributes (all namespaces visible to the caller). */
    public static List<String> llistxattr(Path path) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Linker.Option.captureStateLayout());
            MemorySegment p = str(a, path.toString());
            long size = (long) LLISTXATTR.invokeExact(st, p, MemorySegment.NULL, 0L);
            if (size < 0) throw new ErrnoException("listxattr", path.toString(), errno(st));
            List<String> out = new ArrayList<>();
            if (size == 0) return out;
            MemorySegment buf = a.allocate(size);
            long got = (long) LLISTXATTR.invokeExact(st, p, buf, size);
            if (got < 0) throw new ErrnoException("listxattr", path.toString(), errno(st));
            byte[] b = buf.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE);
            int start = 0;
            for (int i = 0; i < b.length; i++) {
                if (b[i] == 0) {
                    if (i > start) out.add(new String(b, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            return out;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("listxattr " + path + ": " + t, t);
        }
    }

    /**
     * Sets access and modification time without following a final symlink and without opening the file (the JDK
     * opens it, which a device node does not allow).
     */
    public static void setTimes(Path path, long epochSeconds) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Linker.Option.captureStateLayout());
            MemorySegment ts = a.allocate(32);
            ts.set(ValueLayout.JAVA_LONG, 0, epochSeconds);
            ts.set(ValueLayout.JAVA_LONG, 8, 0);
            ts.set(ValueLayout.JAVA_LONG, 16, epochSeconds);
            ts.set(ValueLayout.JAVA_LONG, 24, 0);
            int r = (int) UTIMENSAT.invokeExact(st, -100, str(a, path.toString()), ts, 0x100);
            if (r != 0) throw new ErrnoException("utimensat", path.toString(), errno(st));
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("utimensat " + path + ": " + t, t);
        }
    }

    /** lchown(2): the link itself, never its target. */
    public static void lchown(Path path, long uid, long gid) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Linker.Option.captureStateLayout());
            int r = (int) LCHOWN.invokeExact(st, str(a, path.toString()), (int) uid, (int) gid);
            if (r != 0) throw new ErrnoException("lchown", path.toString(), errno(st));
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("lchown " + path + ": " + t, t);
        }
    }

    /** chmod(2) with all twelve bits (setuid, setgid, sticky), without opening the file. Not for symlinks. */
    public static void chmod(Path path, int mode) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Linker.Option.captureStateLayout());
            int r = (int) CHMOD.invokeExact(st, str(a, path.toString()), mode & 07777);
            if (r != 0) throw new ErrnoException("chmod", path.toString(), errno(st));
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("chmod " + path + ": " + t, t);
        }
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
