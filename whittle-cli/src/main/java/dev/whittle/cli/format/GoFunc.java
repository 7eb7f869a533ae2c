package dev.whittle.cli.format;

import java.util.List;
import java.util.function.Function;

/**
 * A Go function value as templates call it: its signature ({@link GoType#func}) and a body over arguments already
 * checked and converted to the parameter types. A {@code reflect.Value} parameter receives the argument as it is
 * (null for an invalid one). A Go error result or panic is a {@link Failure}, which templates report as
 * "error calling NAME: message".
 */
public interface GoFunc {
    GoType type();

    GoValue call(List<GoValue> args);

    /** The error a Go function returned, or the panic it raised. */
    final class Failure extends RuntimeException {
        public Failure(String message) {
            super(message, null, false, false);
        }
    }

    /** A function of the given signature. */
    static GoFunc of(GoType type, Function<List<GoValue>, GoValue> body) {
        return new GoFunc() {
            @Override
            public GoType type() {
                return type;
            }

            @Override
            public GoValue call(List<GoValue> args) {
                return body.apply(args);
            }
        };
    }
}
