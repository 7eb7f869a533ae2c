package dev.whittle.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.dockerfile.DockerIgnore;
import dev.whittle.image.Digest;
import dev.whittle.rootfs.ContextTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A COPY's cache key before its stage is read: what decides a rebuild's CACHED. It must change with the content of
 * what is copied, and only with that.
 */
class CopyCacheKeyTest {
    private static final Digest PARENT = CacheKeys.of(null, "parent");
    private static final List<String> PARTS = List.of("COPY", "COPY app /srv/", "", "", "false", "", "", "false");

    @TempDir
    Path dir;

    private Digest key(List<String> sources, Digest fromKey, List<Map.Entry<String, String>> heredocs)
            throws IOException {
        // a new tree each time: the tree keeps file digests for the rest of a build
        ContextTree context = new ContextTree(dir, DockerIgnore.none());
        return CopyCacheKey.ofSources(PARENT, PARTS, fromKey, context, sources, false, false, heredocs);
    }

    private Digest key(String... sources) throws IOException {
        return key(List.of(sources), null, List.of());
    }

    @Test
    void aSourcesContentDecidesTheKeyAndAnUnrelatedFileDoesNot() throws IOException {
        Files.createDirectories(dir.resolve("app"));
        Files.writeString(dir.resolve("app/main.go"), "package main\n");
        Files.writeString(dir.resolve("README"), "one");
        Digest before = key("app");

        Files.writeString(dir.resolve("README"), "two, longer");
        assertThat(key("app")).isEqualTo(before);

        Files.writeString(dir.resolve("app/main.go"), "package main // changed\n");
        assertThat(key("app")).isNotEqualTo(before);
    }

    @Test
    void aWildcardIsKeyedByItsMatches() throws IOException {
        Files.writeString(dir.resolve("a.go"), "a");
        Digest before = key("*.go");

        Files.writeString(dir.resolve("b.go"), "b");
        assertThat(key("*.go")).isNotEqualTo(before);
    }

    @Test
    void noKeyBeforeTheStepWhenASourceIsMissingOrAUrl() throws IOException {
        assertThat(key("missing")).isNull();
        ContextTree context = new ContextTree(dir, DockerIgnore.none());
        assertThat(CopyCacheKey.ofSources(
                        PARENT, PARTS, null, context, List.of("https://example.com/x"), true, false, List.of()))
                .isNull();
    }

    @Test
    void aStageSourceIsKeyedByTheStagesKeyNotByTheContext() throws IOException {
        Digest stageA = CacheKeys.of(null, "a"), stageB = CacheKeys.of(null, "b");
        // the path exists in no context: from a stage, it is not looked up here
        Digest a = key(List.of("/out/bin"), stageA, List.of());

        assertThat(a).isNotNull().isEqualTo(key(List.of("/out/bin"), stageA, List.of()));
        assertThat(key(List.of("/out/bin"), stageB, List.of())).isNotEqualTo(a);
    }

    @Test
    void aHeredocIsKeyedByItsText() throws IOException {
        Digest one = key(List.of(), null, List.of(Map.entry("f", "one")));

        assertThat(key(List.of(), null, List.of(Map.entry("f", "one")))).isEqualTo(one);
        assertThat(key(List.of(), null, List.of(Map.entry("f", "two")))).isNotEqualTo(one);
        assertThat(key(List.of(), null, List.of(Map.entry("g", "one")))).isNotEqualTo(one);
    }

    @Test
    void theParentAndTheFlagsAreInTheKey() throws IOException {
        Files.writeString(dir.resolve("f"), "x");
        ContextTree context = new ContextTree(dir, DockerIgnore.none());
        Digest plain = CopyCacheKey.ofSources(PARENT, PARTS, null, context, List.of("f"), false, false, List.of());
        List<String> chowned = List.of("COPY", "COPY app /srv/", "1000", "", "false", "", "", "false");

        assertThat(CopyCacheKey.ofSources(PARENT, chowned, null, context, List.of("f"), false, false, List.of()))
                .isNotEqualTo(plain);
        assertThat(CopyCacheKey.ofSources(
                        CacheKeys.of(null, "other parent"),
                        PARTS,
                        null,
                        context,
                        List.of("f"),
                        false,
                        false,
                        List.of()))
                .isNotEqualTo(plain);
    }
}
