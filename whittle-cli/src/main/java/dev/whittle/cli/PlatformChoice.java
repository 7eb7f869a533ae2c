package dev.whittle.cli;

import dev.whittle.image.Platform;
import dev.whittle.store.ImageIndexes;
import dev.whittle.store.ImageNotFoundException;
import dev.whittle.store.Images;
import dev.whittle.store.StoredImage;
import java.io.PrintStream;
import java.util.Optional;

/**
 * The one image a command about one platform (history, analyze, compare, inspect) works on, as {@code --platform}
 * asks: a multi-platform image answers with that platform's image, and without the flag with the one {@code run}
 * runs: this machine's, else the index's first, with docker's warning that it is not this machine's. A
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

    /**
     * The image of {@code ref} for {@code wanted} (null: the image {@code run} runs; when that is an index's image for
     * another platform than this machine's, docker's warning goes to {@code warnings}).
     */
    static StoredImage image(Images images, String ref, Platform wanted, PrintStream warnings) {
        if (wanted == null) {
            Optional<ImageIndexes.Named> idx = new ImageIndexes(images.store()).find(ref);
            if (idx.isEmpty()) return images.resolve(ref);
            StoredImage img = images.member(idx.get(), ImageIndexes.preferred(idx.get()));
            String warning = hostMismatch(img.config().platform());
            if (warning != null) warnings.println(warning);
            return img;
        }
        StoredImage img = images.find(ref, wanted).orElseThrow(() -> new ImageNotFoundException(ref));
        Platform actual = img.config().platform();
        if (!wanted.compatible().contains(actual))
            throw new UserError("image with reference " + ref
                    + " was found but does not match the specified platform: wanted " + wanted + ", actual: "
                    + actual);
        return img;
    }

    /**
     * Docker's warning (its daemon's words, printed by its client) for an image of another platform than this
     * machine's, chosen without {@code --platform}; null when the image is this machine's.
     */
    static String hostMismatch(Platform actual) {
        Platform host = Platform.host();
        if (host.compatible().contains(actual)) return null;
        return "WARNING: The requested image's platform (" + actual + ") does not match the detected host platform ("
                + host + ") and no specific platform was requested";
    }
}
