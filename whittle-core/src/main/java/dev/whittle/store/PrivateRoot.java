package dev.whittle.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * Keeps a store's root directory to the user whittle runs as: mode 0700, as Docker keeps its drivers' directories.
 * Below it are what images hold, unpacked as root — setuid-root programs, device nodes — which another local user
 * could otherwise run or open straight from their path. Nothing whittle starts needs another user to walk that path:
 * runc and the overlay mounts work as root, and a container's processes reach their files through their own root.
 */
final class PrivateRoot {
    private static final int OTHERS = 077;

    private PrivateRoot() {}

    /** Creates the directory private, or makes an existing one private; refuses one that belongs to another user. */
    static void ensure(Path root) throws IOException {
        Map<String, Object> a = attributes(root);
        if (a == null) {
            if (root.getParent() != null) Files.createDirectories(root.getParent());
            try {
                Files.createDirectory(
                        root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException raced) {
                // another whittle made it first: checked below like any existing store
            }
            a = attributes(root);
            if (a == null) throw new NoSuchFileException(root.toString());
        }
        int owner = (Integer) a.get("uid");
        int mode = (Integer) a.get("mode") & 07777;
        int me = effectiveUid();
        if (me >= 0 && owner != me) {
            // what whittle unpacks there as root (setuid-root programs) would be the owner's to run
            throw new StoreException("the store at " + root + " belongs to uid " + owner + ", not to uid " + me
                    + " that whittle runs as; a store is used only by its owner, who can run or open what images unpacked "
                    + "there hold (setuid programs, device nodes): use a store of your own (--root or WHITTLE_ROOT)");
        }
        if ((mode & OTHERS) == 0) return;
        try {
            Files.setAttribute(root, "unix:mode", 0700);
        } catch (IOException e) {
            throw new StoreException(
                    "the store at " + root + " is open to other users (mode " + octal(mode)
                            + ") and cannot be made private: " + e.getMessage() + " (chmod 700 it)",
                    e);
        }
        int now = (Integer) attributes(root).get("mode") & 07777;
        if ((now & OTHERS) != 0) {
            throw new StoreException("the store at " + root + " is open to other users (mode " + octal(now)
                    + ") and its filesystem keeps it so; put the store on a filesystem with Unix permissions");
        }
    }

    private static Map<String, Object> attributes(Path p) throws IOException {
        try {
            return Files.readAttributes(p, "unix:mode,uid");
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** The effective uid (the owner of /proc/self is the process's effective user); -1 when /proc is not there. */
    private static int effectiveUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    private static String octal(int mode) {
        return String.format("%04o", mode);
    }
}
