package dev.whittle.check;

import java.util.List;

/**
 * One thing the checker found. {@code runtimeError} is what the user would see at {@code docker run}
 * (for example {@code exec /app/site: no such file or directory}); {@code cause} says why; {@code fixes} are ranked,
 * most likely first. {@code phase} says when it bites: at the start, once the program runs, or in its HEALTHCHECK.
 */
public record Finding(
        Severity severity,
        String code,
        String path,
        String runtimeError,
        int exitCode,
        String cause,
        List<String> details,
        List<String> fixes,
        Phase phase) {
    public Finding {
        details = List.copyOf(details);
        fixes = List.copyOf(fixes);
    }

    /** A finding about starting the entrypoint. */
    public Finding(
            Severity severity,
            String code,
            String path,
            String runtimeError,
            int exitCode,
            String cause,
            List<String> details,
            List<String> fixes) {
        this(severity, code, path, runtimeError, exitCode, cause, details, fixes, Phase.START);
    }

    /** The same finding in another phase (the exec analysis of a HEALTHCHECK reuses the entrypoint's). */
    public Finding in(Phase p, String codePrefix) {
        return new Finding(severity, codePrefix + code, path, runtimeError, exitCode, cause, details, fixes, p);
    }

    public enum Severity {
        ERROR,
        WARNING,
        NOTE
    }

    /**
     * START: execve and the dynamic loader (the container does not start); RUNTIME: once the program runs, when it
     * takes the code path (TLS, time zones, users, temp files, name resolution, writable paths); HEALTHCHECK: the
     * health check's own command, which docker runs beside the program.
     */
    public enum Phase {
        START,
        RUNTIME,
        HEALTHCHECK
    }
}
