package dev.whittle.build;

import dev.whittle.diag.Trace;
import dev.whittle.ffi.Posix;
import dev.whittle.image.Digest;
import dev.whittle.rootfs.ContextTree;
import dev.whittle.rootfs.FileTree;
import dev.whittle.rootfs.ImageTree;
import dev.whittle.sandbox.Cleanup;
import dev.whittle.sandbox.OverlayMount;
import dev.whittle.sandbox.Snapshots;
import dev.whittle.store.LayerInfo;
import dev.whittle.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A stage's root file system for COPY and WORKDIR to read, the cheapest way there is. Usually that is the layers'
 * tables of contents merged in memory ({@link ImageTree}), but for a big base image (the Go toolchain: 25 000 entries,
 * 100–150 ms to read and merge in a young JVM) whose layers are already unpacked as snapshots, it is a read-only
 * overlay of those snapshots, mounted in a few milliseconds, where the kernel answers each lookup. The two views
 * hold the same files, owners, modes and times; only file identities differ, and COPY uses those only for sources
 * from the build context.
 */
final class StageTree implements FileTree, AutoCloseable {
    /** Below this, merging tables of contents costs less than mounting (and binding the native calls to mount). */
    static final long MOUNT_FROM_BYTES = 64L << 20;
    /** Layers without a snapshot yet are unpacked for the mount only while they are this small. */
    static final long UNPACK_AT_MOST_BYTES = 8L << 20;

    private final FileTree tree;
    private final AutoCloseable undo;

    private StageTree(FileTree tree, AutoCloseable undo) {
        this.tree = tree;
        this.undo = undo;
    }

    static StageTree of(Store store, Snapshots snapshots, DeferredLayers deferred, List<Digest> diffIds)
            throws IOException {
        if (deferred.anyPending(diffIds)) {
            // a layer still being written has only its snapshot so far
            StageTree t = mounted(store, snapshots, diffIds);
            if (t != null) return t;
            diffIds = deferred.settled(diffIds);
        }
        String how = System.getProperty("whittle.stage-tree", "auto"); // auto | mount | toc: tests pin one view
        boolean mount = switch (how) {
            case "mount" -> mountable(store, snapshots, diffIds, true);
            case "toc" -> false;
            default -> !ImageTree.hasMergedPrefix(diffIds) && mountable(store, snapshots, diffIds, false);
        };
        if (mount) {
            StageTree t = mounted(store, snapshots, diffIds);
            if (t != null) return t;
        }
        ImageTree t = ImageTree.of(store, diffIds);
        return new StageTree(t, t);
    }

    private static boolean mountable(Store store, Snapshots snapshots, List<Digest> diffIds, boolean anySize) {
        if (diffIds.isEmpty() || !Posix.isRoot()) return false;
        long total = 0, toUnpack = 0;
        for (Digest d : diffIds) {
            LayerInfo li = store.recordedLayer(d);
            if (li == null) return false; // pending: verified when it is first read, by the usual path
            total += li.tarSize();
            if (!snapshots.isReady(d)) toUnpack += li.tarSize();
        }
        return anySize || total >= MOUNT_FROM_BYTES && toUnpack <= UNPACK_AT_MOST_BYTES;
    }

    private static StageTree mounted(Store store, Snapshots snapshots, List<Digest> diffIds) throws IOException {
        List<Path> lowers = new ArrayList<>();
        for (int i = diffIds.size() - 1; i >= 0; i--) lowers.add(snapshots.get(diffIds.get(i)));
        Cleanup.TempDirectory rmTmp = Cleanup.newTempDirectory(store.tempDir(), "tree-");
        Path tmp = rmTmp.path();
        OverlayMount mount;
        try {
            mount = OverlayMount.mount(
                    lowers,
                    tmp.resolve("upper"),
                    tmp.resolve("work"),
                    tmp.resolve("root"),
                    snapshots.root().resolve("empty"));
        } catch (IOException e) {
            rmTmp.close();
            return null; // no overlay here (a container without the privilege): the tables of contents still answer
        }
        Trace.mark("stage tree: snapshots mounted");
        return new StageTree(ContextTree.imageRoot(mount.path()), () -> {
            try {
                mount.close();
            } finally {
                rmTmp.close();
            }
        });
    }

    @Override
    public Node stat(String path, boolean follow) throws IOException {
        return tree.stat(path, follow);
    }

    @Override
    public List<String> children(String dir) throws IOException {
        return tree.children(dir);
    }

    @Override
    public InputStream open(Node node) throws IOException {
        return tree.open(node);
    }

    @Override
    public void close() throws IOException {
        try {
            undo.close();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
