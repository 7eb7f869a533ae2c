package dev.whittle.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.image.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The project's seed Dockerfiles (examples/) parse and plan as the scenarios describe. */
class SeedScenariosTest {
    static final Path EXAMPLES = locate();

    static Path locate() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("examples/site"))) p = p.getParent();
        return p == null ? Path.of("examples") : p.resolve("examples");
    }

    static BuildPlan plan(String rel) throws IOException {
        Path f = EXAMPLES.resolve(rel);
        Dockerfile df = Parser.parse(f.getFileName().toString(), Files.readString(f));
        return Planner.plan(df, new Planner.Options(null, Map.of(), Platform.LINUX_AMD64, Platform.LINUX_AMD64));
    }

    @Test
    void multiStageScenariosBuildTheBuilderThenTheRuntime() throws IOException {
        for (String f :
                new String[] {"site/Dockerfile.staged", "site/Dockerfile.distroless", "site/Dockerfile.static"}) {
            BuildPlan p = plan(f);
            assertThat(p.stages()).extracting(s -> s.stage().name()).containsExactly("build", "run");
            assertThat(p.planned(1).dependsOn()).containsExactly(0);
        }
        BuildPlan hello = plan("hello/Dockerfile");
        assertThat(hello.stages()).hasSize(2);
        assertThat(hello.planned(0).base()).isEqualTo(new BuildPlan.Base.Image("golang:1.14.4-alpine", null));
        assertThat(hello.planned(1).base()).isEqualTo(new BuildPlan.Base.Image("alpine:latest", null));
    }

    @Test
    void singleStageScenariosHaveOneStage() throws IOException {
        assertThat(plan("site/Dockerfile.single").stages()).hasSize(1);
        assertThat(plan("hello/Dockerfile.single").stages()).hasSize(1);
    }

    @Test
    void distrolessRunStageCopiesTheBinaryFromBuild() throws IOException {
        BuildPlan p = plan("site/Dockerfile.distroless");
        var copies = p.planned(1).stage().instructions().stream()
                .filter(Instruction.Copy.class::isInstance)
                .map(Instruction.Copy.class::cast)
                .toList();
        assertThat(copies).hasSize(2);
        assertThat(copies.get(1).flag("from").orElseThrow().value()).isEqualTo("build");
        assertThat(copies.get(1).dest().text()).isEqualTo("/app/site");
        assertThat(p.planned(1).base()).isEqualTo(new BuildPlan.Base.Image("gcr.io/distroless/static-debian11", null));
    }
}
