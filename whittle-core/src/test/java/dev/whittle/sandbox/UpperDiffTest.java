package dev.whittle.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.ffi.Posix;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a RUN's upper directory may put into a layer. */
class UpperDiffTest {
    /**
     * A RUN can set {@code user.overlay.opaque} on its files (user.* belongs to the file's owner); a layer carrying it
     * would hide lower files under an overlay mounted with {@code userxattr}, and load refuses such layers, so the
     * layer made from the upper directory leaves it out, as it leaves out overlayfs's trusted.overlay.* bookkeeping.
     */
    @Test
    void overlayMetadataNeverGoesIntoALayer(@TempDir Path dir) throws Exception {
        Path d = Files.createDirectory(dir.resolve("d"));
        try {
            Posix.lsetxattr(d, "user.overlay.opaque", new byte[] {'y'});
            // fuse-overlayfs's own (rootless whittle's fallback overlay reads it in the lower layers)
            Posix.lsetxattr(d, "user.fuseoverlayfs.opaque", new byte[] {'y'});
            Posix.lsetxattr(d, "user.kept", new byte[] {'1'});
        } catch (Posix.ErrnoException e) {
            Assumptions.abort("the temp directory's filesystem has no user xattrs: " + e.getMessage());
        }
        if ("root".equals(System.getProperty("user.name")))
            Posix.lsetxattr(d, "trusted.overlay.opaque", new byte[] {'y'});
        assertThat(UpperDiff.xattrs(d, false)).containsOnlyKeys("user.kept");
    }
}
