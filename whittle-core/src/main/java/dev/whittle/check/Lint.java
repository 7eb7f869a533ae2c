package dev.whittle.check;

import dev.whittle.dockerfile.BuildPlan;
import dev.whittle.dockerfile.Checks;
import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.Flag;
import dev.whittle.dockerfile.Instruction;
import dev.whittle.dockerfile.Mounts;
import dev.whittle.dockerfile.Planner;
import dev.whittle.dockerfile.Pos;
import dev.whittle.dockerfile.Stage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Dockerfile rules about what multi-stage builds get wrong: size (toolchain shipped), cache (dependencies
 * downloaded after {@code COPY . .}, package caches left in layers), reproducibility (unpinned bases) and
 * correctness (shell form on a shell-less base, and the cross-stage rule: a cgo/musl build copied into a base
 * without that C library). BuildKit's own build checks are reported too, under their names.
 */
public final class Lint {
    public enum Level {
        ERROR,
        WARNING,
        INFO
    }

    /** A rule: id, name, default level, what it is about. */
    public record Rule(String id, String name, Level level, String description) {}

    public static final Rule TOOLCHAIN_FINAL = new Rule(
            "WL001",
            "toolchain-in-final-stage",
            Level.WARNING,
            "The final image is built from a compiler toolchain image: it ships the toolchain (hundreds of MB)");
    public static final Rule DEPS_AFTER_COPY = new Rule(
            "WL002",
            "dependencies-after-copy-all",
            Level.WARNING,
            "Dependencies are downloaded after COPY . ., so any source change downloads them again");
    public static final Rule APK_CACHE = new Rule(
            "WL003", "apk-cache-in-layer", Level.INFO, "apk add without --no-cache leaves its index in the layer");
    public static final Rule APT_LISTS = new Rule(
            "WL004",
            "apt-lists-in-layer",
            Level.INFO,
            "apt-get update without removing /var/lib/apt/lists leaves the package lists in the layer");
    public static final Rule UNPINNED_BASE = new Rule(
            "WL005",
            "unpinned-base-image",
            Level.WARNING,
            "A base image without a tag or with :latest changes under you");
    public static final Rule SHELL_FORM_SHELLLESS = new Rule(
            "WL006",
            "shell-form-on-shellless-base",
            Level.ERROR,
            "CMD or ENTRYPOINT in shell form needs /bin/sh, which this base image does not have");
    public static final Rule CGO_LIBC = new Rule(
            "WL007",
            "c-library-mismatch-across-stages",
            Level.ERROR,
            "A binary built with cgo against one C library is copied into a base without that library's loader");
    public static final Rule HEALTHCHECK_TOOL = new Rule(
            "WL008",
            "healthcheck-tool-missing",
            Level.ERROR,
            "HEALTHCHECK runs a shell, curl or wget, which this shell-less base image does not have: the container never becomes healthy");
    public static final Rule GOARCH_ON_BUILDPLATFORM = new Rule(
            "WL009",
            "go-build-without-targetarch",
            Level.ERROR,
            "A build stage on $BUILDPLATFORM runs go build without GOARCH, so every platform's image gets the build"
                    + " machine's binary: exec format error on the others");
    public static final List<Rule> RULES = List.of(
            TOOLCHAIN_FINAL,
            DEPS_AFTER_COPY,
            APK_CACHE,
            APT_LISTS,
            UNPINNED_BASE,
            SHELL_FORM_SHELLLESS,
            CGO_LIBC,
            HEALTHCHECK_TOOL,
            GOARCH_ON_BUILDPLATFORM);
    private static final Set<String> PROBE_TOOLS = Set.of("curl", "wget", "nc", "sh", "bash");

    /** A finding at a position. {@code rule} is a WL rule or a BuildKit check name. */
    public record Finding(String rule, String name, Level level, String message, Pos pos) {}

    /** Facts about a base image that the store can answer (null when the image is not there). */
    public record BaseFacts(boolean hasShell, String libc, Map<String, String> env) {}

