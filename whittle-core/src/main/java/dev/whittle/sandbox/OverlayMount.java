package dev.whittle.sandbox;

import dev.whittle.ffi.Posix;
import dev.whittle.store.Maintenance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;

/** An overlay mount of read-only snapshots (top first) under a writable upper directory. */
public final class OverlayMount implements AutoCloseable {
    private final Path target;
    private final Cleanup.Handle handle;

    private OverlayMount(Path target, Cleanup.Handle handle) {
        this.target = target;
        this.handle = handle;
    }

    /**
     * Mounts {@code lowersTopFirst} (or an empty directory when there are none, as for scratch) with {@code upper}
     * at {@code target}. redirect_dir, metacopy and index are off, so the upper directory holds plain files that can
     * be turned into a layer directly.
     */
    public static OverlayMount mount(List<Path> lowersTopFirst, Path upper, Path work, Path target, Path emptyDir)
            throws IOException {
        Files.createDirectories(upper);
        Files.createDirectories(work);
        Files.createDirectories(target);
        StringBuilder lower = new StringBuilder();
        if (lowersTopFirst.isEmpty()) {
            Files.createDirectories(emptyDir);
            lower.append(emptyDir);
        }
        // The same layer twice (two steps whose changes came out byte-identical) would be the same directory twice,
        // which overlayfs refuses ("conflicting lowerdir path", ELOOP). The lower copy can go: everything it holds,
        // whiteouts and opaque directories included, the upper copy applies again over all that lies between them.
        for (Path p : new LinkedHashSet<>(lowersTopFirst)) {
            if (!lower.isEmpty()) lower.append(':');
            lower.append(p.toString().replace(":", "\\:").replace(",", "\\,"));
        }
        // in a user namespace (rootless) overlayfs may not use trusted.* xattrs: userxattr makes it use user.overlay.*,
        // and implies redirect_dir=nofollow (it refuses redirect_dir=off, which means "follow" there)
        String options = "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work + ",index=off,metacopy=off"
                + (Posix.inUserNamespace() ? ",userxattr" : ",redirect_dir=off");
        if (options.length() > 4000) {
            throw new IOException(
                    "the image has too many layers (" + lowersTopFirst.size() + ") for one overlay mount");
        }
        List<Path> used =
                lowersTopFirst.isEmpty() ? List.of(emptyDir) : List.copyOf(new LinkedHashSet<>(lowersTopFirst));
        boolean[] fuse = {Posix.inUserNamespace() && FuseOverlay.requested()};
        Cleanup.Handle h = Cleanup.register(() -> {
            try {
                Posix.umount(target, 0);
            } catch (Posix.ErrnoException e) {
                if (e.errno() != Posix.EINVAL) Posix.umount(target, Posix.MNT_DETACH); // EINVAL: never mounted
            }
            if (fuse[0]) FuseOverlay.normalise(upper, used);
            Maintenance.deleteTree(work);
        });
        try {
            h.apply(() -> {
                if (fuse[0]) {
                    FuseOverlay.mount(used, upper, work, target);
                    return;
                }
                try {
                    kernelMount(target, options);
                } catch (Posix.ErrnoException e) {
                    // rootless, on a kernel that refuses overlay in a user namespace: fuse-overlayfs does it
                    if (!Posix.inUserNamespace() || !FuseOverlay.available()) throw refused(e);
                    fuse[0] = true;
                    FuseOverlay.mount(used, upper, work, target);
                }
            });
        } catch (IOException e) {
            h.close();
            throw e;
        }
        return new OverlayMount(target, h);
    }

    /**
     * volatile: no syncfs at unmount. Without it every RUN ends by flushing every dirty page of the whole file system
     * the store is on (seconds after a large copy); the upper directory is temporary anyway, and the layer made from
     * it is fsynced when it is committed. Kernels before 5.10 refuse the option: mount without it.
     */
    private static void kernelMount(Path target, String options) throws IOException {
        try {
            Posix.mount("overlay", target, "overlay", 0, options + ",volatile");
        } catch (Posix.ErrnoException e) {
            if (e.errno() != Posix.EINVAL) throw e;
            Posix.mount("overlay", target, "overlay", 0, options);
        }
    }

    /** A failed mount; in a user namespace, the kernel's refusal named with its fix. */
    private static IOException refused(Posix.ErrnoException e) {
        if (!Posix.inUserNamespace()) return e;
        return new IOException(
                "this kernel refuses overlay mounts in a user namespace (" + e.getMessage() + "); rootless RUN needs"
                        + " Linux 5.11 or later with overlayfs allowed in user namespaces (check with: unshare --user"
                        + " --map-root-user --mount sh -c 'mount -t overlay ...'), or fuse-overlayfs (as root: apt-get"
                        + " install fuse-overlayfs), or run whittle as root",
                e);
    }

    /**
     * The xattr that marks a directory opaque: {@code trusted.overlay.opaque}, or {@code user.overlay.opaque} where
     * the overlay is mounted with {@code userxattr} (in a user namespace).
     */
    public static String opaqueXattr() {
        return Posix.inUserNamespace() ? "user.overlay.opaque" : "trusted.overlay.opaque";
    }

    public Path path() {
        return target;
    }

    @Override
    public void close() throws IOException {
        handle.close();
    }
}
