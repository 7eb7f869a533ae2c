package dev.whittle.build;

/** A build failed for a reason the user can act on; the message names the Dockerfile line. */
public final class BuildException extends RuntimeException {
    public BuildException(String message) {
        super(message);
    }

    public BuildException(String message, Throwable cause) {
        super(message, cause);
    }
}
