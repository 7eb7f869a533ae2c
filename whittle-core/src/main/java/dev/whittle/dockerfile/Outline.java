package dev.whittle.dockerfile;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What BuildKit's frontend answers without building ({@code --call=targets}, {@code --call=outline}): the stages one
 * can build, and what a target needs from its caller — build args, secrets, SSH sockets.
 */
public final class Outline {
    private Outline() {}

    /** A stage one can name with {@code --target}; {@code name} null for an unnamed stage. */
    public record Target(String name, boolean isDefault, String description, String base, int line) {}

    /** A build arg the target uses: its value after build args and expansion (null when it has none). */
    public record Arg(String name, String value, String description, int line) {}

    /** A secret or SSH mount id a RUN of the target uses. */
    public record MountUse(String id, boolean required, int line) {}

    /** The target's outline. */
    public record Of(String target, String description, List<Arg> args, List<MountUse> secrets, List<MountUse> ssh) {}

    /** Every stage in file order, the last one the default, as BuildKit's frontend.targets lists them. */
    public static List<Target> targets(Dockerfile df) {
        List<Stage> stages = Planner.stages(df);
        List<Target> list = new ArrayList<>();
        for (Stage s : stages) {
            list.add(new Target(
                    s.name(),
                    s.index() == stages.size() - 1,
                    description(df, s.from(), s.name()),
                    s.from().image().text(),
                    s.from().pos().line()));
        }
        return List.copyOf(list);
    }

    /**
     * A definition's description, BuildKit's getDocComment: of the comments the instruction has (since the previous
     * instruction), the first that starts with the definition's name and a space, without them.
     */
    static String description(Dockerfile df, Instruction at, String name) {
        if (name == null) return "";
        int after = 0;
        for (Instruction i : df.instructions()) {
            if (i == at) break;
            after = i.common().endLine();
        }
        for (String c : df.commentsBefore(at.pos().line(), after)) {
            if (c.startsWith(name + " ")) return c.substring(name.length() + 1);
        }
        return "";
    }

    /** What the outline knows of an ARG: its value, the ARGs its default refers to, and where it is defined. */
    private record ArgInfo(String name, String value, Set<String> deps, Instruction at) {}

    /**
     * The target's outline as BuildKit's frontend.outline gives it: the ARGs the target's stages use (each stage's own,
     * those its FROM line names, and the global ARGs those refer to), with their values after build args and
     * expansion, their descriptions and where they are last defined, in file order; the secrets and SSH mounts its
     * stages' RUNs use, ids expanded.
     */
    public static Of outline(Dockerfile df, Planner.Options opt) {
        BuildPlan plan = Planner.plan(df, opt);
        Stage target = plan.targetStage().stage();
        ShellLex lex = new ShellLex(df.escape());
        Map<String, String> values = new LinkedHashMap<>(Planner.automaticArgs(opt));
        Map<String, ArgInfo> global = globalArgs(df, opt, lex, values);
        Map<String, ArgInfo> args = new LinkedHashMap<>();
        Map<String, MountUse> secrets = new LinkedHashMap<>(), ssh = new LinkedHashMap<>();
        // the target first, as BuildKit walks them: the first stage that defines an ARG or a mount id describes it
        for (BuildPlan.PlannedStage p : plan.stages().reversed()) {
            Stage st = p.stage();
            Map<String, ArgInfo> own = new LinkedHashMap<>(global);
            Set<String> used = new LinkedHashSet<>();
            List<String> fromWords = new ArrayList<>(List.of(st.from().image().text()));
            st.from().flag("platform").ifPresent(f -> fromWords.add(f.value()));
            for (String w : fromWords) {
                ShellLex.Result r = process(lex, w, values::get);
                if (r != null) used.addAll(r.matched());
            }
            Scope scope = Scope.empty();
            for (Instruction i : st.instructions()) {
                if (i instanceof Instruction.Arg a) stageArgs(a, opt, lex, scope, values, own, used);
                try {
                    scope = Planner.step(df, lex, scope, i, plan.globalArgs(), opt.buildArgs());
                } catch (DockerfileException unknownHere) {
                    // an expansion the base image's environment would settle: the outline goes on
                }
                mountUses(df, lex, scope, i, secrets, ssh);
            }
            // an ARG used brings the global ARGs its value came from
            Deque<String> todo = new ArrayDeque<>(used);
            Set<String> seen = new HashSet<>();
            while (!todo.isEmpty()) {
                String n = todo.pop();
                if (!seen.add(n)) continue;
                ArgInfo info = own.get(n);
                if (info == null) continue;
                todo.addAll(info.deps());
                if (!Planner.PROXY_ARGS.contains(n)) args.putIfAbsent(n, info);
            }
        }
        List<Arg> argList = args.values().stream()
                .sorted(Comparator.comparingInt(a -> a.at().pos().line()))
                .map(a -> new Arg(
                        a.name(),
                        a.value(),
                        description(df, a.at(), a.name()),
                        a.at().pos().line()))
                .toList();
        Comparator<MountUse> byLine = Comparator.comparingInt(MountUse::line);
        return new Of(
                target.displayName(),
                description(df, target.from(), target.name()),
                argList,
                secrets.values().stream().sorted(byLine).toList(),
                ssh.values().stream().sorted(byLine).toList());
    }

