package dev.whittle.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * C functions through the FFM API, all bound to one of two call shapes. Binding a downcall costs the JDK a generated
 * class per distinct {@link FunctionDescriptor} — about 11 ms each in a young JVM, 25 ms for the first — while a
 * further function of a shape already bound costs 0.2 ms. whittle calls some twenty functions of libc, libcrypto,
 * libdeflate and zlib; bound each to its own descriptor, a cold build paid over 100 ms for the binding alone.
 * <ul>
 *   <li>{@link Function}: every argument and the result a 64-bit word, eight arguments, errno captured. On the
 *       Linux ABIs the JDK supports here (x86-64 System V, AArch64 AAPCS64) integer and pointer arguments travel in
 *       the same 64-bit registers (past six on x86-64: stack slots) whatever their C width, a callee reads only the
 *       low bits of an {@code int}, and arguments a function does not declare are registers or caller-owned stack
 *       slots it never reads. The JDK sets x86-64's vector-register count for every call, so variadic functions
 *       whose variable arguments are integers ({@code open}) are called correctly too. A result narrower than 64 bits is read
 *       back by a cast: {@code (int) f.call(...)}. Pointers are passed as {@link MemorySegment#address()}, so the
 *       caller keeps the segment alive for the call. Only for functions without floating-point parameters.</li>
 *   <li>{@link Critical}: {@code (pointer, pointer, word) -> word} with {@code Linker.Option.critical(true)}, so Java
 *       arrays are passed in place (hashing straight from the array being hashed); only for short calls that never
 *       block.</li>
 * </ul>
 */
public final class Native {
    private static final int ARGS = 8;
    private static final FunctionDescriptor WORDS = FunctionDescriptor.of(
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor CRITICAL = FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG);

    private Native() {}

    /** Holder: the linker and errno's place in the captured state, set up on the first binding only. */
    private static final class Ffm {
        static final Linker LINKER = Linker.nativeLinker();
        static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
        static final StructLayout STATE = Linker.Option.captureStateLayout();
        static final long ERRNO_OFFSET = errnoOffset();

        private static long errnoOffset() {
            long offset = 0;
            for (MemoryLayout m : STATE.memberLayouts()) {
                if (m.name().orElse("").equals("errno")) return offset;
                offset += m.byteSize();
            }
            throw new IllegalStateException("no errno in the captured call state");
        }
    }

    /** A function of the C library, or empty where it has none (or native access is denied). */
    public static Optional<Function> libc(String name) {
        try {
            return Ffm.LINKER
                    .defaultLookup()
                    .find(name)
                    .map(a -> new Function(name, Ffm.LINKER.downcallHandle(a, WORDS, Ffm.ERRNO)));
        } catch (RuntimeException | LinkageError e) {
            return Optional.empty(); // no native access: callers fall back
        }
    }

    /** A shared library's symbol lookup (loaded for the life of the JVM), or empty when it does not load. */
    public static Optional<SymbolLookup> library(String soname) {
        try {
            return Optional.of(SymbolLookup.libraryLookup(soname, Arena.global()));
        } catch (RuntimeException | LinkageError e) {
            return Optional.empty();
        }
    }

    /** A library function of the word shape; throws if the library lacks it. */
    public static Function function(SymbolLookup lib, String name) {
        return new Function(
                name,
                Ffm.LINKER.downcallHandle(
                        lib.find(name).orElseThrow(() -> new IllegalStateException("no " + name + " in the library")),
                        WORDS,
                        Ffm.ERRNO));
    }

    /** A library function of the critical shape; throws if the library lacks it. */
    public static Critical critical(SymbolLookup lib, String name) {
        return new Critical(Ffm.LINKER.downcallHandle(
                lib.find(name).orElseThrow(() -> new IllegalStateException("no " + name + " in the library")),
                CRITICAL,
                Linker.Option.critical(true)));
    }

    /** Memory for the errno a call leaves (one per call, or per thread). */
    public static MemorySegment errnoState(Arena arena) {
        return arena.allocate(Ffm.STATE);
    }

    /** The errno the last call with this state left. */
    public static int errno(MemorySegment state) {
        return state.get(JAVA_INT, Ffm.ERRNO_OFFSET);
    }

    /** A NUL-terminated UTF-8 copy of a string (null stays NULL), as an address for {@link Function#call}. */
    public static long cString(Arena arena, String s) {
        return s == null ? 0 : arena.allocateFrom(s, StandardCharsets.UTF_8).address();
    }

    /** A C function bound to the word shape. */
    public static final class Function {
        private final String name;
        private final MethodHandle handle;

        private Function(String name, MethodHandle handle) {
            this.name = name;
            this.handle = handle;
        }

        /** Calls with up to eight arguments (the rest are 0); errno lands in {@code state}. */
        public long call(MemorySegment state, long... args) {
            if (args.length > ARGS) throw new IllegalArgumentException(name + ": more than " + ARGS + " arguments");
            long[] w = args.length == ARGS ? args : Arrays.copyOf(args, ARGS);
            try {
                return (long) handle.invokeExact(state, w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]);
            } catch (RuntimeException | Error x) {
                throw x;
            } catch (Throwable t) {
                throw new IllegalStateException(name + ": " + t, t);
            }
        }

        /** A call whose errno is not needed. */
        public long call(long... args) {
            try (Arena arena = Arena.ofConfined()) {
                return call(errnoState(arena), args);
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A C function bound to the critical shape: two pointers (Java arrays allowed) and a word. */
    public static final class Critical {
        private final MethodHandle handle;

        private Critical(MethodHandle handle) {
            this.handle = handle;
        }

        public long call(MemorySegment a, MemorySegment b, long c) {
            try {
                return (long) handle.invokeExact(a, b, c);
            } catch (RuntimeException | Error x) {
                throw x;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }
}
