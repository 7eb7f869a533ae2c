package dev.whittle.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Fails once more than {@code limit} bytes are read: guards decompression bombs and lying sizes. */
public final class LimitedInputStream extends FilterInputStream {
    private final long limit;
    private final String what;
    private long count;

    public LimitedInputStream(InputStream in, long limit, String what) {
        super(in);
        this.limit = limit;
        this.what = what;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0 && ++count > limit) throw tooLarge();
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0 && (count += n) > limit) throw tooLarge();
        return n;
    }

    private IOException tooLarge() {
        return new IOException(what + " is larger than " + limit + " bytes");
    }
}
