package dev.whittle.cli;

/** An error caused by the user's input: printed as {@code Error: message}, never with a stack trace. */
public final class UserError extends RuntimeException {
    private final int exitCode;
    private final boolean bare;

    public UserError(String message) {
        this(message, 1);
    }

    public UserError(String message, int exitCode) {
        this(message, exitCode, false);
    }

    private UserError(String message, int exitCode, boolean bare) {
        super(message);
        this.exitCode = exitCode;
        this.bare = bare;
    }

    /** A usage error as docker words flag errors: no {@code Error:} prefix, its own {@code See ... --help} line, exit 125. */
    public static UserError usage(String message, String commandPath) {
        return new UserError(message + "\nSee '" + commandPath + " --help'.", 125, true);
    }

    public int exitCode() {
        return exitCode;
    }

    /** Printed as it is, without {@code Error:} before it. */
    public boolean bare() {
        return bare;
    }
}
