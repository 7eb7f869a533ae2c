package dev.whittle.sandbox;

import dev.whittle.ffi.Posix;
import dev.whittle.store.Maintenance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A bind-mount source resolved inside its own root, mounted at a staging path of whittle's own. The source is a path
 * in a tree the build does not trust (a stage's files, the build context): a symlink in it may name "/" or any host
 * path, and a path handed to runc would be resolved by the kernel on the host. So the kernel resolves it once, inside
 * the root (openat2, RESOLVE_IN_ROOT, as BuildKit's fs.RootPath and containerd's securejoin intend), whittle mounts
 * exactly what it found through /proc/self/fd, and runc is given only the staging path, whose every component is
 * whittle's. A component swapped by a race after the open changes nothing: the descriptor is what gets mounted.
 * (runc cannot take the descriptor itself: a bind from a mount of another namespace is EINVAL.)
 */
public final class RootedBind implements AutoCloseable {
    private final Path staging;
    private final boolean directory;
    private final Cleanup.Handle handle;

    private RootedBind(Path staging, boolean directory, Cleanup.Handle handle) {
        this.staging = staging;
        this.directory = directory;
        this.handle = handle;
    }

    /**
     * Resolves {@code rel} inside {@code root} and bind-mounts it at {@code staging} (which must not exist).
     *
     * @throws NoSuchFileException when {@code rel} does not exist inside the root
     */
    public static RootedBind mount(Path root, String rel, Path staging) throws IOException {
        int fd;
        try {
            fd = Posix.openInRoot(root, rel);
        } catch (Posix.ErrnoException e) {
            if (e.errno() == Posix.ENOENT || e.errno() == Posix.ENOTDIR) throw new NoSuchFileException(rel);
            if (e.errno() == Posix.ENOSYS)
                throw new IOException("bind mounts need openat2 (Linux 5.6 or later): " + e.getMessage());
            throw e;
        }
        try {
            boolean directory = Files.isDirectory(Path.of("/proc/self/fd/" + fd));
            Cleanup.Handle h = Cleanup.register(() -> {
                try {
                    Posix.umount(staging, Posix.MNT_DETACH);
                } catch (Posix.ErrnoException e) {
                    if (e.errno() != Posix.EINVAL && e.errno() != Posix.ENOENT) throw e; // not mounted (yet)
                }
                Maintenance.deleteTree(staging);
            });
            try {
                h.apply(() -> {
                    if (directory) Files.createDirectory(staging);
                    else Files.createFile(staging);
                    Posix.bindMount(fd, staging);
                });
            } catch (IOException e) {
                h.close();
                throw e;
            }
            return new RootedBind(staging, directory, h);
        } finally {
            Posix.close(fd);
        }
    }

    /** Where the source is mounted: a path runc and overlayfs may be given as is. */
    public Path path() {
        return staging;
    }

    public boolean directory() {
        return directory;
    }

    @Override
    public void close() throws IOException {
        handle.close();
    }
}
