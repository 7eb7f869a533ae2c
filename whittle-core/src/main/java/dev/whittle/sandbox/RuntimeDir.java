package dev.whittle.sandbox;

import dev.whittle.ffi.Posix;
import dev.whittle.image.Digest;
import dev.whittle.store.Store;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Where a store's live containers keep their state (runc's state root, console and ssh sockets): one directory per
 * kind and store, so a dead process's leftovers can be told from a live one's by the store's lock. For root on /run, a
 * tmpfs a reboot empties along with the containers themselves; a rootless whittle may not write /run, so its are in
 * the store (private to its owner) under {@code whittle/run}.
 */
final class RuntimeDir {
    static final String RUNC = "whittle-runc", CONSOLE = "whittle-console", SSH = "whittle-ssh";

    private RuntimeDir() {}

    static Path of(Store store, String kind) {
        if (Posix.inUserNamespace()) return store.stateDir().resolve("run").resolve(kind);
        return Path.of("/run", kind)
                .resolve(Digest.sha256(store.root().toString().getBytes(StandardCharsets.UTF_8))
                        .hex()
                        .substring(0, 16));
    }
}
