package dev.whittle.it;

import static dev.whittle.it.DockerDaemon.docker;
import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.it.Ported.Ctx;
import dev.whittle.it.Ported.Exported;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BuildKit's own Dockerfile integration tests about the frontend, ported: ARG and ENV scoping and expansion
 * (dockerfile_args_test.go), multi-stage builds (dockerfile_multistage_test.go), ONBUILD (dockerfile_onbuild_test.go),
 * image config and history (dockerfile_core_test.go, dockerfile_history_test.go, dockerfile_image_test.go), errors
 * pointing at their line (errors_test.go), and the parser's own test Dockerfiles (parser/testfiles: directives,
 * escapes, continuations, comments) built into images. Where Docker 20.10's BuildKit can build the case, whittle's
 * image is compared with Docker's; newer cases assert what the upstream test asserts. Each test names the upstream
 * function (or test file) it ports.
 */
@Tag("docker")
class BuildKitPortedFrontendTest {
    static final String BASE = "whittle-it/bkport2-busybox:1";

    @TempDir
    static Path dir;

    static Ported port;

    @BeforeAll
    static void bases() throws IOException {
        port = Ported.withBusybox(dir, BASE, "whittle-it/bkport2-fe");
    }

    static Ctx ctx() throws IOException {
        return port.ctx();
    }

    static void same(Ctx c, String... flags) throws IOException {
        port.same(c, flags);
    }

    static Exported whittleOnly(Ctx c, String... flags) throws IOException {
        return port.whittleOnly(c, flags);
    }

    static String inspect(String image, String format) {
        return port.whittle.run("inspect", "--format", format, image).ok().out().trim();
    }

    // ------------------------------------------------------------------------------------------ ARG and ENV

    /** Ports testGlobalArg (dockerfile_args_test.go): a global ARG's build-arg value in FROM. */
    @Test
    void globalArg() throws IOException {
        same(ctx().dockerfile("""
                ARG tag=nosuchtag
                FROM whittle-it/bkport2-busybox:${tag}
                """), "--build-arg", "tag=1");
    }

    /** Ports testGlobalArgErrors (dockerfile_args_test.go): ${FOO:?message} in a global ARG, newer BuildKit. */
    @Test
    void globalArgErrors() throws IOException {
        Ctx c = ctx().dockerfile("""
                ARG FOO=${FOO:?"custom error"}
                FROM BASE
                """);
        port.whittleFails(c, "FOO: custom error");
        whittleOnly(c, "--build-arg", "FOO=bar");
    }

    /** Ports testArgDefaultExpansion (dockerfile_args_test.go): ${FOO:?message} in a stage's ARG default, newer BuildKit. */
    @Test
    void argDefaultExpansion() throws IOException {
        Ctx c = ctx().dockerfile("""
                FROM scratch
                ARG FOO
                ARG BAR=${FOO:?"foo missing"}
                """);
        port.whittleFails(c, "FOO: foo missing");
        whittleOnly(c, "--build-arg", "FOO=123");
        whittleOnly(c, "--build-arg", "BAR=123");
    }

    /** Ports testMultiArgs (dockerfile_args_test.go): several ARGs on one line, global and in a stage. */
    @Test
    void multiArgs() throws IOException {
        Ctx c = ctx().dockerfile("""
                ARG a1="foo bar" a2=box
                ARG a3="$a2-foo"
                FROM whittle-it/bkport2-busy$a2:1 AS build
                ARG a3 a4="123 456" a1
                RUN echo -n "$a1:$a3:$a4" > /out
                FROM scratch
                COPY --from=build /out .
                """);
        same(c);
        assertThat(whittleOnly(c).text("out")).isEqualTo("foo bar:box-foo:123 456");
    }

    /** Ports testQuotedMetaArgs (dockerfile_args_test.go). */
    @Test
    void quotedMetaArgs() throws IOException {
        Ctx c = ctx().dockerfile("""
                ARG a1="box"
                ARG a2="$a1-foo"
                FROM whittle-it/bkport2-busy$a1:1 AS build
                ARG a2
                ARG a3="bar-$a2"
                RUN echo -n $a3 > /out
                FROM scratch
                COPY --from=build /out .
                """);
        same(c);
        assertThat(whittleOnly(c).text("out")).isEqualTo("bar-box-foo");
    }

