package dev.whittle.store;

import dev.whittle.tar.PathNames;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarFormatException;
import dev.whittle.tar.TarReader;
import dev.whittle.tar.Whiteouts;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a layer tar to the end, checking it is safe to apply (no breakouts, no links out of the archive, no writes
 * through a symlink of the same layer, valid whiteouts) and recording its table of contents and content size.
 */
final class LayerScanner {
    private final List<LayerToc.Item> items = new ArrayList<>();
    private final Map<String, TarEntry.Type> seen = new HashMap<>();
    private long contentSize;

    void scan(TarReader r) throws IOException {
        for (TarEntry e; (e = r.next()) != null; ) {
            check(e);
            items.add(new LayerToc.Item(e, r.dataOffset()));
            contentSize += e.diskSize();
        }
        r.drain();
    }

    private void check(TarEntry e) {
        String base = e.baseName();
        if (Whiteouts.isWhiteout(base)) {
            Whiteouts.target(base); // refuses .wh. .wh.. .wh...
        }
        for (String p = e.parent(); !p.isEmpty(); p = PathNames.parent(p)) {
            TarEntry.Type t = seen.get(p);
            if (t == TarEntry.Type.SYMLINK) {
                throw new TarFormatException("entry \"" + e.name() + "\" would be written through the symlink \"" + p
                        + "\" of the same layer (path traversal refused)");
            }
            if (t != null) break;
        }
        if (e.type() == TarEntry.Type.HARDLINK) {
            TarEntry.Type t = seen.get(e.linkName());
            if (t == null) {
                throw new TarFormatException("hardlink \"" + e.name() + "\" points to \"" + e.linkName()
                        + "\", which is not an earlier entry of this layer");
            }
            if (t == TarEntry.Type.DIR) throw new TarFormatException("hardlink \"" + e.name() + "\" points to a directory");
        }
        seen.put(e.name(), e.type());
    }

    LayerToc toc() {
        return new LayerToc(items);
    }

    long contentSize() {
        return contentSize;
    }
}
