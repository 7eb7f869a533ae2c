package dev.whittle.json;

/** A JSON document could not be read; the message says where. */
public final class JsonException extends RuntimeException {
    public JsonException(String message) {
        super(message);
    }
}