    /** Ports testTargetStageNameArg (dockerfile_args_test.go): the TARGETSTAGE built-in, newer BuildKit. */
    @Test
    void targetStageNameArg() throws IOException {
        String df = """
                FROM BASE AS base
                WORKDIR /out
                RUN echo -n "value:$TARGETSTAGE" > /out/first
                ARG TARGETSTAGE
                RUN echo -n "value:$TARGETSTAGE" > /out/second

                FROM scratch AS foo
                COPY --from=base /out/ /

                FROM scratch
                COPY --from=base /out/ /
                """;
        Ctx c = ctx().dockerfile(df);
        Exported e = whittleOnly(c, "--target", "foo");
        assertThat(e.text("first")).isEqualTo("value:");
        assertThat(e.text("second")).isEqualTo("value:foo");
        e = whittleOnly(c);
        assertThat(e.text("first")).isEqualTo("value:");
        assertThat(e.text("second")).isEqualTo("value:default");
        // stage name defined in Dockerfile but not passed in request
        c = ctx().dockerfile(df + """

                \tFROM scratch AS final
                \tCOPY --from=base /out/ /
                \t""");
        e = whittleOnly(c);
        assertThat(e.text("first")).isEqualTo("value:");
        assertThat(e.text("second")).isEqualTo("value:final");
    }

    /**
     * Ports testDefaultEnvWithArgs (dockerfile_args_test.go) as upstream has it now: ${image#idle} in FROM and
     * ${my_arg%%e*} in ENV, which Engine 20.10 does not expand (BuildKitPortedTest#defaultEnvWithArgs compares the
     * rest with it).
     */
    @Test
    void defaultEnvWithArgsPatterns() throws IOException {
        Ctx c = ctx().dockerfile("""
                ARG image=idlebox
                FROM whittle-it/bkport2-busy${image#idle}:1 AS build
                ARG my_arg
                ENV my_arg "my_arg=${my_arg:-def_val}"
                ENV my_trimmed_arg "${my_arg%%e*}"
                COPY myscript.sh myscript.sh
                RUN ./myscript.sh $my_arg $my_trimmed_arg
                FROM scratch
                COPY --from=build /out /out
                """).file("myscript.sh", "\n#!/usr/bin/env sh\necho -n $my_arg $* > /out\n", 0700);
        assertThat(whittleOnly(c).text("out")).isEqualTo("my_arg=def_val my_arg=def_val my_arg=d");
        assertThat(whittleOnly(c, "--build-arg", "my_arg=").text("out"))
                .isEqualTo("my_arg=def_val my_arg=def_val my_arg=d");
        assertThat(whittleOnly(c, "--build-arg", "my_arg=override").text("out"))
                .isEqualTo("my_arg=override my_arg=override my_arg=ov");
    }

    /** Ports testExposeExpansion (dockerfile_core_test.go). */
    @Test
    void exposeExpansion() throws IOException {
        same(ctx().dockerfile("""
                FROM scratch
                ARG PORTS="3000 4000/udp"
                EXPOSE $PORTS
                EXPOSE 5000
                """));
        assertThat(inspect(port.tag(), "{{json .Config.ExposedPorts}}"))
                .isEqualTo("{\"3000/tcp\":{},\"4000/udp\":{},\"5000/tcp\":{}}");
    }

    /** Ports testLabels (dockerfile_core_test.go): LABEL and --label. */
    @Test
    void labels() throws IOException {
        same(ctx().dockerfile("""
                FROM scratch
                LABEL foo=bar
                """), "--label", "bar=baz");
    }

    /** Ports testDockerfileScratchConfig (dockerfile_image_test.go): FROM scratch gets PATH, no layers, one history entry. */
    @Test
    void scratchConfig() throws IOException {
        Ctx c = ctx().dockerfile("""
                FROM scratch
                ENV foo=bar
                """);
        same(c);
        String image = port.tag();
        assertThat(inspect(image, "{{.Os}} {{.Architecture}} {{len .RootFS.Layers}} {{json .Config.Env}}"))
                .isEqualTo(
                        "linux amd64 0 [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"foo=bar\"]");
        assertThat(port.whittle
                        .run("history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Size}}", image)
                        .ok()
                        .out())
                .isEqualTo("ENV foo=bar|0B\n");
    }

    /** Ports testDockerfileLowercase (dockerfile_core_test.go): a context with "dockerfile", not "Dockerfile". */
    @Test
    void dockerfileLowercase() throws IOException {
        same(ctx().file("dockerfile", "FROM scratch\nENV lower=1\n"));
    }

