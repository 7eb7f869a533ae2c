package dev.whittle.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whittle.dockerfile.DockerIgnore;
import dev.whittle.dockerfile.DockerfileException;
import dev.whittle.dockerfile.Instruction;
import dev.whittle.dockerfile.Parser;
import dev.whittle.dockerfile.Scope;
import dev.whittle.dockerfile.ShellLex;
import dev.whittle.rootfs.ContextTree;
import dev.whittle.rootfs.FileTree;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What each source of a COPY or ADD is taken for, before it is placed: no root, no store. */
class CopySourcesTest {
    /** Only what resolving sources uses: the lexer and the options (no store, no cache, no builder). */
    private static final StepServices SERVICES = new StepServices(
            null,
            null,
            null,
            null,
            null,
            null,
            new ShellLex('\\'),
            new StepOptions(false, Set.of(), null, Map.of(), RunSettings.DEFAULT, Map.of(), Map.of()),
            null,
            null,
            () -> {},
            null);

    private static final State STAGE = RunCacheKeyTest.STAGE;

    @TempDir
    Path dir;

    private static byte[] tar() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(out);
        w.write(TarEntry.file("hello.txt", 0644, 2, 0), "hi".getBytes(StandardCharsets.UTF_8));
        w.finish();
        return out.toByteArray();
    }

    /** Each source of the Dockerfile's second line resolved against {@code tree}. */
    private static List<CopySource> resolve(String line, FileTree tree) throws IOException {
        var df = Parser.parse("Dockerfile", "FROM scratch\n" + line + "\n");
        var c = (Instruction.Copy) df.instructions().get(1);
        var ctx = new StepContext(SERVICES, df, "stage-0", 0, true);
        CopyFlags flags = CopyFlags.parse(ctx, STAGE, c);
        CopySources sources = new CopySources(ctx, c, flags, Scope.empty(), tree);
        List<CopySource> out = new ArrayList<>();
        for (int k = 0; k < c.sources().size(); k++)
            out.add(sources.resolve(c.sources().get(k), flags.sources().get(k)));
        return out;
    }

    private static List<Boolean> archives(List<CopySource> sources) {
        return sources.stream()
                .flatMap(s -> ((CopySource.Paths) s).matches().stream())
                .map(CopySource.Match::archive)
                .toList();
    }

    @Test
    void addUnpacksALocalTarArchiveAndCopyOrUnpackFalseDoNot() throws IOException {
        MemTree context = MemTree.of("plain.txt=not a tar").withFile("app.tar", tar());

        assertThat(archives(resolve("ADD app.tar plain.txt /dst/", context))).containsExactly(true, false);
        assertThat(archives(resolve("ADD --unpack=false app.tar /dst/", context)))
                .containsExactly(false);
        assertThat(archives(resolve("COPY app.tar /dst/", context))).containsExactly(false);
    }

    @Test
    void aWildcardResolvesToItsMatchesWithTheirNames() throws IOException {
        MemTree context = MemTree.of("src/a.go=1", "src/b.go=2", "src/c.txt=3");
        var paths = (CopySource.Paths) resolve("COPY src/*.go /app/", context).getFirst();

        assertThat(paths.matches()).extracting(CopySource.Match::name).containsExactly("a.go", "b.go");
    }

    @Test
    void aMissingSourceIsNamedWithWhereItWasLookedFor() throws IOException {
        ContextTree context = new ContextTree(dir, DockerIgnore.none());

        assertThatThrownBy(() -> resolve("COPY nope /dst/", context))
                .isInstanceOf(DockerfileException.class)
                .hasMessageContaining(
                        "COPY failed: \"nope\" not found in the build context or excluded by .dockerignore");
    }

    @Test
    void gitSourcesAreRefused() {
        assertThatThrownBy(() -> resolve("ADD git@github.com:o/r.git /src/", MemTree.of()))
                .isInstanceOf(DockerfileException.class)
                .hasMessageContaining("ADD of git sources is not supported by whittle");
    }
}
