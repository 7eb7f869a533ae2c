package dev.whittle.dockerfile;

import dev.whittle.image.Platform;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Turns a parsed Dockerfile into a {@link BuildPlan}: global ARGs (only for FROM lines), stages named and
 * validated, FROM lines expanded, references resolved to stages or images, cycles refused, and the stage graph
 * pruned to what the target needs.
 */
public final class Planner {
    public static final Set<String> PROXY_ARGS = Set.of(
            "HTTP_PROXY",
            "http_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "FTP_PROXY",
            "ftp_proxy",
            "NO_PROXY",
            "no_proxy",
            "ALL_PROXY",
            "all_proxy");
    private static final Pattern STAGE_NAME = Pattern.compile("^[a-z][a-z0-9-_.]*$");

    private Planner() {}

    /**
     * Build inputs the frontend needs.
     *
     * @param namedContexts the {@code --build-context} names: over a stage or image of the same name */
    public record Options(
            String target,
            Map<String, String> buildArgs,
            Platform buildPlatform,
            Platform targetPlatform,
            Set<String> namedContexts) {
        public Options {
            buildArgs = buildArgs == null ? Map.of() : Map.copyOf(buildArgs);
            namedContexts = namedContexts == null ? Set.of() : Set.copyOf(namedContexts);
        }

        public Options(String target, Map<String, String> buildArgs, Platform buildPlatform, Platform targetPlatform) {
            this(target, buildArgs, buildPlatform, targetPlatform, Set.of());
        }

        public static Options defaults() {
            return new Options(null, Map.of(), Platform.host(), Platform.host());
        }
    }

    /** Global ARGs and stages, validated. */
    public static List<Stage> stages(Dockerfile df) {
        List<Stage> stages = new ArrayList<>();
        Instruction.From from = null;
        List<Instruction> body = new ArrayList<>();
        Map<String, Integer> names = new LinkedHashMap<>();
        for (Instruction i : df.instructions()) {
            if (i instanceof Instruction.From f) {
                if (from != null) stages.add(stage(df, stages.size(), from, body, names));
                from = f;
                body = new ArrayList<>();
            } else if (from == null) {
                if (!(i instanceof Instruction.Arg)) {
                    throw df.error(
                            i.pos(),
                            i.name()
                                    + " before FROM: no build stage in current context (a Dockerfile starts with FROM, after optional ARGs)");
                }
            } else {
                body.add(i);
            }
        }
        if (from == null)
            throw df.error(
                    new Pos(Math.max(1, df.lines().size()), 1),
                    "dockerfile contains no stages to build: it has no FROM instruction");
        stages.add(stage(df, stages.size(), from, body, names));
        return stages;
    }

    private static Stage stage(
            Dockerfile df, int index, Instruction.From from, List<Instruction> body, Map<String, Integer> names) {
        String name = null;
        if (from.stageName() != null) {
            name = from.stageName().text().toLowerCase(Locale.ROOT);
            if (!STAGE_NAME.matcher(name).matches()) {
                throw df.error(
                        from.stageName().pos(),
                        "invalid name for build stage: \"" + from.stageName().text()
                                + "\", name can't start with a number or contain symbols");
            }
            if (name.equals("scratch") || name.equals("context")) {
                throw df.error(
                        from.stageName().pos(), "\"" + name + "\" is reserved and cannot be used as a stage name");
            }
            Integer prev = names.putIfAbsent(name, index);
            if (prev != null) {
                throw df.error(
                        from.stageName().pos(),
                        "duplicate stage name \"" + name + "\" (also used by stage " + prev + ")");
            }
        }
        return new Stage(index, name, from, body);
    }

    /** The global ARG values: declared defaults (expanded in order), overridden by build args. */
    public static Map<String, String> globalArgs(Dockerfile df, Options opt) {
        Map<String, String> auto = automaticArgs(opt);
        if (opt.target() == null || opt.target().isEmpty()) {
            // no --target: the last stage is built, and TARGETSTAGE is its name
            String last = null;
            for (Instruction i : df.instructions()) {
                if (i instanceof Instruction.From f)
                    last = f.stageName() == null ? null : f.stageName().text().toLowerCase(Locale.ROOT);
            }
            if (last != null) auto.put("TARGETSTAGE", last);
        }
        Map<String, String> values = new LinkedHashMap<>(auto);
        ShellLex lex = new ShellLex(df.escape());
        for (Instruction i : df.instructions()) {
            if (i instanceof Instruction.From) break;
            if (!(i instanceof Instruction.Arg a)) continue;
            for (Instruction.ArgDef d : a.args()) {
                String n = d.name().text();
                String v = opt.buildArgs().get(n);
                if (v == null && d.hasDefault()) v = expand(df, lex, d.defaultValue(), values::get);
                if (v == null && auto.containsKey(n)) v = auto.get(n);
                values.put(n, v);
            }
        }
        // only declared global ARGs (and the automatic ones) are visible in FROM lines
        values.values().removeIf(Objects::isNull);
        return values;
    }

