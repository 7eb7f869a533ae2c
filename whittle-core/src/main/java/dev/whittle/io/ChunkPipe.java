package dev.whittle.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bounded pipe between two threads that hands over whole chunks (the JDK's piped streams move bytes through a
 * 1 KiB ring and poll). The writer can end the stream or abort it, so the reader sees either a clean end or an
 * IOException, never a silently short stream. The reader can hang up: then writes fail, or, for a pipe made with
 * {@code dropWhenHungUp}, are dropped, so a producer that also writes elsewhere (a file) carries on.
 */
public final class ChunkPipe {
    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> queue;
    private final boolean dropWhenHungUp;
    private volatile boolean hungUp;
    private volatile IOException abort;

    /**
     * @param chunks         how many chunks may wait before the writer blocks
     * @param dropWhenHungUp whether writes after the reader hung up are dropped (else they fail)
     */
    public ChunkPipe(int chunks, boolean dropWhenHungUp) {
        this.queue = new ArrayBlockingQueue<>(chunks);
        this.dropWhenHungUp = dropWhenHungUp;
    }

    /** Makes the reader fail with {@code cause} once it has read what was written before. */
    public void abort(IOException cause) {
        abort = cause;
        offer(END);
    }

    /** The reader gives up: from now on writes are dropped. */
    public void hangUp() {
        hungUp = true;
        queue.clear();
    }

    private void offer(byte[] chunk) {
        try {
            while (!hungUp && !queue.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
                // wait for the reader, or for it to hang up
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            hungUp = true;
        }
    }

    public OutputStream output() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (len > 0 && !hungUp) offer(Arrays.copyOfRange(b, off, off + len));
                if (hungUp && !dropWhenHungUp) throw new IOException("the reading side of the pipe has stopped");
            }

            @Override
            public void close() {
                offer(END);
            }
        };
    }

    public InputStream input() {
        return new InputStream() {
            private byte[] cur = new byte[0];
            private int pos;
            private boolean ended;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) return 0;
                while (pos == cur.length) {
                    if (ended) return endOrFail();
                    try {
                        cur = queue.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("pipe read interrupted");
                    }
                    pos = 0;
                    if (cur == END) {
                        ended = true;
                        cur = new byte[0];
                    }
                }
                int n = Math.min(len, cur.length - pos);
                System.arraycopy(cur, pos, b, off, n);
                pos += n;
                return n;
            }

            private int endOrFail() throws IOException {
                if (abort != null) throw abort; // the writer's own failure, as if the reader had met it
                return -1;
            }

            @Override
            public void close() {
                hangUp();
            }
        };
    }
}
