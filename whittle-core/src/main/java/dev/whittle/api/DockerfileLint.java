package dev.whittle.api;

import dev.whittle.build.BaseImages;
import dev.whittle.check.Elf;
import dev.whittle.check.Lint;
import dev.whittle.check.Sarif;
import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.Parser;
import dev.whittle.dockerfile.Planner;
import dev.whittle.json.Json;
import dev.whittle.json.JsonObjects;
import dev.whittle.rootfs.ImageTree;
import dev.whittle.store.Images;
import dev.whittle.store.Store;
import dev.whittle.store.StoredImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code whittle lint}: a Dockerfile's findings ({@link Lint}'s rules and BuildKit's checks) after the user's
 * configuration (a {@code .whittle-lint.json} beside the Dockerfile, or one named), rules ignored by name, and
 * {@code # whittle-lint ignore=…} pragmas above an instruction; base images the store holds tell the rules what they
 * contain (a shell, which C library, their Env).
 */
public final class DockerfileLint {
    private DockerfileLint() {}

    /**
     * @param config a configuration file ({@code {"ignore": […], "levels": {"WL002": "error"}}}), or null for
     *               .whittle-lint.json beside the Dockerfile when there is one
     * @param ignore rules ignored besides the configuration's (WL id or BuildKit check name)
     */
    public static List<Lint.Finding> run(Store store, Path dockerfile, Path config, Collection<String> ignore)
            throws IOException {
        if (!Files.exists(dockerfile)) throw new NoSuchFileException(dockerfile.toString());
        Dockerfile df = Parser.parse(dockerfile.toString(), DockerfileReader.read(dockerfile, dockerfile.toString()));
        Set<String> ignored = new HashSet<>(ignore);
        Map<String, Lint.Level> levels = new HashMap<>();
        Path cfg = config != null ? config : dockerfile.toAbsolutePath().resolveSibling(".whittle-lint.json");
        if (Files.isRegularFile(cfg)) {
            Map<String, Object> m = Json.parseObject(Files.readAllBytes(cfg));
            List<String> ig = JsonObjects.strings(m, "ignore");
            if (ig != null) ignored.addAll(ig);
            Map<String, Object> lv = JsonObjects.object(m, "levels");
            if (lv != null)
                lv.forEach((k, v) ->
                        levels.put(k, Lint.Level.valueOf(String.valueOf(v).toUpperCase(Locale.ROOT))));
        } else if (config != null) {
            throw new NoSuchFileException(config.toString());
        }
        Images images = new Images(store);
        List<Lint.Finding> shown = new ArrayList<>();
        for (Lint.Finding f : Lint.run(df, Planner.Options.defaults(), ref -> facts(store, images, ref))) {
            if (ignored.contains(f.rule()) || ignored.contains(f.name()) || pragmaIgnores(df, f)) continue;
            shown.add(new Lint.Finding(
                    f.rule(), f.name(), levels.getOrDefault(f.rule(), f.level()), f.message(), f.pos()));
        }
        return shown;
    }

    /** {@code # whittle-lint ignore=WL003,WL004} on the line right above an instruction. */
    private static boolean pragmaIgnores(Dockerfile df, Lint.Finding f) {
        for (String c : df.commentsAbove(f.pos().line())) {
            String t = c.trim();
            if (t.startsWith("whittle-lint ignore=")) {
                for (String r : t.substring("whittle-lint ignore=".length()).split(","))
                    if (r.trim().equals(f.rule())) return true;
            }
        }
        return false;
    }

    /** What a base image in the store holds; null when the store does not have it. */
    private static Lint.BaseFacts facts(Store store, Images images, String ref) {
        try {
            StoredImage img = BaseImages.find(images, ref).orElse(null);
            if (img == null) return null;
            try (ImageTree t = ImageTree.of(store, img.config().diffIds())) {
                boolean shell = t.stat("bin/sh", true) != null;
                String libc = "none";
                for (String dir : List.of("lib", "lib64")) {
                    for (String name : t.children(dir)) {
                        String found = Elf.libcOfLoader(name);
                        // musl first, as where both loaders are present a musl-built program is what the lint rules
                        // guard
                        if (found != null
                                && (libc.equals("none") || found.equals("musl"))
                                && t.stat(dir + "/" + name, true) != null) libc = found;
                    }
                }
                return new Lint.BaseFacts(shell, libc, img.config().envMap());
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The findings as text lines ({@code file:line:col RULE level: message}), JSON or SARIF. */
    public static String render(List<Lint.Finding> findings, String file, String format) {
        return switch (format) {
            case "text" -> {
                StringBuilder b = new StringBuilder();
                for (Lint.Finding f : findings) {
                    b.append(file)
                            .append(':')
                            .append(f.pos().line())
                            .append(':')
                            .append(f.pos().column())
                            .append(' ')
                            .append(f.rule())
                            .append(' ')
                            .append(f.level().name().toLowerCase(Locale.ROOT))
                            .append(": ")
                            .append(f.message())
                            .append('\n');
                }
                yield b.toString();
            }
            case "json" -> {
                List<Object> out = new ArrayList<>();
                for (Lint.Finding f : findings) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("file", file);
                    m.put("line", f.pos().line());
                    m.put("column", f.pos().column());
                    m.put("level", f.level().name().toLowerCase(Locale.ROOT));
                    m.put("code", f.rule());
                    m.put("message", f.message());
                    out.add(m);
                }
                yield Json.writeString(out, Json.Style.INDENT) + "\n";
            }
            case "sarif" -> {
                List<Sarif.Result> results = new ArrayList<>();
                for (Lint.Finding f : findings) {
                    Map<String, Object> region = new LinkedHashMap<>();
                    region.put("startLine", f.pos().line());
                    region.put("startColumn", f.pos().column());
                    region.put("sourceLanguage", "dockerfile");
                    Map<String, Object> loc = new LinkedHashMap<>();
                    loc.put("artifactLocation", Map.of("uri", file));
                    loc.put("region", region);
                    String level = f.level() == Lint.Level.ERROR
                            ? "error"
                            : f.level() == Lint.Level.WARNING ? "warning" : "note";
                    results.add(new Sarif.Result(f.rule(), f.name(), level, f.message(), loc, Map.of()));
                }
                yield Sarif.document("whittle lint", results) + "\n";
            }
            default -> throw new IllegalArgumentException("unknown --format \"" + format + "\" (text, json or sarif)");
        };
    }

    /** Whether a finding reaches the threshold: error (default), warning, info, or none (never). */
    public static boolean fails(List<Lint.Finding> findings, String threshold) {
        int limit = switch (threshold) {
            case "error" -> 0;
            case "warning" -> 1;
            case "info" -> 2;
            case "none" -> -1;
            default -> throw new IllegalArgumentException("unknown --failure-threshold \"" + threshold + "\"");
        };
        return findings.stream().anyMatch(f -> f.level().ordinal() <= limit);
    }
}
