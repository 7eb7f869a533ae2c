package dev.whittle.sandbox;

import dev.whittle.ffi.Posix;
import dev.whittle.store.Maintenance;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * fuse-overlayfs, rootless whittle's overlay where the kernel refuses one in a user namespace (before Linux 5.11, or a
 * kernel built so), or where {@code WHITTLE_OVERLAY=fuse} asks for it. It reads the snapshots as they are (0/0
 * character-device whiteouts, {@code user.overlay.opaque}), but writes its upper directory in a format of its own,
 * which {@link #normalise} turns into the kernel's, so the layer and the snapshot made from it are the same as with
 * the kernel's overlay.
 */
final class FuseOverlay {
    static final Path BINARY = Path.of("/usr/bin/fuse-overlayfs");
    /** fuse-overlayfs's opaque marker: an xattr, plus a marker file and a whiteout of it in the directory. */
    private static final String OPAQUE_XATTR = "fuseoverlayfs.opaque",
            MARKER = ".wh..wh..opq",
            MARKER_WHITEOUT = ".wh..opq";

    private FuseOverlay() {}

    static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /** Whether the user asked for it (tests, and kernels whose overlay in a user namespace misbehaves). */
    static boolean requested() {
        return "fuse".equals(System.getenv("WHITTLE_OVERLAY"));
    }

    /** Mounts; the daemon serves the mount until it is unmounted. */
    static void mount(List<Path> lowersTopFirst, Path upper, Path work, Path target) throws IOException {
        List<String> dirs = new ArrayList<>();
        for (Path p : lowersTopFirst) dirs.add(p.toString());
        for (String d : List.of(upper.toString(), work.toString(), target.toString())) {
            if (d.contains(":") || d.contains(",") || dirs.stream().anyMatch(l -> l.contains(":") || l.contains(","))) {
                throw new IOException("fuse-overlayfs cannot take a path with ':' or ',' (" + d
                        + "): move the store (--root) to a path without them");
            }
        }
        String options = "lowerdir=" + String.join(":", dirs) + ",upperdir=" + upper + ",workdir=" + work;
        Process p = new ProcessBuilder(BINARY.toString(), "-o", options, target.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0)
                throw new IOException("fuse-overlayfs could not mount " + target + ": " + out.strip()
                        + (Files.isWritable(Path.of("/dev/fuse"))
                                ? ""
                                : " (/dev/fuse is not open to you: as root, chmod 0666 /dev/fuse)"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while mounting " + target);
        }
    }

    /**
     * Rewrites an unmounted upper directory as the kernel's overlay would have left it: a directory fuse-overlayfs
     * marked opaque is opaque ({@code user.overlay.opaque}) only where a lower layer has something at its path (a
     * directory new to the image is no replacement, and the kernel marks none), and the marker files go.
     */
    static void normalise(Path upper, List<Path> lowersTopFirst) throws IOException {
        List<Path> dirs;
        try (Stream<Path> all = Files.walk(upper)) {
            dirs = all.filter(d -> Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS))
                    .toList();
        }
        for (Path d : dirs) {
            UserDefinedFileAttributeView view = Files.getFileAttributeView(d, UserDefinedFileAttributeView.class);
            if (!view.list().contains(OPAQUE_XATTR)) continue;
            view.delete(OPAQUE_XATTR);
            Maintenance.deleteTree(d.resolve(MARKER));
            Maintenance.deleteTree(d.resolve(MARKER_WHITEOUT));
            String rel = upper.relativize(d).toString();
            if (rel.isEmpty()) continue;
            boolean replaces =
                    lowersTopFirst.stream().anyMatch(l -> Files.exists(l.resolve(rel), LinkOption.NOFOLLOW_LINKS));
            if (replaces) Posix.lsetxattr(d, OverlayMount.opaqueXattr(), new byte[] {(byte) 'y'});
        }
    }
}
