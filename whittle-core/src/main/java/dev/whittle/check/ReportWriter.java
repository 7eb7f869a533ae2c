package dev.whittle.check;

import dev.whittle.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders a check report as text for people, JSON for scripts, or SARIF 2.1.0 for code-scanning tools. */
public final class ReportWriter {
    private ReportWriter() {}

    public static String text(CheckReport r) {
        StringBuilder sb = new StringBuilder();
        sb.append(r.image()).append(": ").append(headline(r)).append('\n');
        sb.append("  process: ")
                .append(r.process().isEmpty() ? "(none)" : String.join(" ", r.process()))
                .append('\n');
        for (String c : r.chain()) sb.append("  ").append(c).append('\n');
        for (Finding f : r.findings()) {
            sb.append('\n').append(f.severity()).append(" ").append(f.code());
            if (f.phase() != Finding.Phase.START)
                sb.append(f.phase() == Finding.Phase.RUNTIME ? " (at run time)" : " (health check)");
            if (f.path() != null) sb.append(" ").append(f.path());
            sb.append('\n');
            if (f.runtimeError() != null) {
                sb.append("  at run time: ").append(f.runtimeError());
                if (f.exitCode() != 0)
                    sb.append("   (exit code ").append(f.exitCode()).append(')');
                sb.append('\n');
            }
            sb.append("  because ").append(f.cause()).append('\n');
            for (String d : f.details()) sb.append("  ").append(d).append('\n');
            if (!f.fixes().isEmpty()) {
                sb.append("  fixes, most likely first:\n");
                for (int i = 0; i < f.fixes().size(); i++)
                    sb.append("    ")
                            .append(i + 1)
                            .append(". ")
                            .append(f.fixes().get(i))
                            .append('\n');
            }
        }
        return sb.toString();
    }

    /** The verdict in a line: whether it starts, and whether it then fails or never becomes healthy. */
    public static String headline(CheckReport r) {
        if (r.fails()) return "the entrypoint cannot start";
        boolean runtime = has(r, Finding.Phase.RUNTIME, Finding.Severity.ERROR),
                health = has(r, Finding.Phase.HEALTHCHECK, Finding.Severity.ERROR);
        if (runtime && health)
            return "the entrypoint can start, but fails once it runs and its health check cannot pass";
        if (runtime) return "the entrypoint can start, but fails once it runs";
        if (health) return "the entrypoint can start, but its health check cannot pass";
        return "the entrypoint can start";
    }

    private static boolean has(CheckReport r, Finding.Phase phase, Finding.Severity severity) {
        return r.findings().stream().anyMatch(f -> f.phase() == phase && f.severity() == severity);
    }

    public static String json(CheckReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("image", r.image());
        m.put("platform", r.platform());
        m.put("canStart", !r.fails());
        m.put("canRun", !r.fails() && !has(r, Finding.Phase.RUNTIME, Finding.Severity.ERROR));
        m.put("healthcheckCanPass", !has(r, Finding.Phase.HEALTHCHECK, Finding.Severity.ERROR));
        m.put("process", r.process());
        m.put("chain", r.chain());
        List<Object> fs = new ArrayList<>();
        for (Finding f : r.findings()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("severity", f.severity().name().toLowerCase());
            o.put("code", f.code());
            o.put("phase", f.phase().name().toLowerCase());
            o.put("path", f.path());
            o.put("runtimeError", f.runtimeError());
            o.put("exitCode", f.exitCode());
            o.put("cause", f.cause());
            o.put("details", f.details());
            o.put("fixes", f.fixes());
            fs.add(o);
        }
        m.put("findings", fs);
        return Json.writeString(m, Json.Style.INDENT);
    }

    public static String sarif(CheckReport r) {
        List<Sarif.Result> results = new ArrayList<>();
        for (Finding f : r.findings()) {
            String level = switch (f.severity()) {
                case ERROR -> "error";
                case WARNING -> "warning";
                case NOTE -> "note";
            };
            String msg = (f.runtimeError() != null ? f.runtimeError() + ": " : "")
                    + f.cause()
                    + (f.fixes().isEmpty() ? "" : ". Fix: " + f.fixes().getFirst());
            results.add(new Sarif.Result(
                    f.code(),
                    f.code(),
                    level,
                    msg,
                    Map.of("artifactLocation", Map.of("uri", r.image() + (f.path() == null ? "" : f.path()))),
                    Map.of("exitCode", f.exitCode(), "phase", f.phase().name().toLowerCase())));
        }
        return Sarif.document("whittle check", results);
    }
}
