package dev.whittle.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.whittle.image.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Mutation fuzzing of the frontend: the seed Dockerfiles and a grammar-heavy sample, cut, spliced, with bytes
 * flipped and the characters the lexer cares about (quotes, escapes, $, {, }, heredoc markers, continuations, BOMs,
 * NULs, CRs) inserted. Parsing, planning and expanding every word must either succeed or fail with a
 * {@link DockerfileException} that names a position — never another exception, never a hang. Deterministic seeds, so
 * a failure replays; {@code -Dwhittle.fuzz.iterations=N} runs longer.
 */
class FrontendFuzzTest {
    static final String[] SPECIAL = {
        "\\",
        "\"",
        "'",
        "$",
        "${",
        "}",
        "${X:-",
        "${X:+y}",
        "${X#",
        "%",
        "<<EOF\n",
        "<<-\"E\"\n",
        "\nEOF\n",
        "\\\n",
        "`",
        "\r",
        "\uFEFF",
        "\u0000",
        "#",
        "# escape=`\n",
        "# syntax=x\n",
        "[",
        "]",
        "\",\"",
        "--mount=type=cache,target=/x ",
        "--from=",
        "AS ",
        " ",
        "\t",
        "\n",
        "FROM ",
        "RUN ",
        "COPY ",
        "ARG ",
        "ENV ",
        "ONBUILD ",
        "HEALTHCHECK CMD ",
        "\uD83D\uDE00"
    };

    static List<String> seeds() throws Exception {
        List<String> seeds = new ArrayList<>();
        Path examples = Path.of("").toAbsolutePath();
        while (examples != null && !Files.isDirectory(examples.resolve("examples/site")))
            examples = examples.getParent();
        if (examples != null) {
            for (String f : List.of("site/Dockerfile.static", "site/Dockerfile.single", "hello/Dockerfile")) {
                seeds.add(Files.readString(examples.resolve("examples").resolve(f)));
            }
        }
        seeds.add("""
                # syntax=docker/dockerfile:1
                ARG BASE=alpine:3.19
                FROM ${BASE} AS base
                ENV A="x y" B=${A:-z} C=$A
                RUN --mount=type=cache,target=/root/.cache \\
                    echo "${B}" 'single $A' && \\
                    echo done
                COPY --chown=1000:1000 --chmod=0755 ["a b", "/dst/"]
                RUN <<EOF bash
                echo heredoc $A
                EOF
                COPY <<-"END" /file
                	literal $A
                END
                FROM base AS final
                ONBUILD RUN echo later
                HEALTHCHECK --interval=5s CMD ["curl", "-f", "http://localhost/"]
                ENTRYPOINT ["/app"]
                """);
        return seeds;
    }

    static String mutate(String s, Random r) {
        StringBuilder b = new StringBuilder(s);
        int edits = 1 + r.nextInt(6);
        for (int e = 0; e < edits; e++) {
            int at = b.isEmpty() ? 0 : r.nextInt(b.length() + 1);
            switch (r.nextInt(5)) {
                case 0 -> b.insert(at, SPECIAL[r.nextInt(SPECIAL.length)]);
                case 1 -> {
                    if (!b.isEmpty() && at < b.length()) b.delete(at, Math.min(b.length(), at + 1 + r.nextInt(20)));
                }
                case 2 -> {
                    if (at < b.length()) b.setCharAt(at, (char) r.nextInt(128));
                }
                case 3 -> {
                    int from = b.isEmpty() ? 0 : r.nextInt(b.length());
                    String piece = b.substring(from, Math.min(b.length(), from + r.nextInt(40)));
                    b.insert(at, piece);
                }
                default -> b.insert(at, (char) (0x80 + r.nextInt(0x700)));
            }
        }
        return b.toString();
    }

    private static final ExecutorService WORKERS = Executors.newVirtualThreadPerTaskExecutor();

    @Test
    void mutatedDockerfilesParseOrFailWithAPosition() throws Exception {
        int iterations = Integer.getInteger("whittle.fuzz.iterations", 3000);
        List<String> seeds = seeds();
        Random r = new Random(20261123);
        int parsed = 0;
        for (int i = 0; i < iterations; i++) {
            String text = mutate(seeds.get(r.nextInt(seeds.size())), r);
            if (r.nextInt(10) == 0) text = mutate(text, r);
            final String input = text;
            CompletableFuture<Boolean> run = CompletableFuture.supplyAsync(() -> exercise(input), WORKERS);
            try {
                if (run.get(5, TimeUnit.SECONDS)) parsed++;
            } catch (TimeoutException e) {
                fail("the frontend did not finish within 5 s on:\n" + input);
            } catch (ExecutionException e) {
                throw new AssertionError(
                        "input " + i + " made the frontend throw " + e.getCause() + ":\n" + input, e.getCause());
            }
        }
        assertThat(parsed).as("some mutants are still valid Dockerfiles").isGreaterThan(iterations / 20);
    }

    /**
     * Parses, plans, expands every instruction's words and runs the checks. True when the text is a valid
     * Dockerfile, false when it fails with a positioned {@link DockerfileException}; anything else propagates.
     */
    static boolean exercise(String text) {
        Dockerfile df;
        try {
            df = Parser.parse("Dockerfile", text);
            Planner.plan(df, new Planner.Options(null, Map.of("A", "1"), Platform.LINUX_AMD64, Platform.LINUX_AMD64));
        } catch (DockerfileException e) {
            if (e.getMessage() == null || !e.getMessage().matches("(?s).*Dockerfile(:\\d+(:\\d+)?)?.*")) {
                throw new AssertionError("error without a position: " + e.getMessage(), e);
            }
            return false;
        }
        ShellLex lex = new ShellLex(df.escape());
        for (Instruction ins : df.instructions()) {
            try {
                lex.processWords(ins.text(), k -> k.equals("A") ? "a b" : null);
            } catch (ShellLex.ExpansionException expected) {
                // a bad substitution is a user error the build reports with the instruction's line
            }
        }
        Checks.run(
                df,
                new Planner.Options(null, Map.of(), Platform.LINUX_AMD64, Platform.LINUX_AMD64),
                image -> Map.of("PATH", "/bin"));
        return true;
    }
}
