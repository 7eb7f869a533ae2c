package dev.whittle.registry;

import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageIndex;
import dev.whittle.image.ImageRef;
import dev.whittle.store.ImageIndexes;
import dev.whittle.store.Images;
import dev.whittle.store.Store;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Pushes a multi-platform image: every platform's manifest by digest (with its layers and config, as {@link Pusher}
 * pushes one image), then the index under the tag. The platforms go with OCI media types, as the OCI index that
 * lists them, so a registry or client never sees a mixed index.
 */
public final class IndexPusher {
    private final Store store;
    private final RegistryClient client;
    private final TransferProgress progress;

    public IndexPusher(Store store, RegistryClient client, TransferProgress progress) {
        this.store = store;
        this.client = client;
        this.progress = progress;
    }

    public Pusher.Result push(ImageIndexes.Named idx, ImageRef target) throws IOException {
        Images images = new Images(store);
        List<Descriptor> pushed = new ArrayList<>();
        for (Descriptor m : idx.members()) {
            // by digest: a platform's manifest gets no tag of its own
            ImageRef byDigest = ImageRef.parse(target.repository() + "@" + m.digest());
            Pusher.Result r = new Pusher(store, client, progress)
                    .push(images.member(idx, m), byDigest, new Pusher.Options(true, null));
            pushed.add(new Descriptor(r.mediaType(), r.digest(), r.size(), null, m.platform(), null));
        }
        ImageIndex index = ImageIndex.create(pushed);
        byte[] raw = index.raw();
        String reference = target.tag() != null ? target.tag() : index.digest().toString();
        Digest digest = client.host(target.domain())
                .putManifest(target.path(), reference, index.mediaType(), raw, "image index " + target.familiar());
        store.putBlob(raw);
        progress.message(reference + ": digest: " + digest + " size: " + raw.length);
        return new Pusher.Result(digest, raw.length, index.mediaType());
    }
}
