package dev.whittle.build;

import dev.whittle.image.ImageRef;
import dev.whittle.image.Platform;
import dev.whittle.store.StoredImage;
import java.io.IOException;
import java.util.function.Consumer;

/** Fetches a base image the store lacks (or, under {@code --pull=always}, may have an older copy of). */
@FunctionalInterface
public interface ImagePuller {
    StoredImage pull(ImageRef ref, Platform platform, Consumer<String> log) throws IOException;
}
