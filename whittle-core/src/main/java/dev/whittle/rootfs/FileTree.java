package dev.whittle.rootfs;

import dev.whittle.tar.TarEntry;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * A read-only file tree COPY reads from and checks against: the build context on disk or an image's merged layers.
 * Paths are relative ('/'-separated, "" is the root); symlinks resolve inside the tree, never out of it.
 */
public interface FileTree {
    /** One path's metadata; {@code path} is where it really is after resolution. */
    record Node(
            String path,
            TarEntry.Type type,
            int mode,
            long uid,
            long gid,
            long size,
            long mtime,
            String linkTarget,
            String identity) {
        public boolean isDir() {
            return type == TarEntry.Type.DIR;
        }
    }

    /** Metadata of a path, following a final symlink when {@code follow}; null when nothing is there. */
    Node stat(String path, boolean follow) throws IOException;

    /** Names directly below a directory, sorted. */
    List<String> children(String dir) throws IOException;

    /** A regular file's content (by its resolved path). */
    InputStream open(Node node) throws IOException;

    /** Small files such as /etc/passwd, or null when absent. */
    default byte[] readSmall(String path, int max) throws IOException {
        Node n = stat(path, true);
        if (n == null || n.type() != TarEntry.Type.FILE || n.size() > max) return null;
        try (InputStream in = open(n)) {
            return in.readAllBytes();
        }
    }
}
