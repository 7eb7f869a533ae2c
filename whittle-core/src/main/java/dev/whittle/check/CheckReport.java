package dev.whittle.check;

import java.util.List;

/** The result of checking an image: the process that would run and what was found about it. */
public record CheckReport(
        String image, String platform, List<String> process, List<String> chain, List<Finding> findings) {
    public CheckReport {
        process = List.copyOf(process);
        chain = List.copyOf(chain);
        findings = List.copyOf(findings);
    }

    /** True when the image's entrypoint definitely cannot start. */
    public boolean fails() {
        return findings.stream()
                .anyMatch(f -> f.severity() == Finding.Severity.ERROR && f.phase() == Finding.Phase.START);
    }

    /** True when something is certain to fail: the start, a code path the program has once it runs, or its health check. */
    public boolean hasErrors() {
        return findings.stream().anyMatch(f -> f.severity() == Finding.Severity.ERROR);
    }
}
