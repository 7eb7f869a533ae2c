package dev.whittle.sandbox;

import dev.whittle.ffi.Native;
import dev.whittle.ffi.Posix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A container's init as this process's own child: {@code runc create} exits once the container exists, and its init
 * is then re-parented to the nearest child subreaper, which this process makes itself, so it can wait for the init and
 * read its exit status as docker's shim does. The JDK's own reaper waits only for the processes it started.
 */
final class Reaper {
    private static final int PR_SET_CHILD_SUBREAPER = 36,
            PR_GET_CHILD_SUBREAPER = 37,
            P_PID = 1,
            WEXITED = 4,
            WNOWAIT = 0x01000000,
            EINTR = 4;
    private static final int CLD_EXITED = 1;

    private Reaper() {}

    private static final class Libc {
        static final Native.Function PRCTL = bind("prctl"), WAITID = bind("waitid"), KILL = bind("kill");

        private static Native.Function bind(String name) {
            return Native.libc(name).orElse(null);
        }
    }

    /**
     * Runs {@code step} (one that starts a process which leaves an orphan, as {@code runc create} does) with this
     * process as child subreaper, so the orphan becomes this process's child. Only for that long: every other
     * orphan of this process's children (a test JVM's killed whittle) keeps going to init.
     */
    static <T> T adoptingOrphans(Step<T> step) throws IOException, InterruptedException {
        if (Libc.PRCTL == null) throw new IOException("prctl: not available (no native access to libc)");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = Native.errnoState(a), was = a.allocate(4, 4);
            if ((int) Libc.PRCTL.call(state, PR_GET_CHILD_SUBREAPER, was.address(), 0, 0, 0) != 0
                    || (int) Libc.PRCTL.call(state, PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
                throw new Posix.ErrnoException("prctl", "PR_SET_CHILD_SUBREAPER", Native.errno(state));
            }
            try {
                return step.run();
            } finally {
                Libc.PRCTL.call(state, PR_SET_CHILD_SUBREAPER, was.get(ValueLayout.JAVA_INT, 0), 0, 0, 0);
            }
        }
    }

    interface Step<T> {
        T run() throws IOException, InterruptedException;
    }

    /**
     * Waits until child {@code pid} has ended, leaving it a zombie (so its pid cannot be reused while signals may
     * still be sent to it); {@link #reap} collects it. Returns docker's exit code: the status, or 128 + the signal
     * that killed it.
     */
    static int awaitExit(int pid) throws IOException {
        return waitid(pid, WEXITED | WNOWAIT);
    }

    /** Collects the zombie {@link #awaitExit} left. */
    static void reap(int pid) throws IOException {
        waitid(pid, WEXITED);
    }

    private static int waitid(int pid, int options) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = Native.errnoState(a);
            MemorySegment info = a.allocate(128, 8); // siginfo_t: si_code at 8, si_status at 24 (64-bit)
            while ((int) Libc.WAITID.call(state, P_PID, pid, info.address(), options) != 0) {
                int e = Native.errno(state);
                if (e != EINTR) throw new Posix.ErrnoException("waitid", "pid " + pid, e);
            }
            int status = info.get(ValueLayout.JAVA_INT, 24);
            return info.get(ValueLayout.JAVA_INT, 8) == CLD_EXITED ? status : 128 + status;
        }
    }

    /** kill(2); a process already gone is not an error. */
    static void kill(int pid, int signal) {
        if (pid > 0) Libc.KILL.call(pid, signal);
    }

    /**
     * Whether {@code pid} has a handler for {@code signal}. The kernel drops a signal an init of a PID namespace has
     * no handler for, whoever sends it (SIGKILL aside): forwarding Ctrl-C to a {@code sleep} does nothing at all.
     */
    static boolean catches(int pid, int signal) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("SigCgt:"))
                    return (Long.parseUnsignedLong(line.substring(7).trim(), 16) >>> (signal - 1) & 1) != 0;
            }
        } catch (IOException | NumberFormatException e) {
            // gone: nothing to deliver to
        }
        return false;
    }
}
