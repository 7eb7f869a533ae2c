package dev.whittle.store;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileLocks}: a waiter gives up when told to, and a lock closed twice is still given back once. */
class FileLocksTest {
    static final Duration LIMIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void aWaiterToldToGiveUpStopsWaiting() throws Exception {
        Path file = dir.resolve("c.lock");
        try (var _ = FileLocks.exclusive(file, () -> false)) {
            long since = System.nanoTime();
            assertThatThrownBy(() -> assertTimeoutPreemptively(
                            LIMIT, () -> FileLocks.exclusive(file, () -> System.nanoTime() - since > 200_000_000L)))
                    .isInstanceOf(InterruptedIOException.class)
                    .hasMessageContaining("stopped while waiting for the lock of " + file);
        }
    }

    @Test
    void aLockClosedTwiceLetsOneWaiterIn() throws Exception {
        Path file = dir.resolve("c.lock");
        FileLocks.Held first = FileLocks.exclusive(file, () -> false);
        first.close();
        first.close(); // the RUN's unlock and its undo both close it
        try (var _ = FileLocks.exclusive(file, () -> false)) {
            long since = System.nanoTime();
            assertThatThrownBy(() -> assertTimeoutPreemptively(
                            LIMIT, () -> FileLocks.exclusive(file, () -> System.nanoTime() - since > 200_000_000L)))
                    .isInstanceOf(InterruptedIOException.class);
        }
    }
}