    private static final Pattern TOOLCHAIN = Pattern.compile(
            "^(docker\\.io/)?(library/)?(golang|gcc|rust|maven|gradle|openjdk|eclipse-temurin|node|python|ruby|swift|haskell|clang)(:.*)?$");
    private static final Pattern DEP_DOWNLOAD = Pattern.compile(
            "\\b(go mod download|go get|npm (ci|install)|yarn( install)?\\b|pip3? install -r|mvn [^&;|]*dependency:go-offline|bundle install|cargo fetch|composer install)");
    private static final Pattern GO_BUILD = Pattern.compile("\\bgo build\\b");
    private static final Pattern STATIC_FLAGS =
            Pattern.compile("-extldflags[= ]\"?'?-static|-static-pie|CGO_ENABLED=0|-tags[= ][^ ]*netgo");
    private static final Set<String> SHELLLESS = Set.of("scratch");

    private Lint() {}

    public static List<Finding> run(Dockerfile df, Planner.Options opt, Function<String, BaseFacts> store) {
        List<Finding> out = new ArrayList<>();
        for (Checks.Violation v : Checks.run(df, opt, ref -> {
                    BaseFacts f = store.apply(ref);
                    return f == null ? null : f.env();
                })
                .violations()) {
            out.add(new Finding(v.rule().name(), v.rule().name(), Level.WARNING, v.message(), v.pos()));
        }
        BuildPlan plan;
        try {
            plan = Planner.plan(df, opt);
        } catch (RuntimeException e) {
            return out; // the build itself reports plan errors
        }
        List<Stage> stages = plan.allStages();
        int last = plan.target();
        Stage fin = stages.get(last);
        Map<Integer, BuildPlan.PlannedStage> byIndex = plan.byIndex();
        String finBase = baseRef(plan, byIndex, last);
        // WL001: toolchain image as the final stage
        if (finBase != null
                && TOOLCHAIN.matcher(finBase.toLowerCase(Locale.ROOT)).matches()) {
            out.add(f(
                    TOOLCHAIN_FINAL,
                    "the final stage is built FROM " + finBase + ", so the image ships its toolchain; build in a stage "
                            + "and COPY --from it into a small runtime stage (alpine, distroless, scratch)",
                    fin.from().pos()));
        }
        Set<Integer> finalStages = plan.exported();
        for (Stage s : stages) {
            boolean copiedAll = false;
            Pos copyAllAt = null;
            boolean finalish = finalStages.contains(s.index());
            for (Instruction i : s.instructions()) {
                if (i instanceof Instruction.Copy c
                        && !c.add()
                        && c.flag("from").isEmpty()
                        && c.sources().stream()
                                .anyMatch(w -> w.text().equals(".") || w.text().equals("./"))) {
                    copiedAll = true;
                    copyAllAt = c.pos();
                }
                if (i instanceof Instruction.Run r && !r.command().exec()) {
                    String cmd = r.command().shell().text();
                    var dep = DEP_DOWNLOAD.matcher(cmd);
                    if (copiedAll && dep.find()) {
                        out.add(f(
                                DEPS_AFTER_COPY,
                                "\"" + dep.group() + "\" runs after COPY . . (line " + copyAllAt.line()
                                        + "), so every source change "
                                        + "downloads the dependencies again; copy only the dependency files (go.mod go.sum, package.json...) first",
                                r.pos()));
                    }
                    boolean apkCacheMount = mounts(df, r).stream()
                            .anyMatch(
                                    m -> m.target() != null && m.target().text().startsWith("/var/cache/apk"));
                    if (cmd.matches("(?s).*\\bapk (add|upgrade)\\b.*")
                            && !cmd.contains("--no-cache")
                            && !apkCacheMount
                            && finalish) {
                        out.add(f(APK_CACHE, "apk add without --no-cache keeps /var/cache/apk in the layer", r.pos()));
                    }
                    boolean aptMount = mounts(df, r).stream()
                            .anyMatch(
                                    m -> m.target() != null && m.target().text().startsWith("/var/lib/apt"));
                    if (cmd.matches("(?s).*\\bapt(-get)? update\\b.*")
                            && !cmd.contains("/var/lib/apt/lists")
                            && !aptMount
                            && finalish) {
                        out.add(f(
                                APT_LISTS,
                                "apt-get update without rm -rf /var/lib/apt/lists/* keeps the package lists (tens of MB) in the layer",
                                r.pos()));
                    }
                }
            }
            String base = baseRef(plan, byIndex, s.index());
            if (base != null && !base.equalsIgnoreCase("scratch") && !base.contains("@") && !base.startsWith("$")) {
                int slash = base.lastIndexOf('/');
                String last2 = base.substring(slash + 1);
                if (!last2.contains(":") || last2.endsWith(":latest")) {
                    out.add(f(
                            UNPINNED_BASE,
                            "FROM " + base + (last2.contains(":") ? " uses :latest" : " has no tag")
                                    + "; pin a version (and ideally a digest) so builds are repeatable",
                            s.from().pos()));
                }
            }
        }
        // WL006: shell form on a shell-less final base
        BaseFacts finFacts = finBase == null ? null : store.apply(finBase);
        boolean shellless = finBase != null
                && (SHELLLESS.contains(finBase.toLowerCase(Locale.ROOT))
                        || finBase.contains("distroless")
                        || (finFacts != null && !finFacts.hasShell()));
        boolean finalHasShellChange = fin.instructions().stream().anyMatch(i -> i instanceof Instruction.Shell);
        if (shellless && !finalHasShellChange && (finBase == null || !finBase.contains(":debug"))) {
            for (Instruction i : fin.instructions()) {
                Instruction.Command c = i instanceof Instruction.Cmd cmd
                        ? cmd.command()
                        : i instanceof Instruction.Entrypoint ep ? ep.command() : null;
                if (c != null && !c.exec()) {
                    out.add(f(
                            SHELL_FORM_SHELLLESS,
                            i.name() + " " + c.shell().text() + " runs /bin/sh -c, and " + finBase
                                    + " has no shell: the container fails with exec: \"/bin/sh\": stat /bin/sh: no such file or directory; use "
                                    + i.name() + " [\"" + c.shell().text().split("\\s+")[0] + "\", ...]",
                            i.pos()));
                }
            }
        }
        if (shellless && (finBase == null || !finBase.contains(":debug")))
            healthcheckTools(fin, finBase, finalHasShellChange, out);
        crossStageLibc(df, plan, byIndex, last, finBase, finFacts, store, out);
        goarchOnBuildPlatform(plan, out);
        out.sort(Comparator.comparingInt((Finding x) -> x.pos().line()).thenComparing(Finding::rule));
        return out;
    }

