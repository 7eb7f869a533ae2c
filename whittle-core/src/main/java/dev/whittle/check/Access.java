package dev.whittle.check;

import dev.whittle.rootfs.FileTree;
import dev.whittle.rootfs.Users;
import dev.whittle.tar.PathNames;
import java.io.IOException;

/**
 * Whether the container's user may read, write, execute or search a file of the image, as the kernel decides at run
 * time. Docker and containerd give a non-root user no capabilities at exec, so only the mode bits count (owner, then
 * group and supplementary groups, then other); root keeps CAP_DAC_OVERRIDE, which lets it read and write anything
 * and execute a file with at least one execute bit.
 */
final class Access {
    static final int R = 4, W = 2, X = 1;

    private Access() {}

    static boolean allows(FileTree.Node n, Users.Id who, int bits) {
        if (who.uid() == 0) return bits != X || n.isDir() || (n.mode() & 0111) != 0;
        int shift =
                who.uid() == n.uid() ? 6 : who.gid() == n.gid() || who.groups().contains(n.gid()) ? 3 : 0;
        return ((n.mode() >> shift) & bits) == bits;
    }

    /** The first directory on the way to {@code path} (a resolved path inside the image) that the user cannot search, or null. */
    static String unsearchable(FileTree fs, String path, Users.Id who) throws IOException {
        String p = PathNames.clampToRoot(path);
        String dir = "";
        for (String part : p.split("/")) {
            FileTree.Node d = fs.stat(dir, true);
            if (d != null && d.isDir() && !allows(d, who, X)) return "/" + dir;
            dir = dir.isEmpty() ? part : dir + "/" + part;
        }
        return null;
    }

    /** {@code mode 700, owner 0:0} as a finding shows it. */
    static String describe(FileTree.Node n) {
        return "mode " + Integer.toOctalString(n.mode() & 07777) + ", owner " + n.uid() + ":" + n.gid();
    }

    static String describe(Users.Id who) {
        return "uid " + who.uid() + ", gid " + who.gid() + (who.groups().size() > 1 ? ", groups " + who.groups() : "");
    }
}
