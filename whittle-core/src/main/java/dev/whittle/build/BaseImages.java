package dev.whittle.build;

import dev.whittle.image.ImageRef;
import dev.whittle.image.Platform;
import dev.whittle.store.Images;
import dev.whittle.store.StoredImage;
import java.util.Optional;

/**
 * Images named by FROM or {@code --from}, found as BuildKit finds them: by name, normalised as docker does
 * ({@code a} is {@code docker.io/library/a:latest}), never by an image ID prefix. {@code FROM a} once used whatever
 * image's ID started with "a" (or failed with "ambiguous image ID prefix" when several did).
 */
public final class BaseImages {
    private BaseImages() {}

    /** The stored image of that name, or empty (also for a reference that is not a valid name). */
    public static Optional<StoredImage> find(Images images, String ref) {
        return find(images, ref, null);
    }

    /**
     * As {@link #find(Images, String)}; a multi-platform image answers with its image for {@code platform} (null:
     * this machine's).
     */
    public static Optional<StoredImage> find(Images images, String ref, Platform platform) {
        ImageRef name;
        try {
            name = ImageRef.parse(ref);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return platform == null ? images.find(name.toString()) : images.find(name.toString(), platform);
    }
}
