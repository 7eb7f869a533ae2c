package dev.whittle.store;

import dev.whittle.tar.EntryRules;
import dev.whittle.tar.PathNames;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarFormatException;
import dev.whittle.tar.TarReader;
import dev.whittle.tar.Whiteouts;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Reads a layer tar to the end, checking it is safe to apply (no breakouts, no links out of the archive, no writes
 * through a symlink of the same layer, valid whiteouts) and that a runtime can apply it at all ({@link EntryRules}; no
 * entry below a non-directory of the same layer), and recording its table of contents and content size.
 *
 * <p>A later entry may replace an earlier one of the same name, as tar allows and containerd's and moby's appliers
 * do (remove the old path unless both are directories, then create the new one); what was below a replaced
 * directory is gone. What no applier can do is create an entry whose parent, as this layer last left it, is not a
 * directory: both fail with ENOTDIR (containerd's mkparent, moby's Unpack), so such a layer is refused here.
 */
final class LayerScanner {
    private final List<LayerToc.Item> items = new ArrayList<>();
    /** Each path this layer has made so far, as its latest entry left it (sorted, so a subtree can be dropped). */
    private final TreeMap<String, TarEntry.Type> seen = new TreeMap<>();

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
        EntryRules.check(e);
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
            if (t != null && t != TarEntry.Type.DIR) {
                throw new TarFormatException("entry \"" + e.name() + "\" is below \"" + p
                        + "\", which an earlier entry of this layer made a "
                        + t.name().toLowerCase() + ", not a directory: no runtime can create it (ENOTDIR)");
            }
            if (t != null) break;
        }
        if (e.type() == TarEntry.Type.HARDLINK) {
            TarEntry.Type t = seen.get(e.linkName());
            if (t == null) {
                throw new TarFormatException("hardlink \"" + e.name() + "\" points to \"" + e.linkName()
                        + "\", which is not an earlier entry of this layer");
            }
            if (t == TarEntry.Type.DIR)
                throw new TarFormatException("hardlink \"" + e.name() + "\" points to a directory");
        }
        // anything but a directory replaces what was there, and what was below it
        if (e.type() != TarEntry.Type.DIR)
            seen.subMap(e.name() + "/", e.name() + "0").clear();
        seen.put(e.name(), e.type());
    }

    LayerToc toc() {
        return new LayerToc(items);
    }

    long contentSize() {
        return contentSize;
    }
}
