package dev.whittle.io;

import dev.whittle.image.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/** Computes the sha256 and size of everything read through it. */
public final class HashingInputStream extends ObservingInputStream {
    private final MessageDigest sha = Digest.newSha256();
    private long count;

    public HashingInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            sha.update((byte) b);
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            sha.update(b, off, n);
            count += n;
        }
        return n;
    }

    public long count() {
        return count;
    }

    /** Reads to the end (so trailing bytes count) and returns the digest. */
    public Digest drainAndDigest() throws IOException {
        byte[] buf = new byte[65536];
        while (read(buf, 0, buf.length) >= 0) {
            /* drain */
        }
        return Digest.ofSha256(sha.digest());
    }
}
