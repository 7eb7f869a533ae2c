package dev.whittle.check;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing (Jazzer) of the ELF and Go build-info readers that {@code whittle check} and
 * {@code analyze} run over every file of an image. Any bytes give either a parsed ELF whose accessors all answer
 * or an {@link Elf.ElfException} with a message ("not an ELF file", "truncated ELF header", …) — nothing else.
 * Seeds (a glibc PIE, a static musl binary, a versioned shared library, one with a {@code .go.buildinfo} section)
 * are under {@code src/test/resources/.../ElfFuzzTargetsInputs/}.
 */
class ElfFuzzTargets {
    @FuzzTest(maxDuration = "20s")
    void parseElfAndBuildInfo(byte[] input) {
        Elf elf;
        try {
            elf = Elf.parse(input);
        } catch (Elf.ElfException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        elf.describe();
        elf.libc();
        elf.isPie();
        elf.isStaticPie();
        elf.runsOn("amd64");
        elf.section(".interp");
        elf.section(".go.buildinfo");
        GoBuildInfo go = GoBuildInfo.read(elf);
        if (go != null) go.cgo();
        GoSymbols.read(elf);
        elf.dynamicImports();
    }
}
