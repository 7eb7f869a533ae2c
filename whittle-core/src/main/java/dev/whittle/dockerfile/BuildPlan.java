package dev.whittle.dockerfile;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a build must do: the stages the target needs (others pruned, as BuildKit does), each with its resolved base
 * and its dependencies, in an order where every stage follows what it needs. Stages with no path between them may
 * run at the same time.
 */
public record BuildPlan(
        Dockerfile dockerfile,
        List<Stage> allStages,
        List<PlannedStage> stages,
        int target,
        Map<String, String> globalArgs,
        List<Dockerfile.Warning> warnings) {
    public BuildPlan {
        allStages = List.copyOf(allStages);
        stages = List.copyOf(stages);
        globalArgs = Map.copyOf(globalArgs);
        warnings = List.copyOf(warnings);
    }

    /** Where a stage starts from. */
    public sealed interface Base {
        /** An empty stage; {@code platform} is FROM --platform's (expanded), null for the target's. */
        record Scratch(String platform) implements Base {
            public Scratch() {
                this(null);
            }
        }

        record Image(String reference, String platform) implements Base {}

        record StageRef(int index) implements Base {}
    }

    /** A stage to build: its base, the stages it needs (FROM, COPY --from, RUN --mount from=) and images it copies from. */
    public record PlannedStage(Stage stage, Base base, Set<Integer> dependsOn, Set<String> imagesUsed) {
        public PlannedStage {
            dependsOn = Set.copyOf(dependsOn);
            imagesUsed = Set.copyOf(imagesUsed);
        }
    }

    /** The planned stages by index: one pass, for callers that look up many (planned() scans). */
    public Map<Integer, PlannedStage> byIndex() {
        Map<Integer, PlannedStage> m = new HashMap<>();
        for (PlannedStage p : stages) m.put(p.stage().index(), p);
        return m;
    }

    /** The target and the stages it is built FROM, transitively: the stages whose layers the image has. */
    public Set<Integer> exported() {
        Map<Integer, PlannedStage> byIndex = byIndex();
        Set<Integer> out = new HashSet<>();
        int i = target;
        while (out.add(i) && byIndex.get(i).base() instanceof Base.StageRef r) i = r.index();
        return Set.copyOf(out);
    }

    public PlannedStage planned(int index) {
        for (PlannedStage p : stages) if (p.stage().index() == index) return p;
        throw new IllegalArgumentException("stage " + index + " is not part of this build");
    }

    public PlannedStage targetStage() {
        return planned(target);
    }
}
