package dev.whittle.cli;

import dev.whittle.build.BaseImages;
import dev.whittle.cli.format.TabWriter;
import dev.whittle.dockerfile.BuildPlan;
import dev.whittle.dockerfile.Checks;
import dev.whittle.dockerfile.DockerIgnore;
import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.Instruction;
import dev.whittle.dockerfile.Mounts;
import dev.whittle.dockerfile.Planner;
import dev.whittle.dockerfile.Stage;
import dev.whittle.image.ImageConfig;
import dev.whittle.json.Json;
import dev.whittle.store.Images;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The frontend's answers without building, as {@code docker buildx build --call} gives them. */
final class FrontendCalls {
    private FrontendCalls() {}

    static int targets(Dockerfile df, Planner.Options opt, boolean json, PrintStream out) {
        List<Stage> stages = Planner.stages(df);
        List<Object> list = new ArrayList<>();
        StringBuilder table = new StringBuilder("TARGET\tDESCRIPTION\n");
        for (Stage s : stages) {
            boolean dflt = s.index() == stages.size() - 1;
            String desc = description(df, s.from().pos().line(), s.name());
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("name", s.name() == null ? String.valueOf(s.index()) : s.name());
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

    /** A definition's description: the comment block right above it, when it starts with the definition's name. */
    static String description(Dockerfile df, int line, String name) {
        List<String> above = df.commentsAbove(line);
        if (above.isEmpty() || name == null) return "";
        String first = above.getFirst();
        if (!first.startsWith(name + " ") && !first.equals(name)) return "";
        StringBuilder sb = new StringBuilder(first.substring(name.length()).trim());
        for (String more : above.subList(1, above.size())) sb.append(' ').append(more);
        return sb.toString().trim();
    }

    static int outline(Dockerfile df, Planner.Options opt, boolean json, PrintStream out) {
        BuildPlan plan = Planner.plan(df, opt);
        Stage target = plan.targetStage().stage();
        Map<String, Map<String, Object>> args = new LinkedHashMap<>();
        for (Instruction i : df.instructions()) {
            if (i instanceof Instruction.From) break;
            if (i instanceof Instruction.Arg a) for (Instruction.ArgDef d : a.args()) addArg(df, args, d, i);
        }
        List<Map<String, Object>> secrets = new ArrayList<>();
        List<Map<String, Object>> ssh = new ArrayList<>();
        for (BuildPlan.PlannedStage p : plan.stages()) {
            for (Instruction i : p.stage().instructions()) {
                if (i instanceof Instruction.Arg a) for (Instruction.ArgDef d : a.args()) addArg(df, args, d, i);
                for (var f : i.flagsNamed("mount")) {
                    Mounts.Spec m = Mounts.parse(df, f);
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("name", m.id());
                    if (m.required()) e.put("required", true);
                    e.put("location", Map.of("line", i.pos().line()));
                    if (m.type() == Mounts.Type.SECRET) secrets.add(e);
                    if (m.type() == Mounts.Type.SSH) ssh.add(e);
                }
            }
        }
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("name", target.displayName());
            String d = description(df, target.from().pos().line(), target.name());
            if (!d.isEmpty()) o.put("description", d);
            o.put("args", new ArrayList<>(args.values()));
            if (!secrets.isEmpty()) o.put("secrets", secrets);
            if (!ssh.isEmpty()) o.put("ssh", ssh);
            out.println(Json.writeString(o, Json.Style.INDENT));
            return 0;
        }
        out.println("TARGET:      " + target.displayName());
        String d = description(df, target.from().pos().line(), target.name());
        if (!d.isEmpty()) out.println("DESCRIPTION: " + d);
        out.println();
        if (!args.isEmpty()) {
            StringBuilder t = new StringBuilder("BUILD ARG\tVALUE\tDESCRIPTION\n");
            for (Map<String, Object> a : args.values()) {
                t.append(a.get("name")).append('\t').append(a.getOrDefault("value", "")).append('\t').append(a.getOrDefault("description", "")).append('\n');
            }
            out.println(new TabWriter(1, 3).format(t.toString()));
        }
        if (!secrets.isEmpty()) {
            StringBuilder t = new StringBuilder("SECRET\tREQUIRED\n");
            for (Map<String, Object> s : secrets) t.append(s.get("name")).append('\t').append(s.containsKey("required") ? "true" : "").append('\n');
            out.println(new TabWriter(1, 3).format(t.toString()));
        }
        if (!ssh.isEmpty()) {
            StringBuilder t = new StringBuilder("SSH\tREQUIRED\n");
            for (Map<String, Object> s : ssh) t.append(s.get("name")).append('\t').append(s.containsKey("required") ? "true" : "").append('\n');
            out.println(new TabWriter(1, 3).format(t.toString()));
        }
        return 0;
    }

    private static void addArg(Dockerfile df, Map<String, Map<String, Object>> args, Instruction.ArgDef d, Instruction at) {
        String name = d.name().text();
        if (Planner.PROXY_ARGS.contains(name)) return;
        Map<String, Object> a = args.computeIfAbsent(name, k -> new LinkedHashMap<>());
        a.put("name", name);
        if (d.hasDefault() && !a.containsKey("value")) a.put("value", d.defaultValue().text());
        String desc = description(df, at.pos().line(), name);
        if (!desc.isEmpty()) a.put("description", desc);
        a.putIfAbsent("location", Map.of("line", at.pos().line()));
    }

    /** Runs the build checks; exits 1 if anything is reported, as {@code docker build --check} does. */
    static int check(Context ctx, Dockerfile df, DockerIgnore ignore, Planner.Options opt, boolean json, PrintStream out) {
        Checks.Report r = report(ctx, df, ignore, opt);
        print(df, r, json, out);
        return r.violations().isEmpty() ? 0 : 1;
    }

    /**
     * Before a build: when the check directive (or BUILDKIT_DOCKERFILE_CHECK) says error=true, a violation fails it,
     * as in BuildKit, naming the rules and the first one's line. (Otherwise a build shows no warnings: --call=check does.)
     */
    static void failOnViolations(Context ctx, Dockerfile df, DockerIgnore ignore, Planner.Options opt) {
        String arg = opt.buildArgs().get("BUILDKIT_DOCKERFILE_CHECK");
        String directive = arg != null ? arg : df.directives().get("check");
        if (directive == null || !directive.contains("error")) return; // the checks' cost only where they can fail the build
        Checks.Report r = report(ctx, df, ignore, opt);
        if (!r.errors() || r.violations().isEmpty()) return;
        java.util.LinkedHashSet<String> rules = new java.util.LinkedHashSet<>();
        for (Checks.Violation v : r.violations()) rules.add(v.rule().name());
        throw new UserError(df.file() + ":" + r.violations().getFirst().pos().line() + ": lint violation found for rules: "
                + String.join(", ", rules) + " (whittle build --call=check shows them)");
    }

    private static Checks.Report report(Context ctx, Dockerfile df, DockerIgnore ignore, Planner.Options opt) {
        Images images = new Images(ctx.store());
        return Checks.run(df, opt, ref -> {
            Optional<dev.whittle.store.StoredImage> img = BaseImages.find(images, ref);
            if (img.isEmpty()) return null;
            Map<String, String> env = new LinkedHashMap<>();
            ImageConfig c = img.get().config();
            for (String e : c.env()) {
                int eq = e.indexOf('=');
                if (eq > 0) env.put(e.substring(0, eq), e.substring(eq + 1));
            }
            return env;
        }, ignore);
    }

    static void print(Dockerfile df, Checks.Report r, boolean json, PrintStream out) {
        if (json) {
            List<Object> w = new ArrayList<>();
            for (Checks.Violation v : r.violations()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("ruleName", v.rule().name());
                m.put("description", v.rule().description());
                m.put("url", v.rule().url());
                m.put("detail", v.message());
                m.put("location", Map.of("file", df.file(), "line", v.pos().line(), "column", v.pos().column()));
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
            out.println((r.errors() ? "ERROR: " : "WARNING: ") + v.rule().name() + " - " + v.rule().url());
            out.println(v.message());
            out.println(df.file() + ":" + v.pos().line());
            out.println("--------------------");
            int line = v.pos().line();
            for (int l = Math.max(1, line - 1); l <= Math.min(df.lines().size(), line + 1); l++) {
                out.printf("%4d | %s %s%n", l, l == line ? ">>>" : "   ", df.lines().get(l - 1));
            }
            out.println("--------------------");
        }
    }
}
