package dev.whittle.rootfs;

import dev.whittle.image.Digest;
import dev.whittle.store.Store;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads file content out of an image's layers by the offsets of their tables of contents: straight from the
 * uncompressed blob when the store has one, else by decompressing the layer up to the offset.
 */
public final class LayerReader implements AutoCloseable {
    private final Store store;
    private final MergedTree tree;
    private final Map<Integer, FileChannel> open = new HashMap<>();

    public LayerReader(Store store, MergedTree tree) {
        this.store = store;
        this.tree = tree;
    }

    /** Up to {@code max} bytes of a node's data from its start. */
    public byte[] read(MergedTree.Node node, int max) throws IOException {
        MergedTree.Node d = node.dataNode();
        int n = (int) Math.min(max, d.entry().size());
        byte[] buf = new byte[n];
        FileChannel ch = channel(d.layer());
        if (ch != null) {
            ByteBuffer b = ByteBuffer.wrap(buf);
            long pos = d.dataOffset();
            while (b.hasRemaining()) {
                int k = ch.read(b, pos);
                if (k < 0)
                    throw new IOException("layer " + tree.layers().get(d.layer()) + " is shorter than its index says");
                pos += k;
            }
            return buf;
        }
        try (InputStream in = open(d)) {
            return in.readNBytes(n);
        }
    }

    /** A stream over a node's whole data. */
    public InputStream open(MergedTree.Node node) throws IOException {
        MergedTree.Node d = node.dataNode();
        FileChannel ch = channel(d.layer());
        if (ch != null) {
            return new BufferedInputStream(Channels.newInputStream(ch.position(d.dataOffset())), 1 << 16) {
                long left = d.entry().size();

                @Override
                public synchronized int read(byte[] b, int off, int len) throws IOException {
                    if (left <= 0) return -1;
                    int k = super.read(b, off, (int) Math.min(len, left));
                    if (k > 0) left -= k;
                    return k;
                }

                @Override
                public synchronized int read() throws IOException {
                    if (left <= 0) return -1;
                    int k = super.read();
                    if (k >= 0) left--;
                    return k;
                }

                @Override
                public void close() {
                    // the channel stays open for other reads
                }
            };
        }
        InputStream in = store.openLayer(tree.layers().get(d.layer()));
        in.skipNBytes(d.dataOffset());
        return new FilterInputStream(in) {
            long left = d.entry().size();

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) return -1;
                int k = super.read(b, off, (int) Math.min(len, left));
                if (k > 0) left -= k;
                return k;
            }

            @Override
            public int read() throws IOException {
                if (left <= 0) return -1;
                int k = super.read();
                if (k >= 0) left--;
                return k;
            }
        };
    }

    private FileChannel channel(int layer) throws IOException {
        if (open.containsKey(layer)) return open.get(layer);
        Digest diffId = tree.layers().get(layer);
        Path p = store.uncompressedLayerFile(diffId);
        FileChannel ch = p == null ? null : FileChannel.open(p, StandardOpenOption.READ);
        open.put(layer, ch);
        return ch;
    }

    @Override
    public void close() throws IOException {
        for (FileChannel ch : open.values()) if (ch != null) ch.close();
    }
}
