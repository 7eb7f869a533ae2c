package dev.whittle.rootfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextObservationsTest {
    @TempDir
    Path root;

    /** A build records signatures one way and the next build's memo lookup may read them the other. */
    @Test
    void statxAndTheJdkGiveTheSameSignatures() throws IOException {
        assumeThat(dev.whittle.ffi.Posix.canStat()).as("libc has statx").isTrue();
        Files.writeString(root.resolve("main.go"), "package main\n");
        Files.createDirectories(root.resolve("cmd/site"));
        Files.createSymbolicLink(root.resolve("link"), Path.of("main.go"));
        for (String p : new String[] {"", "main.go", "cmd", "cmd/site", "link", "absent"}) {
            String viaStatx = ContextObservations.signatureOf(root, p, true);
            assertThat(ContextObservations.signatureOf(root, p, false)).as(p).isEqualTo(viaStatx);
        }
        assertThat(ContextObservations.signatureOf(root, "absent", true)).isEqualTo("absent");
        String before = ContextObservations.signatureOf(root, "main.go", false);
        Files.writeString(root.resolve("main.go"), "package main // changed\n");
        assertThat(ContextObservations.signatureOf(root, "main.go", true)).isNotEqualTo(before);
    }
}