    /**
     * WL008: a HEALTHCHECK on a shell-less final base (scratch, distroless) that runs the shell (CMD-SHELL form) or a
     * probe such bases never have (curl, wget…), unless the stage copies a file of that name in.
     */
    private static void healthcheckTools(Stage fin, String finBase, boolean shellChanged, List<Finding> out) {
        for (Instruction i : fin.instructions()) {
            if (!(i instanceof Instruction.Healthcheck h) || h.command() == null) continue;
            Instruction.Command c = h.command();
            String tool;
            String why;
            if (!c.exec()) {
                if (shellChanged || c.shell() == null) continue;
                tool = "/bin/sh";
                why = "HEALTHCHECK CMD " + c.shell().text() + " runs /bin/sh -c";
            } else {
                if (c.args().isEmpty()) continue;
                String first = c.args().getFirst().text();
                String name = first.substring(first.lastIndexOf('/') + 1);
                if (!PROBE_TOOLS.contains(name) || copiesIn(fin, name)) continue;
                tool = first;
                why = "HEALTHCHECK CMD [\"" + first + "\", ...] runs " + first;
            }
            out.add(f(
                    HEALTHCHECK_TOOL,
                    why + ", and " + finBase + " has no " + tool + ": every check fails (exec: \"" + tool
                            + "\": executable file not found) and the container stays unhealthy; probe with the program itself "
                            + "(HEALTHCHECK CMD [\"/app/prog\", \"-health\"]) or copy a static probe binary into the image",
                    i.pos()));
        }
    }

