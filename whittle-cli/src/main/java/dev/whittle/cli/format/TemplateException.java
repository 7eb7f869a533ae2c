package dev.whittle.cli.format;

/** A --format template failed to parse or execute; the message is worded as Go's. */
public final class TemplateException extends RuntimeException {
    private final boolean parse;

    private TemplateException(String message, boolean parse) {
        super(message, null, false, false);
        this.parse = parse;
    }

    static TemplateException parse(String message) {
        return new TemplateException(message, true);
    }

    static TemplateException execution(String message) {
        return new TemplateException(message, false);
    }

    /** Whether the template did not parse (docker's inspect exits 64 then, 1 when executing fails). */
    public boolean isParseError() {
        return parse;
    }
}
