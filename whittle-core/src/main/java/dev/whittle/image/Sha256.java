package dev.whittle.image;

import dev.whittle.ffi.Native;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * SHA-256 that hashes big inputs through OpenSSL's libcrypto (Debian's libssl3), called with FFM straight on the
 * Java arrays. The JDK's own SHA-256 is as fast only once C2 has compiled it: commands that run with C1 alone hash at
 * a tenth of the speed (850 MB: 6.8 s against 0.55 s), and every command hashes its first hundreds of megabytes
 * before C2 is ready. Binding libcrypto costs a few milliseconds, more than a manifest or config takes to hash, so the
 * first {@value #SMALL} bytes are only kept: an input that ends there is hashed in plain Java ({@link SmallSha256}, no
 * security providers to set up), and libcrypto is bound only for one that grows past it. Without libcrypto, or with
 * {@code -Dwhittle.jdk-sha256}, the JDK hashes the big ones.
 */
final class Sha256 extends MessageDigest implements Cloneable {
    static final int SMALL = 64 << 10;

    /** libcrypto's functions, bound on first need. */
    static final class Libcrypto {
        static final Native.Critical INIT, UPDATE, FINAL;
        static final boolean AVAILABLE;

        static {
            Native.Critical init = null, update = null, fin = null;
            boolean ok = false;
            var lib = Boolean.getBoolean("whittle.jdk-sha256")
                    ? Optional.<SymbolLookup>empty()
                    : Native.library("libcrypto.so.3");
            if (lib.isPresent()) {
                try {
                    // SHA256_Init(ctx), SHA256_Update(ctx, data, len), SHA256_Final(md, ctx): all of the one critical
                    // shape
                    init = Native.critical(lib.get(), "SHA256_Init");
                    update = Native.critical(lib.get(), "SHA256_Update");
                    fin = Native.critical(lib.get(), "SHA256_Final");
                    ok = true;
                } catch (RuntimeException | LinkageError e) {
                    ok = false; // no native access: the JDK's digest does the work
                }
            }
            INIT = init;
            UPDATE = update;
            FINAL = fin;
            AVAILABLE = ok;
        }

        private Libcrypto() {}
    }

    /** The bytes so far while they are few; null once a hasher has taken over. */
    private byte[] head = new byte[256];

    private int headLength;
    /** OpenSSL's SHA256_CTX (112 bytes, 8-byte aligned as a long[]) once libcrypto hashes. */
    private long[] ctx;
    /** The JDK's digest, once it hashes a big input because libcrypto is not there. */
    private MessageDigest jdk;

    private byte[] one = new byte[1];

    Sha256() {
        super("SHA-256");
    }

    @Override
    protected void engineUpdate(byte input) {
        one[0] = input;
        engineUpdate(one, 0, 1);
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int len) {
        Objects.checkFromIndexSize(offset, len, input.length);
        if (len == 0) return;
        if (head != null) {
            if (headLength + len <= SMALL) {
                if (headLength + len > head.length)
                    head = Arrays.copyOf(head, Math.min(SMALL, Math.max(head.length * 2, headLength + len)));
                System.arraycopy(input, offset, head, headLength, len);
                headLength += len;
                return;
            }
            byte[] kept = head;
            int keptLength = headLength;
            head = null;
            if (Libcrypto.AVAILABLE) {
                ctx = new long[16];
                check(nativeInit(ctx));
            } else {
                jdk = newJdk();
            }
            hash(kept, 0, keptLength);
        }
        hash(input, offset, len);
    }

    private void hash(byte[] input, int offset, int len) {
        if (jdk != null) {
            jdk.update(input, offset, len);
            return;
        }
        if (len == 0) return;
        check((int) Libcrypto.UPDATE.call(
                MemorySegment.ofArray(ctx), MemorySegment.ofArray(input).asSlice(offset, len), len));
    }

    @Override
    protected byte[] engineDigest() {
        byte[] out;
        if (head != null) {
            out = SmallSha256.digest(head, 0, headLength);
        } else if (jdk != null) {
            out = jdk.digest();
        } else {
            out = new byte[32];
            check((int) Libcrypto.FINAL.call(MemorySegment.ofArray(out), MemorySegment.ofArray(ctx), 0));
        }
        engineReset();
        return out;
    }

    @Override
    protected void engineReset() {
        head = new byte[256];
        headLength = 0;
        ctx = null;
        jdk = null;
    }

    @Override
    protected int engineGetDigestLength() {
        return 32;
    }

    @Override
    public Object clone() throws CloneNotSupportedException {
        Sha256 copy = (Sha256) super.clone();
        if (head != null) copy.head = head.clone();
        if (ctx != null) copy.ctx = ctx.clone();
        if (jdk != null) copy.jdk = (MessageDigest) jdk.clone();
        copy.one = new byte[1];
        return copy;
    }

    /** Whether inputs past {@link #SMALL} bytes are hashed by libcrypto in this JVM. */
    static boolean nativeAvailable() {
        return Libcrypto.AVAILABLE;
    }

    private static int nativeInit(long[] ctx) {
        return (int) Libcrypto.INIT.call(MemorySegment.ofArray(ctx), MemorySegment.NULL, 0);
    }

    static MessageDigest newJdk() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void check(int rc) {
        if (rc != 1) throw new IllegalStateException("libcrypto SHA-256 failed");
    }
}