    /** Ports testReproducibleIDs (dockerfile_cache_test.go): the same build twice gives the same image ID. */
    @Test
    void reproducibleIds() throws IOException {
        Ctx c = ctx().dockerfile("""
                FROM BASE
                ENV foo=bar
                COPY foo /
                RUN echo bar > bar
                """).file("foo", "foo-contents", 0600);
        String first = port.tag();
        port.whittleBuild(c).ok();
        port.whittle.run("build", "-q", "-t", first + "-2", c.root().toString()).ok();
        assertThat(inspect(first, "{{.Id}}")).isEqualTo(inspect(first + "-2", "{{.Id}}"));
    }

    // ------------------------------------------------------------------------------------------ multi-stage

    /** Ports testMultiStageImplicitFrom (dockerfile_multistage_test.go): COPY --from an image, and a stage masking one. */
    @Test
    void multiStageImplicitFrom() throws IOException {
        Ctx c = ctx().dockerfile("""
                FROM scratch
                COPY --from=BASE /etc/passwd test
                """);
        same(c);
        assertThat(whittleOnly(c).text("test")).contains("root");
        // testing masked image will load actual stage
        c = ctx().dockerfile("""
                FROM BASE AS golang
                RUN mkdir -p /usr/bin && echo -n foo > /usr/bin/go
                FROM scratch
                COPY --from=golang /usr/bin/go go
                """);
        same(c);
        assertThat(whittleOnly(c).text("go")).contains("foo");
    }

    /** Ports testMultiStageCaseInsensitive (dockerfile_multistage_test.go): stage names and --target ignore case. */
    @Test
    void multiStageCaseInsensitive() throws IOException {
        Ctx c = ctx().dockerfile("""
                FROM scratch AS STAge0
                COPY foo bar
                FROM scratch AS staGE1
                COPY --from=staGE0 bar baz
                FROM scratch
                COPY --from=stage1 baz bax
                """).file("foo", "foo-contents", 0600);
        same(c, "--target", "Stage1");
        assertThat(whittleOnly(c, "--target", "Stage1").text("baz")).contains("foo-contents");
    }

    /**
     * Ports testOutOfOrderStage (dockerfile_multistage_test.go): COPY --from a stage defined later is refused, as in
     * newer BuildKit. (Engine 20.10 builds it, copying from the later stage's base without that stage's own steps.)
     */
    @Test
    void outOfOrderStage() throws IOException {
        for (String src : List.of("/", "/d2")) {
            port.whittleFails(
                    ctx().dockerfile("""
                    FROM BASE AS target
                    COPY --from=build %s /out

                    FROM BASE AS build
                    COPY /Dockerfile /d2

                    FROM target
                    """.formatted(src)),
                    "cannot copy from stage \"build\", it needs to be defined before current stage \"target\"");
        }
    }

    /**
     * Ports testEmptyStages (dockerfile_multistage_test.go). Not given to Docker: Engine 20.10's dockerd panics on a
     * Dockerfile of ARGs alone (dockerfile2llb's lastTarget, index out of range) and stops.
     */
    @Test
    void emptyStages() throws IOException {
        port.whittleFails(ctx().dockerfile("ARG foo=bar"), "dockerfile contains no stages to build");
    }

    /** Ports testTargetMistype (dockerfile_core_test.go): an unknown --target, with a suggestion. */
    @Test
    void targetMistype() throws IOException {
        port.whittleFails(
                ctx().dockerfile("""
                FROM scratch AS build
                COPY Dockerfile /out
                FROM scratch
                COPY --from=build /out /
                """),
                "target stage \"bulid\" could not be found (did you mean build?)",
                "--target",
                "bulid");
    }

    /** Ports testDockerfileCopyFromArgs (dockerfile_copy_test.go): COPY --from does not expand variables. */
    @Test
    void copyFromArgs() throws IOException {
        port.whittleFails(
                ctx().dockerfile("""
                FROM scratch
                COPY --from=$FOO . .
                """),
                "variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround");
    }

    /** Ports testPlatformArgsImplicit (dockerfile_platform_test.go): TARGETOS in FROM without a declaration. */
    @Test
    void platformArgsImplicit() throws IOException {
        Ctx c = ctx().dockerfile("""
                FROM scratch AS build-linux
                COPY foo bar
                FROM build-${TARGETOS}
                COPY foo2 bar2
                """).file("foo", "d0", 0600).file("foo2", "d1", 0600);
        same(c);
        Exported e = whittleOnly(c);
        assertThat(e.text("bar")).isEqualTo("d0");
        assertThat(e.text("bar2")).isEqualTo("d1");
    }

