package dev.whittle.archive;

/** An image archive is invalid; the message names the archive member at fault. */
public final class ArchiveException extends RuntimeException {
    public ArchiveException(String message) {
        super(message);
    }

    public ArchiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
