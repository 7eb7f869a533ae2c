package dev.whittle.io;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static dev.whittle.io.NativeCalls.call;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Whole-buffer gzip through libdeflate (Debian's libdeflate0), called through the FFM API. libdeflate compresses a
 * buffer it sees whole about twice as fast as zlib at the same level, and smaller, but it cannot continue a stream:
 * each call makes one complete gzip member (no name, no time). {@link ParallelGzipOutputStream} therefore writes a
 * layer as a series of members, which every gzip reader (Go's, zlib's, the JDK's) reads as one stream.
 * One compressor per thread and level, never freed (the gzip pool's threads live as long as the JVM).
 */
final class Libdeflate {
    private static final MethodHandle ALLOC, GZIP_COMPRESS, GZIP_BOUND, ALLOC_DECOMPRESSOR, GZIP_DECOMPRESS, FREE_DECOMPRESSOR;
    private static final boolean AVAILABLE;

    static {
        MethodHandle alloc = null, compress = null, bound = null, allocD = null, decompress = null, freeD = null;
        boolean ok = false;
        if (System.getProperty("os.arch", "").matches("amd64|aarch64") && !Boolean.getBoolean("whittle.jdk-zlib")
                && !Boolean.getBoolean("whittle.no-libdeflate")) {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup lib = SymbolLookup.libraryLookup("libdeflate.so.0", Arena.global());
                alloc = linker.downcallHandle(lib.find("libdeflate_alloc_compressor").orElseThrow(),
                        FunctionDescriptor.of(ADDRESS, JAVA_INT));
                compress = linker.downcallHandle(lib.find("libdeflate_gzip_compress").orElseThrow(),
                        FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG));
                bound = linker.downcallHandle(lib.find("libdeflate_gzip_compress_bound").orElseThrow(),
                        FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG));
                allocD = linker.downcallHandle(lib.find("libdeflate_alloc_decompressor").orElseThrow(), FunctionDescriptor.of(ADDRESS));
                freeD = linker.downcallHandle(lib.find("libdeflate_free_decompressor").orElseThrow(), FunctionDescriptor.ofVoid(ADDRESS));
                decompress = linker.downcallHandle(lib.find("libdeflate_gzip_decompress_ex").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
                ok = true;
            } catch (Throwable t) {
                ok = false; // no libdeflate, no native access: zlib's pigz-style blocks do the work
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

    private final MemorySegment compressor;
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
        MemorySegment c = (MemorySegment) call(() -> (MemorySegment) ALLOC.invokeExact(level));
        if (c.equals(MemorySegment.NULL)) throw new IllegalStateException("libdeflate_alloc_compressor(" + level + ") failed");
        compressor = c;
    }

    /** One complete gzip member holding {@code data[0, length)}. */
    byte[] gzipMember(byte[] data, int length) {
        long bound = (long) call(() -> (long) GZIP_BOUND.invokeExact(compressor, (long) length));
        if (in == null || in.byteSize() < length) in = Arena.ofAuto().allocate(Math.max(length, 1));
        if (out == null || out.byteSize() < bound) out = Arena.ofAuto().allocate(bound);
        MemorySegment.copy(data, 0, in, JAVA_BYTE, 0, length);
        long n = (long) call(() -> (long) GZIP_COMPRESS.invokeExact(compressor, in, (long) length, out, out.byteSize()));
        if (n <= 0) throw new IllegalStateException("libdeflate_gzip_compress did not fit its own bound");
        return out.asSlice(0, n).toArray(JAVA_BYTE);
    }

    /** A gzip decompressor of whole members (one per reading stream; libdeflate's are not thread-safe). */
    static final class MemberDecompressor implements AutoCloseable {
        private final MemorySegment decompressor;
        private final MemorySegment counts = Arena.ofAuto().allocate(16, 8);

        MemberDecompressor() {
            MemorySegment d = (MemorySegment) call(() -> (MemorySegment) ALLOC_DECOMPRESSOR.invokeExact());
            if (d.equals(MemorySegment.NULL)) throw new IllegalStateException("libdeflate_alloc_decompressor failed");
            decompressor = d;
        }

        /**
         * Decompresses the gzip member at the start of {@code in} into {@code out}. Returns {@code {consumed, produced}},
         * or null when it cannot (bad or incomplete data, or a member bigger than {@code out}).
         */
        long[] member(MemorySegment in, MemorySegment out) {
            int rc = (int) call(() -> (int) GZIP_DECOMPRESS.invokeExact(decompressor, in, in.byteSize(), out, out.byteSize(),
                    counts, counts.asSlice(8)));
            if (rc != 0) return null;
            return new long[] {counts.get(JAVA_LONG, 0), counts.get(JAVA_LONG, 8)};
        }

        @Override public void close() {
            call(() -> {
                FREE_DECOMPRESSOR.invokeExact(decompressor);
                return null;
            });
        }
    }

}
