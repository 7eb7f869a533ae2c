package dev.whittle.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CleanupTest {
    @TempDir
    Path dir;

    @Test
    void aTempDirectoryExistsWhileOpenAndIsRemovedWithItsContentOnClose() throws IOException {
        Path p;
        try (Cleanup.TempDirectory t = Cleanup.newTempDirectory(dir, "t-")) {
            p = t.path();
            assertThat(p.getParent()).isEqualTo(dir);
            assertThat(p.getFileName().toString())
                    .startsWith("t-" + ProcessHandle.current().pid() + "-");
            Files.createDirectories(t.resolve("a/b"));
            Files.writeString(t.resolve("a/b/f"), "x");
            assertThat(Cleanup.pending()).isTrue();
        }
        assertThat(p).doesNotExist();
    }

    @Test
    void undoRunsOnceAndAChangeAfterTheUndoIsRefused() throws IOException {
        List<String> log = new ArrayList<>();
        Cleanup.Handle h = Cleanup.register(() -> log.add("undo"));
        h.apply(() -> log.add("change"));
        h.close();
        h.close();
        assertThat(log).containsExactly("change", "undo");
        assertThatThrownBy(() -> h.apply(() -> log.add("late change"))).isInstanceOf(InterruptedIOException.class);
        assertThat(log).containsExactly("change", "undo");
    }
}
