package dev.whittle.registry;

import java.io.IOException;

/**
 * A registry refused or failed a request. The message names the registry, what was asked for, and the registry's
 * own error code and text, e.g. {@code 127.0.0.1:5000: manifest for x:nope: MANIFEST_UNKNOWN: manifest unknown}.
 */
public final class RegistryException extends IOException {
    private final String code;
    private final int status;

    public RegistryException(String message, String code, int status) {
        super(message);
        this.code = code;
        this.status = status;
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
        this.code = null;
        this.status = 0;
    }

    /** The registry's error code ({@code MANIFEST_UNKNOWN}, {@code DENIED}, ...), or null. */
    public String code() {
        return code;
    }

    /** The HTTP status, or 0 when no response came. */
    public int status() {
        return status;
    }
}
