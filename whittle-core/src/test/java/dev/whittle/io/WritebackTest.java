package dev.whittle.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WritebackTest {
    static long openDescriptors() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @Test
    void bindsOnLinuxAndClosesItsDescriptorOnce(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("blob");
        Files.write(f, new byte[4 << 20]);
        long before = openDescriptors();
        Writeback w = Writeback.of(f);
        assertThat(w.active())
                .as("sync_file_range through FFM (blob commits would wait for the whole file)")
                .isTrue();
        assertThat(openDescriptors()).isEqualTo(before + 1);
        w.start();
        w.close();
        w.close();
        w.start();
        assertThat(openDescriptors()).isEqualTo(before);
        assertThat(Writeback.of(dir.resolve("missing")).active()).isFalse();
    }
}
