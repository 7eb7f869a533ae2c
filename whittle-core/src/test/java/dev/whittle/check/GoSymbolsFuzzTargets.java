package dev.whittle.check;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing (Jazzer) of the pclntab reader {@code whittle check} runs over an entrypoint's Go binary:
 * any bytes, as a table at offset 0 or inside an ELF, give names or null — never an exception, never a hang. Seeds
 * (a Go 1.18 and a Go 1.2 table) are under {@code src/test/resources/.../GoSymbolsFuzzTargetsInputs/}.
 */
class GoSymbolsFuzzTargets {
    @FuzzTest(maxDuration = "20s")
    void readFunctionNames(byte[] input) {
        GoSymbols s = GoSymbols.parse(input, 0, input.length);
        if (s != null) {
            assertThat(s.size()).isNotNegative();
            s.has("time.LoadLocation");
            s.hasPrefix("os/user.");
        }
        try {
            Elf elf = Elf.parse(input);
            GoSymbols.read(elf);
            elf.dynamicImports();
        } catch (Elf.ElfException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
