package dev.whittle.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** The pclntab layouts without a toolchain: the fuzzing seeds, a Go 1.18+ table and a Go 1.2–1.15 one, written by hand. */
class GoSymbolsTableTest {
    static byte[] seed(String name) throws IOException {
        try (InputStream in =
                GoSymbolsTableTest.class.getResourceAsStream("GoSymbolsFuzzTargetsInputs/readFunctionNames/" + name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void readsTheGo118NameTable() throws IOException {
        byte[] b = seed("go118");
        GoSymbols s = GoSymbols.parse(b, 0, b.length);
        assertThat(s.size()).isEqualTo(3);
        assertThat(s.has("time.LoadLocation")).isTrue();
        assertThat(s.hasPrefix("os/user.")).isTrue();
    }

    @Test
    void readsTheGo12FunctionTable() throws IOException {
        byte[] b = seed("go12");
        GoSymbols s = GoSymbols.parse(b, 0, b.length);
        assertThat(s.has("crypto/x509.loadSystemRoots")).isTrue();
        assertThat(s.has("main.main")).isTrue();
    }

    @Test
    void truncatedOrForeignTablesGiveNull() throws IOException {
        byte[] b = seed("go118");
        assertThat(GoSymbols.parse(b, 0, 40)).isNull();
        b[6] = 3; // an instruction size Go never writes
        assertThat(GoSymbols.parse(b, 0, b.length)).isNull();
        assertThat(GoSymbols.parse(new byte[64], 0, 64)).isNull();
    }
}
