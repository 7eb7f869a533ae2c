package dev.whittle.cli;

import dev.whittle.image.Descriptor;
import dev.whittle.image.Platform;
import dev.whittle.store.ImageIndexes;
import dev.whittle.store.ImageNotFoundException;
import dev.whittle.store.Images;
import dev.whittle.store.StoredImage;
import java.util.Optional;

/**
 * The one image a command about one platform (history, analyze, compare, inspect) works on, as {@code --platform}
 * asks: a multi-platform image answers with that platform's image, and without the flag with this machine's (an
 * index without it is an error naming the platforms it has: another platform's layers are not what runs here). A
 * single-platform image of another platform than the one asked for is an error naming both, as {@code run} says it.
 */
final class PlatformChoice {
    private PlatformChoice() {}

    /** The {@code --platform} flag's value, or null when it is not given. */
    static Platform parse(String flag) {
        if (flag == null || flag.isEmpty()) return null;
        try {
            return Platform.parse(flag);
        } catch (IllegalArgumentException e) {
            throw new UserError("invalid --platform \"" + flag + "\": " + e.getMessage());
        }
    }

    /** The image of {@code ref} for {@code wanted} (null: this machine's platform of a multi-platform image). */
    static StoredImage image(Images images, String ref, Platform wanted) {
        if (wanted == null) {
            Optional<ImageIndexes.Named> idx = new ImageIndexes(images.store()).find(ref);
            if (idx.isEmpty()) return images.resolve(ref);
            Platform host = Platform.host();
            Descriptor d = ImageIndexes.select(idx.get(), host)
                    .orElseThrow(() -> new UserError("image " + ref + " has no image for this machine's platform, "
                            + host + " (it has "
                            + String.join(
                                    ", ",
                                    idx.get().index().platforms().stream()
                                            .map(Platform::toString)
                                            .toList())
                            + "): choose one with --platform"));
            return images.member(idx.get(), d);
        }
        StoredImage img = images.find(ref, wanted).orElseThrow(() -> new ImageNotFoundException(ref));
        Platform actual = img.config().platform();
        if (!wanted.compatible().contains(actual))
            throw new UserError("image with reference " + ref
                    + " was found but does not match the specified platform: wanted " + wanted + ", actual: "
                    + actual);
        return img;
    }
}
