package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.Instruction;
import dev.whittle.dockerfile.Parser;
import dev.whittle.dockerfile.Planner;
import dev.whittle.dockerfile.Scope;
import dev.whittle.dockerfile.ShellLex;
import dev.whittle.dockerfile.Stage;
import dev.whittle.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential: the same ARG/ENV/LABEL lines through Docker 20.10's BuildKit and through whittle's frontend must
 * expand to the same labels and environment. (That BuildKit predates the #, % and / modifiers; those are covered
 * by ShellLexTest against BuildKit's own expectations.)
 */
@Tag("docker")
class BuildKitExpansionTest {
    @TempDir
    Path dir;

    static final String DOCKERFILE = """
            ARG G=global
            ARG UNUSED_GLOBAL=x
            FROM scratch
            ARG G
            ARG A=hello
            ARG EMPTY=
            ARG FROMARG
            ENV E=${A:-x}-$G SAME=$E
            ENV LEGACY value with spaces $A
            ENV Q="quoted $A" S='single $A' ESC=a\\ b\\$A
            LABEL t1="${A}" t2="${UNSET:-def}" t3="${A:+alt}" t5="${EMPTY:-colon}" t6='$A' t7="a\\$A" t8=$E t9="$SAME"
            LABEL "quoted key"=v t10=${FROMARG:-unset} t11="${UNUSED_GLOBAL:-not visible}" t12=$LEGACY t13="$Q|$S|$ESC"
            """;

    @Test
    void labelsAndEnvMatchBuildKit() throws IOException {
        DockerDaemon.require();
        Files.writeString(dir.resolve("Dockerfile"), DOCKERFILE);
        for (Map<String, String> args : List.of(Map.<String, String>of(), Map.of("A", "from-cli", "FROMARG", "set"))) {
            List<String> cmd = new java.util.ArrayList<>(List.of(
                    "env", "DOCKER_BUILDKIT=1", DockerDaemon.DOCKER, "build", "-q", "-t", "whittle-it/expansion"));
            args.forEach((k, v) -> cmd.addAll(List.of("--build-arg", k + "=" + v)));
            cmd.add(dir.toString());
            Exec.run(cmd).ok();
            Object labels = Json.parse(
                    DockerDaemon.docker("inspect", "--format", "{{json .Config.Labels}}", "whittle-it/expansion")
                            .ok()
                            .out());
            Object env = Json.parse(
                    DockerDaemon.docker("inspect", "--format", "{{json .Config.Env}}", "whittle-it/expansion")
                            .ok()
                            .out());
            Scope scope = ours(args);
            assertThat(ourLabels(args)).as("labels with " + args).isEqualTo(labels);
            List<String> ourEnv = new java.util.ArrayList<>(
                    List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
            scope.env().forEach((k, v) -> ourEnv.add(k + "=" + v));
            assertThat(ourEnv).as("env with " + args).isEqualTo(env);
        }
        DockerDaemon.docker("rmi", "whittle-it/expansion");
    }

    private Scope ours(Map<String, String> args) {
        Dockerfile df = Parser.parse("Dockerfile", DOCKERFILE);
        Planner.Options opt = new Planner.Options(
                null, args, dev.whittle.image.Platform.LINUX_AMD64, dev.whittle.image.Platform.LINUX_AMD64);
        Map<String, String> global = Planner.globalArgs(df, opt);
        Stage s = Planner.stages(df).getFirst();
        Scope scope = Scope.empty();
        for (Instruction i : s.instructions()) scope = Planner.step(df, new ShellLex('\\'), scope, i, global, args);
        return scope;
    }

    private Map<String, Object> ourLabels(Map<String, String> args) {
        Dockerfile df = Parser.parse("Dockerfile", DOCKERFILE);
        Planner.Options opt = new Planner.Options(
                null, args, dev.whittle.image.Platform.LINUX_AMD64, dev.whittle.image.Platform.LINUX_AMD64);
        Map<String, String> global = Planner.globalArgs(df, opt);
        Scope scope = Scope.empty();
        ShellLex lex = new ShellLex('\\');
        Map<String, Object> labels = new java.util.TreeMap<>();
        for (Instruction i : Planner.stages(df).getFirst().instructions()) {
            if (i instanceof Instruction.Label l) {
                for (Instruction.KeyValue kv : l.pairs()) {
                    labels.put(
                            lex.processWord(kv.key().text(), scope.lookup()),
                            lex.processWord(kv.value().text(), scope.lookup()));
                }
            }
            scope = Planner.step(df, lex, scope, i, global, args);
        }
        return new LinkedHashMap<>(labels);
    }
}