    /** Ports testPlatformArgsExplicit (dockerfile_platform_test.go): a stage on the build platform sees the target's args. */
    @Test
    void platformArgsExplicit() throws IOException {
        Exported e =
                whittleOnly(ctx().dockerfile("""
                FROM --platform=$BUILDPLATFORM BASE AS build
                ARG TARGETPLATFORM
                ARG TARGETOS
                RUN mkdir /out && echo -n $TARGETPLATFORM > /out/platform && echo -n $TARGETOS > /out/os
                FROM scratch
                COPY --from=build out .
                """), "--platform", "darwin/ppc64le", "--build-arg", "TARGETOS=freebsd");
        assertThat(e.text("platform")).isEqualTo("darwin/ppc64le");
        assertThat(e.text("os")).isEqualTo("freebsd");
    }

    /**
     * Ports testStepNames (dockerfile_core_test.go): the progress names steps as "[stage n/total] INSTRUCTION", the
     * instruction as written.
     */
    @Test
    void stepNames() throws IOException {
        Exec built = port.whittleBuild(ctx().dockerfile("""
                FROM BASE AS base
                WORKDIR /out
                RUN echo "base" > base
                FROM scratch
                COPY --from=base --chmod=0644 /out /out
                """));
        assertThat(built.code()).as(built.err()).isZero();
        assertThat(built.err())
                .contains("[base 3/3] RUN echo \"base\" > base")
                .contains("[stage-1 1/1] COPY --from=base --chmod=0644 /out /out");
    }

    // ------------------------------------------------------------------------------------------ ONBUILD

    /** Builds {@code ctx} as {@code image} with Docker and with whittle: a base for a child build. */
    static void baseBoth(Ctx c, String image) {
        port.dockerBuild(c, "-t", image).ok();
        port.whittle
                .run("build", "-q", "--check=warn", "-t", image, c.root().toString())
                .ok();
    }

    /** Ports testOnBuildWithChildStage (dockerfile_onbuild_test.go, moby/buildkit#5578): triggers run once, not again in a child stage. */
    @Test
    void onBuildWithChildStage() throws IOException {
        String base = "whittle-it/bkport2-onbuild-stage:" + port.next();
        baseBoth(ctx().dockerfile("""
                FROM BASE
                ONBUILD RUN mkdir -p /out && echo -n yes >> /out/didrun
                """), base);
        Ctx c = ctx().dockerfile("""
                FROM %s AS base
                RUN [ -f /out/didrun ] && touch /step1
                RUN rm /out/didrun
                RUN [ ! -f /out/didrun ] && touch /step2
                FROM base AS child
                RUN [ ! -f /out/didrun ] && touch /step3
                FROM scratch
                COPY --from=child /step* /
                """.formatted(base));
        same(c);
        assertThat(whittleOnly(c).entries()).containsKeys("step1", "step2", "step3");
        docker("rmi", base);
    }

    /** Ports testOnBuildInheritedStageRun (dockerfile_onbuild_test.go): a stage's ONBUILD runs in a stage built FROM it, newer BuildKit. */
    @Test
    void onBuildInheritedStageRun() throws IOException {
        assertThat(whittleOnly(ctx().dockerfile("""
                FROM BASE AS base
                ONBUILD RUN mkdir -p /out && echo -n 11 >> /out/foo
                FROM base AS mid
                RUN cp /out/foo /out/bar
                FROM scratch
                COPY --from=mid /out/bar /
                """)).text("bar")).isEqualTo("11");
    }

    /** Ports testOnBuildInheritedStageWithFrom (dockerfile_onbuild_test.go): an inherited ONBUILD COPY --from a stage. */
    @Test
    void onBuildInheritedStageWithFrom() throws IOException {
        assertThat(whittleOnly(ctx().dockerfile("""
                FROM BASE AS src
                RUN mkdir -p /in && echo -n 12 > /in/file
                FROM BASE AS base
                ONBUILD COPY --from=src /in/file /out/foo
                FROM base AS mid
                RUN cp /out/foo /out/bar
                FROM scratch
                COPY --from=mid /out/bar /
                """)).text("bar")).isEqualTo("12");
    }

