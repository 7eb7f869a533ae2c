package dev.whittle.cli;

import dev.whittle.api.BuildCalls;
import dev.whittle.cli.format.TabWriter;
import dev.whittle.dockerfile.BuildPlan;
import dev.whittle.dockerfile.Checks;
import dev.whittle.dockerfile.DockerIgnore;
import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.DockerfileException;
import dev.whittle.dockerfile.Instruction;
import dev.whittle.dockerfile.Mounts;
import dev.whittle.dockerfile.Planner;
import dev.whittle.dockerfile.Scope;
import dev.whittle.dockerfile.ShellLex;
import dev.whittle.dockerfile.Stage;
import dev.whittle.json.Json;
import java.io.PrintStream;
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

/** The frontend's answers without building, as {@code docker buildx build --call} gives them. */
final class FrontendCalls {
    private FrontendCalls() {}

    static int targets(Dockerfile df, Planner.Options opt, boolean json, PrintStream out) {
        List<Stage> stages = Planner.stages(df);
        List<Object> list = new ArrayList<>();
        StringBuilder table = new StringBuilder("TARGET\tDESCRIPTION\n");
        for (Stage s : stages) {
            boolean dflt = s.index() == stages.size() - 1;
            String desc = description(df, s.from(), s.name());
            Map<String, Object> t = new LinkedHashMap<>();
            if (s.name() != null) t.put("name", s.name()); // an unnamed stage has none, as in BuildKit's list
            if (dflt) t.put("default", true);
            if (!desc.isEmpty()) t.put("description", desc);
            t.put("base", s.from().image().text());
            t.put("location", Map.of("line", s.from().pos().line()));
            list.add(t);
            if (s.name() == null && !dflt) continue;
            String name = s.name() == null ? "(default)" : s.name() + (dflt ? " (default)" : "");
            table.append(name).append('\t').append(desc).append('\n');
        }
        if (json) out.println(Json.writeString(Map.of("targets", list), Json.Style.INDENT));
        else out.print(new TabWriter(1, 1).format(table.toString()));
        return 0;
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
    static int outline(Dockerfile df, Planner.Options opt, boolean json, PrintStream out) {
        BuildPlan plan = Planner.plan(df, opt);
        Stage target = plan.targetStage().stage();
        ShellLex lex = new ShellLex(df.escape());
        // the global ARGs as BuildKit's buildMetaArgs reads them
        Map<String, String> values = new LinkedHashMap<>(Planner.automaticArgs(opt));
        Map<String, ArgInfo> global = new LinkedHashMap<>();
        for (Instruction i : df.instructions()) {
            if (i instanceof Instruction.From) break;
            if (!(i instanceof Instruction.Arg a)) continue;
            for (Instruction.ArgDef d : a.args()) {
                String name = d.name().text();
                String v = opt.buildArgs().get(name);
                Set<String> deps = new HashSet<>();
                if (v == null && d.hasDefault()) {
                    ShellLex.Result r = process(lex, d.defaultValue().text(), values);
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
        Map<String, ArgInfo> args = new LinkedHashMap<>();
        Map<String, Map<String, Object>> secrets = new LinkedHashMap<>(), ssh = new LinkedHashMap<>();
        // the target first, as BuildKit walks them: the first stage that defines an ARG or a mount id describes it
        for (BuildPlan.PlannedStage p : plan.stages().reversed()) {
            Stage st = p.stage();
            Map<String, ArgInfo> own = new LinkedHashMap<>(global);
            Set<String> used = new LinkedHashSet<>();
            List<String> fromWords = new ArrayList<>(List.of(st.from().image().text()));
            st.from().flag("platform").ifPresent(f -> fromWords.add(f.value()));
            for (String w : fromWords) {
                ShellLex.Result r = process(lex, w, values);
                if (r != null) used.addAll(r.matched());
            }
            Scope scope = Scope.empty();
            for (Instruction i : st.instructions()) {
                if (i instanceof Instruction.Arg a) {
                    for (Instruction.ArgDef d : a.args()) {
                        String name = d.name().text();
                        boolean given = opt.buildArgs().containsKey(name);
                        used.add(name);
                        if (!given && !d.hasDefault() && values.containsKey(name))
                            continue; // the global ARG's, as it is
                        String v = given ? opt.buildArgs().get(name) : "";
                        if (!given && d.hasDefault()) {
                            ShellLex.Result r = process(lex, d.defaultValue().text(), scope.lookup());
                            v = r == null ? d.defaultValue().text() : r.word();
                        }
                        own.put(name, new ArgInfo(name, v, Set.of(), i));
                    }
                }
                try {
                    scope = Planner.step(df, lex, scope, i, plan.globalArgs(), opt.buildArgs());
                } catch (DockerfileException unknownHere) {
                    // an expansion the base image's environment would settle: the outline goes on
                }
                Scope now = scope;
                for (var f : i.flagsNamed("mount")) {
                    Mounts.Spec m;
                    try {
                        m = Mounts.parse(df, f, v -> lex.processWord(v, now.lookup()));
                    } catch (RuntimeException e) {
                        m = Mounts.parse(df, f);
                    }
                    Map<String, Map<String, Object>> into =
                            m.type() == Mounts.Type.SECRET ? secrets : m.type() == Mounts.Type.SSH ? ssh : null;
                    if (into == null || into.containsKey(m.id())) continue;
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("name", m.id());
                    if (m.required()) e.put("required", true);
                    e.put("location", Map.of("line", i.pos().line()));
                    into.put(m.id(), e);
                }
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
        List<Map<String, Object>> argList = new ArrayList<>();
        for (ArgInfo a : args.values().stream()
                .sorted(Comparator.comparingInt(a -> a.at().pos().line()))
                .toList()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", a.name());
            if (a.value() != null) m.put("value", a.value());
            String desc = description(df, a.at(), a.name());
            if (!desc.isEmpty()) m.put("description", desc);
            m.put("location", Map.of("line", a.at().pos().line()));
            argList.add(m);
        }
        Comparator<Map<String, Object>> byLine =
                Comparator.comparingInt(e -> (Integer) ((Map<?, ?>) e.get("location")).get("line"));
        List<Map<String, Object>> secretList =
                secrets.values().stream().sorted(byLine).toList();
        List<Map<String, Object>> sshList = ssh.values().stream().sorted(byLine).toList();
        String d = description(df, target.from(), target.name());
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("name", target.displayName());
            if (!d.isEmpty()) o.put("description", d);
            o.put("args", argList);
            if (!secretList.isEmpty()) o.put("secrets", secretList);
            if (!sshList.isEmpty()) o.put("ssh", sshList);
            out.println(Json.writeString(o, Json.Style.INDENT));
            return 0;
        }
        out.println("TARGET:      " + target.displayName());
        if (!d.isEmpty()) out.println("DESCRIPTION: " + d);
        out.println();
        if (!argList.isEmpty()) {
            StringBuilder t = new StringBuilder("BUILD ARG\tVALUE\tDESCRIPTION\n");
            for (Map<String, Object> a : argList) {
                t.append(a.get("name"))
                        .append('\t')
                        .append(a.getOrDefault("value", ""))
                        .append('\t')
                        .append(a.getOrDefault("description", ""))
                        .append('\n');
            }
            out.println(new TabWriter(1, 3).format(t.toString()));
        }
        if (!secretList.isEmpty()) {
            StringBuilder t = new StringBuilder("SECRET\tREQUIRED\n");
            for (Map<String, Object> e : secretList)
                t.append(e.get("name"))
                        .append('\t')
                        .append(e.containsKey("required") ? "true" : "")
                        .append('\n');
            out.println(new TabWriter(1, 3).format(t.toString()));
        }
        if (!sshList.isEmpty()) {
            StringBuilder t = new StringBuilder("SSH\tREQUIRED\n");
            for (Map<String, Object> e : sshList)
                t.append(e.get("name"))
                        .append('\t')
                        .append(e.containsKey("required") ? "true" : "")
                        .append('\n');
            out.println(new TabWriter(1, 3).format(t.toString()));
        }
        return 0;
    }

    /** A word processed with these variables (names seen recorded), or null when it cannot be expanded. */
    private static ShellLex.Result process(ShellLex lex, String word, Map<String, String> vars) {
        return process(lex, word, vars::get);
    }

    private static ShellLex.Result process(ShellLex lex, String word, Function<String, String> vars) {
        try {
            return lex.process(word, vars);
        } catch (ShellLex.ExpansionException e) {
            return null;
        }
    }

    /** Runs the build checks; exits 1 if anything is reported, as {@code docker build --check} does. */
    static int check(
            Context ctx, Dockerfile df, DockerIgnore ignore, Planner.Options opt, boolean json, PrintStream out) {
        Checks.Report r = BuildCalls.check(ctx.store(), df, ignore, opt);
        print(df, r, json, out);
        return r.violations().isEmpty() ? 0 : 1;
    }

    /**
     * Before a build: when the check directive (or BUILDKIT_DOCKERFILE_CHECK) says error=true, a violation fails it,
     * as in BuildKit, naming the rules and the first one's line. (Otherwise a build shows no warnings: --call=check does.)
     */
    static void print(Dockerfile df, Checks.Report r, boolean json, PrintStream out) {
        if (json) {
            List<Object> w = new ArrayList<>();
            for (Checks.Violation v : r.violations()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("ruleName", v.rule().name());
                m.put("description", v.rule().description());
                m.put("url", v.rule().url());
                m.put("detail", v.message());
                m.put(
                        "location",
                        Map.of(
                                "file",
                                df.file(),
                                "line",
                                v.pos().line(),
                                "column",
                                v.pos().column()));
                w.add(m);
            }
            out.println(Json.writeString(Map.of("warnings", w), Json.Style.INDENT));
            return;
        }
        int n = r.violations().size();
        if (n == 0) {
            out.println("Check complete, no warnings found.");
            return;
        }
        out.println("Check complete, " + n + " " + (n == 1 ? "warning has" : "warnings have") + " been found!");
        for (Checks.Violation v : r.violations()) {
            out.println();
            out.println((r.errors() ? "ERROR: " : "WARNING: ") + v.rule().name() + " - "
                    + v.rule().url());
            out.println(v.message());
            out.println(df.file() + ":" + v.pos().line());
            out.println("--------------------");
            int line = v.pos().line();
            for (int l = Math.max(1, line - 1); l <= Math.min(df.lines().size(), line + 1); l++) {
                out.printf(
                        "%4d | %s %s%n",
                        l, l == line ? ">>>" : "   ", df.lines().get(l - 1));
            }
            out.println("--------------------");
        }
    }
}
