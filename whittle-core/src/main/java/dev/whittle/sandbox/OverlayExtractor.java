package dev.whittle.sandbox;

import dev.whittle.ffi.Posix;
import dev.whittle.store.Maintenance;
import dev.whittle.tar.EntryRules;
import dev.whittle.tar.PathNames;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarFormatException;
import dev.whittle.tar.TarReader;
import dev.whittle.tar.Whiteouts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * Unpacks one layer into an empty directory in overlayfs format: {@code .wh.x} becomes a 0/0 character device
 * {@code x}, {@code .wh..wh..opq} becomes {@code trusted.overlay.opaque=y} ({@code user.overlay.opaque} in a user
 * namespace) on its directory. Nothing is followed:
 * parents must be real directories of this same layer, links are created as they are, hardlinks point inside.
 * Owners, modes (setuid included), times and extended attributes (file capabilities) are kept, except overlayfs's own
 * ({@link EntryRules#isOverlayXattr}): only this translation of OCI whiteouts may mark what the mount hides. A later
 * entry replaces an earlier one of the same name as containerd applies it (two directories merge, the later one's
 * metadata wins).
 */
public final class OverlayExtractor {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private final Path root;
    /** Directories made so far, by path, with the metadata their latest entry gives them (applied at the end). */
    private final TreeMap<String, TarEntry> dirs = new TreeMap<>();

    public OverlayExtractor(Path root) {
        this.root = root;
    }

    public void extract(TarReader r) throws IOException {
        for (TarEntry e; (e = r.next()) != null; ) {
            if (e.name().isEmpty()) {
                dirs.put("", e.withName(""));
                continue;
            }
            String base = e.baseName();
            Path parent = parentDir(e.parent());
            if (base.equals(Whiteouts.OPAQUE)) {
                Posix.lsetxattr(parent, OverlayMount.opaqueXattr(), new byte[] {'y'});
                continue;
            }
            if (Whiteouts.isWhiteout(base)) {
                String target = Whiteouts.target(base);
                if (target == null) continue; // AUFS metadata
                Path p = parent.resolve(target);
                replaced(PathNames.join(e.parent(), target));
                removeExisting(p);
                Posix.mknod(p, Posix.S_IFCHR | 0, Posix.makedev(0, 0));
                continue;
            }
            Path p = parent.resolve(base);
            if (e.type() != TarEntry.Type.DIR) replaced(e.name());
            switch (e.type()) {
                case DIR -> {
                    if (!Files.isDirectory(p, NOFOLLOW)) {
                        removeExisting(p);
                        Files.createDirectory(p);
                    }
                    dirs.put(e.name(), e);
                    continue;
                }
                case FILE -> {
                    removeExisting(p);
                    try (OutputStream o =
                            Files.newOutputStream(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                        InputStream in = r.content();
                        in.transferTo(o);
                    }
                }
                case SYMLINK -> {
                    removeExisting(p);
                    Files.createSymbolicLink(p, Path.of(e.linkName()));
                }
                case HARDLINK -> {
                    removeExisting(p);
                    Path target = root.resolve(e.linkName());
                    if (!Files.exists(target, NOFOLLOW)) {
                        throw new TarFormatException("hardlink \"" + e.name() + "\" points to \"" + e.linkName()
                                + "\", which is not in this layer");
                    }
                    Files.createLink(p, target);
                    continue;
                }
                case CHAR, BLOCK -> {
                    if (e.type() == TarEntry.Type.CHAR)
                        EntryRules.checkDevice(e); // a 0/0 device would be a whiteout nobody asked for
                    removeExisting(p);
                    if (Posix.inUserNamespace()) {
                        // no device nodes in a user namespace: as docker's and Podman's unpacking there, a RUN does
                        // not see it (the layer, written from the tar, keeps it)
                        continue;
                    }
                    int kind = e.type() == TarEntry.Type.CHAR ? Posix.S_IFCHR : Posix.S_IFBLK;
                    Posix.mknod(p, kind | e.mode(), Posix.makedev(e.devMajor(), e.devMinor()));
                }
                case FIFO -> {
                    removeExisting(p);
                    Posix.mknod(p, Posix.S_IFIFO | e.mode(), 0);
                }
            }
            applyMetadata(p, e);
        }
        // directories last, deepest first, so creating their children does not change their times
        for (TarEntry d : dirs.descendingMap().values()) {
            applyMetadata(d.name().isEmpty() ? root : root.resolve(d.name()), d);
        }
    }

    /** A path is replaced or deleted: the directories it held (itself included) are gone, and so is their metadata. */
    private void replaced(String path) {
        dirs.remove(path);
        dirs.subMap(path + "/", path + "0").clear();
    }

    /** The directory for a parent path, created (0755) when the layer does not list it; never through a link. */
    private Path parentDir(String parent) throws IOException {
        Path cur = root;
        if (parent.isEmpty()) return cur;
        for (String c : parent.split("/")) {
            cur = cur.resolve(c);
            if (Files.isSymbolicLink(cur)) {
                throw new TarFormatException(
                        "entry below \"" + PathNames.clean(root.relativize(cur).toString())
                                + "\" would be written through a symlink (path traversal refused)");
            }
            if (!Files.exists(cur, NOFOLLOW)) {
                Files.createDirectory(cur);
            } else if (!Files.isDirectory(cur, NOFOLLOW)) {
                throw new TarFormatException(
                        "\"" + root.relativize(cur) + "\" is not a directory but the layer puts files below it");
            }
        }
        return cur;
    }

    private static void removeExisting(Path p) throws IOException {
        if (Files.exists(p, NOFOLLOW)) Maintenance.deleteTree(p);
    }

    static void applyMetadata(Path p, TarEntry e) throws IOException {
        // owner before mode: chown clears setuid/setgid
        try {
            Posix.lchown(p, e.uid(), e.gid());
        } catch (Posix.ErrnoException ex) {
            if (ex.errno() != Posix.EINVAL || !Posix.inUserNamespace()) throw ex;
            throw new IOException(
                    "\"" + e.name() + "\" is owned by " + e.uid() + ":" + e.gid() + ", an id this user namespace does"
                            + " not map (rootless whittle maps your /etc/subuid and /etc/subgid ranges from id 1 on);"
                            + " as root, give the user a larger range: usermod --add-subuids 100000-1100000"
                            + " --add-subgids 100000-1100000 USER",
                    ex);
        }
        if (e.type() != TarEntry.Type.SYMLINK) Posix.chmod(p, e.mode());
        for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
            if (EntryRules.isOverlayXattr(x.getKey()))
                continue; // never from a layer: it would hide or redirect lower files
            try {
                Posix.lsetxattr(p, x.getKey(), x.getValue());
            } catch (Posix.ErrnoException ex) {
                // a filesystem without that namespace: security.capability is what matters and root has it
                if (x.getKey().startsWith("security.")) throw ex;
            }
        }
        Posix.setTimes(p, e.mtime());
    }
}
