package dev.whittle.image;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.security.MessageDigest;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * SHA-256 through OpenSSL's libcrypto (Debian's libssl3), called with FFM straight on the Java arrays. The JDK's
 * own SHA-256 is as fast only once C2 has compiled it: short commands run with C1 alone, where it hashes at a tenth
 * of the speed (850 MB: 6.8 s against 0.55 s), and every command spends its first hundreds of megabytes before C2
 * is ready. The context lives in a Java array, so there is nothing to free. Where libcrypto does not load, or with
 * {@code -Dwhittle.jdk-sha256}, {@link Digest#newSha256()} returns the JDK's.
 */
final class NativeSha256 extends MessageDigest implements Cloneable {
    private static final MethodHandle INIT, UPDATE, FINAL;
    static final boolean AVAILABLE;

    static {
        MethodHandle init = null, update = null, fin = null;
        boolean ok = false;
        if (!Boolean.getBoolean("whittle.jdk-sha256")) {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup lib = SymbolLookup.libraryLookup("libcrypto.so.3", Arena.global());
                Linker.Option onHeap = Linker.Option.critical(true);
                init = linker.downcallHandle(lib.find("SHA256_Init").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS), onHeap);
                update = linker.downcallHandle(lib.find("SHA256_Update").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG), onHeap);
                fin = linker.downcallHandle(lib.find("SHA256_Final").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), onHeap);
                ok = true;
            } catch (Throwable t) {
                ok = false; // no libcrypto or no native access: the JDK's digest does the work
            }
        }
        INIT = init;
        UPDATE = update;
        FINAL = fin;
        AVAILABLE = ok;
    }

    /** OpenSSL's SHA256_CTX is 112 bytes; 8-byte aligned as a long[]. */
    private long[] ctx = new long[16];
    private byte[] one = new byte[1];

    NativeSha256() {
        super("SHA-256");
        engineReset();
    }

    @Override protected void engineUpdate(byte input) {
        one[0] = input;
        engineUpdate(one, 0, 1);
    }

    @Override protected void engineUpdate(byte[] input, int offset, int len) {
        if (len == 0) return;
        java.util.Objects.checkFromIndexSize(offset, len, input.length);
        MemorySegment data = MemorySegment.ofArray(input).asSlice(offset, len);
        try {
            check((int) UPDATE.invokeExact(MemorySegment.ofArray(ctx), data, (long) len));
        } catch (Throwable t) {
            throw failure(t);
        }
    }

    @Override protected byte[] engineDigest() {
        byte[] out = new byte[32];
        try {
            check((int) FINAL.invokeExact(MemorySegment.ofArray(out), MemorySegment.ofArray(ctx)));
        } catch (Throwable t) {
            throw failure(t);
        }
        engineReset();
        return out;
    }

    @Override protected void engineReset() {
        try {
            check((int) INIT.invokeExact(MemorySegment.ofArray(ctx)));
        } catch (Throwable t) {
            throw failure(t);
        }
    }

    @Override protected int engineGetDigestLength() {
        return 32;
    }

    @Override public Object clone() throws CloneNotSupportedException {
        NativeSha256 copy = (NativeSha256) super.clone();
        copy.ctx = ctx.clone();
        copy.one = new byte[1];
        return copy;
    }

    private static void check(int rc) {
        if (rc != 1) throw new IllegalStateException("libcrypto SHA-256 failed");
    }

    private static RuntimeException failure(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
