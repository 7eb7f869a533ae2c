package dev.whittle.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChecksTest {
    static List<String> run(String text) {
        return run(text, ref -> Map.of("PATH", "/bin"));
    }

    static List<String> run(String text, java.util.function.Function<String, Map<String, String>> env) {
        Checks.Report r = Checks.run(Parser.parse("Dockerfile", text), Planner.Options.defaults(), env);
        return r.violations().stream()
                .map(v -> v.rule().name() + "@" + v.pos().line() + ": " + v.message())
                .toList();
    }

    @Test
    void theSeedScenariosTrapFromAsCasing() {
        assertThat(run("FROM golang:alpine as build\nFROM alpine:latest AS run\nCMD [\"/app/site\"]\n"))
                .containsExactly("FromAsCasing@1: 'as' and 'FROM' keywords' casing do not match");
    }

    @Test
    void eachRuleFires() {
        String df = """
                ARG BASE
                FROM ${BASE} AS Build
                MAINTAINER me
                ENV PASSWORD=hunter2
                ENV OLD style
                WORKDIR rel
                CMD echo one
                CMD echo two
                copy a b
                COPY $UNDEFINED /x
                ENV PATH=$PAHT:/app/bin
                EXPOSE 80/TCP 127.0.0.1:80:80
                FROM --platform=linux/amd64 alpine AS build2
                FROM --platform=$TARGETPLATFORM alpine AS x
                FROM alpine AS scratch
                """;
        List<String> v = run(df);
        assertThat(v)
                .anyMatch(s -> s.startsWith("StageNameCasing@2: Stage name 'Build' should be lowercase"))
                .anyMatch(s -> s.startsWith("InvalidDefaultArgInFrom@2"))
                .anyMatch(s -> s.startsWith("MaintainerDeprecated@3"))
                .anyMatch(
                        s -> s.equals(
                                "SecretsUsedInArgOrEnv@4: Do not use ARG or ENV instructions for sensitive data (ENV \"PASSWORD\")"))
                .anyMatch(s -> s.startsWith("LegacyKeyValueFormat@5"))
                .anyMatch(
                        s -> s.equals(
                                "WorkdirRelativePath@6: Relative workdir \"rel\" can have unexpected results if the base image changes"))
                .anyMatch(s -> s.startsWith("JSONArgsRecommended@7: JSON arguments recommended for CMD"))
                .anyMatch(s -> s.startsWith("MultipleInstructionsDisallowed@7"))
                .anyMatch(
                        s -> s.equals(
                                "ConsistentInstructionCasing@9: Command 'copy' should match the case of the command majority (uppercase)"))
                .anyMatch(s -> s.equals("UndefinedVar@10: Usage of undefined variable '$UNDEFINED'"))
                .anyMatch(s -> s.equals("UndefinedVar@11: Usage of undefined variable '$PAHT' (did you mean $PATH?)"))
                .anyMatch(s -> s.startsWith("ExposeProtoCasing@12"))
                .anyMatch(s -> s.startsWith("ExposeInvalidFormat@12"))
                .anyMatch(s -> s.startsWith("FromPlatformFlagConstDisallowed@13"))
                .anyMatch(s -> s.startsWith("RedundantTargetPlatform@14"))
                .anyMatch(s -> s.startsWith("ReservedStageName@15"));
    }

    @Test
    void undefinedArgInFromSuggests() {
        // "alpine:" is no image name either (BuildKit's validateBaseImagesWithDefaultArgs reports that too)
        assertThat(run("ARG VERSION=1\nFROM alpine:$VERSON\n"))
                .containsExactly(
                        "UndefinedArgInFrom@2: FROM argument 'VERSON' is not declared (did you mean VERSION?)",
                        "InvalidDefaultArgInFrom@2: Default value for ARG alpine:$VERSON results in empty or invalid base image name");
        assertThat(run("ARG VERSION=1\nFROM alpine$VERSON\n"))
                .containsExactly(
                        "UndefinedArgInFrom@2: FROM argument 'VERSON' is not declared (did you mean VERSION?)");
    }

    @Test
    void undefinedVarStaysQuietWhenTheBaseImageIsUnknown() {
        assertThat(run("FROM unknown-image\nENV X=$FROM_BASE\n", ref -> null)).isEmpty();
        assertThat(run("FROM base\nENV X=$FROM_BASE\n", ref -> Map.of("FROM_BASE", "1")))
                .isEmpty();
    }

    @Test
    void checkDirectiveSkipsAndEscalates() {
        Checks.Report r = Checks.run(
                Parser.parse(
                        "Dockerfile",
                        "# check=skip=JSONArgsRecommended;error=true\nFROM x AS a\nCMD x\nMAINTAINER y\n"),
                Planner.Options.defaults(),
                ref -> Map.of());
        assertThat(r.errors()).isTrue();
        assertThat(r.violations()).extracting(v -> v.rule().name()).containsExactly("MaintainerDeprecated");
    }

    @Test
    void anUndefinedVariableWithAHugeNameIsReportedWithoutAQuadraticSuggestionSearch() {
        // a did-you-mean search once compared the names with a (length x length) matrix: 60 000 x 60 000 ints is 14 GB
        String name = "A".repeat(60_000);
        List<String> v = run("FROM scratch\nENV " + name + "X=1\nENV B=$" + name + "Y\n");
        assertThat(v).hasSize(1);
        assertThat(v.getFirst())
                .startsWith("UndefinedVar@3: Usage of undefined variable '$AAAA")
                .doesNotContain("did you mean");
    }
}
