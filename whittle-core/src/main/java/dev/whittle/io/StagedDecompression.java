package dev.whittle.io;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * Reading a compressed stream on three threads instead of one: one reads the source and copies every byte to a sink
 * (the blob file, hashed as it is written), one decompresses, and the caller reads the decompressed bytes (to hash
 * and index them). On a 850 MB layer this turns download + inflate + two SHA-256 + tar scan, one after the other,
 * into inflate alone on the critical path. A failure on any thread reaches the caller as an IOException from
 * {@link #decompressed()}; {@link #close()} stops and waits for both threads, so nothing writes to the sink after it.
 */
public final class StagedDecompression implements AutoCloseable {
    private static final int CHUNK = 1 << 17;

    private final InputStream source;
    private final ChunkPipe compressed = new ChunkPipe(32, false);
    private final ChunkPipe plain = new ChunkPipe(32, false);
    private final Thread reader, inflater;
    private final InputStream decompressed;
    private volatile Compression.Kind kind;
    private volatile boolean ended;

    private StagedDecompression(InputStream source, OutputStream copy) {
        this.source = source;
        this.reader = Thread.ofPlatform().daemon().name("layer-read").start(() -> read(copy));
        this.inflater = Thread.ofPlatform().daemon().name("layer-inflate").start(this::inflate);
        this.decompressed = new FilterInputStream(plain.input()) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n < 0) ended = true;
                return n;
            }

            @Override
            public int read() throws IOException {
                int n = in.read();
                if (n < 0) ended = true;
                return n;
            }
        };
    }

    /** Starts reading {@code source}; every byte read is also written to {@code copy}, from the reading thread. */
    public static StagedDecompression start(InputStream source, OutputStream copy) {
        return new StagedDecompression(source, copy);
    }

    private void read(OutputStream copy) {
        OutputStream next = compressed.output();
        try {
            byte[] buf = new byte[CHUNK];
            for (int n; (n = source.read(buf)) >= 0; ) {
                if (n == 0) continue;
                copy.write(buf, 0, n);
                next.write(buf, 0, n);
            }
            next.close();
        } catch (IOException e) {
            compressed.abort(e);
        } catch (Throwable e) { // even an Error must reach the caller, or it would wait for the pipe forever
            compressed.abort(new IOException(String.valueOf(e.getMessage()), e));
        }
    }

    private void inflate() {
        OutputStream next = plain.output();
        try (InputStream in = new BufferedInputStream(compressed.input(), 1 << 16)) {
            Compression.Kind k = Compression.detect(in);
            kind = k;
            InputStream d = Compression.decompress(in, k);
            byte[] buf = new byte[CHUNK];
            for (int n; (n = d.read(buf)) >= 0; ) if (n > 0) next.write(buf, 0, n);
            in.transferTo(
                    OutputStream.nullOutputStream()); // whatever follows the compressed stream is still read and kept
            next.close();
        } catch (IOException e) {
            plain.abort(e);
        } catch (Throwable e) {
            plain.abort(
                    e instanceof UncheckedIOException u
                            ? u.getCause()
                            : new IOException(String.valueOf(e.getMessage()), e));
        }
    }

    /** The decompressed bytes, for the caller's thread. */
    public InputStream decompressed() {
        return decompressed;
    }

    /** The compression found by content; known once the first decompressed byte has been read (or the stream ended). */
    public Compression.Kind kind() {
        return kind;
    }

    /**
     * After the caller read to the end, waits for both threads (they have all but returned: the end is sent last).
     * Otherwise stops them first: the pipes fail their writes, the source is closed under a read blocked on the
     * network, and the threads are interrupted.
     */
    @Override
    public void close() throws IOException {
        if (ended) {
            join(reader, 0);
            join(inflater, 0);
            return;
        }
        plain.hangUp();
        compressed.hangUp();
        if (!(join(reader, 100) && join(inflater, 100))) {
            source.close();
            reader.interrupt();
            inflater.interrupt();
            join(reader, 10_000);
            join(inflater, 10_000);
        }
    }

    /** Joins a thread, for at most {@code millis} (0: for as long as it takes); whether it has ended. */
    private static boolean join(Thread t, long millis) {
        try {
            if (millis == 0) {
                t.join();
                return true;
            }
            return t.join(Duration.ofMillis(millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !t.isAlive();
        }
    }
}
