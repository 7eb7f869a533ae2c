package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BuildKit's build-check, outline and targets tests (moby/buildkit frontend/dockerfile dockerfile_check_test.go,
 * dockerfile_outline_test.go, dockerfile_targets_test.go), ported to {@code whittle build --call=check|outline|targets
 * --format=json}: the rules whittle implements under BuildKit's names must report what upstream's lint subrequest
 * reports (rule, detail, line; rules' descriptions and URLs once each), and a build must fail on them as upstream's
 * does when the check directive says error=true. No Docker: these are the frontend's answers alone. Each test names
 * the upstream function it ports.
 */
class BuildKitPortedCheckTest {
    @TempDir
    static Path dir;

    static Whittle whittle;
    static int seq;

    /** The base images the upstream cases name (busybox, alpine), as images in the store: their Env is PATH. */
    @BeforeAll
    static void bases() throws IOException {
        whittle = new Whittle(dir.resolve("store"));
        Path tar = RootFs.busybox(dir);
        for (String name : List.of("busybox:latest", "alpine:latest")) {
            whittle.run(
                            "import",
                            "-c",
                            "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                            tar.toString(),
                            name)
                    .ok();
        }
    }

    /** A context with this Dockerfile (and .dockerignore, when not null). */
    static Path context(String dockerfile, String dockerignore) throws IOException {
        Path c = Files.createDirectories(dir.resolve("ctx" + (++seq)));
        Files.writeString(c.resolve("Dockerfile"), dockerfile);
        if (dockerignore != null) Files.writeString(c.resolve(".dockerignore"), dockerignore);
        return c;
    }

    /** {@code --call=check --format=json}: the warnings as "Rule@line: detail", ordered as upstream's test orders them. */
    static List<String> lint(String dockerfile, String dockerignore, String... flags) throws IOException {
        List<String> args = new ArrayList<>(List.of("build", "--call=check", "--format=json"));
        args.addAll(List.of(flags));
        args.add(context(dockerfile, dockerignore).toString());
        Exec e = whittle.run(args.toArray(String[]::new));
        assertThat(e.err()).doesNotContain("\tat dev.whittle");
        Map<String, Object> out = Json.parseObject(e.out().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        List<Map<String, Object>> warnings = new ArrayList<>();
        for (Object w : (List<?>) out.get("warnings")) warnings.add(asMap(w));
        for (Map<String, Object> w : warnings) {
            String rule = (String) w.get("ruleName");
            // each rule's description and documentation page as upstream's
            assertThat(w.get("description")).as(rule).isEqualTo(DESCRIPTIONS.get(rule));
            assertThat(w.get("url"))
                    .as(rule)
                    .isEqualTo(
                            URL + rule.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT) + "/");
        }
        warnings.sort(Comparator.comparingInt((Map<String, Object> w) -> line(w))
                .thenComparing(w -> (String) w.get("detail")));
        assertThat(e.code()).as(e.out() + e.err()).isEqualTo(warnings.isEmpty() ? 0 : 1);
        return warnings.stream()
                .map(w -> w.get("ruleName") + "@" + line(w) + ": " + w.get("detail"))
                .toList();
    }

    static List<String> check(String dockerfile, String... flags) throws IOException {
        return lint(dockerfile, null, flags);
    }

    /** As {@link #check}, with a .dockerignore. */
    static List<String> checkIgnoring(String dockerignore, String dockerfile) throws IOException {
        return lint(dockerfile, dockerignore);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object o) {
        return (Map<String, Object>) o;
    }

    static int line(Map<String, Object> w) {
        return ((Number) asMap(w.get("location")).get("line")).intValue();
    }

    static final String URL = "https://docs.docker.com/go/dockerfile/rule/";

    /** Upstream's rule descriptions, as its tests assert them. */
    static final Map<String, String> DESCRIPTIONS = Map.ofEntries(
            Map.entry("StageNameCasing", "Stage names should be lowercase"),
            Map.entry("FromAsCasing", "The 'as' keyword should match the case of the 'from' keyword"),
            Map.entry("NoEmptyContinuation", "Empty continuation lines will become errors in a future release"),
            Map.entry(
                    "ConsistentInstructionCasing",
                    "All commands within the Dockerfile should use the same casing (either upper or lower)"),
            Map.entry("DuplicateStageName", "Stage names should be unique"),
            Map.entry("ReservedStageName", "Reserved words should not be used as stage names"),
            Map.entry(
                    "JSONArgsRecommended",
                    "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals"),
            Map.entry(
                    "MaintainerDeprecated",
                    "The MAINTAINER instruction is deprecated, use a label instead to define an image author"),
            Map.entry("UndefinedArgInFrom", "FROM command must use declared ARGs"),
            Map.entry(
                    "WorkdirRelativePath",
                    "Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes"),
            Map.entry("UndefinedVar", "Variables should be defined before their use"),
            Map.entry(
                    "MultipleInstructionsDisallowed",
                    "Multiple instructions of the same type should not be used in the same stage"),
            Map.entry("LegacyKeyValueFormat", "Legacy key/value format with whitespace separator should not be used"),
            Map.entry(
                    "RedundantTargetPlatform",
                    "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior"),
            Map.entry("SecretsUsedInArgOrEnv", "Sensitive data should not be used in the ARG or ENV commands"),
            Map.entry(
                    "InvalidDefaultArgInFrom",
                    "Default value for global ARG results in an empty or invalid base image name"),
            Map.entry("FromPlatformFlagConstDisallowed", "FROM --platform flag should not use a constant value"),
            Map.entry("CopyIgnoredFile", "Attempting to Copy file that is excluded by .dockerignore"),
            Map.entry(
                    "InvalidDefinitionDescription",
                    "Comment for build stage or argument should follow the format: `# <arg/stage name> <description>`. "
                            + "If this is not intended to be a description comment, add an empty line or comment between the instruction and the comment."),
            Map.entry("ExposeProtoCasing", "Protocol in EXPOSE instruction should be lowercase"),
            Map.entry(
                    "ExposeInvalidFormat",
                    "IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error in a future release"));

    // ------------------------------------------------------------------------------------------
    // dockerfile_check_test.go

    /** Ports testRuleCheckOption: the check directive, and BUILDKIT_DOCKERFILE_CHECK over it. */
    @Test
    void ruleCheckOption() throws IOException {
        String body = "FROM scratch as base\ncopy Dockerfile .\n";
        assertThat(check("#check=skip=all\n" + body)).isEmpty();
        assertThat(check("#check=skip=all;error=true\n" + body)).isEmpty();
        assertThat(check("#check=skip=ConsistentInstructionCasing,FromAsCasing\n" + body))
                .isEmpty();
        assertThat(check("#check=skip=ConsistentInstructionCasing,FromAsCasing;error=true\n" + body))
                .isEmpty();
        String fromAs = "FromAsCasing@2: 'as' and 'FROM' keywords' casing do not match";
        assertThat(check("#check=skip=ConsistentInstructionCasing\n" + body)).containsExactly(fromAs);
        assertThat(check("#check=skip=ConsistentInstructionCasing;error=true\n" + body))
                .containsExactly(fromAs);
        assertThat(check(
                        "#check=skip=all\n" + body,
                        "--build-arg",
                        "BUILDKIT_DOCKERFILE_CHECK=skip=ConsistentInstructionCasing;error=true"))
                .containsExactly(fromAs);
        assertThat(check("#check=error=true\n" + body, "--build-arg", "BUILDKIT_DOCKERFILE_CHECK=skip=all"))
                .isEmpty();
    }

    /**
     * Ports testRuleCheckOption's build half (checkProgressStream): a build fails when the check directive (or
     * BUILDKIT_DOCKERFILE_CHECK) says error=true and a rule is violated, naming the rules and the line.
     */
    @Test
    void ruleCheckOptionFailsTheBuild() throws IOException {
        String body = "FROM scratch as base\ncopy Dockerfile .\n";
        Exec e = whittle.run(
                "build",
                "-q",
                "--check=warn",
                context("#check=skip=ConsistentInstructionCasing;error=true\n" + body, null)
                        .toString());
        assertThat(e.code()).as(e.err()).isEqualTo(1);
        assertThat(e.err())
                .contains("lint violation found for rules: FromAsCasing")
                .contains("Dockerfile:2")
                .doesNotContain("\tat dev.whittle");
        e = whittle.run(
                "build",
                "-q",
                "--check=warn",
                "--build-arg",
                "BUILDKIT_DOCKERFILE_CHECK=skip=ConsistentInstructionCasing;error=true",
                context("#check=skip=all\n" + body, null).toString());
        assertThat(e.err()).contains("lint violation found for rules: FromAsCasing");
        whittle.run(
                        "build",
                        "-q",
                        "--check=warn",
                        "--build-arg",
                        "BUILDKIT_DOCKERFILE_CHECK=skip=all",
                        context("#check=error=true\n" + body, null).toString())
                .ok();
        whittle.run(
                        "build",
                        "-q",
                        "--check=warn",
                        context("#check=skip=all;error=true\n" + body, null).toString())
                .ok();
    }

    /** Ports testStageName. */
    @Test
    void stageName() throws IOException {
        assertThat(check("""

                # warning: stage name should be lowercase
                #
                FROM scratch AS BadStageName

                # warning: 'as' should match 'FROM' cmd casing.
                #
                FROM scratch as base2

                FROM scratch AS base3
                """))
                .containsExactly(
                        "StageNameCasing@4: Stage name 'BadStageName' should be lowercase",
                        "FromAsCasing@8: 'as' and 'FROM' keywords' casing do not match");
        assertThat(check("""

                # warning: 'AS' should match 'from' cmd casing.
                #
                from scratch AS base

                from scratch as base2
                """)).containsExactly("FromAsCasing@4: 'AS' and 'from' keywords' casing do not match");
    }

    /** Ports testNoEmptyContinuation. */
    @Test
    void noEmptyContinuation() throws IOException {
        assertThat(check("""

                FROM scratch
                # warning: empty continuation line
                COPY Dockerfile \\

                .
                COPY Dockerfile \\
                .
                """)).containsExactly("NoEmptyContinuation@6: Empty continuation line");
    }

    /** Ports testConsistentInstructionCasing. */
    @Test
    void consistentInstructionCasing() throws IOException {
        String r = "ConsistentInstructionCasing@4: ";
        assertThat(
                        check(
                                "\n# warning: 'FROM' should be either lowercased or uppercased\n#\nFrom scratch as base\nFROM scratch AS base2\n"))
                .containsExactly(r + "Command 'From' should match the case of the command majority (uppercase)");
        assertThat(
                        check(
                                "\nFROM scratch\n# warning: 'copy' should match command majority's casing (uppercase)\ncopy Dockerfile /foo\nCOPY Dockerfile /bar\n"))
                .containsExactly(r + "Command 'copy' should match the case of the command majority (uppercase)");
        assertThat(
                        check(
                                "\n# warning: 'frOM' should be either lowercased or uppercased\n#\nfrOM scratch as base\nfrom scratch as base2\n"))
                .containsExactly(r + "Command 'frOM' should match the case of the command majority (lowercase)");
        assertThat(
                        check(
                                "\nfrom scratch\n# warning: 'COPY' should match command majority's casing (lowercase)\nCOPY Dockerfile /foo\ncopy Dockerfile /bar\n"))
                .containsExactly(r + "Command 'COPY' should match the case of the command majority (lowercase)");
        assertThat(check(
                        "\n# warning: 'from' should match command majority's casing (uppercase)\n#\nfrom scratch\nCOPY Dockerfile /foo\n"
                                + "COPY Dockerfile /bar\nCOPY Dockerfile /baz\n"))
                .containsExactly(r + "Command 'from' should match the case of the command majority (uppercase)");
        assertThat(check(
                        "\n# warning: 'FROM' should match command majority's casing (lowercase)\n#\nFROM scratch\ncopy Dockerfile /foo\n"
                                + "copy Dockerfile /bar\ncopy Dockerfile /baz\n"))
                .containsExactly(r + "Command 'FROM' should match the case of the command majority (lowercase)");
        assertThat(check("\nfrom scratch\ncopy Dockerfile /foo\ncopy Dockerfile /bar\n"))
                .isEmpty();
        assertThat(check("\nFROM scratch\nCOPY Dockerfile /foo\nCOPY Dockerfile /bar\n"))
                .isEmpty();
        assertThat(check("\nFROM alpine\nRUN <<'EOT'\nenv\nEOT\n")).isEmpty();
    }

    /** Ports testDuplicateStageName. */
    @Test
    void duplicateStageName() throws IOException {
        assertThat(check("\nFROM scratch AS b\nFROM scratch AS b\n"))
                .containsExactly("DuplicateStageName@3: Duplicate stage name \"b\", stage names should be unique");
        assertThat(check("\nFROM scratch AS b1\nFROM scratch AS b2\n")).isEmpty();
    }

    /** Ports testReservedStageName. */
    @Test
    void reservedStageName() throws IOException {
        assertThat(check("\nFROM scratch AS scratch\nFROM scratch AS context\n"))
                .containsExactly(
                        "ReservedStageName@2: Stage name should not use the same name as reserved stage \"scratch\"",
                        "ReservedStageName@3: Stage name should not use the same name as reserved stage \"context\"");
        assertThat(check("\nFROM scratch\nFROM scratch AS a\n")).isEmpty();
    }

    /** Ports testJSONArgsRecommended: shell-form CMD/ENTRYPOINT, unless SHELL (of the stage or a parent) was changed. */
    @Test
    void jsonArgsRecommended() throws IOException {
        assertThat(check("\nFROM scratch\nCMD mycommand\n"))
                .containsExactly(
                        "JSONArgsRecommended@3: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals");
        assertThat(check("\nFROM scratch\nENTRYPOINT mycommand\n"))
                .containsExactly(
                        "JSONArgsRecommended@3: JSON arguments recommended for ENTRYPOINT to prevent unintended behavior related to OS signals");
        assertThat(check("\nFROM scratch\nSHELL [\"/usr/bin/customshell\"]\nCMD mycommand\n"))
                .isEmpty();
        assertThat(check("\nFROM scratch\nSHELL [\"/usr/bin/customshell\"]\nENTRYPOINT mycommand\n"))
                .isEmpty();
        assertThat(check("\nFROM scratch AS base\nSHELL [\"/usr/bin/customshell\"]\nFROM base\nCMD mycommand\n"))
                .isEmpty();
        assertThat(check("\nFROM scratch AS base\nSHELL [\"/usr/bin/customshell\"]\nFROM base\nENTRYPOINT mycommand\n"))
                .isEmpty();
    }

    /** Ports testMaintainerDeprecated, with its instruction-level {@code # check=skip=} comments. */
    @Test
    void maintainerDeprecated() throws IOException {
        assertThat(check("\nFROM scratch\nMAINTAINER me@example.org\n"))
                .containsExactly(
                        "MaintainerDeprecated@3: Maintainer instruction is deprecated in favor of using label");
        assertThat(check("\nFROM scratch\nLABEL org.opencontainers.image.authors=\"me@example.org\"\n"))
                .isEmpty();
        assertThat(check("\nFROM scratch\n# check=skip=JSONArgsRecommended\nCMD mycommand\n"))
                .isEmpty();
        assertThat(check("\nFROM scratch\n# check=skip=JSONArgsRecommended\nENTRYPOINT mycommand\n"))
                .isEmpty();
        assertThat(check("\nFROM scratch\n# check=skip=MaintainerDeprecated\nMAINTAINER me@example.org\n"))
                .isEmpty();
    }

    /**
     * Ports testWarningsBeforeError: the checks still report what they found before a line that does not parse,
     * and the error says which.
     */
    @Test
    void warningsBeforeError() throws IOException {
        Exec e = whittle.run(
                "build",
                "--call=check",
                context("\nFROM scratch AS BadStageName\nMAINTAINER me@example.org\nBADCMD\n", null)
                        .toString());
        assertThat(e.code()).isEqualTo(1);
        assertThat(e.err())
                .contains("Dockerfile:4")
                .contains("unknown instruction: BADCMD")
                .doesNotContain("\tat dev.whittle");
    }

    /** Ports testUndeclaredArg: UndefinedArgInFrom, and what it leaves alone. */
    @Test
    void undeclaredArg() throws IOException {
        assertThat(check("\nARG base=scratch\nFROM $base\nCOPY Dockerfile .\n")).isEmpty();
        assertThat(check(
                        "\nARG BUILDPLATFORM=linux/amd64\nFROM --platform=$BUILDPLATFORM scratch\nCOPY Dockerfile .\n"))
                .isEmpty();
        assertThat(check("\nFROM --platform=$BUILDPLATFORM scratch\nCOPY Dockerfile .\n"))
                .isEmpty();
        assertThat(check("\nARG DEBUG\nFROM scratch${DEBUG}\nCOPY Dockerfile .\n"))
                .isEmpty();
        assertThat(check("\nARG DEBUG\nFROM scra${DEBUG:-tch}\nCOPY Dockerfile .\n"))
                .isEmpty();
        assertThat(check("\nARG DEBUG=\"\"\nFROM scratch${DEBUG-@bogus}\nCOPY Dockerfile .\n"))
                .isEmpty();
        assertThat(check("\nFROM --platform=$BULIDPLATFORM scratch\nCOPY Dockerfile .\n"))
                .containsExactly(
                        "UndefinedArgInFrom@2: FROM argument 'BULIDPLATFORM' is not declared (did you mean BUILDPLATFORM?)");
        assertThat(
                        check(
                                "\nARG MY_OS=linux\nARG MY_ARCH=amd64\nFROM --platform=linux/${MYARCH} busybox\nCOPY Dockerfile .\n\t"))
                .containsExactly(
                        "UndefinedArgInFrom@4: FROM argument 'MYARCH' is not declared (did you mean MY_ARCH?)");
        assertThat(check("\nARG tag=latest\nFROM busybox:${tag}${version} AS b\nCOPY Dockerfile .\n"))
                .containsExactly("UndefinedArgInFrom@3: FROM argument 'version' is not declared");
    }

    /** Ports testUndeclaredArg's build errors: what a build says of the same FROM lines. */
    @Test
    void undeclaredArgBuildErrors() throws IOException {
        Exec e = whittle.run(
                "build",
                "-q",
                context("\nFROM --platform=$BULIDPLATFORM scratch\nCOPY Dockerfile .\n", null)
                        .toString());
        assertThat(e.err())
                .contains("empty platform value from expression $BULIDPLATFORM (did you mean BUILDPLATFORM?)")
                .contains("Dockerfile:2");
        e = whittle.run(
                "build",
                "-q",
                context(
                                "\nARG MY_OS=linux\nARG MY_ARCH=amd64\nFROM --platform=linux/${MYARCH} busybox\nCOPY Dockerfile .\n\t",
                                null)
                        .toString());
        assertThat(e.err())
                .contains("failed to parse platform linux/${MYARCH}")
                .contains("(did you mean MY_ARCH?)")
                .contains("Dockerfile:4");
    }

    /** Ports testWorkdirRelativePath. */
    @Test
    void workdirRelativePath() throws IOException {
        assertThat(check("\nFROM scratch\nWORKDIR app/\n"))
                .containsExactly(
                        "WorkdirRelativePath@3: Relative workdir \"app/\" can have unexpected results if the base image changes");
        assertThat(check("\nFROM scratch AS a\nWORKDIR /app\nFROM a AS b\nWORKDIR subdir/\n"))
                .isEmpty();
        assertThat(check("\nFROM scratch\n# check=skip=WorkdirRelativePath\nWORKDIR app/\n"))
                .isEmpty();
    }

    /** Ports testUnmatchedVars: UndefinedVar, with did-you-mean, and what it leaves alone. */
    @Test
    void unmatchedVars() throws IOException {
        assertThat(check("\nFROM scratch\nARG foo\nCOPY Dockerfile${foo} .\n")).isEmpty();
        assertThat(check("\nFROM alpine AS base\nARG foo=Dockerfile\nFROM base\nCOPY $foo .\n"))
                .isEmpty();
        assertThat(check("\nFROM alpine\nRUN echo $PATH\n")).isEmpty();
        assertThat(check("\nFROM alpine\nCOPY $foo .\nARG foo=bar\nRUN echo $foo\n"))
                .containsExactly("UndefinedVar@3: Usage of undefined variable '$foo'");
        assertThat(
                        check(
                                "\nFROM alpine\nARG DIR_BINARIES=binaries/\nARG DIR_ASSETS=assets/\nARG DIR_CONFIG=config/\nCOPY $DIR_ASSET .\n\t"))
                .containsExactly(
                        "UndefinedVar@6: Usage of undefined variable '$DIR_ASSET' (did you mean $DIR_ASSETS?)");
        assertThat(check("\nFROM alpine\nENV PATH=$PAHT:/tmp/bin\n\t\t"))
                .containsExactly("UndefinedVar@3: Usage of undefined variable '$PAHT' (did you mean $PATH?)");
    }

    /** Ports testAllTargetUnmarshal: the check covers every stage, not only the target's. */
    @Test
    void allTargetUnmarshal() throws IOException {
        assertThat(check("\nFROM scratch AS first\nCOPY $foo .\n\nFROM scratch AS second\nCOPY $bar .\n"))
                .containsExactly(
                        "UndefinedVar@3: Usage of undefined variable '$foo'",
                        "UndefinedVar@6: Usage of undefined variable '$bar'");
    }

    /** Ports testMultipleInstructionsDisallowed. */
    @Test
    void multipleInstructionsDisallowed() throws IOException {
        String m =
                "MultipleInstructionsDisallowed@%d: Multiple %s instructions should not be used in the same stage because only the last one will be used";
        assertThat(check("""

                FROM scratch
                ENTRYPOINT ["/myapp"]
                ENTRYPOINT ["/myotherapp"]
                CMD ["/myapp"]
                CMD ["/myotherapp"]
                HEALTHCHECK CMD ["/myapp"]
                HEALTHCHECK CMD ["/myotherapp"]
                """))
                .containsExactly(m.formatted(3, "ENTRYPOINT"), m.formatted(5, "CMD"), m.formatted(7, "HEALTHCHECK"));
        assertThat(check("""

                FROM scratch
                ENTRYPOINT ["/myapp"]
                CMD ["/myapp"]
                HEALTHCHECK CMD ["/myapp"]
                COPY <<EOF /a.txt
                Hello, World!
                EOF
                ENTRYPOINT ["/myotherapp"]
                CMD ["/myotherapp"]
                HEALTHCHECK CMD ["/myotherapp"]
                """))
                .containsExactly(m.formatted(3, "ENTRYPOINT"), m.formatted(4, "CMD"), m.formatted(5, "HEALTHCHECK"));
        assertThat(check("""

                FROM scratch AS a
                ENTRYPOINT ["/myapp"]
                CMD ["/myapp"]
                HEALTHCHECK CMD ["/myapp"]
                FROM a AS b
                ENTRYPOINT ["/myotherapp"]
                CMD ["/myotherapp"]
                HEALTHCHECK CMD ["/myotherapp"]
                """)).isEmpty();
    }

    /** Ports testLegacyKeyValueFormat, in reachable and unreachable stages alike. */
    @Test
    void legacyKeyValueFormat() throws IOException {
        List<String> both = List.of(
                "LegacyKeyValueFormat@3: \"ENV key=value\" should be used instead of legacy \"ENV key value\" format",
                "LegacyKeyValueFormat@4: \"LABEL key=value\" should be used instead of legacy \"LABEL key value\" format");
        assertThat(check("\nFROM scratch\nENV testkey value\nLABEL key value\n"))
                .isEqualTo(both);
        assertThat(check("\nFROM scratch\nENV testkey=value\nLABEL key=value\n"))
                .isEmpty();
        // (upstream's test gives lines 3 and 4 here but compares no lines for it)
        assertThat(check("\nFROM scratch AS a\n\nFROM a AS b\nENV testkey value\nLABEL key value\n\nFROM a AS c\n"))
                .containsExactly(both.get(0).replace("@3", "@5"), both.get(1).replace("@4", "@6"));
        assertThat(
                        check(
                                "\nFROM scratch\n# check=skip=LegacyKeyValueFormat\nENV testkey value\n# check=skip=LegacyKeyValueFormat\nLABEL key value\n"))
                .isEmpty();
    }

    /** Ports testRedundantTargetPlatform. */
    @Test
    void redundantTargetPlatform() throws IOException {
        assertThat(check("\nFROM --platform=$TARGETPLATFORM scratch\n"))
                .containsExactly(
                        "RedundantTargetPlatform@2: Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior");
        assertThat(check("\nFROM --platform=${TARGETPLATFORM} scratch\n"))
                .containsExactly(
                        "RedundantTargetPlatform@2: Setting platform to predefined ${TARGETPLATFORM} in FROM is redundant as this is the default behavior");
        assertThat(check("\n# check=skip=RedundantTargetPlatform\nFROM --platform=$TARGETPLATFORM scratch\n"))
                .isEmpty();
    }

    /** Ports testSecretsUsedInArgOrEnv, with instruction-level skips. */
    @Test
    void secretsUsedInArgOrEnv() throws IOException {
        String s = "SecretsUsedInArgOrEnv@%d: Do not use ARG or ENV instructions for sensitive data (%s \"%s\")";
        assertThat(check("""
                # check=skip=InvalidDefinitionDescription

                FROM scratch
                ARG SECRET_PASSPHRASE
                ENV SUPER_Secret=foo
                ENV password=bar secret=baz
                ARG super_duper_secret_token=foo auth=bar
                ENV apikey=bar sunflower=foo
                ENV git_key=
                ENV PUBLIC_KEY=
                ARG public_token
                ARG SECRET_PASSPHRASE_FILE
                ENV password_file=bar secret_File=baz
                ARG AUTH_MODULE_VERSION
                # check=skip=SecretsUsedInArgOrEnv // allow secret in environment
                ENV password=bar
                # check=skip=SecretsUsedInArgOrEnv // allow secret in arg
                ARG password
                # check=skip=all // is local to only this instruction
                ENV alternate_password=bar
                # check=skip=all // is local to only this instruction
                ARG alternate_password
                """))
                .containsExactly(
                        s.formatted(4, "ARG", "SECRET_PASSPHRASE"),
                        s.formatted(5, "ENV", "SUPER_Secret"),
                        s.formatted(6, "ENV", "password"),
                        s.formatted(6, "ENV", "secret"),
                        s.formatted(7, "ARG", "auth"),
                        s.formatted(7, "ARG", "super_duper_secret_token"),
                        s.formatted(8, "ENV", "apikey"),
                        s.formatted(9, "ENV", "git_key"));
    }

    /** Ports testInvalidDefaultArgInFrom: a global ARG's default that makes no image name, even when a build arg fixes it. */
    @Test
    void invalidDefaultArgInFrom() throws IOException {
        assertThat(check("\nARG VERSION\nFROM busybox:$VERSION\n", "--build-arg", "VERSION=latest"))
                .containsExactly(
                        "InvalidDefaultArgInFrom@3: Default value for ARG busybox:$VERSION results in empty or invalid base image name");
        assertThat(check("\nARG IMAGE\nFROM $IMAGE\n", "--build-arg", "IMAGE=busybox:latest"))
                .containsExactly(
                        "InvalidDefaultArgInFrom@3: Default value for ARG $IMAGE results in empty or invalid base image name");
        assertThat(check("\nARG SFX=\"box:\"\nFROM busy${SFX}\n", "--build-arg", "SFX=box:latest"))
                .containsExactly(
                        "InvalidDefaultArgInFrom@3: Default value for ARG busy${SFX} results in empty or invalid base image name");
        assertThat(check("\nARG VERSION=\"latest\"\nFROM busybox:${VERSION}\n", "--build-arg", "VERSION=latest"))
                .isEmpty();
        assertThat(check(
                        "\nARG BUSYBOX_VARIANT=\"\"\nFROM busybox:stable${BUSYBOX_VARIANT}\n",
                        "--build-arg",
                        "BUSYBOX_VARIANT=-musl"))
                .isEmpty();
        assertThat(check(
                        "\n\tARG BUSYBOX_VARIANT\n\tFROM busybox:stable${BUSYBOX_VARIANT}\n\t",
                        "--build-arg",
                        "BUSYBOX_VARIANT=-musl"))
                .isEmpty();
    }

    /** Ports testFromPlatformFlagConstDisallowed. */
    @Test
    void fromPlatformFlagConstDisallowed() throws IOException {
        assertThat(check("\nFROM --platform=linux/amd64 scratch\n"))
                .containsExactly(
                        "FromPlatformFlagConstDisallowed@2: FROM --platform flag should not use constant value \"linux/amd64\"");
        assertThat(check("\nFROM --platform=linux/amd64 scratch AS my_amd64_stage\n"))
                .isEmpty();
        assertThat(check("\nFROM --platform=linux/amd64 scratch AS linux\n")).isEmpty();
    }

    /** Ports testExposeProtoCasing. */
    @Test
    void exposeProtoCasing() throws IOException {
        assertThat(check("\nFROM scratch\nEXPOSE 80/TcP 8080/TCP 8080/udp\n"))
                .containsExactly(
                        "ExposeProtoCasing@3: Defined protocol '80/TcP' in EXPOSE instruction should be lowercase",
                        "ExposeProtoCasing@3: Defined protocol '8080/TCP' in EXPOSE instruction should be lowercase");
    }

    /** Ports testExposeInvalidFormat. */
    @Test
    void exposeInvalidFormat() throws IOException {
        String e =
                "ExposeInvalidFormat@3: EXPOSE instruction should not define an IP address or host-port mapping, found '%s'";
        assertThat(check("\nFROM scratch\nEXPOSE 127.0.0.1:80:80 [::1]:8080:8080 5000:5000 8000\n"))
                .containsExactly(
                        e.formatted("127.0.0.1:80:80"), e.formatted("5000:5000"), e.formatted("[::1]:8080:8080"));
    }

    /** Ports testCopyIgnoredFiles: COPY and ADD of a file .dockerignore excludes. */
    @Test
    void copyIgnoredFiles() throws IOException {
        String ignore = "\nDockerfile\n";
        List<String> both = List.of(
                "CopyIgnoredFile@3: Attempting to Copy file \"Dockerfile\" that is excluded by .dockerignore",
                "CopyIgnoredFile@4: Attempting to Add file \"Dockerfile\" that is excluded by .dockerignore");
        assertThat(checkIgnoring(ignore, "\nFROM scratch\nCOPY Dockerfile .\nADD Dockerfile /windy\n"))
                .isEqualTo(both);
        assertThat(checkIgnoring(
                        ignore,
                        "# check=skip=CopyIgnoredFile\n\nFROM scratch\nCOPY Dockerfile .\nADD Dockerfile /windy\n"))
                .isEmpty();
        assertThat(checkIgnoring(
                        "\nfoobar\n",
                        "\nFROM scratch AS base\nCOPY Dockerfile /foobar\nADD Dockerfile /windy\n\nFROM base\n"
                                + "COPY --from=base /foobar /Dockerfile\n"))
                .isEmpty();
        assertThat(checkIgnoring("\n**\n!Dockerfile\n", "\nFROM scratch\nCOPY ./Dockerfile .\n"))
                .isEmpty();
        // No warnings should occur if we copy the directory.
        assertThat(checkIgnoring("\n**\n!Dockerfile\n", "\nFROM scratch\nCOPY . .\n\t"))
                .isEmpty();
    }

    /** Ports testCopyIgnoredFileContextRoot: "COPY . ." is only reported when everything is excluded. */
    @Test
    void copyIgnoredFileContextRoot() throws IOException {
        assertThat(checkIgnoring("\n.*\n", "\nFROM scratch\nCOPY . .\n")).isEmpty();
        assertThat(checkIgnoring("\n*\n", "\nFROM scratch\nCOPY . .\n"))
                .containsExactly("CopyIgnoredFile@3: Attempting to Copy file \".\" that is excluded by .dockerignore");
    }

    /** Ports testDefinitionDescription: the experimental InvalidDefinitionDescription, when the directive enables it. */
    @Test
    void definitionDescription() throws IOException {
        assertThat(check("""
                # check=skip=all;experimental=InvalidDefinitionDescription
                # foo this is the foo
                ARG foo=bar

                # base this is the base image
                FROM scratch AS base

                # version this is the version number
                ARG version=latest

                # baz this is the baz
                ARG foo=baz bar=qux baz=quux
                #
                ARG bit=bat

                # comment for something other than ARG or FROM
                COPY Dockerfile .
                """)).isEmpty();
        assertThat(check("""
                # check=experimental=InvalidDefinitionDescription
                # bar this is the bar
                ARG foo=bar
                # BasE this is the BasE image
                FROM scratch AS base
                # definitely a bad comment
                ARG version=latest
                # definitely a bad comment
                ARG foo=baz bar=qux baz=quux
                """))
                .containsExactly(
                        "InvalidDefinitionDescription@3: Comment for ARG should follow the format: `# foo <description>`",
                        "InvalidDefinitionDescription@5: Comment for FROM should follow the format: `# base <description>`",
                        "InvalidDefinitionDescription@7: Comment for ARG should follow the format: `# version <description>`",
                        "InvalidDefinitionDescription@9: Comment for ARG should follow the format: `# <arg_key> <description>`");
    }

    // ------------------------------------------------------------------------------------------ outline and targets

    static Map<String, Object> call(String method, String dockerfile, String... flags) throws IOException {
        List<String> args = new ArrayList<>(List.of("build", "--call=" + method, "--format=json"));
        args.addAll(List.of(flags));
        args.add(context(dockerfile, null).toString());
        Exec e = whittle.run(args.toArray(String[]::new)).ok();
        return Json.parseObject(e.out().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> o, String key) {
        return (List<Map<String, Object>>) o.getOrDefault(key, List.of());
    }

    /** An outline or targets entry as "name=value|description|required|line" (absent fields empty). */
    static String entry(Map<String, Object> e, String... fields) {
        StringBuilder b = new StringBuilder();
        for (String f : fields) {
            if (!f.equals(fields[0])) b.append('|');
            Object v = f.equals("line") ? ((Map<?, ?>) e.get("location")).get("line") : e.get(f);
            b.append(v == null ? "" : v);
        }
        return b.toString();
    }

    /**
     * Ports testOutlineArgs (dockerfile_outline_test.go): the target's args — the global ones its FROMs use and
     * those of the stages it needs — in file order, with values after build args and expansion, and their comments.
     */
    @Test
    void outlineArgs() throws IOException {
        Map<String, Object> o = call("outline", """

                ARG inherited=box
                ARG inherited2=box2
                ARG unused=abc${inherited2}
                # sfx is a suffix
                ARG sfx="usy${inherited}"

                FROM b${sfx} AS first
                # this is not assigned to anything
                ARG FOO=123
                # BAR is a number
                ARG BAR=456
                RUN true

                FROM alpine${unused} AS second
                ARG BAZ
                RUN true

                FROM scratch AS third
                ARG ABC=a
                # check=skip=all
                ARG password
                # alternate_password will show up in the outline
                # check=skip=all
                ARG alternate_password

                # target defines build target
                FROM third AS target
                COPY --from=first /etc/passwd /

                FROM second
                """, "--build-arg", "BAR=678", "--target", "target");
        assertThat(o.get("name")).isEqualTo("target");
        assertThat(o.get("description")).isEqualTo("defines build target");
        assertThat(list(o, "args").stream().map(a -> entry(a, "name", "value", "description", "line")))
                .containsExactly(
                        "inherited|box||2",
                        "sfx|usybox|is a suffix|6",
                        "FOO|123||10",
                        "BAR|678|is a number|12",
                        "ABC|a||20",
                        "password|||22",
                        "alternate_password||will show up in the outline|25");
    }

    /** Ports testOutlineSecrets: the secrets and ssh mounts of the target's stages, ids expanded. */
    @Test
    void outlineSecrets() throws IOException {
        Map<String, Object> o = call("outline", """

                FROM busybox AS first
                RUN --mount=type=secret,target=/etc/passwd,required=true --mount=type=ssh true

                FROM alpine AS second
                RUN --mount=type=secret,id=unused --mount=type=ssh,id=ssh2 true

                FROM scratch AS third
                ARG BAR
                RUN --mount=type=secret,id=second${BAR} true

                FROM third AS target
                COPY --from=first /foo /
                RUN --mount=type=ssh,id=ssh3,required true

                FROM second
                """, "--build-arg", "BAR=678", "--target", "target");
        assertThat(list(o, "secrets").stream().map(s -> entry(s, "name", "required", "line")))
                .containsExactly("passwd|true|3", "second678||10");
        assertThat(list(o, "ssh").stream().map(s -> entry(s, "name", "required", "line")))
                .containsExactly("default||3", "ssh3|true|14");
    }

    /** Ports testOutlineRecursiveArgs: args defined from each other, redefined, global and in the stage. */
    @Test
    void outlineRecursiveArgs() throws IOException {
        Map<String, Object> o = call("outline", """

                ARG FOO=123
                ARG ABC=abc
                ARG DEF=def
                ARG FOO=${FOO}${ABC}
                ARG BAR=${FOO}456
                ARG FOO=${FOO}456${BAR}
                FROM scratch
                ARG FOO
                ARG INFOO=123
                ARG INBAR=${INFOO}456
                ARG INFOO=${INFOO}456${INBAR}
                """);
        assertThat(list(o, "args").stream().map(a -> entry(a, "name", "value")))
                .containsExactly(
                        "ABC|abc", "BAR|123abc456", "FOO|123abc456123abc456", "INBAR|123456", "INFOO|123456123456");
    }

    /** Ports testTargetsList (dockerfile_targets_test.go): every stage, its base, comment, line, and the default. */
    @Test
    void targetsList() throws IOException {
        Map<String, Object> o = call("targets", """

                # build defines stage for compiling the binary
                FROM alpine AS build
                RUN true

                FROM busybox as second
                RUN false

                FROM alpine
                RUN false

                # binary returns the compiled binary
                FROM second AS binary
                """);
        assertThat(list(o, "targets").stream().map(t -> entry(t, "name", "base", "description", "default", "line")))
                .containsExactly(
                        "build|alpine|defines stage for compiling the binary||3",
                        "second|busybox|||6",
                        "|alpine|||9",
                        "binary|second|returns the compiled binary|true|13");
    }
}