    private static boolean copiesIn(Stage fin, String name) {
        for (Instruction i : fin.instructions()) {
            if (i instanceof Instruction.Copy c
                    && (c.sources().stream().anyMatch(w -> w.text().endsWith(name))
                            || c.dest().text().endsWith(name))) return true;
        }
        return false;
    }

    /** WL007: a cgo build (dynamic) in one stage, copied into a final base without its C library. */
    private static void crossStageLibc(
            Dockerfile df,
            BuildPlan plan,
            Map<Integer, BuildPlan.PlannedStage> byIndex,
            int last,
            String finBase,
            BaseFacts finFacts,
            Function<String, BaseFacts> store,
            List<Finding> out) {
        Stage fin = plan.allStages().get(last);
        String runtimeLibc = finFacts != null ? finFacts.libc() : guessLibc(finBase);
        Map<String, Stage> byName = new HashMap<>();
        for (Stage s : plan.allStages()) {
            byName.put(String.valueOf(s.index()), s);
            if (s.name() != null) byName.put(s.name(), s);
        }
        for (Instruction i : fin.instructions()) {
            if (!(i instanceof Instruction.Copy c) || c.flag("from").isEmpty()) continue;
            String from = c.flag("from").get().value();
            Stage src = byName.get(from.toLowerCase(Locale.ROOT));
            if (src == null) continue;
            String srcBase = baseRef(plan, byIndex, src.index());
            BaseFacts srcFacts = srcBase == null ? null : store.apply(srcBase);
            Map<String, String> env = new LinkedHashMap<>(srcFacts == null ? Map.of() : srcFacts.env());
            for (Instruction x : src.instructions()) {
                if (x instanceof Instruction.Env e)
                    for (var kv : e.pairs()) env.put(kv.key().text(), kv.value().text());
            }
            String buildLibc = "musl-gcc".equals(env.get("CC"))
                            || (srcBase != null && srcBase.contains("alpine") && !env.containsKey("CC"))
                    ? "musl"
                    : "glibc";
            for (Instruction x : src.instructions()) {
                if (!(x instanceof Instruction.Run r) || r.command().exec()) continue;
                String cmd = r.command().shell().text();
                if (!GO_BUILD.matcher(cmd).find()) continue;
                boolean cgoOn = cmd.contains("CGO_ENABLED=1") || ("1".equals(env.get("CGO_ENABLED")));
                boolean staticLink = STATIC_FLAGS.matcher(cmd).find() || "0".equals(env.get("CGO_ENABLED"));
                if (!cgoOn || staticLink) continue;
                if (runtimeLibc == null || runtimeLibc.equals(buildLibc)) continue;
                String has = runtimeLibc.equals("none") ? "no C library and no loader" : runtimeLibc;
                out.add(f(
                        CGO_LIBC,
                        "stage \"" + src.displayName() + "\" builds with cgo against " + buildLibc + " (line "
                                + r.pos().line()
                                + ") without static linking, and " + c.name() + " --from=" + from
                                + " puts the binary into " + finBase + ", which has "
                                + has
                                + ": it will fail with \"exec ...: no such file or directory\"; link statically (-ldflags=\"-extldflags=-static\"), "
                                + "use CGO_ENABLED=0 if the program has no C code, or use a base with " + buildLibc,
                        c.pos()));
            }
        }
    }

