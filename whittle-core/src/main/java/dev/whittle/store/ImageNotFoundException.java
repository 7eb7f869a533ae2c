package dev.whittle.store;

/** No image in the store answers to a reference; the message is docker's. */
public final class ImageNotFoundException extends StoreException {
    private final String reference;

    public ImageNotFoundException(String reference) {
        super("No such image: " + reference);
        this.reference = reference;
    }

    public String reference() {
        return reference;
    }
}
