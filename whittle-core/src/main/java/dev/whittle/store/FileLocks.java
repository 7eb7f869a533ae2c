package dev.whittle.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Exclusive locks of files against other processes and other threads of this one. A {@link FileLock} is held by the
 * process: the JVM refuses a second lock of the same file ({@code OverlappingFileLockException}) instead of waiting,
 * so threads of this process (the platforms of one build) queue on a semaphore per file first.
 */
public final class FileLocks {
    private static final Map<Path, Semaphore> IN_PROCESS = new ConcurrentHashMap<>();

    private FileLocks() {}

    /** A lock held until closed. */
    public interface Held extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    /** Waits for the lock of {@code file} (made if missing). */
    public static Held exclusive(Path file) throws IOException {
        Semaphore turn = IN_PROCESS.computeIfAbsent(file.toAbsolutePath().normalize(), _ -> new Semaphore(1));
        try {
            turn.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the lock of " + file);
        }
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = ch.lock();
            FileChannel open = ch;
            return () -> {
                try {
                    lock.release();
                    open.close();
                } finally {
                    turn.release();
                }
            };
        } catch (IOException | RuntimeException e) {
            try {
                if (ch != null) ch.close();
            } finally {
                turn.release();
            }
            throw e;
        }
    }
}