    /** BuildKit's automatic ARGs: the platforms', and TARGETSTAGE. */
    public static Map<String, String> automaticArgs(Options opt) {
        Map<String, String> m = new LinkedHashMap<>();
        Platform b = opt.buildPlatform(), t = opt.targetPlatform();
        m.put("BUILDPLATFORM", b.toString());
        m.put("BUILDOS", b.os());
        m.put("BUILDARCH", b.architecture());
        m.put("BUILDVARIANT", b.variant());
        m.put("TARGETPLATFORM", t.toString());
        m.put("TARGETOS", t.os());
        m.put("TARGETARCH", t.architecture());
        m.put("TARGETVARIANT", t.variant());
        // the stage being built: --target, else the last stage's name (see globalArgs), "default" when it has none
        m.put("TARGETSTAGE", opt.target() == null || opt.target().isEmpty() ? "default" : opt.target());
        return m;
    }

    static String expand(Dockerfile df, ShellLex lex, Word w, Function<String, String> env) {
        try {
            return lex.processWord(w.text(), env);
        } catch (ShellLex.ExpansionException e) {
            throw df.error(w.pos(), e.getMessage());
        }
    }

    public static BuildPlan plan(Dockerfile df, Options opt) {
        return plan(df, opt, -1);
    }

    /**
     * The plan for one stage, given by index (-1: the target the options name, else the last stage): the stages a
     * base image's ONBUILD trigger names are known only when that stage runs.
     */
    public static BuildPlan plan(Dockerfile df, Options opt, int stage) {
        List<Stage> stages = stages(df);
        Map<String, String> global = globalArgs(df, opt);
        ShellLex lex = new ShellLex(df.escape());
        Map<String, Integer> byName = new LinkedHashMap<>();
        for (Stage s : stages) if (s.name() != null) byName.put(s.name(), s.index());

        List<BuildPlan.PlannedStage> planned = new ArrayList<>();
        for (Stage s : stages) {
            String baseText = expand(df, lex, s.from().image(), global::get);
            if (baseText.isEmpty())
                throw df.error(
                        s.from().image().pos(), "base name (" + s.from().image().text() + ") should not be blank");
            String platform = s.from()
                    .flag("platform")
                    .map(f -> platform(df, lex, f, global))
                    .orElse(null);
            BuildPlan.Base base;
            Set<Integer> deps = new LinkedHashSet<>();
            Set<String> images = new LinkedHashSet<>();
            Integer ref = opt.namedContexts().contains(baseText) ? null : byName.get(baseText.toLowerCase(Locale.ROOT));
            if (ref != null && ref < s.index()) {
                base = new BuildPlan.Base.StageRef(ref);
                deps.add(ref);
            } else if (baseText.equalsIgnoreCase("scratch")) {
                base = new BuildPlan.Base.Scratch(platform);
            } else {
                base = new BuildPlan.Base.Image(baseText, platform);
                images.add(baseText);
            }
            Scope scope = Scope.empty();
            for (Instruction i : s.instructions()) {
                try {
                    scope = step(df, lex, scope, i, global, opt.buildArgs());
                } catch (DockerfileException unknownHere) {
                    // ${PATH:?…} may be satisfied by the base image's environment, which planning does not know;
                    // the build checks every expansion against it before any step runs (build.Preflight)
                }
                if (i instanceof Instruction.Copy c && !c.add()) {
                    for (Flag f : c.flagsNamed("from")) {
                        String v = copyFrom(df, lex, f);
                        int used =
                                resolveRef(df, v, f.valueWord(), s, stages, byName, deps, images, opt.namedContexts());
                        if (used > s.index()) {
                            throw df.error(
                                    f.valueWord().pos(),
                                    "cannot copy from stage \"" + v
                                            + "\", it needs to be defined before current stage \"" + s.displayName()
                                            + "\"");
                        }
                    }
                }
                for (Mounts.Spec m :
                        i instanceof Instruction.Run ? mountsFrom(df, lex, scope, i) : List.<Mounts.Spec>of()) {
                    String v = m.from().text();
                    int used = resolveRef(df, v, m.from(), s, stages, byName, deps, images, opt.namedContexts());
                    if (used > s.index()) {
                        throw df.error(
                                m.from().pos(),
                                "cannot mount from stage \"" + v + "\" to \""
                                        + (m.target() == null ? "" : m.target().text())
                                        + "\", stage needs to be defined before current command");
                    }
                }
            }
            planned.add(new BuildPlan.PlannedStage(s, base, deps, images));
        }

        int target = stage >= 0 ? stage : stages.size() - 1;
        if (stage < 0 && opt.target() != null && !opt.target().isEmpty()) {
            Integer t = byName.get(opt.target().toLowerCase(Locale.ROOT));
            if (t == null) {
                List<String> known = stages.stream()
                        .map(Stage::name)
                        .filter(Objects::nonNull)
                        .toList();
                String best = null;
                int bestD = 3;
                for (String k : known) {
                    int d = Parser.levenshtein(opt.target().toLowerCase(Locale.ROOT), k);
                    if (d < bestD) {
                        bestD = d;
                        best = k;
                    }
                }
                throw new DockerfileException(
                        df.file(),
                        null,
                        "target stage \"" + opt.target() + "\" could not be found"
                                + (best != null ? " (did you mean " + best + "?)" : "") + "; stages are: "
                                + (known.isEmpty() ? "(none named)" : String.join(", ", known)),
                        df.lines());
            }
            target = t;
        }

        return new BuildPlan(df, stages, dependencyOrder(df, planned, target), target, global, List.of());
    }

