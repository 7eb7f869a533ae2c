package dev.whittle.cli.format;

/** A --format template failed to parse or execute; the message is worded as Go's. */
public final class TemplateException extends RuntimeException {
    public TemplateException(String message) {
        super(message);
    }
}
