package dev.whittle.cli;

import dev.whittle.api.BuildCalls;
import dev.whittle.cli.format.TabWriter;
import dev.whittle.dockerfile.Checks;
import dev.whittle.dockerfile.DockerIgnore;
import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.Outline;
import dev.whittle.dockerfile.Planner;
import dev.whittle.json.Json;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The frontend's answers without building, as {@code docker buildx build --call} gives them. */
final class FrontendCalls {
    private FrontendCalls() {}

    static int targets(Dockerfile df, boolean json, PrintStream out) {
        List<Object> list = new ArrayList<>();
        StringBuilder table = new StringBuilder("TARGET\tDESCRIPTION\n");
        for (Outline.Target t : BuildCalls.targets(df)) {
            Map<String, Object> m = new LinkedHashMap<>();
            if (t.name() != null) m.put("name", t.name()); // an unnamed stage has none, as in BuildKit's list
            if (t.isDefault()) m.put("default", true);
            if (!t.description().isEmpty()) m.put("description", t.description());
            m.put("base", t.base());
            m.put("location", Map.of("line", t.line()));
            list.add(m);
            if (t.name() == null && !t.isDefault()) continue;
            String name = t.name() == null ? "(default)" : t.name() + (t.isDefault() ? " (default)" : "");
            table.append(name).append('\t').append(t.description()).append('\n');
        }
        if (json) out.println(Json.writeString(Map.of("targets", list), Json.Style.INDENT));
        else out.print(new TabWriter(1, 1).format(table.toString()));
        return 0;
    }

    /** The outline as BuildKit's client prints it: JSON, or tables of args, secrets and SSH ids. */
    static int outline(Dockerfile df, Planner.Options opt, boolean json, PrintStream out) {
        Outline.Of o = BuildCalls.outline(df, opt);
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", o.target());
            if (!o.description().isEmpty()) m.put("description", o.description());
            List<Object> args = new ArrayList<>();
            for (Outline.Arg a : o.args()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("name", a.name());
                if (a.value() != null) e.put("value", a.value());
                if (!a.description().isEmpty()) e.put("description", a.description());
                e.put("location", Map.of("line", a.line()));
                args.add(e);
            }
            m.put("args", args);
            if (!o.secrets().isEmpty()) m.put("secrets", mountUses(o.secrets()));
            if (!o.ssh().isEmpty()) m.put("ssh", mountUses(o.ssh()));
            out.println(Json.writeString(m, Json.Style.INDENT));
            return 0;
        }
        out.println("TARGET:      " + o.target());
        if (!o.description().isEmpty()) out.println("DESCRIPTION: " + o.description());
        out.println();
        if (!o.args().isEmpty()) {
            StringBuilder t = new StringBuilder("BUILD ARG\tVALUE\tDESCRIPTION\n");
            for (Outline.Arg a : o.args()) {
                t.append(a.name())
                        .append('\t')
                        .append(a.value() == null ? "" : a.value())
                        .append('\t')
                        .append(a.description())
                        .append('\n');
            }
            out.println(new TabWriter(1, 3).format(t.toString()));
        }
        mountTable("SECRET", o.secrets(), out);
        mountTable("SSH", o.ssh(), out);
        return 0;
    }

    private static List<Object> mountUses(List<Outline.MountUse> uses) {
        List<Object> list = new ArrayList<>();
        for (Outline.MountUse u : uses) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", u.id());
            if (u.required()) e.put("required", true);
            e.put("location", Map.of("line", u.line()));
            list.add(e);
        }
        return list;
    }

    private static void mountTable(String heading, List<Outline.MountUse> uses, PrintStream out) {
        if (uses.isEmpty()) return;
        StringBuilder t = new StringBuilder(heading + "\tREQUIRED\n");
        for (Outline.MountUse u : uses)
            t.append(u.id()).append('\t').append(u.required() ? "true" : "").append('\n');
        out.println(new TabWriter(1, 3).format(t.toString()));
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
