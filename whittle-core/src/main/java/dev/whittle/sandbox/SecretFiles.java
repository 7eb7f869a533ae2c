package dev.whittle.sandbox;

import dev.whittle.ffi.Posix;
import dev.whittle.store.Maintenance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The secrets of one RUN, as files on a tmpfs of their own: never on persistent disk, out of swap where the kernel
 * allows it (tmpfs "noswap", Linux 6.4+), unmounted when the RUN ends. A whittle killed mid-RUN leaves the mount
 * behind (in memory, under the store's private tmp); the next whittle command on the store unmounts it
 * ({@link Leftovers}). A memfd would vanish with the process, but the kernel refuses to bind-mount one (EINVAL).
 */
public final class SecretFiles implements AutoCloseable {
    private final Path dir;
    private final Cleanup.Handle handle;

    private SecretFiles(Path dir, Cleanup.Handle handle) {
        this.dir = dir;
        this.handle = handle;
    }

    /** Mounts an empty tmpfs, mode 0700, at {@code dir} (created here; it must not exist). */
    public static SecretFiles mount(Path dir) throws IOException {
        Cleanup.Handle h = Cleanup.register(() -> {
            try {
                Posix.umount(dir, Posix.MNT_DETACH);
            } catch (Posix.ErrnoException e) {
                if (e.errno() != Posix.EINVAL && e.errno() != Posix.ENOENT) throw e; // never mounted
            }
            Maintenance.deleteTree(dir);
        });
        try {
            h.apply(() -> {
                Files.createDirectory(dir);
                // small: secrets are keys and tokens; nosuid/nodev/noexec as BuildKit mounts its secrets
                String options = "mode=0700,size=16m,nr_inodes=1024";
                long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
                try {
                    Posix.mount("tmpfs", dir, "tmpfs", flags, options + ",noswap");
                } catch (Posix.ErrnoException e) {
                    if (e.errno() != Posix.EINVAL) throw e;
                    Posix.mount("tmpfs", dir, "tmpfs", flags, options); // a kernel before 6.4
                }
            });
        } catch (IOException e) {
            h.close();
            throw e;
        }
        return new SecretFiles(dir, h);
    }

    private static final long MS_NOSUID = 0x2, MS_NODEV = 0x4, MS_NOEXEC = 0x8;

    /** Writes one secret as a file owned by {@code uid:gid} with {@code mode}; returns its path. */
    public Path write(String name, byte[] value, long uid, long gid, int mode) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, value);
        Posix.lchown(f, uid, gid);
        Posix.chmod(f, mode);
        return f;
    }

    @Override
    public void close() throws IOException {
        handle.close();
    }
}
