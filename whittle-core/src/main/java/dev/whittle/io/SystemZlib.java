package dev.whittle.io;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.whittle.ffi.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.util.Arrays;
import java.util.Optional;

/**
 * Raw deflate of one block through the system's libz (what pigz uses), called through the FFM API. The JDK bundles
 * its own zlib, built so that it is about a third slower per core here; the system's closes most of the gap to pigz.
 * One z_stream per thread and level, reset per block, never freed (the gzip pool's threads live as long as the JVM).
 * {@link #available()} is false where libz.so.1 cannot be loaded; callers then use {@link java.util.zip.Deflater}.
 */
final class SystemZlib {
    // z_stream on LP64 Linux: next_in 0, avail_in 8, total_in 16, next_out 24, avail_out 32, ..., 112 bytes in all
    private static final long NEXT_IN = 0, AVAIL_IN = 8, NEXT_OUT = 24, AVAIL_OUT = 32, STREAM_SIZE = 112;
    private static final int Z_SYNC_FLUSH = 2,
            Z_FINISH = 4,
            Z_OK = 0,
            Z_STREAM_END = 1,
            Z_BUF_ERROR = -5,
            Z_DEFLATED = 8;
    private static final Native.Function INIT, DEFLATE, RESET, SET_DICTIONARY;
    private static final MemorySegment VERSION;
    private static final boolean AVAILABLE;

    static {
        Native.Function init = null, deflate = null, reset = null, dict = null;
        MemorySegment version = null;
        boolean ok = false;
        Optional<SymbolLookup> z =
                System.getProperty("os.arch", "").matches("amd64|aarch64") && !Boolean.getBoolean("whittle.jdk-zlib")
                        ? Native.library("libz.so.1")
                        : Optional.empty();
        if (z.isPresent()) {
            try {
                init = Native.function(z.get(), "deflateInit2_");
                deflate = Native.function(z.get(), "deflate");
                reset = Native.function(z.get(), "deflateReset");
                dict = Native.function(z.get(), "deflateSetDictionary");
                version = MemorySegment.ofAddress(
                                Native.function(z.get(), "zlibVersion").call())
                        .reinterpret(64);
                ok = true;
            } catch (RuntimeException | LinkageError e) {
                ok = false; // no native access: the JDK's Deflater does the work
            }
        }
        INIT = init;
        DEFLATE = deflate;
        RESET = reset;
        SET_DICTIONARY = dict;
        VERSION = version;
        AVAILABLE = ok;
    }

    private static final ThreadLocal<SystemZlib[]> STREAMS = ThreadLocal.withInitial(() -> new SystemZlib[10]);

    private final MemorySegment stream;
    private MemorySegment in, out, dictionary;

    static boolean available() {
        return AVAILABLE;
    }

    /** This thread's stream for a level, made on first use. */
    static SystemZlib forLevel(int level) {
        SystemZlib[] cache = STREAMS.get();
        if (cache[level] == null) cache[level] = new SystemZlib(level);
        return cache[level];
    }

    private SystemZlib(int level) {
        Arena arena = Arena.ofAuto();
        stream = arena.allocate(STREAM_SIZE, 8); // zeroed: zalloc, zfree and opaque are Z_NULL
        dictionary = arena.allocate(32 * 1024);
        int rc = (int) INIT.call(stream.address(), level, Z_DEFLATED, -15, 8, 0, VERSION.address(), STREAM_SIZE);
        if (rc != Z_OK) throw new IllegalStateException("deflateInit2 failed: " + rc);
    }

    /**
     * Deflates one block: a fresh raw-deflate state with the preset dictionary, ended with a sync flush (a block in
     * the middle of the stream) or finished (the last one).
     */
    byte[] deflate(byte[] data, int length, byte[] dict, boolean last) {
        check((int) RESET.call(stream.address()), "deflateReset");
        if (dict != null && dict.length > 0) {
            MemorySegment.copy(dict, 0, dictionary, JAVA_BYTE, 0, dict.length);
            check(
                    (int) SET_DICTIONARY.call(stream.address(), dictionary.address(), dict.length),
                    "deflateSetDictionary");
        }
        int bound = length + (length >> 12) + (length >> 14) + (length >> 25) + 64;
        if (in == null || in.byteSize() < length) in = Arena.ofAuto().allocate(Math.max(length, 128 * 1024));
        if (out == null || out.byteSize() < bound) out = Arena.ofAuto().allocate(Math.max(bound, 128 * 1024 + 1024));
        MemorySegment.copy(data, 0, in, JAVA_BYTE, 0, length);
        stream.set(ADDRESS, NEXT_IN, in);
        stream.set(JAVA_INT, AVAIL_IN, length);
        byte[] result = new byte[0];
        int produced = 0;
        while (true) {
            stream.set(ADDRESS, NEXT_OUT, out);
            stream.set(JAVA_INT, AVAIL_OUT, (int) out.byteSize());
            int rc = (int) DEFLATE.call(stream.address(), last ? Z_FINISH : Z_SYNC_FLUSH);
            if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
                throw new IllegalStateException("deflate failed: " + rc);
            int n = (int) out.byteSize() - stream.get(JAVA_INT, AVAIL_OUT);
            result = Arrays.copyOf(result, produced + n);
            MemorySegment.copy(out, JAVA_BYTE, 0, result, produced, n);
            produced += n;
            boolean outputFull = stream.get(JAVA_INT, AVAIL_OUT) == 0;
            if (last ? rc == Z_STREAM_END : !outputFull) return result;
        }
    }

    private static void check(int rc, String what) {
        if (rc != Z_OK) throw new IllegalStateException(what + " failed: " + rc);
    }

    static String version() {
        return AVAILABLE ? VERSION.getString(0) : null;
    }
}