    /** whittle's own: a trigger naming a stage defined after the one it runs in is refused (it could need that one). */
    @Test
    void aTriggerNamingALaterStageIsRefused() throws IOException {
        port.whittleFails(
                ctx().dockerfile("""
                FROM BASE AS base
                ONBUILD COPY --from=later /etc/passwd /p
                FROM base AS mid
                FROM BASE AS later
                FROM mid
                """),
                "cannot use stage \"later\" in a trigger of stage \"mid\": it needs to be defined before the stage");
    }

    /**
     * Ports testOnBuildNewDeps (dockerfile_onbuild_test.go): triggers may bring dependencies of their own — an image
     * (COPY --from), and a stage of the child's Dockerfile (a bind mount) — nested.
     */
    @Test
    void onBuildNewDeps() throws IOException {
        String base = "whittle-it/bkport2-onbuild-deps:" + port.next();
        String base2 = "whittle-it/bkport2-onbuild-deps2:" + port.seq();
        baseBoth(ctx().dockerfile("""
                FROM BASE
                ONBUILD COPY --from=BASE /etc/group /out/alpine-release2
                """), base);
        Ctx c = ctx().dockerfile("""
                \tFROM %s AS base
                \tRUN cat /out/alpine-release2 > /out/alpine-release3
                \tFROM scratch
                \tCOPY --from=base /out /
                \t""".formatted(base));
        assertThat(whittleOnly(c).text("alpine-release3").length()).isGreaterThan(5);
        // build another onbuild image to test nested case
        port.whittle
                .run(
                        "build",
                        "-q",
                        "--check=warn",
                        "-t",
                        base2,
                        ctx().dockerfile("""
                FROM BASE
                ONBUILD RUN --mount=type=bind,target=/in,from=inputstage mkdir /out && cat /in/foo > /out/bar && cat /in/out/alpine-release2 > /out/bar2
                """).root().toString())
                .ok();
        Exported e = whittleOnly(ctx().dockerfile("""
                \tFROM %s AS inputstage
                \tRUN cat /out/alpine-release2 > /out/alpine-release4
                \tRUN echo -n foo > /foo
                \tFROM %s AS base
                \tRUN echo -n bar3 > /out/bar3
                \tFROM scratch
                \tCOPY --from=base /out /
                \t""".formatted(base, base2)));
        assertThat(e.text("bar")).isEqualTo("foo");
        assertThat(e.text("bar2").length()).isGreaterThan(5);
        assertThat(e.text("bar3")).isEqualTo("bar3");
        docker("rmi", base);
    }

    /** Ports testOnBuildWithCacheMount (dockerfile_onbuild_test.go): a trigger's cache mount is the child's too. */
    @Test
    void onBuildWithCacheMount() throws IOException {
        String base = "whittle-it/bkport2-onbuild-cache:" + port.next();
        port.whittle
                .run(
                        "build",
                        "-q",
                        "--check=warn",
                        "-t",
                        base,
                        ctx().dockerfile("""
                FROM BASE
                ONBUILD RUN --mount=type=cache,target=/cache echo -n 42 >> /cache/foo && echo -n 11 >> /bar
                """).root().toString())
                .ok();
        whittleOnly(ctx().dockerfile("""
                FROM %s
                RUN --mount=type=cache,target=/cache [ "$(cat /cache/foo)" = "42" ] && [ "$(cat /bar)" = "11" ]
                """.formatted(base)));
    }

    /** Ports testOnBuildHeredoc (dockerfile_heredoc_test.go): a trigger that is a RUN heredoc. */
    @Test
    void onBuildHeredoc() throws IOException {
        String base = "whittle-it/bkport2-onbuild-heredoc:" + port.next();
        port.whittle
                .run(
                        "build",
                        "-q",
                        "--check=warn",
                        "-t",
                        base,
                        ctx().dockerfile("""
                FROM BASE
                ONBUILD RUN <<EOF
                echo "hello world" >> /dest
                EOF
                """).root().toString())
                .ok();
        assertThat(whittleOnly(ctx().dockerfile("""
                \tFROM %s AS base
                \tFROM scratch
                \tCOPY --from=base /dest /dest
                \t""".formatted(base))).text("dest"))
                .isEqualTo("hello world\n");
    }

    // ------------------------------------------------------------------------------------------ errors

