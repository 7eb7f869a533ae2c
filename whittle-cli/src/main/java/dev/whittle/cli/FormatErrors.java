package dev.whittle.cli;

import dev.whittle.cli.format.TemplateException;

/** docker 20.10's wording and exit codes for a --format template that fails. */
final class FormatErrors {
    private FormatErrors() {}

    /**
     * {@code template parsing error: ...} for parse and execution errors alike; exit code 1, except a template
     * {@code inspect} cannot parse, which docker's inspect reports with 64.
     */
    static UserError of(TemplateException e, boolean inspect) {
        return new UserError("template parsing error: " + e.getMessage(), inspect && e.isParseError() ? 64 : 1);
    }
}
