package dev.whittle.store;

/** A store operation failed for a reason the user can act on; the message says which image, blob or file. */
public class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
