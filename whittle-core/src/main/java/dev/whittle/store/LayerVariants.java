package dev.whittle.store;

import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.MediaType;
import dev.whittle.io.Compression;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * A layer's blob in a wanted compression: the one the store already has, or a new one made from the layer's tar
 * and recorded next to the others, so a push compresses each layer once however often it is pushed.
 */
public final class LayerVariants {
    private LayerVariants() {}

    /** The layer as a blob compressed with {@code c}, with a media type of the given family. */
    public static Descriptor blob(Store store, Digest diffId, MediaType.Compression c, boolean oci) throws IOException {
        LayerInfo info = store.layer(diffId);
        if (info == null) throw new StoreException("layer " + diffId + " is not in the store");
        for (Map.Entry<Digest, String> e : info.blobs().entrySet()) {
            if (MediaType.layerCompression(e.getValue()) == c && store.hasBlob(e.getKey())) {
                return new Descriptor(MediaType.layer(oci, c), e.getKey(), store.blobSize(e.getKey()));
            }
        }
        try (BlobSink sink = store.newBlob(); InputStream in = store.openLayer(diffId)) {
            OutputStream out = Compression.compress(sink.stream(), c, -1);
            in.transferTo(out);
            out.close();
            Digest d = sink.commit(null, -1);
            long size = store.blobSize(d);
            store.recordLayer(diffId, info.contentSize(), info.tarSize(), d, MediaType.layer(oci, c), null);
            return new Descriptor(MediaType.layer(oci, c), d, size);
        }
    }
}
