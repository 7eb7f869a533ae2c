package dev.whittle.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ParserTest {
    static Dockerfile parse(String text) {
        return Parser.parse("Dockerfile", text);
    }

    static <T extends Instruction> T first(Dockerfile df, Class<T> type) {
        return df.instructions().stream()
                .filter(type::isInstance)
                .map(type::cast)
                .findFirst()
                .orElseThrow();
    }

    @Test
    void keepsLineAndColumnOfInstructionsFlagsAndArguments() {
        Dockerfile df = parse("FROM golang:alpine AS build\n\n  COPY --from=build --chmod=755 /build /app/site\n");
        Instruction.From from = first(df, Instruction.From.class);
        assertThat(from.pos()).isEqualTo(new Pos(1, 1));
        assertThat(from.image().pos()).isEqualTo(new Pos(1, 6));
        assertThat(from.stageName().text()).isEqualTo("build");
        Instruction.Copy copy = first(df, Instruction.Copy.class);
        assertThat(copy.pos()).isEqualTo(new Pos(3, 3));
        assertThat(copy.flags()).extracting(Flag::name).containsExactly("from", "chmod");
        assertThat(copy.flags().get(1).pos()).isEqualTo(new Pos(3, 21));
        assertThat(copy.sources()).extracting(Word::text).containsExactly("/build");
        assertThat(copy.dest()).isEqualTo(new Word("/app/site", new Pos(3, 40)));
    }

    @Test
    void continuationLinesJoinAndCommentsInsideAreDropped() {
        Dockerfile df = parse("FROM x\nRUN echo a \\\n# a comment\n    b \\\n  c\nRUN d\n");
        Instruction.Run run = first(df, Instruction.Run.class);
        assertThat(run.command().shell().text()).isEqualTo("echo a     b   c");
        assertThat(run.common().endLine()).isEqualTo(5);
        assertThat(df.instructions().get(2).pos()).isEqualTo(new Pos(6, 1));
        // the word 'b' is reported where it is written
    }

    @Test
    void aLineEndingInAnEscapedEscapeIsNotContinued() {
        // docker 20.10: ENV C=trailing\ and a LABEL of its own
        Dockerfile df = parse("FROM x\nENV C trailing\\\\\nLABEL x=1\nRUN \\\n  a\n");
        assertThat(df.instructions()).hasSize(4);
        assertThat(df.instructions().get(2)).isInstanceOf(Instruction.Label.class);
        assertThat(first(df, Instruction.Run.class).common().endLine()).isEqualTo(5); // a lone escape still continues
    }

    @Test
    void emptyContinuationLinesWarn() {
        Dockerfile df = parse("FROM x\nRUN a \\\n\n  b\n");
        assertThat(df.warnings()).extracting(Dockerfile.Warning::rule).containsExactly("NoEmptyContinuation");
    }

    @Test
    void directivesOnlyAtTheTop() {
        Dockerfile df = parse(
                "# syntax=docker/dockerfile:1\n# escape=`\n# check=skip=JSONArgsRecommended\nFROM x\nRUN a `\n  b\n");
        assertThat(df.directives())
                .containsEntry("syntax", "docker/dockerfile:1")
                .containsEntry("escape", "`");
        assertThat(df.escape()).isEqualTo('`');
        assertThat(first(df, Instruction.Run.class).command().shell().text()).isEqualTo("a   b");
        Dockerfile late = parse("FROM x\n# escape=`\nRUN a \\\n b\n");
        assertThat(late.directives()).isEmpty();
        assertThat(first(late, Instruction.Run.class).command().shell().text()).isEqualTo("a  b");
        assertThatThrownBy(() -> parse("# escape=x\nFROM a")).hasMessageContaining("invalid escape token 'x'");
        assertThatThrownBy(() -> parse("# escape=`\n# escape=\\\nFROM a"))
                .hasMessageContaining("only one escape parser directive");
    }

    @Test
    void execFormOnlyForValidJsonElseShellForm() {
        Dockerfile df = parse(
                "FROM x\nCMD [\"/app/site\", \"--version\"]\nENTRYPOINT ['/bin/sh', '-c']\nRUN [\"echo\",\"a\"]\n");
        Instruction.Cmd cmd = first(df, Instruction.Cmd.class);
        assertThat(cmd.command().exec()).isTrue();
        assertThat(cmd.command().argStrings()).containsExactly("/app/site", "--version");
        Instruction.Entrypoint ep = first(df, Instruction.Entrypoint.class);
        assertThat(ep.command().exec()).isFalse();
        assertThat(ep.command().shell().text()).isEqualTo("['/bin/sh', '-c']");
        assertThatThrownBy(() -> parse("FROM x\nCMD [\"a\", 1]")).hasMessageContaining("strings only");
    }

    @Test
    void heredocs() {
        Dockerfile df = parse("""
                FROM x
                RUN <<EOF
                echo $HOME
                EOF
                COPY <<-"END" <<TWO /dest/
                \tliteral $X
                \tEND
                second
                TWO
                RUN echo after
                """);
        Instruction.Run run = first(df, Instruction.Run.class);
        assertThat(run.heredocs()).hasSize(1);
        assertThat(run.heredocs().getFirst().name()).isEqualTo("EOF");
        assertThat(run.heredocs().getFirst().content()).isEqualTo("echo $HOME\n");
        assertThat(run.heredocs().getFirst().expand()).isTrue();
        Instruction.Copy copy = first(df, Instruction.Copy.class);
        assertThat(copy.heredocs()).extracting(Heredoc::name).containsExactly("END", "TWO");
        assertThat(copy.heredocs().get(0).expand()).isFalse();
        assertThat(copy.heredocs().get(0).chomp()).isTrue();
        assertThat(copy.heredocs().get(0).body()).isEqualTo("literal $X\n");
        assertThat(copy.heredocs().get(1).body()).isEqualTo("second\n");
        assertThat(copy.dest().text()).isEqualTo("/dest/");
        assertThat(df.instructions().getLast().text()).isEqualTo("echo after");
        assertThatThrownBy(() -> parse("FROM x\nRUN <<EOF\necho\n"))
                .hasMessageContaining("unterminated heredoc \"EOF\" started at 2:5");
        // found by Jazzer: a descriptor number past int used to escape as NumberFormatException
        assertThatThrownBy(() -> parse("FROM x\nRUN cat 33333333333333<<EOF\nhi\nEOF\n"))
                .hasMessageContaining("Dockerfile:2")
                .hasMessageContaining("invalid heredoc file descriptor 33333333333333");
    }

    @Test
    void envAndLabelForms() {
        Dockerfile df = parse(
                "FROM x\nENV A=1 B=\"two words\" C=three\\ words\nENV ONE TWO= THREE=world\nLABEL \"com.example.vendor\"=\"ACME Inc\" version=1.0\n");
        List<Instruction.Env> envs = df.instructions().stream()
                .filter(Instruction.Env.class::isInstance)
                .map(Instruction.Env.class::cast)
                .toList();
        assertThat(envs.get(0).pairs()).extracting(kv -> kv.key().text()).containsExactly("A", "B", "C");
        assertThat(envs.get(0).pairs().get(1).value().text()).isEqualTo("\"two words\"");
        assertThat(envs.get(1).legacyForm()).isTrue();
        assertThat(envs.get(1).pairs().getFirst().value().text()).isEqualTo("TWO= THREE=world");
        Instruction.Label label = first(df, Instruction.Label.class);
        assertThat(label.pairs().getFirst().key().text()).isEqualTo("\"com.example.vendor\"");
        assertThatThrownBy(() -> parse("FROM x\nENV A=1 B\n")).hasMessageContaining("can't find = in \"B\"");
    }

    @Test
    void flagsAreValidatedPerInstruction() {
        assertThatThrownBy(() -> parse("FROM x\nCOPY --form=build a b\n"))
                .hasMessageContaining("unknown flag: --form")
                .hasMessageContaining("2:6");
        assertThatThrownBy(() -> parse("FROM x\nWORKDIR --x=1 /a\n")).hasMessageContaining("WORKDIR takes no flags");
        assertThatThrownBy(() -> parse("FROM x\nCOPY --from a b\n"))
                .hasMessageContaining("missing a value on flag: --from");
        assertThatThrownBy(() -> parse("FROM x\nCOPY --link=maybe a b\n")).hasMessageContaining("expecting boolean");
        Instruction.Run run = first(
                parse(
                        "FROM x\nRUN --mount=type=cache,target=/root/.cache/go-build --mount=type=secret,id=tok --network=none go build\n"),
                Instruction.Run.class);
        assertThat(run.flagsNamed("mount")).hasSize(2);
        assertThat(run.command().shell().text()).isEqualTo("go build");
    }

    @Test
    void errorsNameFileLineColumnShowTheLineAndHint() {
        assertThatThrownBy(() -> parse("FROM golang\nWORKDIR /app\nCOPPY . .\n"))
                .isInstanceOf(DockerfileException.class)
                .hasMessageStartingWith("Dockerfile:3:1: unknown instruction: COPPY (did you mean COPY?)")
                .hasMessageContaining("    3 | COPPY . .\n      | ^");
        assertThatThrownBy(() -> parse("FROM a b")).hasMessageContaining("FROM requires either one or three arguments");
        assertThatThrownBy(() -> parse("FROM a\nONBUILD ONBUILD RUN x")).hasMessageContaining("ONBUILD ONBUILD");
        assertThatThrownBy(() -> parse("FROM a\nSHELL /bin/bash -c"))
                .hasMessageContaining("SHELL requires the arguments to be in JSON form");
        assertThatThrownBy(() -> parse("FROM a\nHEALTHCHECK CMDX x")).hasMessageContaining("unknown type");
        assertThatThrownBy(() -> parse("FROM a\nCOPY onlyone"))
                .hasMessageContaining("COPY requires at least two arguments");
    }

    @Test
    void everyInstructionOfTheReference() {
        Dockerfile df = parse("""
                # syntax=docker/dockerfile:1
                ARG VERSION=latest
                FROM --platform=$BUILDPLATFORM busybox:$VERSION AS base
                MAINTAINER someone@example.com
                LABEL multi.label1="value1" multi.label2="value2" other="value3"
                EXPOSE 80/udp 8000-8010/tcp
                ENV MY_NAME="John Doe" MY_DOG=Rex\\ The\\ Dog MY_CAT=fluffy
                ADD --chown=55:mygroup --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/a.tar.gz /x/
                ADD --keep-git-dir=true https://github.com/moby/buildkit.git#v0.10.1 /buildkit
                COPY --chown=bin --chmod=644 --link --parents --exclude=*.txt hom* /mydir/
                COPY ["a file", "/dest dir/"]
                VOLUME ["/data"]
                VOLUME /var/log /var/db
                USER patrick:users
                WORKDIR /a
                WORKDIR b
                STOPSIGNAL SIGKILL
                HEALTHCHECK --interval=5m --timeout=3s --start-period=10s --start-interval=2s --retries=3 CMD curl -f http://localhost/ || exit 1
                SHELL ["/bin/bash", "-c"]
                ONBUILD ADD . /app/src
                ONBUILD RUN /usr/local/bin/python-build --dir /app/src
                RUN --mount=type=bind,from=base,source=/x,target=/y --network=none --security=sandbox echo hi
                ENTRYPOINT ["top", "-b"]
                CMD ["-c"]
                FROM base
                HEALTHCHECK NONE
                """);
        assertThat(df.instructions())
                .extracting(Instruction::name)
                .containsExactly(
                        "ARG",
                        "FROM",
                        "MAINTAINER",
                        "LABEL",
                        "EXPOSE",
                        "ENV",
                        "ADD",
                        "ADD",
                        "COPY",
                        "COPY",
                        "VOLUME",
                        "VOLUME",
                        "USER",
                        "WORKDIR",
                        "WORKDIR",
                        "STOPSIGNAL",
                        "HEALTHCHECK",
                        "SHELL",
                        "ONBUILD",
                        "ONBUILD",
                        "RUN",
                        "ENTRYPOINT",
                        "CMD",
                        "FROM",
                        "HEALTHCHECK");
        Instruction.Copy json = (Instruction.Copy) df.instructions().get(9);
        assertThat(json.sources()).extracting(Word::text).containsExactly("a file");
        assertThat(json.dest().text()).isEqualTo("/dest dir/");
        Instruction.Onbuild ob = (Instruction.Onbuild) df.instructions().get(18);
        assertThat(ob.expression()).isEqualTo("ADD . /app/src");
        assertThat(ob.trigger()).isInstanceOf(Instruction.Copy.class);
        assertThat(((Instruction.Healthcheck) df.instructions().getLast()).command())
                .isNull();
    }

    @Test
    void byteOrderMarkCrlfAndLowercase() {
        Dockerfile df = parse("\uFEFFfrom x\r\nrun echo hi\r\n");
        assertThat(df.instructions()).extracting(Instruction::name).containsExactly("FROM", "RUN");
        assertThat(first(df, Instruction.Run.class).command().shell().text()).isEqualTo("echo hi");
    }

    @Test
    void blankEnvAndLabelNamesAreRefusedAsBuildKitDoes() {
        assertThatThrownBy(() -> parse("FROM x\nENV =x\n"))
                .isInstanceOf(DockerfileException.class)
                .hasMessageStartingWith("Dockerfile:2:5: ENV names can not be blank");
        assertThatThrownBy(() -> parse("FROM x\nLABEL a=b =c\n"))
                .hasMessageStartingWith("Dockerfile:2:11: LABEL names can not be blank");
    }

    @Test
    void aLineLongerThanBuildKitsScannerTakesIsRefused() {
        String ok = "FROM x\nLABEL a=" + "x".repeat(65_535 - 8) + "\n";
        assertThat(parse(ok).instructions()).hasSize(2);
        assertThatThrownBy(() -> parse(ok.replace("a=", "ab=")))
                .isInstanceOf(DockerfileException.class)
                .hasMessageStartingWith("Dockerfile:2:1: dockerfile line greater than max allowed size of 65535");
        // a heredoc body's lines count too: BuildKit's scanner reads every line
        assertThatThrownBy(() -> parse("FROM x\nRUN <<EOF\n" + "y".repeat(70_000) + "\nEOF\n"))
                .hasMessageStartingWith("Dockerfile:3:1: dockerfile line greater than max allowed size of 65535");
    }

    @Test
    void theSyntaxDirectiveNamesOnlyTheDockerfileFrontend() {
        for (String ok : java.util.List.of(
                "docker/dockerfile",
                "docker/dockerfile:1",
                "docker/dockerfile:1.4-labs",
                "docker.io/docker/dockerfile:1",
                "docker/dockerfile-upstream:master",
                "docker/dockerfile:1@sha256:" + "a".repeat(64))) {
            assertThat(parse("# syntax=" + ok + "\nFROM x\n").directives()).containsEntry("syntax", ok);
        }
        for (String other : java.util.List.of(
                "foobar", "tonistiigi/dockerfile:runmount", "example.com/docker/dockerfile:1", "Not A Ref")) {
            assertThatThrownBy(() -> parse("# syntax=" + other + "\nFROM x\n"))
                    .isInstanceOf(DockerfileException.class)
                    .hasMessageContaining("Dockerfile:1:")
                    .hasMessageContaining("unsupported frontend \"" + other + "\"");
        }
    }
}
