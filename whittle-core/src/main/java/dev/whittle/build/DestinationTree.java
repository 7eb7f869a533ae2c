package dev.whittle.build;

import dev.whittle.rootfs.FileTree;
import dev.whittle.tar.PathNames;
import dev.whittle.tar.TarEntry;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * A stage's root file system as a COPY, ADD or WORKDIR step sees it while planning its layer: the stage's files with
 * what the step has planned so far on top. Destinations resolve as BuildKit resolves them (containerd's
 * {@code fs.RootPath}): every symlink is followed inside the root, an absolute target starts again at the root, a
 * relative one is joined to its directory and cleaned, {@code ..} stops at the root, and a component that does not
 * exist ends the resolution (the rest is kept as written). So {@code COPY x /lib/} in an image whose /lib is a
 * link to usr/lib writes /usr/lib/x and keeps the link.
 */
final class DestinationTree {
    /** containerd's limit of links followed for one path. */
    private static final int MAX_LINKS = 255;

    private final FileTree stage;
    private final Function<String, TarEntry> planned;

    /** @param planned what the step has planned at a path so far, or null */
    DestinationTree(FileTree stage, Function<String, TarEntry> planned) {
        this.stage = stage;
        this.planned = planned;
    }

    /**
     * The entry at a path whose parents are directories (not links): what the step planned there, else the stage's.
     * A stage path below something the step replaced (a link or file turned into a directory) is gone.
     */
    FileTree.Node lstat(String path) throws IOException {
        if (path.isEmpty()) return stage.stat("", false);
        TarEntry p = planned.apply(path);
        if (p != null) return node(p);
        for (String a = PathNames.parent(path); !a.isEmpty(); a = PathNames.parent(a)) {
            TarEntry above = planned.apply(a);
            if (above == null) continue;
            if (!above.isDir()) return null;
            FileTree.Node was = stage.stat(a, false);
            if (was == null || !was.isDir()) return null; // a new directory: nothing of the stage's is below it
        }
        return stage.stat(path, false);
    }

    /** What the step has planned at a path, or null (for paths below a directory the step created itself). */
    FileTree.Node planned(String path) {
        TarEntry p = planned.apply(path);
        return p == null ? null : node(p);
    }

    private static FileTree.Node node(TarEntry e) {
        TarEntry.Type t = e.type() == TarEntry.Type.HARDLINK ? TarEntry.Type.FILE : e.type();
        return new FileTree.Node(e.name(), t, e.mode(), e.uid(), e.gid(), e.size(), e.mtime(), e.linkName(), null);
    }

    /** {@code path} resolved inside the whole root; {@code followLast}: whether a final symlink is followed too. */
    String resolve(String path, boolean followLast) throws IOException {
        return resolveIn("", path, followLast);
    }

    /**
     * {@code path} resolved with {@code top} as the root, as a process chrooted there would see it (docker unpacks an
     * ADD archive chrooted into its destination). The result is relative to the whole root.
     */
    String resolveIn(String top, String path, boolean followLast) throws IOException {
        Deque<String> todo = components(path);
        String cur = ""; // relative to top
        int links = 0;
        while (!todo.isEmpty()) {
            String next = PathNames.join(cur, todo.removeFirst());
            FileTree.Node n = lstat(PathNames.join(top, next));
            if (n == null) return PathNames.join(top, PathNames.join(next, String.join("/", todo)));
            if (n.type() == TarEntry.Type.SYMLINK && (followLast || !todo.isEmpty())) {
                if (++links > MAX_LINKS) throw new IOException("too many links: /" + PathNames.join(top, next));
                String target = n.linkTarget();
                Deque<String> spliced = components(target.startsWith("/") ? target : cur + "/" + target);
                spliced.addAll(todo);
                todo = spliced;
                cur = "";
                continue;
            }
            cur = next;
        }
        return PathNames.join(top, cur);
    }

    /** A path's components, cleaned lexically with {@code ..} stopping at the root (Go's path.Join from "/"). */
    private static Deque<String> components(String path) {
        String clean = PathNames.clampToRoot(path);
        return clean.isEmpty() ? new ArrayDeque<>() : new ArrayDeque<>(List.of(clean.split("/")));
    }
}
