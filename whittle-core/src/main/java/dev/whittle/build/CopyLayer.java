package dev.whittle.build;

import dev.whittle.store.LayerIngest;
import dev.whittle.store.LayerWriter;
import dev.whittle.store.Store;
import dev.whittle.tar.TarEntry;
import java.io.IOException;
import java.io.InputStream;

/** Writes a {@link CopyPlan} as a layer into the store, content streamed from the source trees. */
final class CopyLayer {
    private CopyLayer() {}

    /** @param clamp the latest modification time an entry may keep (SOURCE_DATE_EPOCH), or -1 */
    static LayerIngest.Result write(Store store, CopyPlan plan, long clamp) throws IOException {
        try (LayerWriter w = new LayerWriter(store, true)) {
            for (CopyPlan.Entry p : plan.entries().values()) {
                TarEntry e = p.entry();
                if (clamp >= 0 && e.mtime() > clamp) e = e.withMtime(clamp);
                w.entry(e);
                if (e.isFile()) {
                    if (p.data() != null) {
                        w.content(p.data());
                    } else {
                        try (InputStream in = p.tree().open(p.source())) {
                            w.content(in);
                        }
                    }
                }
            }
            return w.commit();
        }
    }
}
