package dev.whittle.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.whittle.check.Lint;
import dev.whittle.image.Platform;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Dockerfiles of many lines or many stages: parsing, planning, expansion and the checks take time linear in the size.
 * Each case once took minutes (a copy of every variable per ENV or ARG, a scan of every comment per description) or
 * overflowed the stack (one frame per stage). The timeouts are generous, not timing assertions: a linear run of these
 * sizes takes well under a second, a quadratic one minutes.
 */
class LargeDockerfileTest {
    static final Duration GENEROUS = Duration.ofSeconds(30);
    static final Planner.Options OPTIONS =
            new Planner.Options(null, Map.of(), Platform.LINUX_AMD64, Platform.LINUX_AMD64);

    @Test
    void fortyThousandEnvAndArgLinesPlanExpandAndCheck() {
        StringBuilder b = new StringBuilder("FROM scratch\nENV V0=x\n");
        for (int i = 1; i < 40_000; i++) {
            b.append("# A").append(i).append(" is the ").append(i).append("th argument\n");
            b.append("ARG A").append(i).append("=a\n");
            b.append("ENV V").append(i).append("=${V").append(i - 1).append("}\n");
        }
        Dockerfile df = Parser.parse("Dockerfile", b.toString());
        assertTimeoutPreemptively(GENEROUS, () -> {
            BuildPlan plan = Planner.plan(df, OPTIONS);
            Scope scope = Scope.empty();
            ShellLex lex = new ShellLex(df.escape());
            for (Instruction i : plan.targetStage().stage().instructions())
                scope = Planner.step(df, lex, scope, i, Map.of(), Map.of());
            assertThat(scope.lookup("V39999")).isEqualTo("x");
            assertThat(scope.lookup("A39999")).isEqualTo("a");
            assertThat(Checks.run(df, OPTIONS, ref -> Map.of()).violations()).isEmpty();
            for (Instruction i : df.instructions()) df.commentsAbove(i.pos().line());
        });
    }

    @Test
    void aHundredThousandChainedStagesPlanAndLintWithoutOverflowingTheStack() {
        StringBuilder b = new StringBuilder("FROM scratch AS s0\n");
        for (int i = 1; i < 100_000; i++)
            b.append("FROM s").append(i - 1).append(" AS s").append(i).append('\n');
        Dockerfile df = Parser.parse("Dockerfile", b.toString());
        assertTimeoutPreemptively(GENEROUS, () -> {
            BuildPlan plan = Planner.plan(df, OPTIONS);
            assertThat(plan.stages()).hasSize(100_000);
            assertThat(plan.stages().getFirst().stage().name()).isEqualTo("s0");
            assertThat(Checks.run(df, OPTIONS, ref -> Map.of()).violations()).isEmpty();
            assertThat(Lint.run(df, OPTIONS, ref -> null)).isEmpty();
        });
    }

    /** (A stage names only earlier stages, so the loop back is refused where it starts; in time, as before.) */
    @Test
    void aCycleThroughManyStagesIsStillFound() {
        StringBuilder b = new StringBuilder("FROM scratch AS s0\nCOPY --from=s49999 /a /a\n");
        for (int i = 1; i < 50_000; i++)
            b.append("FROM s").append(i - 1).append(" AS s").append(i).append('\n');
        Dockerfile df = Parser.parse("Dockerfile", b.toString());
        assertTimeoutPreemptively(GENEROUS, () -> {
            try {
                Planner.plan(df, OPTIONS);
                throw new AssertionError("the cycle was not found");
            } catch (DockerfileException e) {
                assertThat(e.reason())
                        .startsWith(
                                "cannot copy from stage \"s49999\", it needs to be defined before current stage \"s0\"");
            }
        });
    }
}
