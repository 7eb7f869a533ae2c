package dev.whittle.store;

import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageConfig;
import dev.whittle.image.ImageRef;
import dev.whittle.image.Manifest;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * An image in the store: its manifest and config (exact bytes kept), the names that point at it, the registry
 * digests it is known by, and its size as docker reports it (the sum of its layers' file sizes).
 *
 * <p>The ID, creation time and size are also kept in the store's index, so listing images reads one file; the
 * manifest and config are then read only when asked for.
 */
public final class StoredImage {
    private final Descriptor manifestDescriptor;
    private final Digest id;
    private final Instant created;
    private final List<ImageRef> names;
    private final List<String> repoDigests;
    private final Supplier<Long> size;
    private final Supplier<Manifest> manifest;
    private final Supplier<ImageConfig> config;

    public StoredImage(
            Manifest manifest, ImageConfig config, List<ImageRef> names, List<String> repoDigests, long size) {
        this(
                manifest.descriptor(),
                config.digest(),
                config.created(),
                names,
                repoDigests,
                () -> size,
                () -> manifest,
                () -> config);
    }

    /** An image whose size is worked out when first asked for (its layers may still wait to be verified). */
    StoredImage(
            Descriptor manifestDescriptor,
            Digest id,
            Instant created,
            List<ImageRef> names,
            List<String> repoDigests,
            Supplier<Long> size,
            Supplier<Manifest> manifest,
            Supplier<ImageConfig> config) {
        this.manifestDescriptor =
                new Descriptor(manifestDescriptor.mediaType(), manifestDescriptor.digest(), manifestDescriptor.size());
        this.id = id;
        this.created = created;
        this.names = List.copyOf(names);
        this.repoDigests = List.copyOf(repoDigests);
        this.size = memoize(size);
        this.manifest = memoize(manifest);
        this.config = memoize(config);
    }

    private static <T> Supplier<T> memoize(Supplier<T> s) {
        return new Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) value = s.get();
                return value;
            }
        };
    }

    public Manifest manifest() {
        return manifest.get();
    }

    public ImageConfig config() {
        return config.get();
    }

    public List<ImageRef> names() {
        return names;
    }

    public List<String> repoDigests() {
        return repoDigests;
    }

    public long size() {
        return size.get();
    }

    /** The image ID (digest of the config). */
    public Digest id() {
        return id;
    }

    /** When the image was created, from its config; null if the config does not say. */
    public Instant created() {
        return created;
    }

    public Descriptor manifestDescriptor() {
        return manifestDescriptor;
    }

    public boolean dangling() {
        return names.isEmpty();
    }

    @Override
    public String toString() {
        return "StoredImage[" + id + ", " + names + "]";
    }
}