    /**
     * The stages the target needs, each after the stages it needs; a cycle is refused. A depth-first walk with its own
     * stack: a chain of 100 000 stages (one FROM line each) overflowed the thread's stack when it recursed.
     */
    private static List<BuildPlan.PlannedStage> dependencyOrder(
            Dockerfile df, List<BuildPlan.PlannedStage> all, int target) {
        List<BuildPlan.PlannedStage> order = new ArrayList<>();
        byte[] state = new byte[all.size()]; // 0 unvisited, 1 on the current path, 2 done
        Deque<Iterator<Integer>> pending = new ArrayDeque<>();
        Deque<Integer> path = new ArrayDeque<>();
        state[target] = 1;
        path.push(target);
        pending.push(all.get(target).dependsOn().iterator());
        while (!path.isEmpty()) {
            Iterator<Integer> deps = pending.peek();
            if (deps.hasNext()) {
                int d = deps.next();
                if (state[d] == 2) continue;
                BuildPlan.PlannedStage p = all.get(d);
                if (state[d] == 1)
                    throw df.error(
                            p.stage().from().pos(),
                            "circular dependency detected on stage: "
                                    + p.stage().displayName());
                state[d] = 1;
                path.push(d);
                pending.push(p.dependsOn().iterator());
            } else {
                int done = path.pop();
                pending.pop();
                state[done] = 2;
                order.add(all.get(done));
            }
        }
        return order;
    }

    /** FROM --platform expanded with the global ARGs, and refused where BuildKit (containerd's parser) refuses it. */
    private static String platform(Dockerfile df, ShellLex lex, Flag f, Map<String, String> global) {
        ShellLex.Result r;
        try {
            r = lex.process(f.value(), global::get);
        } catch (ShellLex.ExpansionException e) {
            throw df.error(f.valueWord().pos(), e.getMessage());
        }
        String v = r.word();
        // a misspelt ARG is the likely cause: BuildKit names the global ARG it was probably meant to be
        String hint = "";
        for (String unset : new TreeSet<>(r.unmatched())) {
            String near = Parser.closest(unset, global.keySet());
            if (near != null) {
                hint = " (did you mean " + near + "?)";
                break;
            }
        }
        if (v.isEmpty())
            throw df.error(f.valueWord().pos(), "empty platform value from expression " + f.value() + hint);
        String problem = Platform.specifierError(v);
        if (problem != null)
            throw df.error(f.valueWord().pos(), "failed to parse platform " + f.value() + ": " + problem + hint);
        return v;
    }

    /**
     * COPY --from as written: BuildKit expands no variable in it (a stage is named, not computed), and refuses a
     * value that expansion would change.
     */
    public static String copyFrom(Dockerfile df, ShellLex lex, Flag f) {
        String v = expand(df, lex, f.valueWord(), k -> null);
        if (!v.equals(f.value())) {
            throw df.error(
                    f.valueWord().pos(),
                    "variable expansion is not supported for --from, define a new stage with FROM using ARG from "
                            + "global scope as a workaround");
        }
        return v;
    }

