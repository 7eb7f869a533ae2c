package dev.whittle.rootfs;

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
        Long number = goInt(user);
        long uid = -1, gid = -1;
        String name = null;
        for (String[] p : passwd) {
            Long entryUid = p.length >= 4 ? goInt(p[2]) : null;
            if (entryUid != null && (p[0].equals(user) || entryUid.equals(number))) {
                uid = entryUid;
                gid = parse(p[3], 0);
                name = p[0];
                break;
            }
        }
        if (name == null) {
            if (number == null)
                throw new IOException("unable to find user " + user + ": no matching entries in passwd file");
            uid = number;
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
        return inRange(new Id(uid, gid, extra));
    }

    /**
     * {@code docker run}'s user: as {@link #resolve}, except that no user is uid 0 looked up in /etc/passwd (so root's
     * groups in /etc/group count), and the primary group is one of the supplementary groups too, as Engine 20.10.24
     * sets them (the fix of CVE-2023-25173). A RUN step keeps BuildKit's rules.
     */
    public static Id forContainer(FileTree root, String spec) throws IOException {
        Id id = resolve(root, spec == null || spec.isEmpty() ? "0" : spec);
        List<Long> groups = new ArrayList<>(List.of(id.gid()));
        for (long g : id.groups()) if (!groups.contains(g)) groups.add(g);
        return new Id(id.uid(), id.gid(), List.copyOf(groups));
    }

    /** runc's limit, which docker and BuildKit report in these words. */
    private static Id inRange(Id id) throws IOException {
        if (id.uid() < 0 || id.uid() > MAX_ID || id.gid() < 0 || id.gid() > MAX_ID) {
            throw new IOException("uids and gids must be in range 0-" + MAX_ID);
        }
        return id;
    }

    private static final long MAX_ID = Integer.MAX_VALUE;

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
        Long number = goInt(user);
        if (number != null) {
            uid = number;
            gid = uid;
        } else {
            Id id = resolve(root, user);
            uid = id.uid();
            gid = id.gid();
        }
        if (group != null && !group.isEmpty()) gid = groupId(table(root, "/etc/group"), group);
        return inRange(new Id(uid, gid, List.of()));
    }

    private static long groupId(List<String[]> groups, String group) throws IOException {
        Long number = goInt(group);
        if (number != null) return number;
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

    /** The value of a decimal integer as Go's strconv.Atoi reads it (sign allowed), or null where Atoi fails. */
    static Long goInt(String s) {
        try {
            return s.isEmpty() ? null : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static long parse(String s, long dflt) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }
}
