package dev.whittle.build;

import dev.whittle.dockerfile.BuildPlan;
import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.Flag;
import dev.whittle.dockerfile.Instruction;
import dev.whittle.dockerfile.Mounts;
import dev.whittle.dockerfile.Scope;
import dev.whittle.dockerfile.ShellLex;
import dev.whittle.dockerfile.Word;
import dev.whittle.sandbox.ContainerNetwork;
import dev.whittle.sandbox.ProcessLimits;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds, before any step runs, the errors of every stage to build that need no files: variable expansions
 * ({@code ${VAR:?must be set}}, bad substitutions), flags ({@code --chmod}, {@code --mount}, {@code --network}) and
 * what config instructions refuse. BuildKit reports these while it converts the whole Dockerfile, so a mistake on the
 * last line never costs the minutes of the RUNs above it; whittle executes stage by stage, so it looks first.
 *
 * <p>Expansions see the environment they will see in the build: the base image's (from the store), the stage's own
 * ARG and ENV. A stage whose base is not known yet (an image still to be pulled, or built on such a stage) has its
 * flags checked but not its expansions, which the build then checks as it reaches them.
 */
final class Preflight {
    private final Builder b;
    private final ShellLex lex;

    private Preflight(Builder b) {
        this.b = b;
        this.lex = b.lex;
    }

    static void check(Builder b, BuildPlan plan) {
        new Preflight(b).run(plan);
    }

    private void run(BuildPlan plan) {
        Map<Integer, State> known = new HashMap<>(); // each stage's state as far as config goes; absent: unknown base
        for (BuildPlan.PlannedStage p : plan.stages()) {
            State base = switch (p.base()) {
                case BuildPlan.Base.Scratch s -> b.scratch();
                case BuildPlan.Base.StageRef r -> known.get(r.index());
                case BuildPlan.Base.Image img -> b.storedImageState(img.reference());
            };
            State state = base == null ? null : Builder.withDefaultPath(base); // as the build gives each stage
            ConfigInstructions config = b.configInstructions(b.df);
            ConfigInstructions.Draft draft = null;
            for (Instruction i : p.stage().instructions()) {
                if (ConfigInstructions.handles(i)) {
                    if (state == null) continue; // its expansions need the base's environment
                    if (draft == null) draft = config.draft(state);
                    draft.apply(i);
                    continue;
                }
                if (draft != null) {
                    state = draft.state();
                    draft = null;
                }
                layerStep(b.df, state == null ? null : state.scope(), i);
            }
            if (draft != null) state = draft.state();
            if (state != null) known.put(p.stage().index(), state);
        }
    }

    /** RUN, COPY, ADD and WORKDIR: their flags, and their expansions when the scope is known. */
    private void layerStep(Dockerfile df, Scope scope, Instruction i) {
        List<Word> words = new ArrayList<>();
        switch (i) {
            case Instruction.Run r -> {
                r.flag("network").ifPresent(f -> {
                    try {
                        ContainerNetwork.Mode.parse(f.value());
                    } catch (IllegalArgumentException e) {
                        throw df.error(f.pos(), e.getMessage());
                    }
                });
                // each value expanded as the step will (what cannot be expanded fails now)
                for (Flag f : r.flagsNamed("mount")) {
                    Mounts.Spec m = Mounts.parse(
                            df,
                            f,
                            scope == null
                                    ? null
                                    : v -> expand(df, new Word(v, f.valueWord().pos()), scope));
                    if (m.size() != null && !m.size().contains("$")) {
                        try {
                            ProcessLimits.parseSize(m.size());
                        } catch (IllegalArgumentException e) {
                            throw df.error(f.valueWord().pos(), "invalid value for size: " + m.size());
                        }
                    }
                }
            }
            case Instruction.Copy c -> {
                words.addAll(c.sources());
                words.add(c.dest());
                for (String name : List.of("from", "chown", "exclude"))
                    for (Flag f : c.flagsNamed(name)) words.add(f.valueWord());
                for (Flag f : c.flagsNamed("chmod")) {
                    if (scope != null) CopyStep.checkChmod(df, f, expand(df, f.valueWord(), scope));
                }
            }
            case Instruction.Workdir w -> words.add(w.path());
            default -> {}
        }
        if (scope == null) return;
        for (Word w : words) expand(df, w, scope);
    }

    private String expand(Dockerfile df, Word w, Scope scope) {
        try {
            return lex.processWord(w.text(), scope.lookup());
        } catch (ShellLex.ExpansionException e) {
            throw df.error(w.pos(), e.getMessage());
        }
    }
}
