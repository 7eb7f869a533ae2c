package dev.whittle.ffi;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one word shape every C function is bound to: arguments, narrow results, pointers and errno arrive intact. */
class NativeTest {
    private static final int ENOENT = 2, EEXIST = 17;

    private static Native.Function libc(String name) {
        return Native.libc(name).orElseThrow(() -> new AssertionError("libc has " + name));
    }

    @Test
    void aNegativeIntResultAndErrnoComeBack(@TempDir Path dir) {
        Native.Function mkdir = libc("mkdir");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Native.errnoState(a);
            long path = Native.cString(a, dir.resolve("sub").toString());
            assertThat((int) mkdir.call(st, path, 0755)).isZero();
            assertThat((int) mkdir.call(st, path, 0755)).isEqualTo(-1);
            assertThat(Native.errno(st)).isEqualTo(EEXIST);
            assertThat((int) mkdir.call(
                            st, Native.cString(a, dir.resolve("no/such").toString()), 0755))
                    .isEqualTo(-1);
            assertThat(Native.errno(st)).isEqualTo(ENOENT);
        }
        assertThat(dir.resolve("sub")).isDirectory();
    }

    @Test
    void fullWidthArgumentsAndResultsPassUntouched() {
        Native.Function strtoull = libc("strtoull");
        try (Arena a = Arena.ofConfined()) {
            assertThat(strtoull.call(Native.cString(a, "18446744073709551615"), 0, 10))
                    .isEqualTo(-1L); // 2^64 - 1
            assertThat(strtoull.call(Native.cString(a, "0x7fffffff12345678"), 0, 16))
                    .isEqualTo(0x7fffffff12345678L);
        }
        // an int argument with garbage-free upper bits, read back sign-extended by the caller's cast
        assertThat((int) libc("abs").call(-42)).isEqualTo(42);
    }

    @Test
    void aVariadicFunctionWithIntegerArgumentsIsCalledCorrectly(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("f"), "x");
        int oRdonly = 0;
        try (Arena a = Arena.ofConfined()) {
            int fd = (int) libc("open").call(Native.cString(a, f.toString()), oRdonly);
            assertThat(fd).isGreaterThanOrEqualTo(0);
            MemorySegment buf = a.allocate(4);
            assertThat(libc("read").call(fd, buf.address(), 4)).isEqualTo(1);
            assertThat(buf.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 'x');
            assertThat((int) libc("close").call(fd)).isZero();
        }
    }

    @Test
    void aReturnedPointerIsAnAddress() {
        long s = libc("strerror").call(ENOENT);
        assertThat(MemorySegment.ofAddress(s).reinterpret(256).getString(0)).isEqualTo("No such file or directory");
    }

    @Test
    void criticalCallsReadJavaArraysInPlace() {
        var crypto = Native.library("libcrypto.so.3")
                .orElseThrow(() -> new AssertionError("libssl3 is installed on Debian 12"));
        Native.Critical init = Native.critical(crypto, "SHA256_Init"),
                update = Native.critical(crypto, "SHA256_Update"),
                fin = Native.critical(crypto, "SHA256_Final");
        long[] ctx = new long[16];
        byte[] data = "abc".getBytes(), md = new byte[32];
        assertThat(init.call(MemorySegment.ofArray(ctx), MemorySegment.NULL, 0)).isEqualTo(1);
        assertThat(update.call(MemorySegment.ofArray(ctx), MemorySegment.ofArray(data), data.length))
                .isEqualTo(1);
        assertThat(fin.call(MemorySegment.ofArray(md), MemorySegment.ofArray(ctx), 0))
                .isEqualTo(1);
        assertThat(java.util.HexFormat.of().formatHex(md))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
