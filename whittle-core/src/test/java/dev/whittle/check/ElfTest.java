package dev.whittle.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ElfTest {
    static byte[] host(String path) throws IOException {
        Path p = Path.of(path);
        assumeThat(Files.isRegularFile(p)).as(path + " is on this machine").isTrue();
        return Files.readAllBytes(p);
    }

    @Test
    void readsTheHostsDynamicPrograms() throws Exception {
        Elf ls = Elf.parse(host("/bin/ls"));
        assertThat(ls.interpreter).isEqualTo("/lib64/ld-linux-x86-64.so.2");
        assertThat(ls.libc()).isEqualTo("glibc");
        assertThat(ls.needed).contains("libc.so.6");
        assertThat(ls.versionsNeeded.get("libc.so.6")).contains("GLIBC_2.2.5");
        assertThat(ls.runsOn("amd64")).isTrue();
        assertThat(ls.runsOn("arm64")).isFalse();
        Elf libc = Elf.parse(host("/lib/x86_64-linux-gnu/libc.so.6"));
        assertThat(libc.soname).isEqualTo("libc.so.6");
        assertThat(libc.versionsDefined).contains("GLIBC_2.2.5", "GLIBC_2.34");
    }

    @Test
    void staticAndMusl() throws Exception {
        Elf bb = Elf.parse(host("/bin/busybox"));
        assertThat(bb.isStatic()).isTrue();
        assertThat(bb.describe()).contains("statically linked");
        byte[] musl = host("/usr/lib/x86_64-linux-musl/libc.so");
        Elf m = Elf.parse(musl);
        assertThat(m.type).isEqualTo(Elf.ET_DYN);
    }

    @Test
    void goBuildInfoOfAGoProgram() throws Exception {
        byte[] go = host("/usr/lib/go-1.19/bin/gofmt");
        GoBuildInfo info = GoBuildInfo.read(Elf.parse(go));
        assertThat(info).isNotNull();
        assertThat(info.goVersion()).startsWith("go1.19");
        assertThat(info.path()).isEqualTo("cmd/gofmt");
    }

    @Test
    void malformedInputGivesAnElfErrorNeverAnotherException() throws IOException {
        assertThatThrownBy(() -> Elf.parse("#!/bin/sh\n".getBytes()))
                .isInstanceOf(Elf.ElfException.class)
                .hasMessage("not an ELF file");
        byte[] good = host("/bin/ls");
        Random r = new Random(7);
        for (int round = 0; round < 3000; round++) {
            byte[] b = java.util.Arrays.copyOf(good, round % 7 == 0 ? r.nextInt(good.length) : good.length);
            int flips = 1 + r.nextInt(20);
            for (int k = 0; k < flips && b.length > 4; k++) {
                // mostly the headers, where offsets and counts live
                int at =
                        r.nextInt(100) < 80 ? 4 + r.nextInt(Math.min(b.length - 4, 2048)) : 4 + r.nextInt(b.length - 4);
                b[at] = (byte) r.nextInt(256);
            }
            try {
                Elf e = Elf.parse(b);
                e.section(".go.buildinfo");
                GoBuildInfo.read(e);
            } catch (Elf.ElfException expected) {
                // a clear "malformed" answer is fine
            }
        }
    }
}
