package dev.whittle.cache;

import dev.whittle.registry.RegistryClient;
import java.util.function.Supplier;

/** The location a cache spec names. */
final class CacheLocations {
    private CacheLocations() {}

    static CacheLocation of(CacheSpec.Where where, Supplier<RegistryClient> registries) {
        return switch (where) {
            case CacheSpec.Local l -> new LocalCache(l.dir());
            case CacheSpec.Registry r -> new RegistryCache(registries.get(), r.ref());
            case CacheSpec.Inline i -> throw new IllegalArgumentException("an inline cache is in the image's config");
        };
    }
}
