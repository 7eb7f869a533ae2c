package dev.whittle.store;

import dev.whittle.image.Digest;

/** A layer's uncompressed content is not the diffID its image's config names (a lying or broken config). */
public final class DiffIdMismatchException extends StoreException {
    private final Digest expected;
    private final Digest actual;

    public DiffIdMismatchException(Digest expected, Digest actual) {
        super("invalid diffID for layer: expected " + expected + ", got " + actual);
        this.expected = expected;
        this.actual = actual;
    }

    public Digest expected() {
        return expected;
    }

    public Digest actual() {
        return actual;
    }
}