    /**
     * WL009: a stage on {@code FROM --platform=$BUILDPLATFORM} runs {@code go build} with no GOARCH (in the command or
     * an ENV of the stage), and a stage for the target platform copies from it: in a multi-platform build every image
     * gets the build machine's binary.
     */
    private static void goarchOnBuildPlatform(BuildPlan plan, List<Finding> out) {
        Map<String, Stage> byName = new HashMap<>();
        for (Stage s : plan.allStages()) {
            byName.put(String.valueOf(s.index()), s);
            if (s.name() != null) byName.put(s.name().toLowerCase(Locale.ROOT), s);
        }
        Set<Integer> reported = new HashSet<>();
        for (Stage target : plan.allStages()) {
            if (onBuildPlatform(target)) continue;
            for (Instruction i : target.instructions()) {
                if (!(i instanceof Instruction.Copy c) || c.flag("from").isEmpty()) continue;
                Stage src = byName.get(c.flag("from").get().value().toLowerCase(Locale.ROOT));
                if (src == null || !onBuildPlatform(src) || !reported.add(src.index())) continue;
                boolean envGoarch = false;
                for (Instruction x : src.instructions()) {
                    if (x instanceof Instruction.Env e)
                        for (var kv : e.pairs()) if (kv.key().text().equals("GOARCH")) envGoarch = true;
                    if (!(x instanceof Instruction.Run r) || r.command().exec() || envGoarch) continue;
                    String cmd = r.command().shell().text();
                    if (!GO_BUILD.matcher(cmd).find() || cmd.contains("GOARCH")) continue;
                    out.add(f(
                            GOARCH_ON_BUILDPLATFORM,
                            "stage \"" + src.displayName() + "\" runs on $BUILDPLATFORM and its go build (line "
                                    + r.pos().line() + ") sets no GOARCH, so " + c.name() + " --from="
                                    + c.flag("from").get().value()
                                    + " gives every platform's image the build machine's binary (exec format error "
                                    + "on the others); add ARG TARGETARCH to the stage and build with "
                                    + "GOARCH=$TARGETARCH",
                            r.pos()));
                }
            }
        }
    }

    private static boolean onBuildPlatform(Stage s) {
        return s.from()
                .flag("platform")
                .map(f -> f.value().contains("BUILDPLATFORM"))
                .orElse(false);
    }

    private static String guessLibc(String base) {
        if (base == null) return null;
        String b = base.toLowerCase(Locale.ROOT);
        if (b.equals("scratch") || b.contains("distroless/static") || b.contains("chainguard/static")) return "none";
        if (b.contains("alpine")) return "musl";
        if (b.contains("debian")
                || b.contains("ubuntu")
                || b.contains("distroless/base")
                || b.contains("distroless/cc")) return "glibc";
        return null;
    }

    /** The image a stage starts from (following FROM <stage> chains), or null for an unknown. */
    private static String baseRef(BuildPlan plan, Map<Integer, BuildPlan.PlannedStage> byIndex, int index) {
        for (int hops = 0; hops < 100; hops++) {
            BuildPlan.PlannedStage p = byIndex.get(index);
            if (p == null) {
                Stage s = plan.allStages().get(index);
                return s.from().image().text();
            }
            switch (p.base()) {
                case BuildPlan.Base.Scratch s -> {
                    return "scratch";
                }
                case BuildPlan.Base.Image i -> {
                    return i.reference();
                }
                case BuildPlan.Base.StageRef r -> index = r.index();
            }
        }
        return null;
    }

    private static List<Mounts.Spec> mounts(Dockerfile df, Instruction i) {
        List<Mounts.Spec> out = new ArrayList<>();
        for (Flag f : i.flagsNamed("mount")) {
            try {
                out.add(Mounts.parse(df, f));
            } catch (RuntimeException ignored) {
                // reported by the build
            }
        }
        return out;
    }

    private static Finding f(Rule r, String msg, Pos pos) {
        return new Finding(r.id(), r.name(), r.level(), msg, pos);
    }
}