    /** Ports testDockerfileInvalidInstruction (dockerfile_cmd_test.go). */
    @Test
    void invalidInstruction() throws IOException {
        String err = port.whittleFails(ctx().dockerfile("""
                FROM scratch
                FNTRYPOINT ["/bin/sh", "-c", "echo invalidinstruction"]
                """), "unknown instruction: FNTRYPOINT");
        assertThat(err).contains("did you mean ENTRYPOINT?");
    }

    /** Ports testErrorsSourceMap (errors_test.go): each error names the Dockerfile line(s) it is about. */
    @Test
    void errorsSourceMap() throws IOException {
        String[][] cases = {
            {"invalidenv", "from BASE\nenv", "2"},
            {"invalidsyntax", "#syntax=foobar\nfrom BASE", "1"},
            {"invalidrun", "from scratch\nenv foo=bar\nrun what", "3"},
            {"invalidcopy", "from scratch\nenv foo=bar\ncopy foo bar\nenv bar=baz", "3"},
            {"invalidflag", "from scratch\nenv foo=bar\ncopy --foo=bar / /\nenv bar=baz", "3"},
            {"invalidcopyfrom", "from scratch\nenv foo=bar\ncopy --from=invalid foo bar\nenv bar=baz", "3"},
            {"invalidmultiline", "from scratch\nrun wh\\\nat\nenv bar=baz", "2"},
        };
        for (String[] c : cases) {
            Exec w = port.whittleBuild(ctx().dockerfile(c[1]), "--pull", "never");
            assertThat(w.code()).as(c[0] + ": " + w.err()).isEqualTo(1);
            assertThat(w.err())
                    .as(c[0])
                    .contains("Error: Dockerfile:" + c[2] + ":")
                    .doesNotContain("\tat dev.whittle");
        }
    }

    // ------------------------------------------------------------------------------------------ parser/testfiles

    /**
     * Ports parser/testfiles/escape, escape-nonewline and escape-after-comment (parser_test.go's TestParseCases): the
     * escape directive, with and without a blank line after it, and ignored after a comment.
     */
    @Test
    void escapeDirective() throws IOException {
        same(ctx().dockerfile("#escape = `\n\nFROM BASE\nLABEL maintainer foo@bar.com\nENV GOPATH `\n\\go"));
        same(ctx().dockerfile("""
                # escape = `
                # There is no white space line after the directives. This still succeeds, but goes
                # against best practices.
                FROM BASE
                LABEL maintainer foo@bar.com
                ENV GOPATH `
                \\go
                """));
        same(ctx().dockerfile("""
                # Comment here. Should not be looking for the following parser directive.
                # Hence the following line will be ignored, and the subsequent backslash
                # continuation will be the default.
                # escape = `

                FROM BASE
                LABEL maintainer foo@bar.com
                ENV GOPATH \\
                \\go"""));
    }

    /** Ports parser/testfiles/escape-with-syntax: escape after a syntax directive (whose frontend is not fetched: the built-in one). */
    @Test
    void escapeWithSyntax() throws IOException {
        Exported e = whittleOnly(ctx().dockerfile("""
                # syntax = docker/dockerfile
                # escape = `

                FROM `
                    BASE
                RUN echo ok > /ok
                """));
        assertThat(e.text("ok")).isEqualTo("ok\n");
    }

    /** Ports parser/testfiles/escapes: backslashes inside words, and continuations across blank lines. */
    @Test
    void escapes() throws IOException {
        same(ctx().dockerfile("""
                FROM BASE
                LABEL maintainer Erik \\\\Hollensbe <erik@hollensbe.org>\\"

                RUN echo \\update && \\
                  echo \\"install znc -y

                RUN echo foo \\

                bar \\

                baz

                CMD [ "\\/usr\\\\\\"/bin/znc", "-f", "-r" ]
                """));
        // the file's ADD line: an unmatched double quote once the escapes are taken
        port.bothFail(
                ctx().dockerfile("FROM BASE\nADD \\conf\\\\\" /.znc\n"),
                "unexpected end of statement while looking for matching double-quote");
    }

    /** Ports parser/testfiles/continueIndent: continuations with indentation, trailing spaces and comments between. */
    @Test
    void continueIndent() throws IOException {
        same(ctx().dockerfile("""
                FROM BASE

                RUN echo hello\\
                  world\\
                  goodnight  \\
                  moon\\
                  light\\
                ning
                RUN echo hello  \\
                  world
                RUN echo hello  \\
                world
                RUN echo hello \\
                goodbye\\
                frog
                RUN echo hello  \\ \s
                world
                RUN echo hi \\
                 \\
                 world \\
                \\
                 good\\
                \\
                night
                RUN echo goodbye\\
                frog
                RUN echo good\\
                bye\\
                frog

                RUN echo hello \\
                # this is a comment

                # this is a comment with a blank line surrounding it

                this is some more useful stuff
                """));
    }

