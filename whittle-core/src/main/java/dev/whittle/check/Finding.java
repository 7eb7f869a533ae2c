package dev.whittle.check;

import java.util.List;

/**
 * One thing the checker found. {@code runtimeError} is what the user would see at {@code docker run}
 * (for example {@code exec /app/site: no such file or directory}); {@code cause} says why; {@code fixes} are ranked,
 * most likely first.
 */
public record Finding(Severity severity, String code, String path, String runtimeError, int exitCode, String cause,
                      List<String> details, List<String> fixes) {
    public Finding {
        details = List.copyOf(details);
        fixes = List.copyOf(fixes);
    }

    public enum Severity { ERROR, WARNING, NOTE }
}
