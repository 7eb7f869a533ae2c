package dev.whittle.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/** Whole-file writes that are either absent or complete: temp file, fsync, rename, fsync of the directory. */
public final class AtomicFiles {
    private AtomicFiles() {}

    private static final AtomicLong SEQ = new AtomicLong(System.nanoTime());

    /**
     * A new empty file or directory in {@code dir} named {@code prefix<pid>-<n>suffix}. The JDK's createTemp* name theirs
     * with a SecureRandom, whose seeding costs a young JVM 10–20 ms on the first blob of every command; a process id and
     * a counter are as unique here, and creation is exclusive anyway.
     */
    public static Path newTemp(Path dir, String prefix, String suffix, boolean directory) throws IOException {
        while (true) {
            Path p = tempName(dir, prefix, suffix);
            try {
                return directory ? Files.createDirectory(p) : Files.createFile(p);
            } catch (FileAlreadyExistsException taken) {
                // another process with a recycled pid: take the next number
            }
        }
    }

    /** A name for a temp file or directory in {@code dir} ({@code prefix<pid>-<n>suffix}), not taken by this process before. */
    public static Path tempName(Path dir, String prefix, String suffix) {
        return dir.resolve(
                prefix + ProcessHandle.current().pid() + "-" + Long.toHexString(SEQ.incrementAndGet()) + suffix);
    }

    public static void write(Path target, byte[] data) throws IOException {
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp-"
                + ProcessHandle.current().pid() + "-" + Thread.currentThread().threadId());
        try {
            try (FileChannel ch = FileChannel.open(
                    tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) ch.write(b);
                ch.force(true);
            }
            move(tmp, target);
            syncDir(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Renames atomically, replacing the target. */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    public static void syncDir(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // some filesystems refuse fsync on directories; the rename is still atomic
        }
    }

    public static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }
}
