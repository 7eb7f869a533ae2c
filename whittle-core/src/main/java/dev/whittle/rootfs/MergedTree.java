package dev.whittle.rootfs;

import dev.whittle.image.Digest;
import dev.whittle.store.LayerToc;
import dev.whittle.tar.PathNames;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.Whiteouts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * An image's root filesystem as the layers stack it, computed from their tables of contents alone: whiteouts and
 * opaque directories applied, later layers replacing earlier paths, a directory that meets a directory only taking
 * its attributes. Each surviving path remembers which layer holds its data, so readers fetch content directly.
 */
public final class MergedTree {
    /** A path of the merged tree: its entry and where its data lives. */
    public record Node(TarEntry entry, int layer, long dataOffset, Node hardlinkTarget) {
        /** The entry whose data this node shows (a hardlink's target, else itself). */
        public Node dataNode() {
            return hardlinkTarget != null ? hardlinkTarget : this;
        }
    }

    private final NavigableMap<String, Node> nodes;
    private final List<Digest> layers;

    private MergedTree(NavigableMap<String, Node> nodes, List<Digest> layers) {
        this.nodes = nodes;
        this.layers = layers;
    }

    /** Stacks the given layers (bottom first). */
    public static MergedTree of(List<Digest> diffIds, List<LayerToc> tocs) {
        NavigableMap<String, Node> nodes = new TreeMap<>();
        for (int li = 0; li < tocs.size(); li++) apply(nodes, li, tocs.get(li));
        return new MergedTree(nodes, List.copyOf(diffIds));
    }

    /**
     * This tree with more layers on top. A build's steps each see the stage so far plus a layer or two, and copying a
     * merged map (linear, it is sorted) is much cheaper than merging the base image's 25 000 entries again.
     */
    public MergedTree plus(List<Digest> diffIds, List<LayerToc> tocs) {
        NavigableMap<String, Node> next = new TreeMap<>(nodes);
        for (int i = 0; i < tocs.size(); i++) apply(next, layers.size() + i, tocs.get(i));
        List<Digest> l = new ArrayList<>(layers);
        l.addAll(diffIds);
        return new MergedTree(next, List.copyOf(l));
    }

    private static void apply(NavigableMap<String, Node> nodes, int li, LayerToc toc) {
        // what this layer itself wrote: whiteouts never hide it, and its hardlinks point into it
        Map<String, Node> thisLayer = new HashMap<>();
        List<LayerToc.Item> items = toc.items();
        // opaque markers apply before the layer's other entries, wherever they appear in the tar
        for (LayerToc.Item it : items) {
            if (it.entry().name().endsWith(Whiteouts.OPAQUE)
                    && it.entry().baseName().equals(Whiteouts.OPAQUE)) {
                removeChildren(nodes, it.entry().parent(), null);
            }
        }
        // the last parent directory known to exist: a layer lists a directory's entries together
        String present = null;
        for (LayerToc.Item it : items) {
            TarEntry e = it.entry();
            if (!e.parent().equals(present)) {
                directoriesAbove(nodes, thisLayer, e.parent(), li);
                present = e.parent();
            }
            if (e.name().contains(Whiteouts.PREFIX)) {
                String base = e.baseName();
                if (Whiteouts.isWhiteout(base)) {
                    String target = Whiteouts.target(base);
                    if (target != null) {
                        String path = PathNames.join(e.parent(), target);
                        if (!thisLayer.containsKey(path)) {
                            nodes.remove(path);
                            removeChildren(nodes, path, null);
                            present = null;
                        }
                    }
                    continue;
                }
            }
            if (e.name().isEmpty()) continue;
            Node prev = nodes.get(e.name());
            if (prev != null && !(prev.entry().isDir() && e.isDir())) removeChildren(nodes, e.name(), null);
            Node target = null;
            if (e.type() == TarEntry.Type.HARDLINK) {
                Node t = thisLayer.get(e.linkName());
                target = t == null ? null : t.dataNode();
            }
            Node n = new Node(e, li, it.dataOffset(), target);
            nodes.put(e.name(), n);
            thisLayer.put(e.name(), n);
        }
    }

    /**
     * Makes every directory above a layer's entry (whiteouts and opaque markers included) a directory, as the layer's
     * own snapshot holds it and overlayfs shows it: one neither the layer nor a lower one lists is created (0755,
     * root, as docker's and BuildKit's appliers and {@code OverlayExtractor} do), and a lower layer's file or symlink
     * there is hidden by it (overlayfs merges only directory over directory). So COPY, check and export see the tree
     * a container sees, not a path through a lower symlink.
     */
    private static void directoriesAbove(
            NavigableMap<String, Node> nodes, Map<String, Node> thisLayer, String dir, int li) {
        for (String d = dir; !d.isEmpty(); d = PathNames.parent(d)) {
            Node at = nodes.get(d);
            if (at != null && at.entry().isDir()) return; // and so is everything above it
            Node n = new Node(TarEntry.dir(d, 0755, 0), li, 0, null);
            nodes.put(d, n);
            thisLayer.put(d, n);
        }
    }

    private static void removeChildren(NavigableMap<String, Node> nodes, String dir, Set<String> keep) {
        String from = dir.isEmpty() ? "" : dir + "/";
        String to = dir.isEmpty() ? "\uffff" : dir + "0"; // '0' follows '/'
        NavigableMap<String, Node> sub = nodes.subMap(from, true, to, false);
        if (keep == null) sub.clear();
        else sub.keySet().removeIf(k -> !keep.contains(k));
    }

    public List<Digest> layers() {
        return layers;
    }

    /** The node at a path (no symlink resolution), or null. */
    public Node get(String path) {
        return nodes.get(path);
    }

    public Collection<Node> all() {
        return nodes.values();
    }

    public int size() {
        return nodes.size();
    }

    /** Direct children of a directory, sorted by name. */
    public List<Node> children(String dir) {
        List<Node> out = new ArrayList<>();
        String from = dir.isEmpty() ? "" : dir + "/";
        for (Map.Entry<String, Node> e : nodes.tailMap(from, false).entrySet()) {
            String k = e.getKey();
            if (!k.startsWith(from)) break;
            if (k.indexOf('/', from.length()) < 0) out.add(e.getValue());
        }
        return out;
    }

    /** Result of resolving a path inside the image root. */
    public record Resolved(String path, Node node) {}

    /**
     * Resolves a path as the kernel would inside the image's root: every symlink followed (absolute targets from the
     * image root, at most 40), never leaving the root. {@code followLast} decides whether a final symlink is followed.
     * Returns the resolved path; its node is null when nothing exists there.
     */
    public Resolved resolve(String path, boolean followLast) {
        SymlinkWalk.Result r;
        try {
            r = SymlinkWalk.resolve(path, followLast, at -> {
                Node n = nodes.get(at);
                if (n == null) return SymlinkWalk.Entry.ABSENT;
                return n.entry().type() == TarEntry.Type.SYMLINK
                        ? SymlinkWalk.Entry.link(n.entry().linkName())
                        : SymlinkWalk.Entry.PRESENT;
            });
        } catch (IOException inMemory) {
            throw new UncheckedIOException(inMemory); // the lookup above reads no file
        }
        Node node = r.outcome() == SymlinkWalk.Outcome.FOUND && !r.path().isEmpty() ? nodes.get(r.path()) : null;
        return new Resolved(r.path(), node);
    }
}
