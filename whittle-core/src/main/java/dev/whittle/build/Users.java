package dev.whittle.build;

import dev.whittle.rootfs.FileTree;
import dev.whittle.rootfs.ImageTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** USER and --chown names resolved in an image's own /etc/passwd and /etc/group, as docker and runc do. */
public final class Users {
    private Users() {}

    /** A resolved user: uid, primary gid, supplementary gids. */
    public record Id(long uid, long gid, List<Long> groups) {}

    /** Resolves {@code user[:group]} for a process (supplementary groups from /etc/group). */
    public static Id resolve(FileTree root, String spec) throws IOException {
        // no USER: uid 0, gid 0, no /etc/passwd needed (scratch images have none), as runc does
        if (spec == null || spec.isEmpty()) return new Id(0, 0, List.of());
        String user = spec, group = null;
        int colon = spec.indexOf(':');
        if (colon >= 0) {
            user = spec.substring(0, colon);
            group = spec.substring(colon + 1);
        }
        List<String[]> passwd = table(root, "/etc/passwd");
        List<String[]> groups = table(root, "/etc/group");
        long uid = -1, gid = -1;
        String name = null;
        for (String[] p : passwd) {
            if (p.length >= 4 && (p[0].equals(user) || (isNumber(user) && p[2].equals(user)))) {
                uid = Long.parseLong(p[2]);
                gid = parse(p[3], 0);
                name = p[0];
                break;
            }
        }
        if (uid < 0) {
            if (!isNumber(user)) throw new IOException("unable to find user " + user + ": no matching entries in passwd file");
            uid = Long.parseLong(user);
            gid = 0;
        }
        List<Long> extra = new ArrayList<>();
        if (group != null && !group.isEmpty()) {
            gid = groupId(groups, group);
        } else if (name != null) {
            for (String[] g : groups) {
                if (g.length >= 4 && !g[3].isEmpty()) {
                    for (String member : g[3].split(",")) {
                        if (member.trim().equals(name)) {
                            long id = parse(g[2], -1);
                            if (id >= 0 && id != gid && !extra.contains(id)) extra.add(id);
                        }
                    }
                }
            }
        }
        return new Id(uid, gid, extra);
    }

    /** Resolves {@code --chown=user[:group]}: a user alone gives gid = uid when the user is numeric. */
    public static Id chown(FileTree root, String spec) throws IOException {
        String user = spec, group = null;
        int colon = spec.indexOf(':');
        if (colon >= 0) {
            user = spec.substring(0, colon);
            group = spec.substring(colon + 1);
        }
        long uid;
        long gid;
        if (isNumber(user)) {
            uid = Long.parseLong(user);
            gid = uid;
        } else {
            Id id = resolve(root, user);
            uid = id.uid();
            gid = id.gid();
        }
        if (group != null && !group.isEmpty()) gid = groupId(table(root, "/etc/group"), group);
        return new Id(uid, gid, List.of());
    }

    private static long groupId(List<String[]> groups, String group) throws IOException {
        if (isNumber(group)) return Long.parseLong(group);
        for (String[] g : groups) if (g.length >= 3 && g[0].equals(group)) return parse(g[2], 0);
        throw new IOException("unable to find group " + group + ": no matching entries in group file");
    }

    private static List<String[]> table(FileTree root, String path) throws IOException {
        List<String[]> out = new ArrayList<>();
        byte[] b = root.readSmall(path, 4 << 20);
        if (b == null) return out;
        for (String line : new String(b, StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            out.add(line.split(":", -1));
        }
        return out;
    }

    static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }

    private static long parse(String s, long dflt) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }
}