    /** Ports parser/testfiles/continue-at-eof: a continuation on the last line. */
    @Test
    void continueAtEof() throws IOException {
        same(ctx().dockerfile("FROM BASE\n\nRUN echo something \\"));
    }

    /** Ports parser/testfiles/trailing-backslash (docker/for-win#5254): an escaped backslash ends no line. */
    @Test
    void trailingBackslash() throws IOException {
        same(ctx().dockerfile("""
                # https://github.com/docker/for-win/issues/5254

                FROM BASE

                ENV A path
                ENV B another\\\\path
                ENV C trailing\\\\backslash\\\\
                ENV D This should not be appended to C
                ENV E hello\\
                \\
                world
                ENV F hello\\
                 \\
                world
                ENV G hello \\
                \\
                world
                """));
    }

    /** Ports parser/testfiles/env: ENV's forms, quotes and escapes (the lines both builders accept). */
    @Test
    void envForms() throws IOException {
        same(ctx().dockerfile("""
                FROM BASE
                ENV name value
                ENV name=value
                ENV name=value name2=value2
                ENV name="value value1"
                ENV name=value\\ value2
                ENV name="value'quote space'value2"
                ENV name='value"double quote"value2'
                ENV name=value\\ value2 name2=value2\\ value3
                ENV name="a\\"b"
                ENV name="a\\'b"
                ENV name='a\\"b'
                ENV name="''"
                # don't put anything after the next line - it must be the last line of the
                # Dockerfile and it must end with \\
                ENV name=value \\
                    name1=value1 \\
                    name2="value2a \\
                           value2b" \\
                    name3="value3a\\n\\"value3b\\"" \\
                \tname4="value4a\\\\nvalue4b" \\
                """));
    }

    /** Ports parser/testfiles/env's unbalanced single quotes: both refuse them. */
    @Test
    void envUnbalancedQuote() throws IOException {
        port.bothFail(ctx().dockerfile("FROM BASE\nENV name='a\\'b'\n"), "Dockerfile:2");
    }

    /** Ports parser/testfiles/args: several ARGs on a line, before and after FROM. */
    @Test
    void argsFile() throws IOException {
        same(ctx().dockerfile("""
                ARG foo bar=baz
                FROM BASE
                ARG abc="123 456" def
                RUN echo "$abc|$def|$foo|$bar" > /args
                """));
    }

    /** Ports parser/testfiles/health: HEALTHCHECK's forms (CMD, NONE-less empty, flags with zero values). */
    @Test
    void health() throws IOException {
        same(ctx().dockerfile("""
                FROM BASE
                ADD check.sh main.sh /app/
                CMD /app/main.sh
                HEALTHCHECK --interval=5s --timeout=3s --retries=3 \\
                  CMD /app/check.sh --quiet
                HEALTHCHECK   CMD   a b
                HEALTHCHECK --timeout=3s CMD ["foo"]
                """).file("check.sh", "#!/bin/sh\n", 0755).file("main.sh", "#!/bin/sh\n", 0755));
        // zero durations mean the defaults in newer BuildKit; Engine 20.10 refuses them ("cannot be less than 1ms")
        whittleOnly(ctx().dockerfile("""
                FROM BASE
                HEALTHCHECK --start-period=0s --start-interval=0s --interval=5s --timeout=0s --retries=0 CMD ["foo"]
                """));
        assertThat(inspect(port.tag(), "{{json .Config.Healthcheck}}"))
                .isEqualTo("{\"Test\":[\"CMD\",\"foo\"],\"Interval\":5000000000}");
        same(ctx().dockerfile("""
                FROM BASE
                HEALTHCHECK CMD ["foo"]
                HEALTHCHECK NONE
                """));
        port.bothFail(ctx().dockerfile("FROM BASE\nHEALTHCHECK CONNECT TCP 7000\n"), "CONNECT");
        port.bothFail(ctx().dockerfile("FROM BASE\nHEALTHCHECK CMD\n"), "Dockerfile:2");
    }

