package dev.whittle.io;

import dev.whittle.image.Digest;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/** Computes the sha256 and size of everything written through it, so content is hashed once while it streams. */
public final class HashingOutputStream extends FilterOutputStream {
    private final MessageDigest sha = Digest.newSha256();
    private long count;

    public HashingOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        sha.update((byte) b);
        count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        sha.update(b, off, len);
        count += len;
    }

    public long count() {
        return count;
    }

    /** The digest of what was written; call once, after the last write. */
    public Digest digest() {
        return Digest.ofSha256(sha.digest());
    }
}
