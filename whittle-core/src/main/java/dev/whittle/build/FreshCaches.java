package dev.whittle.build;

import dev.whittle.sandbox.Cleanup;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Cache mounts that start empty for this build (a step run with --no-cache whose mount sets uid, gid or mode:
 * BuildKit's cache is then keyed by a permissions step that runs again), removed when the build ends.
 */
final class FreshCaches implements AutoCloseable {
    private final Path tempDir;
    private Cleanup.TempDirectory dir;

    FreshCaches(Path tempDir) {
        this.tempDir = tempDir;
    }

    /** The directory they live in, made on first use. */
    synchronized Path root() throws IOException {
        if (dir == null) dir = Cleanup.newTempDirectory(tempDir, "cachemounts-");
        return dir.path();
    }

    @Override
    public synchronized void close() throws IOException {
        if (dir != null) dir.close();
        dir = null;
    }
}
