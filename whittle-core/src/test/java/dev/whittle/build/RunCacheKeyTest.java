package dev.whittle.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.dockerfile.Instruction;
import dev.whittle.dockerfile.Parser;
import dev.whittle.dockerfile.Scope;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageConfig;
import dev.whittle.image.Platform;
import dev.whittle.sandbox.ContainerNetwork;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A RUN's arguments and cache key, without a container: what decides whether a rebuild runs the command again. */
class RunCacheKeyTest {
    static final State STAGE = new State(
            ImageConfig.builder(Platform.parse("linux/amd64"))
                    .configField("Env", List.of(Builder.DEFAULT_PATH))
                    .build(),
            List.of(),
            Scope.empty(),
            CacheKeys.of(null, "scratch"),
            "1970-01-01T00:00:00Z",
            false,
            List.of());

    private static Instruction.Run run(String line) {
        return (Instruction.Run) Parser.parse("Dockerfile", "FROM scratch\n" + line + "\n")
                .instructions()
                .get(1);
    }

    private static Digest key(State s, String line, ContainerNetwork.Mode network, String hostname) {
        RunCommand cmd = RunCommand.of(s, run(line));
        return RunCacheKey.of(s, cmd, RunEnvironment.of(s), network, RunSettings.DEFAULT, hostname, List.of());
    }

    private static Digest key(String line) {
        return key(STAGE, line, ContainerNetwork.Mode.DEFAULT, RunStep.HOSTNAME);
    }

    @Test
    void shellFormRunsThroughTheShellAndExecFormAsWritten() {
        assertThat(RunCommand.of(STAGE, run("RUN echo hi")).args()).containsExactly("/bin/sh", "-c", "echo hi");
        assertThat(RunCommand.of(STAGE, run("RUN [\"echo\", \"hi\"]")).args()).containsExactly("echo", "hi");
    }

    @Test
    void aHeredocWithAShebangIsAScriptFileAndItsTextIsInTheKey() {
        String one = "RUN <<EOF\n#!/bin/sh\necho one\nEOF";
        RunCommand cmd = RunCommand.of(STAGE, run(one));

        assertThat(cmd.args()).containsExactly("/bin/sh", "-c", "/dev/pipes/EOF");
        assertThat(cmd.script()).isNotNull();
        assertThat(key(one)).isNotEqualTo(key("RUN <<EOF\n#!/bin/sh\necho two\nEOF"));
    }

    @Test
    void theKeyChangesWithTheCommandTheEnvironmentTheNetworkAndTheHostnameOnly() {
        Digest plain = key("RUN make");

        assertThat(key("RUN make")).isEqualTo(plain);
        assertThat(key("RUN make install")).isNotEqualTo(plain);
        assertThat(key(STAGE, "RUN make", ContainerNetwork.Mode.NONE, RunStep.HOSTNAME))
                .isNotEqualTo(plain);
        assertThat(key(STAGE, "RUN make", ContainerNetwork.Mode.DEFAULT, "other"))
                .isNotEqualTo(plain);
        State withEnv = STAGE.withConfig(
                STAGE.config().toBuilder().setEnv("CC", "clang").build());
        assertThat(key(withEnv, "RUN make", ContainerNetwork.Mode.DEFAULT, RunStep.HOSTNAME))
                .isNotEqualTo(plain);
    }

    @Test
    void proxiesReachTheProcessButNotTheKey() {
        List<String> env = RunEnvironment.of(STAGE);
        List<String> runtime = RunEnvironment.withProxies(STAGE, env, Map.of("HTTP_PROXY", "http://proxy:3128"));

        assertThat(runtime).contains("HTTP_PROXY=http://proxy:3128", "http_proxy=http://proxy:3128");
        assertThat(env).noneMatch(e -> e.contains("proxy"));
    }
}
