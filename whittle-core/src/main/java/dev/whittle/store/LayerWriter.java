package dev.whittle.store;

import dev.whittle.image.Digest;
import dev.whittle.image.MediaType;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarWriter;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a new layer straight into the store: the uncompressed tar goes to a blob while its digest (the diffID),
 * table of contents and docker size are computed, so nothing is read back. {@link #commit()} makes it visible;
 * closing without commit discards it.
 */
public final class LayerWriter implements AutoCloseable {
    private final Store store;
    private final BlobSink sink;
    private final TarWriter tar;
    private final List<LayerToc.Item> items = new ArrayList<>();
    private final boolean oci;
    private long size;
    private boolean committed;

    public LayerWriter(Store store, boolean oci) throws IOException {
        this.store = store;
        this.sink = store.newBlob();
        this.tar = new TarWriter(sink.stream());
        this.oci = oci;
    }

    /** Writes a non-file entry, or a file whose content is then given to {@link #content}. */
    public void entry(TarEntry e) throws IOException {
        tar.writeHeader(e);
        items.add(new LayerToc.Item(e, tar.position()));
        // docker reports a BuildKit-made layer's size as the sum of its regular files (symlinks count nothing),
        // unlike layers it unpacks itself (load, import), which it measures on disk
        if (e.isFile()) size += e.size();
    }

    public void content(InputStream in) throws IOException {
        tar.writeContent(in);
    }

    public void content(byte[] data) throws IOException {
        tar.writeContent(data);
    }

    public void file(TarEntry e, InputStream in) throws IOException {
        entry(e);
        content(in);
    }

    public int entries() {
        return items.size();
    }

    /** Finishes the tar and stores the layer. */
    public LayerIngest.Result commit() throws IOException {
        tar.finish();
        long tarSize = sink.size();
        Digest diffId = sink.commit(null, -1);
        committed = true;
        String mt = MediaType.layer(oci, MediaType.Compression.NONE);
        LayerInfo info = store.recordLayer(diffId, size, tarSize, diffId, mt, new LayerToc(items));
        return new LayerIngest.Result(diffId, tarSize, mt, info);
    }

    @Override
    public void close() throws IOException {
        if (!committed) sink.close();
    }
}
