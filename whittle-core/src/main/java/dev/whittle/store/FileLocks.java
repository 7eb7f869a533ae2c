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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

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

    /** How often a wait looks whether it should give up. */
    private static final long POLL_MILLIS = 50;

    /**
     * Waits for the lock of {@code file} (made if missing) until it is free or {@code giveUp} says so: then throws
     * {@link InterruptedIOException}. The holder may be a build that failed or was stopped: a waiter must not outlive
     * the reason it waits for.
     */
    public static Held exclusive(Path file, BooleanSupplier giveUp) throws IOException {
        Semaphore turn = IN_PROCESS.computeIfAbsent(file.toAbsolutePath().normalize(), _ -> new Semaphore(1));
        try {
            while (!turn.tryAcquire(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                if (giveUp.getAsBoolean()) throw gaveUp(file);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the lock of " + file);
        }
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            // another process may hold it: tryLock, as FileChannel.lock cannot be given up
            FileLock lock;
            while ((lock = ch.tryLock()) == null) {
                if (giveUp.getAsBoolean()) throw gaveUp(file);
                sleep(file);
            }
            FileLock held = lock;
            FileChannel open = ch;
            AtomicBoolean closed = new AtomicBoolean();
            return () -> {
                if (!closed.compareAndSet(false, true)) return; // a second close must not free a later holder's turn
                try {
                    held.release();
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

    private static InterruptedIOException gaveUp(Path file) {
        return new InterruptedIOException("stopped while waiting for the lock of " + file);
    }

    private static void sleep(Path file) throws InterruptedIOException {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the lock of " + file);
        }
    }
}