    /** The global ARGs as BuildKit's buildMetaArgs reads them; {@code values} receives their values. */
    private static Map<String, ArgInfo> globalArgs(
            Dockerfile df, Planner.Options opt, ShellLex lex, Map<String, String> values) {
        Map<String, ArgInfo> global = new LinkedHashMap<>();
        for (Instruction i : df.instructions()) {
            if (i instanceof Instruction.From) break;
            if (!(i instanceof Instruction.Arg a)) continue;
            for (Instruction.ArgDef d : a.args()) {
                String name = d.name().text();
                String v = opt.buildArgs().get(name);
                Set<String> deps = new HashSet<>();
                if (v == null && d.hasDefault()) {
                    ShellLex.Result r = process(lex, d.defaultValue().text(), values::get);
                    v = r == null ? null : r.word();
                    if (r != null) deps.addAll(r.matched());
                    // FOO=${FOO}… adds to what FOO referred to before
                    if (deps.remove(name) && global.containsKey(name))
                        deps.addAll(global.get(name).deps());
                }
                if (v != null) values.put(name, v);
                global.put(name, new ArgInfo(name, v, deps, i));
            }
        }
        return global;
    }

    /** A stage's ARG: used by the stage, and its own value unless it only re-declares a global ARG. */
    private static void stageArgs(
            Instruction.Arg a,
            Planner.Options opt,
            ShellLex lex,
            Scope scope,
            Map<String, String> globalValues,
            Map<String, ArgInfo> own,
            Set<String> used) {
        for (Instruction.ArgDef d : a.args()) {
            String name = d.name().text();
            boolean given = opt.buildArgs().containsKey(name);
            used.add(name);
            if (!given && !d.hasDefault() && globalValues.containsKey(name)) continue; // the global ARG's, as it is
            String v = given ? opt.buildArgs().get(name) : "";
            if (!given && d.hasDefault()) {
                ShellLex.Result r = process(lex, d.defaultValue().text(), scope.lookup());
                v = r == null ? d.defaultValue().text() : r.word();
            }
            own.put(name, new ArgInfo(name, v, Set.of(), a));
        }
    }

    /** The secret and SSH mounts of an instruction, ids expanded, the first use of each id kept. */
    private static void mountUses(
            Dockerfile df,
            ShellLex lex,
            Scope scope,
            Instruction i,
            Map<String, MountUse> secrets,
            Map<String, MountUse> ssh) {
        for (Flag f : i.flagsNamed("mount")) {
            Mounts.Spec m;
            try {
                m = Mounts.parse(df, f, v -> lex.processWord(v, scope.lookup()));
            } catch (RuntimeException e) {
                m = Mounts.parse(df, f);
            }
            Map<String, MountUse> into =
                    m.type() == Mounts.Type.SECRET ? secrets : m.type() == Mounts.Type.SSH ? ssh : null;
            if (into != null)
                into.putIfAbsent(
                        m.id(), new MountUse(m.id(), m.required(), i.pos().line()));
        }
    }

    /** A word processed with these variables (names seen recorded), or null when it cannot be expanded. */
    private static ShellLex.Result process(ShellLex lex, String word, Function<String, String> vars) {
        try {
            return lex.process(word, vars);
        } catch (ShellLex.ExpansionException e) {
            return null;
        }
    }
}
