package dev.whittle.cli;

import dev.whittle.api.DockerfileReader;
import dev.whittle.build.BaseImages;
import dev.whittle.check.Lint;
import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.DockerfileException;
import dev.whittle.dockerfile.Parser;
import dev.whittle.dockerfile.Planner;
import dev.whittle.image.Platform;
import dev.whittle.json.Json;
import dev.whittle.json.JsonObjects;
import dev.whittle.rootfs.ImageTree;
import dev.whittle.store.Images;
import dev.whittle.store.StoredImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "lint", description = "Lint a Dockerfile: size, cache and correctness rules for multi-stage builds, plus BuildKit's checks")
final class LintCommand implements Callable<Integer> {
    private final Context ctx;

    @Option(names = {"-f", "--file"}, description = "The Dockerfile (default: ./Dockerfile)")
    Path file = Path.of("Dockerfile");
    @Option(names = "--format", description = "text (default), json or sarif")
    String format = "text";
    @Option(names = "--config", description = "Rule configuration (JSON: {\"ignore\": [\"WL005\"], \"levels\": {\"WL002\": \"error\"}}); default: .whittle-lint.json beside the Dockerfile")
    Path config;
    @Option(names = "--ignore", paramLabel = "RULE", description = "Ignore a rule (WL id or BuildKit check name)")
    List<String> ignore = new ArrayList<>();
    @Option(names = "--failure-threshold", description = "Exit 1 when a finding is at least: error (default), warning, info, none")
    String threshold = "error";

    LintCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override public Integer call() throws IOException {
        if (!Files.exists(file)) throw new UserError("open " + file + ": no such file or directory");
        Dockerfile df;
        try {
            df = Parser.parse(file.toString(), DockerfileReader.read(file, file.toString()));
        } catch (DockerfileException e) {
            throw new UserError(e.getMessage());
        }
        Set<String> ignored = new HashSet<>(ignore);
        Map<String, Lint.Level> levels = new HashMap<>();
        Path cfg = config != null ? config : file.toAbsolutePath().resolveSibling(".whittle-lint.json");
        if (Files.isRegularFile(cfg)) {
            Map<String, Object> m = Json.parseObject(Files.readAllBytes(cfg));
            List<String> ig = JsonObjects.strings(m, "ignore");
            if (ig != null) ignored.addAll(ig);
            Map<String, Object> lv = JsonObjects.object(m, "levels");
            if (lv != null) lv.forEach((k, v) -> levels.put(k, Lint.Level.valueOf(String.valueOf(v).toUpperCase(Locale.ROOT))));
        } else if (config != null) {
            throw new UserError("open " + config + ": no such file or directory");
        }
        Images images = new Images(ctx.store());
        List<Lint.Finding> all = Lint.run(df, new Planner.Options(null, Map.of(), Platform.host(), Platform.host()), ref -> facts(images, ref));
        List<Lint.Finding> shown = new ArrayList<>();
        for (Lint.Finding f : all) {
            if (ignored.contains(f.rule()) || ignored.contains(f.name()) || pragmaIgnores(df, f)) continue;
            Lint.Level lvl = levels.getOrDefault(f.rule(), f.level());
            shown.add(new Lint.Finding(f.rule(), f.name(), lvl, f.message(), f.pos()));
        }
        switch (format) {
            case "json" -> ctx.out().println(Json.writeString(json(shown), Json.Style.INDENT));
            case "sarif" -> ctx.out().println(Json.writeString(sarif(shown), Json.Style.INDENT));
            case "text" -> {
                for (Lint.Finding f : shown) {
                    ctx.out().println(file + ":" + f.pos().line() + ":" + f.pos().column() + " " + f.rule() + " "
                            + f.level().name().toLowerCase(Locale.ROOT) + ": " + f.message());
                }
            }
            default -> throw new UserError("unknown --format \"" + format + "\" (text, json or sarif)");
        }
        int limit = switch (threshold) {
            case "error" -> 0;
            case "warning" -> 1;
            case "info" -> 2;
            case "none" -> -1;
            default -> throw new UserError("unknown --failure-threshold \"" + threshold + "\"");
        };
        return shown.stream().anyMatch(f -> f.level().ordinal() <= limit) ? 1 : 0;
    }

    /** {@code # whittle-lint ignore=WL003,WL004} on the line right above an instruction. */
    private static boolean pragmaIgnores(Dockerfile df, Lint.Finding f) {
        for (String c : df.commentsAbove(f.pos().line())) {
            String t = c.trim();
            if (t.startsWith("whittle-lint ignore=")) {
                for (String r : t.substring("whittle-lint ignore=".length()).split(",")) if (r.trim().equals(f.rule())) return true;
            }
        }
        return false;
    }

    private Lint.BaseFacts facts(Images images, String ref) {
        try {
            StoredImage img = BaseImages.find(images, ref).orElse(null);
            if (img == null) return null;
            try (ImageTree t = ImageTree.of(ctx.store(), img.config().diffIds())) {
                boolean shell = t.stat("bin/sh", true) != null;
                String libc = !t.children("lib").stream().filter(n -> n.startsWith("ld-musl-")).toList().isEmpty() ? "musl"
                        : t.stat("lib64/ld-linux-x86-64.so.2", true) != null || t.stat("lib/ld-linux-aarch64.so.1", true) != null ? "glibc" : "none";
                Map<String, String> env = new LinkedHashMap<>();
                for (String e : img.config().env()) {
                    int eq = e.indexOf('=');
                    if (eq > 0) env.put(e.substring(0, eq), e.substring(eq + 1));
                }
                return new Lint.BaseFacts(shell, libc, env);
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private Object json(List<Lint.Finding> fs) {
        List<Object> out = new ArrayList<>();
        for (Lint.Finding f : fs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", file.toString());
            m.put("line", f.pos().line());
            m.put("column", f.pos().column());
            m.put("level", f.level().name().toLowerCase(Locale.ROOT));
            m.put("code", f.rule());
            m.put("message", f.message());
            out.add(m);
        }
        return out;
    }

    private Object sarif(List<Lint.Finding> fs) {
        List<Object> results = new ArrayList<>();
        Map<String, Object> rules = new LinkedHashMap<>();
        for (Lint.Finding f : fs) {
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("id", f.rule());
            rule.put("name", f.name());
            rules.putIfAbsent(f.rule(), rule);
            Map<String, Object> region = new LinkedHashMap<>();
            region.put("startLine", f.pos().line());
            region.put("startColumn", f.pos().column());
            region.put("sourceLanguage", "dockerfile");
            Map<String, Object> loc = new LinkedHashMap<>();
            loc.put("artifactLocation", Map.of("uri", file.toString()));
            loc.put("region", region);
            Map<String, Object> res = new LinkedHashMap<>();
            res.put("ruleId", f.rule());
            res.put("level", f.level() == Lint.Level.ERROR ? "error" : f.level() == Lint.Level.WARNING ? "warning" : "note");
            res.put("message", Map.of("text", f.message()));
            res.put("locations", List.of(Map.of("physicalLocation", loc)));
            results.add(res);
        }
        Map<String, Object> driver = new LinkedHashMap<>();
        driver.put("name", "whittle lint");
        driver.put("rules", new ArrayList<>(rules.values()));
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("tool", Map.of("driver", driver));
        run.put("results", results);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        out.put("version", "2.1.0");
        out.put("runs", List.of(run));
        return out;
    }
}
