package dev.whittle.rootfs;

import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashSet;
import java.util.Set;

/**
 * Writes an image's merged root filesystem as one tar (what {@code docker export} of a fresh container gives,
 * without the runtime's placeholder files): whiteouts applied, entries in path order, hardlinks kept when their
 * target survives and written as plain files when it does not.
 */
public final class Flattener {
    private Flattener() {}

    public static void write(MergedTree tree, LayerReader reader, OutputStream out) throws IOException {
        TarWriter tar = new TarWriter(out);
        writeUnder(tree, reader, tar, "");
        tar.finish();
        out.flush();
    }

    /**
     * Writes the tree's entries under {@code prefix} (empty, or a directory name ending in '/': one platform's tree in
     * a multi-platform {@code --output type=tar}, as BuildKit's {@code linux_arm64/}); the caller finishes the tar.
     */
    public static void writeUnder(MergedTree tree, LayerReader reader, TarWriter tar, String prefix)
            throws IOException {
        Set<String> written = new HashSet<>();
        for (MergedTree.Node n : tree.all()) {
            TarEntry e = n.entry();
            if (e.type() == TarEntry.Type.HARDLINK) {
                MergedTree.Node target = n.dataNode();
                MergedTree.Node live = tree.get(e.linkName());
                if (target != n && live == target && written.contains(e.linkName())) {
                    tar.writeHeader(under(prefix, e).withLinkName(prefix + e.linkName()));
                } else if (target != n) {
                    TarEntry asFile = under(prefix, e)
                            .asFile(target.entry().size())
                            .withXattrs(target.entry().xattrs());
                    tar.writeHeader(asFile);
                    try (InputStream in = reader.open(target)) {
                        tar.writeContent(in);
                    }
                }
                written.add(e.name());
                continue;
            }
            tar.writeHeader(under(prefix, e));
            if (e.isFile()) {
                try (InputStream in = reader.open(n)) {
                    tar.writeContent(in);
                }
            }
            written.add(e.name());
        }
    }

    private static TarEntry under(String prefix, TarEntry e) {
        return prefix.isEmpty() ? e : e.withName(prefix + e.name());
    }
}
