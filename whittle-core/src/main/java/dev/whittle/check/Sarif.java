package dev.whittle.check;

import dev.whittle.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** SARIF 2.1.0, the format code-scanning tools read, for {@code whittle check} and {@code whittle lint}. */
public final class Sarif {
    private Sarif() {}

    /** One result: the rule, SARIF's level (error, warning, note), the message, where, and extra properties. */
    public record Result(
            String ruleId,
            String ruleName,
            String level,
            String message,
            Map<String, Object> physicalLocation,
            Map<String, Object> properties) {}

    /** A document of one run of {@code tool}, its rules those the results name, each once. */
    public static String document(String tool, List<Result> results) {
        Map<String, Object> rules = new LinkedHashMap<>();
        List<Object> out = new ArrayList<>();
        for (Result r : results) {
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("id", r.ruleId());
            rule.put("name", r.ruleName());
            rule.put("shortDescription", Map.of("text", r.ruleName()));
            rules.putIfAbsent(r.ruleId(), rule);
            Map<String, Object> res = new LinkedHashMap<>();
            res.put("ruleId", r.ruleId());
            res.put("level", r.level());
            res.put("message", Map.of("text", r.message()));
            res.put("locations", List.of(Map.of("physicalLocation", r.physicalLocation())));
            if (!r.properties().isEmpty()) res.put("properties", r.properties());
            out.add(res);
        }
        Map<String, Object> driver = new LinkedHashMap<>();
        driver.put("name", tool);
        driver.put("rules", new ArrayList<>(rules.values()));
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("tool", Map.of("driver", driver));
        run.put("results", out);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        doc.put("version", "2.1.0");
        doc.put("runs", List.of(run));
        return Json.writeString(doc, Json.Style.INDENT);
    }
}
