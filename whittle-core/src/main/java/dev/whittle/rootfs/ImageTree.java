package dev.whittle.rootfs;

import dev.whittle.image.Digest;
import dev.whittle.store.LayerToc;
import dev.whittle.store.Store;
import dev.whittle.tar.TarEntry;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.SoftReference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * An image's root filesystem (a stage's or a base image's) read from its layers' tables of contents and data, with
 * nothing unpacked. A file's identity is the layer and offset holding it, which is as exact as its content.
 */
public final class ImageTree implements FileTree, AutoCloseable {
    private final MergedTree tree;
    private final LayerReader reader;

    private ImageTree(MergedTree tree, LayerReader reader) {
        this.tree = tree;
        this.reader = reader;
    }

    public static ImageTree of(Store store, List<Digest> diffIds) throws IOException {
        MergedTree t = merged(store, diffIds);
        return new ImageTree(t, new LayerReader(store, t));
    }

    /**
     * Layer stacks merged by this process, most recent last. A build asks for its stage's tree at every COPY and
     * WORKDIR, each time the last stack plus a layer or two; merged trees are immutable, so the longest known prefix
     * is extended instead of merging the base image again (25 000 entries for the Go toolchain: 40–70 ms in a young
     * JVM). Soft, so memory pressure drops them; a few, since a build works on a few stages at once.
     */
    private static final LinkedHashMap<List<Digest>, SoftReference<MergedTree>> MERGED =
            new LinkedHashMap<>(8, 0.75f, true);

    private static final int KEEP = 6;

    /** Whether this process has merged these layers, or a first part of them, already (so a tree of them is cheap). */
    public static boolean hasMergedPrefix(List<Digest> diffIds) {
        synchronized (MERGED) {
            for (int n = diffIds.size(); n > 0; n--) {
                SoftReference<MergedTree> ref = MERGED.get(diffIds.subList(0, n));
                if (ref != null && ref.get() != null) return true;
            }
        }
        return false;
    }

    static MergedTree merged(Store store, List<Digest> diffIds) throws IOException {
        List<Digest> key = List.copyOf(diffIds);
        MergedTree base = null;
        synchronized (MERGED) {
            for (int n = key.size(); n > 0 && base == null; n--) {
                SoftReference<MergedTree> ref = MERGED.get(key.subList(0, n));
                base = ref == null ? null : ref.get();
            }
        }
        if (base != null && base.layers().size() == key.size()) return base;
        int from = base == null ? 0 : base.layers().size();
        List<LayerToc> tocs = new ArrayList<>();
        for (Digest d : key.subList(from, key.size())) tocs.add(store.toc(d));
        MergedTree t = base == null ? MergedTree.of(key, tocs) : base.plus(key.subList(from, key.size()), tocs);
        synchronized (MERGED) {
            MERGED.put(key, new SoftReference<>(t));
            while (MERGED.size() > KEEP) MERGED.pollFirstEntry();
        }
        return t;
    }

    public MergedTree merged() {
        return tree;
    }

    @Override
    public Node stat(String path, boolean follow) {
        MergedTree.Resolved r = tree.resolve(path, follow);
        if (r.path().isEmpty()) return new Node("", TarEntry.Type.DIR, 0755, 0, 0, 0, 0, "", "root");
        MergedTree.Node n = r.node();
        if (n == null) return null;
        return node(r.path(), n);
    }

    private Node node(String path, MergedTree.Node n) {
        TarEntry e = n.entry();
        MergedTree.Node d = n.dataNode();
        TarEntry.Type type = e.type() == TarEntry.Type.HARDLINK ? TarEntry.Type.FILE : e.type();
        long size = type == TarEntry.Type.FILE ? d.entry().size() : 0;
        String identity = tree.layers().get(d.layer()) + "@" + d.dataOffset() + "+" + size;
        return new Node(path, type, e.mode(), e.uid(), e.gid(), size, e.mtime(), e.linkName(), identity);
    }

    @Override
    public List<String> children(String dir) {
        List<String> out = new ArrayList<>();
        for (MergedTree.Node n : tree.children(dir)) out.add(n.entry().baseName());
        return out;
    }

    /** The unresolved entry at a path (a symlink stays a symlink), for copying trees as they are. */
    public Node lstat(String path) {
        MergedTree.Node n = tree.get(path);
        return n == null ? null : node(path, n);
    }

    @Override
    public InputStream open(Node node) throws IOException {
        MergedTree.Node n = tree.get(node.path());
        if (n == null) throw new IOException(node.path() + " vanished from the image");
        return reader.open(n);
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
