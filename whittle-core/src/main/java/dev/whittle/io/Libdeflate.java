package dev.whittle.io;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.whittle.ffi.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.util.Optional;

/**
 * Whole-buffer gzip through libdeflate (Debian's libdeflate0), called through the FFM API. libdeflate compresses a
 * buffer it sees whole about twice as fast as zlib at the same level, and smaller, but it cannot continue a stream:
 * each call makes one complete gzip member (no name, no time). {@link ParallelGzipOutputStream} therefore writes a
 * layer as a series of members, which every gzip reader (Go's, zlib's, the JDK's) reads as one stream.
 * One compressor per thread and level, never freed (the gzip pool's threads live as long as the JVM).
 */
final class Libdeflate {
    private static final Native.Function ALLOC,
            GZIP_COMPRESS,
            GZIP_BOUND,
            ALLOC_DECOMPRESSOR,
            GZIP_DECOMPRESS,
            FREE_DECOMPRESSOR;
    private static final boolean AVAILABLE;

    static {
        Native.Function alloc = null, compress = null, bound = null, allocD = null, decompress = null, freeD = null;
        boolean ok = false;
        Optional<SymbolLookup> lib = System.getProperty("os.arch", "").matches("amd64|aarch64")
                        && !Boolean.getBoolean("whittle.jdk-zlib")
                        && !Boolean.getBoolean("whittle.no-libdeflate")
                ? Native.library("libdeflate.so.0")
                : Optional.empty();
        if (lib.isPresent()) {
            try {
                alloc = Native.function(lib.get(), "libdeflate_alloc_compressor");
                compress = Native.function(lib.get(), "libdeflate_gzip_compress");
                bound = Native.function(lib.get(), "libdeflate_gzip_compress_bound");
                allocD = Native.function(lib.get(), "libdeflate_alloc_decompressor");
                freeD = Native.function(lib.get(), "libdeflate_free_decompressor");
                decompress = Native.function(lib.get(), "libdeflate_gzip_decompress_ex");
                ok = true;
            } catch (RuntimeException | LinkageError e) {
                ok = false; // an old libdeflate, no native access: zlib's pigz-style blocks do the work
            }
        }
        ALLOC = alloc;
        GZIP_COMPRESS = compress;
        GZIP_BOUND = bound;
        ALLOC_DECOMPRESSOR = allocD;
        GZIP_DECOMPRESS = decompress;
        FREE_DECOMPRESSOR = freeD;
        AVAILABLE = ok;
    }

    private static final ThreadLocal<Libdeflate[]> COMPRESSORS = ThreadLocal.withInitial(() -> new Libdeflate[13]);

    private final long compressor;
    private MemorySegment in, out;

    static boolean available() {
        return AVAILABLE;
    }

    /** This thread's compressor for a level (0–12), made on first use. */
    static Libdeflate forLevel(int level) {
        Libdeflate[] cache = COMPRESSORS.get();
        if (cache[level] == null) cache[level] = new Libdeflate(level);
        return cache[level];
    }

    private Libdeflate(int level) {
        long c = ALLOC.call(level);
        if (c == 0) throw new IllegalStateException("libdeflate_alloc_compressor(" + level + ") failed");
        compressor = c;
    }

    /** One complete gzip member holding {@code data[0, length)}. */
    byte[] gzipMember(byte[] data, int length) {
        long bound = GZIP_BOUND.call(compressor, length);
        if (in == null || in.byteSize() < length) in = Arena.ofAuto().allocate(Math.max(length, 1));
        if (out == null || out.byteSize() < bound) out = Arena.ofAuto().allocate(bound);
        MemorySegment.copy(data, 0, in, JAVA_BYTE, 0, length);
        long n = GZIP_COMPRESS.call(compressor, in.address(), length, out.address(), out.byteSize());
        if (n <= 0) throw new IllegalStateException("libdeflate_gzip_compress did not fit its own bound");
        return out.asSlice(0, n).toArray(JAVA_BYTE);
    }

    /** A gzip decompressor of whole members (one per reading stream; libdeflate's are not thread-safe). */
    static final class MemberDecompressor implements AutoCloseable {
        private final long decompressor;
        private final MemorySegment counts = Arena.ofAuto().allocate(16, 8);

        MemberDecompressor() {
            long d = ALLOC_DECOMPRESSOR.call();
            if (d == 0) throw new IllegalStateException("libdeflate_alloc_decompressor failed");
            decompressor = d;
        }

        /**
         * Decompresses the gzip member at the start of {@code in} into {@code out}. Returns {@code {consumed, produced}},
         * or null when it cannot (bad or incomplete data, or a member bigger than {@code out}).
         */
        long[] member(MemorySegment in, MemorySegment out) {
            int rc = (int) GZIP_DECOMPRESS.call(
                    decompressor,
                    in.address(),
                    in.byteSize(),
                    out.address(),
                    out.byteSize(),
                    counts.address(),
                    counts.address() + 8);
            if (rc != 0) return null;
            return new long[] {counts.get(JAVA_LONG, 0), counts.get(JAVA_LONG, 8)};
        }

        @Override
        public void close() {
            FREE_DECOMPRESSOR.call(decompressor);
        }
    }
}
