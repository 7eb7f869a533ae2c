package dev.whittle.api;

import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.Parser;
import dev.whittle.dockerfile.Planner;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** --call targets and outline as buildx answers them: names, defaults, descriptions from comments, args, secrets. */
class BuildCallsTest {
    static final Dockerfile DF = Parser.parse("Dockerfile", """
            # GO_VERSION the Go release to build with
            ARG GO_VERSION=1.22
            # build compiles the service
            FROM golang:${GO_VERSION} AS build
            ARG TARGETOS
            # VERBOSE prints every package
            ARG VERBOSE=0
            ARG HTTP_PROXY
            RUN --mount=type=secret,id=netrc,required=true --mount=type=ssh true
            FROM scratch
            COPY --from=build /out /app
            """);

    @Test
    void targetsListEveryStageWithItsDescription() {
        assertThat(BuildCalls.targets(DF)).containsExactly(
                new BuildCalls.Target("build", false, true, "compiles the service", "golang:${GO_VERSION}", 4),
                new BuildCalls.Target("1", true, false, "", "scratch", 10));
    }

    @Test
    void theOutlineNamesArgsSecretsAndSshTheTargetNeeds() {
        BuildCalls.Outline o = BuildCalls.outline(DF, Planner.Options.defaults());
        assertThat(o.target()).isEqualTo("1"); // an unnamed stage by its index, as buildx shows it
        assertThat(o.args()).extracting(BuildCalls.Input::name).containsExactly("GO_VERSION", "TARGETOS", "VERBOSE"); // no proxy args
        assertThat(o.args().getFirst()).isEqualTo(new BuildCalls.Input("GO_VERSION", "1.22", "the Go release to build with", false, 2));
        assertThat(o.args().get(2).description()).isEqualTo("prints every package");
        assertThat(o.secrets()).containsExactly(new BuildCalls.Input("netrc", null, "", true, 9));
        assertThat(o.ssh()).extracting(BuildCalls.Input::name).containsExactly("default");
    }
}
