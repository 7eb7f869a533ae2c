package dev.whittle.store;

import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageConfig;
import dev.whittle.image.ImageRef;
import dev.whittle.image.Manifest;

import java.util.List;

/**
 * An image in the store: its manifest and config (exact bytes kept), the names that point at it, the registry
 * digests it is known by, and its size as docker reports it (the sum of its layers' file sizes).
 */
public record StoredImage(Manifest manifest, ImageConfig config, List<ImageRef> names, List<String> repoDigests, long size) {
    public StoredImage {
        names = List.copyOf(names);
        repoDigests = List.copyOf(repoDigests);
    }

    /** The image ID (digest of the config). */
    public Digest id() {
        return config.digest();
    }

    public Descriptor manifestDescriptor() {
        return manifest.descriptor();
    }

    public boolean dangling() {
        return names.isEmpty();
    }
}
