package dev.whittle.store;

import dev.whittle.image.MediaType;

/** A layer blob is not compressed as the media type its descriptor declares (a lying or broken manifest). */
public final class CompressionMismatchException extends StoreException {
    private final String declared;

    public CompressionMismatchException(String declared, MediaType.Compression found) {
        super("the blob is " + found.name().toLowerCase() + ", not the " + declared + " declared");
        this.declared = declared;
    }

    public String declared() {
        return declared;
    }
}
