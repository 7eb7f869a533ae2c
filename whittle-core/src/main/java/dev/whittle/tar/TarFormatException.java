package dev.whittle.tar;

/** A tar stream is malformed, truncated or hostile; the message says which entry and why. */
public class TarFormatException extends RuntimeException {
    public TarFormatException(String message) {
        super(message);
    }

    public TarFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
