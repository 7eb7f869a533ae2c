package dev.whittle.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A filter that must see every byte (to hash it, to copy it): {@code skip} reads through {@link #read(byte[], int,
 * int)} instead of skipping, into one buffer kept for the stream's life (a tar reader skips once per file, and a
 * fresh 64 KiB each time was most of a pull's CPU). Mark and reset are not supported.
 */
public abstract class ObservingInputStream extends FilterInputStream {
    private byte[] skipBuffer;

    protected ObservingInputStream(InputStream in) {
        super(in);
    }

    @Override
    public abstract int read(byte[] b, int off, int len) throws IOException;

    @Override
    public long skip(long n) throws IOException {
        if (skipBuffer == null) skipBuffer = new byte[65536];
        long done = 0;
        while (done < n) {
            int k = read(skipBuffer, 0, (int) Math.min(skipBuffer.length, n - done));
            if (k < 0) break;
            done += k;
        }
        return done;
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
