package dev.whittle.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.dockerfile.Parser;
import dev.whittle.dockerfile.Planner;
import dev.whittle.image.Platform;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** WL009: the forgotten GOARCH of a cross-compiling stage, found before any build. */
class LintGoarchTest {
    static List<Lint.Finding> lint(String dockerfile) {
        return Lint.run(
                        Parser.parse("Dockerfile", dockerfile),
                        new Planner.Options(null, Map.of(), Platform.LINUX_AMD64, Platform.LINUX_AMD64),
                        ref -> null)
                .stream()
                .filter(f -> f.rule().equals("WL009"))
                .toList();
    }

    static final String TRAP = """
            FROM --platform=$BUILDPLATFORM golang:1.21 AS build
            WORKDIR /src
            COPY . .
            RUN CGO_ENABLED=0 go build -o /app .
            FROM scratch
            COPY --from=build /app /app
            ENTRYPOINT ["/app"]
            """;

    @Test
    void aBuildPlatformStageWithoutGoarchCopiedIntoATargetStage() {
        List<Lint.Finding> found = lint(TRAP);
        assertThat(found).hasSize(1);
        assertThat(found.getFirst().level()).isEqualTo(Lint.Level.ERROR);
        assertThat(found.getFirst().pos().line()).isEqualTo(4);
        assertThat(found.getFirst().message())
                .isEqualTo("stage \"build\" runs on $BUILDPLATFORM and its go build (line 4) sets no GOARCH, so COPY "
                        + "--from=build gives every platform's image the build machine's binary (exec format error on "
                        + "the others); add ARG TARGETARCH to the stage and build with GOARCH=$TARGETARCH");
    }

    @Test
    void goarchFromTargetarchOrEnvOrAStageOnTheTargetPlatformIsFine() {
        assertThat(lint(TRAP.replace("RUN CGO_ENABLED=0 go build", "ARG TARGETARCH\nRUN GOARCH=$TARGETARCH go build")))
                .isEmpty();
        assertThat(lint(TRAP.replace("WORKDIR /src", "ARG TARGETARCH\nENV GOARCH=$TARGETARCH\nWORKDIR /src")))
                .isEmpty();
        // a build stage without --platform runs for each target platform (under emulation): its go build is native
        assertThat(lint(TRAP.replace("FROM --platform=$BUILDPLATFORM golang", "FROM golang")))
                .isEmpty();
    }
}
