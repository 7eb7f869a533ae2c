package dev.whittle.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whittle.image.Platform;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlannerTest {
    static BuildPlan plan(String text, String target, Map<String, String> args) {
        return Planner.plan(
                Parser.parse("Dockerfile", text),
                new Planner.Options(target, args, Platform.LINUX_AMD64, Platform.LINUX_AMD64));
    }

    static List<String> order(BuildPlan p) {
        return p.stages().stream().map(s -> s.stage().displayName()).toList();
    }

    @Test
    void onlyWhatTheTargetNeedsIsBuilt() {
        String df = """
                FROM alpine AS broken
                RUN exit 1
                FROM golang AS build
                RUN go build
                FROM scratch AS assets
                FROM alpine AS run
                COPY --from=build /app /app
                FROM build AS test
                """;
        assertThat(order(plan(df, null, Map.of()))).containsExactly("build", "test");
        assertThat(order(plan(df, "run", Map.of()))).containsExactly("build", "run");
        BuildPlan p = plan(df, "run", Map.of());
        assertThat(p.planned(3).dependsOn()).containsExactly(1);
        assertThat(p.planned(3).base()).isEqualTo(new BuildPlan.Base.Image("alpine", null));
        assertThat(plan(df, null, Map.of()).planned(4).base()).isEqualTo(new BuildPlan.Base.StageRef(1));
    }

    @Test
    void globalArgsOnlyInFromAndBuildArgsOverride() {
        String df = """
                ARG GO_VERSION=1.19
                ARG BASE=golang:${GO_VERSION}-alpine
                FROM ${BASE} AS build
                FROM alpine:${TARGETARCH}
                """;
        BuildPlan p = plan(df, "build", Map.of());
        assertThat(p.planned(0).base()).isEqualTo(new BuildPlan.Base.Image("golang:1.19-alpine", null));
        assertThat(plan(df, "build", Map.of("GO_VERSION", "1.21")).planned(0).base())
                .isEqualTo(new BuildPlan.Base.Image("golang:1.21-alpine", null));
        assertThat(plan(df, null, Map.of()).planned(1).base())
                .isEqualTo(new BuildPlan.Base.Image("alpine:amd64", null));
    }

    @Test
    void argAndEnvScoping() {
        Dockerfile df = Parser.parse("Dockerfile", """
                ARG G=global
                FROM x
                ARG G
                ARG L=local-$G
                ENV E=${L}-env L=overridden
                ENV AFTER=$L
                """);
        Planner.Options opt = new Planner.Options(null, Map.of(), Platform.LINUX_AMD64, Platform.LINUX_AMD64);
        Map<String, String> global = Planner.globalArgs(df, opt);
        ShellLex lex = new ShellLex('\\');
        Scope s = Scope.empty();
        for (Instruction i : Planner.stages(df).getFirst().instructions())
            s = Planner.step(df, lex, s, i, global, Map.of());
        assertThat(s.lookup("G")).isEqualTo("global");
        assertThat(s.lookup("E")).isEqualTo("local-global-env");
        // ENV sees values from before the instruction, and ENV wins over ARG afterwards
        assertThat(s.lookup("L")).isEqualTo("overridden");
        assertThat(s.lookup("AFTER")).isEqualTo("overridden");
        assertThat(s.args()).containsEntry("G", "global");
        assertThat(s.env()).containsEntry("L", "overridden");
    }

    @Test
    void aGlobalArgIsNotVisibleInAStageUntilRedeclared() {
        Dockerfile df = Parser.parse("Dockerfile", "ARG V=1\nFROM x\nENV A=${V:-unset}\n");
        Planner.Options opt = Planner.Options.defaults();
        Scope s = Scope.empty();
        for (Instruction i : Planner.stages(df).getFirst().instructions()) {
            s = Planner.step(df, new ShellLex('\\'), s, i, Planner.globalArgs(df, opt), Map.of());
        }
        assertThat(s.lookup("A")).isEqualTo("unset");
    }

    @Test
    void referencesByNameOrIndexAndImages() {
        String df = """
                FROM golang AS build
                FROM alpine
                COPY --from=0 /a /a
                COPY --from=BUILD /b /b
                COPY --from=nginx:latest /c /c
                RUN --mount=type=bind,from=build,target=/src true
                """;
        BuildPlan p = plan(df, null, Map.of());
        assertThat(p.planned(1).dependsOn()).containsExactly(0);
        assertThat(p.planned(1).imagesUsed()).containsExactlyInAnyOrder("alpine", "nginx:latest");
    }

    @Test
    void cyclesUnknownTargetsAndBadNamesAreErrors() {
        // a stage names only earlier stages (BuildKit's rule), so two cannot name each other
        assertThatThrownBy(
                        () -> plan("FROM x AS a\nCOPY --from=b / /\nFROM y AS b\nCOPY --from=a / /\n", null, Map.of()))
                .hasMessageContaining(
                        "cannot copy from stage \"b\", it needs to be defined before current stage \"a\"");
        assertThatThrownBy(() -> plan("FROM x AS a\nRUN --mount=from=b,target=/b true\nFROM y AS b\n", null, Map.of()))
                .hasMessageContaining(
                        "cannot mount from stage \"b\" to \"/b\", stage needs to be defined before current command");
        assertThatThrownBy(() -> plan("FROM x AS a\nCOPY --from=a / /\n", null, Map.of()))
                .hasMessageContaining("circular dependency detected on stage: a");
        assertThatThrownBy(() -> plan("FROM x AS build\nFROM y AS run\n", "buidl", Map.of()))
                .hasMessageContaining(
                        "target stage \"buidl\" could not be found (did you mean build?); stages are: build, run");
        assertThatThrownBy(() -> plan("FROM x AS 1st\n", null, Map.of()))
                .hasMessageContaining("invalid name for build stage");
        assertThatThrownBy(() -> plan("FROM x AS scratch\n", null, Map.of())).hasMessageContaining("reserved");
        assertThatThrownBy(() -> plan("FROM x AS a\nFROM y AS A\n", null, Map.of()))
                .hasMessageContaining("duplicate stage name \"a\"");
        assertThatThrownBy(() -> plan("RUN x\nFROM y\n", null, Map.of()))
                .hasMessageContaining("no build stage in current context");
        assertThatThrownBy(() -> plan("FROM x\nCOPY --from=7 / /\n", null, Map.of()))
                .hasMessageContaining("stage index out of bounds");
    }

    @Test
    void stageNamesAreLowerCased() {
        BuildPlan p = plan("FROM x AS Build\nFROM build\n", null, Map.of());
        assertThat(p.allStages().getFirst().name()).isEqualTo("build");
        assertThat(p.planned(1).base()).isEqualTo(new BuildPlan.Base.StageRef(0));
    }

    @Test
    void unusedBuildArgsAreReported() {
        BuildPlan p = plan("ARG USED\nFROM x\nARG ALSO\n", null, Map.of());
        assertThat(Planner.unusedBuildArgs(p, Map.of("USED", "1", "ALSO", "2", "NOPE", "3", "HTTP_PROXY", "x")))
                .containsExactly("NOPE");
    }

    @Test
    void aFromPlatformContainerdCannotParseIsRefusedWithBuildKitsMessage() {
        assertThatThrownBy(() -> plan("FROM --platform=bogus/os/x/y scratch\n", null, Map.of()))
                .isInstanceOf(DockerfileException.class)
                .hasMessageStartingWith(
                        "Dockerfile:1:17: failed to parse platform bogus/os/x/y: \"bogus/os/x/y\": cannot parse platform specifier: invalid argument");
        assertThatThrownBy(() -> plan("ARG P=linux/am^d64\nFROM --platform=$P alpine\n", null, Map.of()))
                .hasMessageContaining(
                        "failed to parse platform $P: \"am^d64\" is an invalid component of \"linux/am^d64\"");
        assertThatThrownBy(() -> plan("FROM --platform=nonsense alpine\n", null, Map.of()))
                .hasMessageContaining(
                        "failed to parse platform nonsense: \"nonsense\": unknown operating system or architecture: invalid argument");
        assertThat(plan(
                                "FROM --platform=linux/arm64/v8 alpine\nFROM --platform=$BUILDPLATFORM scratch\nFROM --platform=arm64 x\n",
                                null,
                                Map.of())
                        .allStages())
                .hasSize(3);
    }

    @Test
    void automaticPlatformArgsFollowTheTargetPlatformAsBuildKitDefinesThem() {
        Planner.Options arm = new Planner.Options(null, Map.of(), Platform.LINUX_AMD64, Platform.parse("linux/arm/v7"));
        assertThat(Planner.automaticArgs(arm))
                .containsEntry("TARGETPLATFORM", "linux/arm/v7")
                .containsEntry("TARGETOS", "linux")
                .containsEntry("TARGETARCH", "arm")
                .containsEntry("TARGETVARIANT", "v7")
                .containsEntry("BUILDPLATFORM", "linux/amd64")
                .containsEntry("BUILDOS", "linux")
                .containsEntry("BUILDARCH", "amd64")
                .containsEntry("BUILDVARIANT", "");
        // arm64's v8 is its default variant: BuildKit formats the normalised platform, so no variant is shown
        Planner.Options arm64 =
                new Planner.Options(null, Map.of(), Platform.LINUX_AMD64, Platform.parse("linux/arm64/v8"));
        assertThat(Planner.automaticArgs(arm64))
                .containsEntry("TARGETPLATFORM", "linux/arm64")
                .containsEntry("TARGETVARIANT", "");
        // a tool stage runs on the build platform, the runtime stage on the target's
        BuildPlan p = Planner.plan(
                Parser.parse(
                        "Dockerfile",
                        "FROM --platform=$BUILDPLATFORM golang AS build\nFROM --platform=$TARGETPLATFORM alpine\nCOPY --from=build /app /app\n"),
                arm64);
        assertThat(p.planned(0).base()).isEqualTo(new BuildPlan.Base.Image("golang", "linux/amd64"));
        assertThat(p.planned(1).base()).isEqualTo(new BuildPlan.Base.Image("alpine", "linux/arm64"));
    }
}
