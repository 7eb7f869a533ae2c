package dev.whittle.build;

import dev.whittle.rootfs.FileTree;
import dev.whittle.tar.PathNames;
import dev.whittle.tar.TarEntry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A file tree in memory, from a listing: {@code "dir/"} a directory, {@code "f=text"} a file, {@code "l->target"} a
 * link; modes 0755/0644, owner 1000:1000 (so whether a copy keeps or resets owners shows), time 1000. Parents are
 * made as directories. Symlinks resolve as an image's do: inside the tree, an absolute target from its root.
 */
final class MemTree implements FileTree {
    private final Map<String, Node> nodes = new TreeMap<>();
    private final Map<String, byte[]> data = new TreeMap<>();

    static MemTree of(String... listing) {
        MemTree t = new MemTree();
        t.nodes.put("", dir(""));
        for (String line : listing) t.add(line);
        return t;
    }

    /** This tree with a file of any bytes added (0644, 1000:1000, time 1000). */
    MemTree withFile(String path, byte[] bytes) {
        data.put(path, bytes);
        for (String p = PathNames.parent(path); !p.isEmpty(); p = PathNames.parent(p)) nodes.putIfAbsent(p, dir(p));
        nodes.put(path, new Node(path, TarEntry.Type.FILE, 0644, 1000, 1000, bytes.length, 1000, "", "bytes:" + path));
        return this;
    }

    private void add(String line) {
        int eq = line.indexOf('='), arrow = line.indexOf("->");
        String path;
        Node n;
        if (arrow >= 0) {
            path = line.substring(0, arrow);
            String target = line.substring(arrow + 2);
            n = new Node(path, TarEntry.Type.SYMLINK, 0777, 1000, 1000, target.length(), 1000, target, null);
        } else if (eq >= 0) {
            path = line.substring(0, eq);
            byte[] bytes = line.substring(eq + 1).getBytes(StandardCharsets.UTF_8);
            data.put(path, bytes);
            n = new Node(path, TarEntry.Type.FILE, 0644, 1000, 1000, bytes.length, 1000, "", "text:" + line);
        } else {
            path = PathNames.clampToRoot(line);
            n = dir(path);
        }
        for (String p = PathNames.parent(path); !p.isEmpty(); p = PathNames.parent(p)) nodes.putIfAbsent(p, dir(p));
        nodes.put(path, n);
    }

    private static Node dir(String path) {
        return new Node(path, TarEntry.Type.DIR, 0755, 1000, 1000, 0, 1000, "", null);
    }

    @Override
    public Node stat(String path, boolean follow) {
        String resolved = resolve(PathNames.clampToRoot(path), follow, 0);
        return resolved == null ? null : nodes.get(resolved);
    }

    private String resolve(String path, boolean followLast, int hops) {
        if (hops > 40) return null;
        String cur = "";
        String[] parts = path.isEmpty() ? new String[0] : path.split("/");
        for (int i = 0; i < parts.length; i++) {
            String next = PathNames.join(cur, parts[i]);
            Node n = nodes.get(next);
            if (n == null) return null;
            boolean last = i == parts.length - 1;
            if (n.type() == TarEntry.Type.SYMLINK && (followLast || !last)) {
                String t = n.linkTarget();
                String joined = t.startsWith("/") ? t : cur + "/" + t;
                List<String> rest = new ArrayList<>(List.of(joined));
                for (int j = i + 1; j < parts.length; j++) rest.add(parts[j]);
                return resolve(PathNames.clampToRoot(String.join("/", rest)), followLast, hops + 1);
            }
            cur = next;
        }
        return cur;
    }

    @Override
    public List<String> children(String dir) {
        List<String> out = new ArrayList<>();
        for (String p : nodes.keySet())
            if (!p.isEmpty() && PathNames.parent(p).equals(dir)) out.add(PathNames.baseName(p));
        return out;
    }

    @Override
    public InputStream open(Node node) throws IOException {
        byte[] b = data.get(node.path());
        if (b == null) throw new IOException("not a file: " + node.path());
        return new ByteArrayInputStream(b);
    }
}
