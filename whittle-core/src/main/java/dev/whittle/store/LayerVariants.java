package dev.whittle.store;

import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.MediaType;
import dev.whittle.io.Compression;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * A layer's blob in a wanted compression: the one the store already has, or a new one made from the layer's tar
 * and recorded next to the others, so a push compresses each layer once however often it is pushed.
 */
public final class LayerVariants {
    private LayerVariants() {}

    /** The stored blob of the layer in compression {@code c}, or null when there is none yet. */
    public static Descriptor existing(Store store, Digest diffId, MediaType.Compression c, boolean oci)
            throws IOException {
        LayerInfo info = info(store, diffId);
        for (Map.Entry<Digest, String> e : info.blobs().entrySet()) {
            if (MediaType.layerCompression(e.getValue()) == c && store.hasBlob(e.getKey())) {
                return new Descriptor(MediaType.layer(oci, c), e.getKey(), store.blobSize(e.getKey()));
            }
        }
        return null;
    }

    /**
     * Compresses the layer into a new blob and records it. Every compressed byte also goes to {@code copyTo} when
     * given (an upload that runs while compressing); {@code progress} hears how many tar bytes have been read.
     */
    public static Descriptor make(
            Store store,
            Digest diffId,
            MediaType.Compression c,
            boolean oci,
            OutputStream copyTo,
            LongConsumer progress)
            throws IOException {
        LayerInfo info = info(store, diffId);
        try (BlobSink sink = store.newBlob();
                InputStream in = store.openLayer(diffId)) {
            OutputStream target = copyTo == null ? sink.stream() : new TeeOutputStream(sink.stream(), copyTo);
            OutputStream out = Compression.compress(target, c, -1);
            byte[] buf = new byte[1 << 16];
            long done = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                done += n;
                if (progress != null) progress.accept(done);
            }
            out.close();
            Digest d = sink.commit(null, -1);
            long size = store.blobSize(d);
            store.recordLayer(diffId, info.contentSize(), info.tarSize(), d, MediaType.layer(oci, c), null);
            return new Descriptor(MediaType.layer(oci, c), d, size);
        }
    }

    private static LayerInfo info(Store store, Digest diffId) throws IOException {
        LayerInfo info = store.layer(diffId);
        if (info == null) throw new StoreException("layer " + diffId + " is not in the store");
        return info;
    }

    /** Writes to two streams; closing closes both. */
    private static final class TeeOutputStream extends OutputStream {
        private final OutputStream a, b;

        TeeOutputStream(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws IOException {
            a.flush();
            b.flush();
        }

        @Override
        public void close() throws IOException {
            try {
                a.close();
            } finally {
                b.close();
            }
        }
    }
}
