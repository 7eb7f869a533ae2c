package dev.whittle.store;

import dev.whittle.image.Digest;
import dev.whittle.io.GrowingFile;
import dev.whittle.io.HashingOutputStream;
import dev.whittle.io.Writeback;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A blob being written: bytes go to a temp file in the store and are hashed on the way. {@link #commit} checks the
 * digest (and size, when known), fsyncs and renames into {@code blobs/}; {@link #close} without commit deletes the
 * temp file, so an interrupted write leaves nothing behind. Every 8 MiB the kernel is asked to start writing the
 * file out ({@link Writeback}), so that fsync does not wait for the whole blob at the end. {@link #follow} reads the
 * blob while it is written, ending when it is committed.
 */
public final class BlobSink implements AutoCloseable {
    private static final long KICK_EVERY = 8 << 20;

    private final Store store;
    private final Path tmp;
    private final FileChannel channel;
    private final HashingOutputStream hashing;
    /** Opened at the first 8 MiB: most blobs are small, and binding the native call costs ~30 ms in a young JVM. */
    private Writeback writeback;

    private long kicked;
    private final OutputStream out;
    private final GrowingFile growing;
    private boolean done;

    BlobSink(Store store, Path tmp) throws IOException {
        this.store = store;
        this.tmp = tmp;
        this.channel = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        this.growing = new GrowingFile(tmp);
        OutputStream toFile = Channels.newOutputStream(channel);
        OutputStream file = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                toFile.write(b);
                growing.grew(1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                toFile.write(b, off, len);
                growing.grew(len);
            }
        };
        this.hashing = new HashingOutputStream(new BufferedOutputStream(file, 1 << 16));
        this.out = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                hashing.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                hashing.write(b, off, len);
                if (hashing.count() - kicked >= KICK_EVERY) {
                    kicked = hashing.count();
                    if (writeback == null) writeback = Writeback.of(tmp);
                    writeback.start();
                }
            }

            @Override
            public void close() {
                // closing the stream does not commit; the sink owns the file
            }
        };
    }

    public OutputStream stream() {
        return out;
    }

    public long size() {
        return hashing.count();
    }

    /**
     * The blob's bytes as they are written: the stream waits for more at the written end, ends once the blob is
     * committed (so a reader that reached the end knows the blob is in the store, its digest verified) and fails if
     * the sink is closed without a commit. For another thread than the writer's.
     */
    public InputStream follow() throws IOException {
        return growing.reader();
    }

    /** The temp file (readable after {@link #finishWriting()}). */
    public Path tempFile() {
        return tmp;
    }

    private Digest digest;

    /** Flushes and computes the digest; no more writes after this. */
    public Digest finishWriting() throws IOException {
        if (digest == null) {
            hashing.flush();
            digest = hashing.digest();
        }
        return digest;
    }

    /**
     * Verifies and moves the blob into place.
     *
     * @param expected the digest the content must have, or null to accept whatever was written
     * @param expectedSize the size it must have, or -1
     */
    public Digest commit(Digest expected, long expectedSize) throws IOException {
        Digest d = finishWriting();
        if (expectedSize >= 0 && hashing.count() != expectedSize) {
            throw new StoreException("size mismatch for blob " + (expected != null ? expected : d) + ": expected "
                    + expectedSize + " bytes, got " + hashing.count());
        }
        if (expected != null && !expected.equals(d)) {
            throw new StoreException("digest mismatch: expected " + expected + ", content has " + d);
        }
        channel.force(false);
        channel.close();
        if (writeback != null) writeback.close();
        Path target = store.blobPath(d);
        if (Files.exists(target)) {
            Files.deleteIfExists(tmp);
        } else {
            Files.createDirectories(target.getParent());
            AtomicFiles.move(tmp, target);
        }
        done = true;
        growing.complete();
        return d;
    }

    @Override
    public void close() throws IOException {
        if (writeback != null) writeback.close();
        if (channel.isOpen()) channel.close();
        if (!done) {
            growing.abandon();
            Files.deleteIfExists(tmp);
        }
    }
}