    /** Records what a --from or mount from= names; returns the stage's index, or -1 for an image or a context. */
    private static int resolveRef(
            Dockerfile df,
            String v,
            Word w,
            Stage s,
            List<Stage> stages,
            Map<String, Integer> byName,
            Set<Integer> deps,
            Set<String> images,
            Set<String> named) {
        if (v.isEmpty()) throw df.error(w.pos(), "--from requires a stage name, index or image");
        if (v.equals("context") || named.contains(v)) return -1; // a named context stands over a stage of its name
        Integer ref = byName.get(v.toLowerCase(Locale.ROOT));
        if (ref == null && v.matches("\\d+")) {
            int n = Integer.parseInt(v);
            if (n >= stages.size())
                throw df.error(
                        w.pos(),
                        "invalid from flag value " + v + ": stage index out of bounds (there are " + stages.size()
                                + " stages)");
            ref = n;
        }
        if (ref == null) {
            images.add(v);
            return -1;
        }
        if (ref == s.index()) throw df.error(w.pos(), "circular dependency detected on stage: " + s.displayName());
        deps.add(ref);
        return ref;
    }

    /** A RUN's mounts that name a stage, an image or a context (from=). */
    private static List<Mounts.Spec> mountsFrom(Dockerfile df, ShellLex lex, Scope scope, Instruction i) {
        List<Mounts.Spec> out = new ArrayList<>();
        for (Flag f : i.flagsNamed("mount")) {
            // the other fields as the step will see them (a type may be an ARG), where planning can expand them
            Mounts.Spec m;
            try {
                m = Mounts.parse(
                        df, f, v -> expand(df, lex, new Word(v, f.valueWord().pos()), scope.lookup()));
            } catch (DockerfileException unknownHere) {
                m = Mounts.parse(df, f);
            }
            if (m.from() != null) out.add(m);
        }
        return out;
    }

    /** The scope after an ARG or ENV instruction (other instructions leave it unchanged). */
    public static Scope step(
            Dockerfile df,
            ShellLex lex,
            Scope scope,
            Instruction i,
            Map<String, String> global,
            Map<String, String> buildArgs) {
        switch (i) {
            case Instruction.Arg a -> {
                for (Instruction.ArgDef d : a.args()) {
                    String n = d.name().text();
                    String v;
                    if (buildArgs.containsKey(n)) v = buildArgs.get(n);
                    else if (d.hasDefault()) v = expand(df, lex, d.defaultValue(), scope.lookup());
                    else v = global.get(n);
                    scope = scope.withArg(n, v); // null: declared but unset, so ${X-default} still applies
                }
                return scope;
            }
            case Instruction.Env e -> {
                Function<String, String> before = scope.lookup();
                Scope next = scope;
                for (Instruction.KeyValue kv : e.pairs()) {
                    // every reference sees the values from before the instruction
                    next = next.withEnv(expand(df, lex, kv.key(), before), expand(df, lex, kv.value(), before));
                }
                return next;
            }
            default -> {
                return scope;
            }
        }
    }

    /** Build args given but not declared by any ARG of the stages built (proxy args and the frontend's options never count). */
    public static Set<String> unusedBuildArgs(BuildPlan plan, Map<String, String> buildArgs) {
        Set<String> declared = new HashSet<>();
        for (Instruction i : plan.dockerfile().instructions()) {
            if (i instanceof Instruction.From) break;
            if (i instanceof Instruction.Arg a)
                for (Instruction.ArgDef d : a.args()) declared.add(d.name().text());
        }
        for (BuildPlan.PlannedStage p : plan.stages()) {
            for (Instruction i : p.stage().instructions()) {
                if (i instanceof Instruction.Arg a)
                    for (Instruction.ArgDef d : a.args()) declared.add(d.name().text());
            }
        }
        Set<String> unused = new TreeSet<>();
        // BUILDKIT_* args are the frontend's options (BUILDKIT_SANDBOX_HOSTNAME, BUILDKIT_DOCKERFILE_CHECK), not the
        // Dockerfile's
        for (String k : buildArgs.keySet())
            if (!declared.contains(k) && !PROXY_ARGS.contains(k) && !k.startsWith("BUILDKIT_")) unused.add(k);
        return unused;
    }
}
