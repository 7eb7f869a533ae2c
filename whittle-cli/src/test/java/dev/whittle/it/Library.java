package dev.whittle.it;

import dev.whittle.api.Whittle;
import dev.whittle.registry.RegistryConfig;
import java.nio.file.Path;

/** whittle as a library ({@code dev.whittle.api}): one process, one store, several builds, as an embedder runs it. */
final class Library {
    private Library() {}

    /** The store at {@code root}, with the registries file {@code registries}. */
    static Whittle open(Path root, Path registries) {
        return Whittle.open(root, RegistryConfig.load(registries, true));
    }
}