    /** Ports parser/testfiles/json: CMD's JSON forms, with tabs, unicode and JSON escapes. */
    @Test
    void jsonForms() throws IOException {
        same(ctx().dockerfile("FROM BASE\nENTRYPOINT [\"/bin/sh\"]\nENTRYPOINT []\n"));
        for (String cmd : List.of(
                "CMD []",
                "CMD [\"\"]",
                "CMD [\"a\"]",
                "CMD [\"a\",\"b\"]",
                "CMD [ \"a\", \"b\" ]",
                "CMD [\t\"a\",\t\"b\"\t]",
                "CMD\t[\t\"a\",\t\"b\"\t]\t",
                "CMD [\"abc 123\", \"♥\", \"☃\", \"\\\" \\\\ \\/ \\n \\r \\t\"]")) {
            // (upstream's \b and \f too, but {{json}} shows them as Go 1.22 does, \b, where Engine 20.10's Go wrote
            // \u0008)
            same(ctx().dockerfile("FROM BASE\n" + cmd + "\n"));
        }
    }

    /** Ports parser/testfiles/lk4d4-the-edge-case-generator: every instruction in its odd forms. */
    @Test
    void edgeCaseGenerator() throws IOException {
        same(ctx().dockerfile("""
                FROM BASE

                LABEL maintainer docker <docker@docker.io>

                ONBUILD RUN ["echo", "test"]
                ONBUILD RUN echo test
                ONBUILD COPY . /


                # RUN Commands \\
                # linebreak in comment \\
                RUN ["ls", "-la"]
                RUN ["echo", "'1234'"]
                RUN echo "1234"
                RUN echo 1234
                RUN echo '1234' && \\
                    echo "456" && \\
                    echo 789
                RUN    sh -c 'echo root:testpass \\
                        > /tmp/passwd'
                RUN mkdir -p /test /test2 /test3/test

                # ENV \\
                ENV SCUBA 1 DUBA 3
                ENV SCUBA "1 DUBA 3"

                # CMD \\
                CMD ["echo", "test"]
                CMD echo test
                CMD echo "test"
                CMD echo 'test'
                CMD echo 'test' | wc -

                #EXPOSE\\
                EXPOSE 3000
                EXPOSE 9000 5000 6000

                USER docker
                USER docker:root

                VOLUME ["/test"]
                VOLUME ["/test", "/test2"]
                VOLUME /test3

                WORKDIR /test

                ADD . /
                COPY . copy
                """).file("f.txt", "f"));
    }

    /** Ports parser/testfiles/ADD-COPY-with-JSON and multiple-volumes: tabs between words, JSON sources with spaces. */
    @Test
    void addCopyWithJson() throws IOException {
        same(ctx().dockerfile("""
                FROM\tBASE
                LABEL\tmaintainer\tSeongyeol Lim <seongyeol37@gmail.com>

                COPY\t.\t/go/src/github.com/docker/docker
                ADD\t\t.\t/
                ADD\t\tnull /
                COPY\tnullfile /tmp
                ADD\t\t[ "vimrc", "/tmp" ]
                COPY\t[ "bashrc", "/tmp" ]
                COPY\t[ "test file", "/tmp" ]
                ADD\t\t[ "test file", "/tmp/test file" ]

                VOLUME /opt/nagios/var /opt/nagios/etc /opt/nagios/libexec /var/log/apache2 /usr/share/snmp/mibs
                """)
                .file("null", "")
                .file("nullfile", "")
                .file("vimrc", "v")
                .file("bashrc", "b")
                .file("test file", "t"));
    }

    /** Ports parser/testfiles/kartar-entrypoint-oddities: ENTRYPOINT as JSON with spaces inside the brackets. */
    @Test
    void entrypointOddities() throws IOException {
        same(ctx().dockerfile("""
                FROM BASE
                LABEL maintainer James Turnbull "james@example.com"
                ENV REFRESHED_AT 2014-06-01
                EXPOSE 6379
                ENTRYPOINT [ "/usr/bin/redis-server" ]
                """));
    }

    /** Ports parser/testfiles-negative (parser_test.go's TestParseErrorCases): both refuse each. */
    @Test
    void negativeCases() throws IOException {
        port.bothFail(ctx().dockerfile(""), "");
        port.bothFail(ctx().dockerfile("# Comment\n# Another comment\n"), "");
        port.bothFail(ctx().dockerfile("FROM BASE\n\nENV PATH\n"), "Dockerfile:3");
        port.bothFail(ctx().dockerfile("FROM BASE\nCMD [ \"echo\", [ \"nested json\" ] ]\n"), "");
    }
}
