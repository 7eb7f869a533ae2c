package dev.whittle.api;

import dev.whittle.build.BaseImages;
import dev.whittle.dockerfile.BuildPlan;
import dev.whittle.dockerfile.Checks;
import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.Instruction;
import dev.whittle.dockerfile.Mounts;
import dev.whittle.dockerfile.Planner;
import dev.whittle.dockerfile.Stage;
import dev.whittle.store.Images;
import dev.whittle.store.Store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The frontend's answers without a build, as {@code docker buildx build --call targets|outline|check} gives them; the
 * command line prints them as buildx does.
 */
public final class BuildCalls {
    private BuildCalls() {}

    /** A stage one can build: its name (or index), whether it is the default, its description, base and line. */
    public record Target(String name, boolean isDefault, boolean named, String description, String base, int line) {}

    /** A build arg, secret or ssh id the build uses: its name, default (args), description, whether required, line. */
    public record Input(String name, String value, String description, boolean required, int line) {}

    /** What building the target needs from its caller. */
    public record Outline(String target, String description, List<Input> args, List<Input> secrets, List<Input> ssh) {}

    public static List<Target> targets(Dockerfile df) {
        List<Stage> stages = Planner.stages(df);
        List<Target> out = new ArrayList<>();
        for (Stage s : stages) {
            out.add(new Target(s.name() == null ? String.valueOf(s.index()) : s.name(), s.index() == stages.size() - 1, s.name() != null,
                    description(df, s.from().pos().line(), s.name()), s.from().image().text(), s.from().pos().line()));
        }
        return out;
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

    public static Outline outline(Dockerfile df, Planner.Options opt) {
        BuildPlan plan = Planner.plan(df, opt);
        Stage target = plan.targetStage().stage();
        Map<String, Input> args = new LinkedHashMap<>();
        for (Instruction i : df.instructions()) {
            if (i instanceof Instruction.From) break;
            if (i instanceof Instruction.Arg a) for (Instruction.ArgDef d : a.args()) addArg(df, args, d, i);
        }
        List<Input> secrets = new ArrayList<>(), ssh = new ArrayList<>();
        for (BuildPlan.PlannedStage p : plan.stages()) {
            for (Instruction i : p.stage().instructions()) {
                if (i instanceof Instruction.Arg a) for (Instruction.ArgDef d : a.args()) addArg(df, args, d, i);
                for (var f : i.flagsNamed("mount")) {
                    Mounts.Spec m = Mounts.parse(df, f);
                    Input in = new Input(m.id(), null, "", m.required(), i.pos().line());
                    if (m.type() == Mounts.Type.SECRET) secrets.add(in);
                    if (m.type() == Mounts.Type.SSH) ssh.add(in);
                }
            }
        }
        return new Outline(target.displayName(), description(df, target.from().pos().line(), target.name()),
                List.copyOf(args.values()), secrets, ssh);
    }

    /** The first declaration of an arg gives its line; a later one with a default or description adds them. */
    private static void addArg(Dockerfile df, Map<String, Input> args, Instruction.ArgDef d, Instruction at) {
        String name = d.name().text();
        if (Planner.PROXY_ARGS.contains(name)) return;
        Input had = args.get(name);
        String value = had != null && had.value() != null ? had.value() : d.hasDefault() ? d.defaultValue().text() : null;
        String desc = description(df, at.pos().line(), name);
        if (desc.isEmpty() && had != null) desc = had.description();
        args.put(name, new Input(name, value, desc, false, had != null ? had.line() : at.pos().line()));
    }

    /** BuildKit's build checks, with what the store knows of the base images (their Env). */
    public static Checks.Report check(Store store, Dockerfile df, Planner.Options opt) {
        Images images = new Images(store);
        return Checks.run(df, opt, ref -> BaseImages.find(images, ref).map(img -> img.config().envMap()).orElse(null));
    }
}
