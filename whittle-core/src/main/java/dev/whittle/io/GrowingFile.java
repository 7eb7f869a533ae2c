package dev.whittle.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file one thread writes while others read it as it grows: the writer says how far it has written, then that the
 * file is complete or abandoned; a reader waits at the written end for more, ends at the end of a complete file and
 * fails if the writer gives up. The reader never slows the writer (no bounded queue between them: the bytes wait in
 * the page cache), so a download runs at the network's speed while its content is checked behind it.
 */
public final class GrowingFile {
    private final Path file;
    private long written;
    private boolean complete;
    private boolean abandoned;

    public GrowingFile(Path file) {
        this.file = file;
    }

    /** The writer has written {@code bytes} more (they are in the file now). */
    public synchronized void grew(long bytes) {
        written += bytes;
        notifyAll();
    }

    /** Everything is written; readers end where the writer ended. */
    public synchronized void complete() {
        complete = true;
        notifyAll();
    }

    /** The writer gave up (the file will be deleted): readers fail instead of waiting. */
    public synchronized void abandon() {
        if (complete) return;
        abandoned = true;
        notifyAll();
    }

    /** Bytes readable at {@code pos}, waiting while there are none; -1 at the end of a complete file. */
    private synchronized long readable(long pos) throws IOException {
        while (true) {
            if (written > pos) return written - pos;
            if (complete) return -1;
            if (abandoned)
                throw new IOException("the file " + file.getFileName() + " was abandoned before it was complete");
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for " + file.getFileName());
            }
        }
    }

    /** A reader from the start. The file is opened now, so the reader keeps its content when the file is renamed. */
    public InputStream reader() throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        return new InputStream() {
            private long pos;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) return 0;
                long avail = readable(pos);
                if (avail < 0) return -1;
                int n = ch.read(ByteBuffer.wrap(b, off, (int) Math.min(len, avail)), pos);
                if (n < 0) throw new IOException("the file " + file.getFileName() + " is shorter than was written");
                pos += n;
                return n;
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }
}
