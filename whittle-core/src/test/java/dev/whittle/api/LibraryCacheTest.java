package dev.whittle.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.build.Progress;
import dev.whittle.cache.CacheExport;
import dev.whittle.cache.CacheSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library's way to share a build cache: cacheTo/cacheFrom on the spec, Whittle.exportCache after close. */
class LibraryCacheTest {
    /** Counts the steps a build shows as CACHED. */
    static final class Counting implements Progress {
        final AtomicInteger started = new AtomicInteger(), cached = new AtomicInteger();

        @Override
        public int start(String name) {
            return started.incrementAndGet();
        }

        @Override
        public void cached(int step) {
            cached.incrementAndGet();
        }

        @Override
        public void log(int step, String line) {}

        @Override
        public void done(int step) {}

        @Override
        public void error(int step, String message) {}

        @Override
        public void note(String line) {}
    }

    @Test
    void aSecondStoreBuildsFromTheFirstsExportedCache(@TempDir Path dir) throws IOException {
        Path context = Files.createDirectories(dir.resolve("context"));
        Files.writeString(context.resolve("a.txt"), "a\n");
        Files.writeString(context.resolve("b.txt"), "b\n");
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY a.txt /a\nCOPY b.txt /b\n");
        Path cache = dir.resolve("cache");
        String first;
        try (Whittle a = Whittle.open(dir.resolve("a"))) {
            BuildSpec spec = BuildSpec.of(a.source(context))
                    .cacheTo(CacheSpec.parseExport("type=local,dest=" + cache))
                    .build();
            Build.Result r = a.build(spec, Progress.QUIET);
            r.close();
            first = r.id().toString();
            List<CacheExport.Report> reports = a.exportCache(spec, r);
            assertThat(reports)
                    .singleElement()
                    .satisfies(x -> assertThat(x.manifestWritten()).isTrue());
        }
        try (Whittle b = Whittle.open(dir.resolve("b"))) {
            BuildSpec spec = BuildSpec.of(b.source(context))
                    .cacheFrom(CacheSpec.parseImport("type=local,src=" + cache))
                    .build();
            Counting progress = new Counting();
            Build.Result r = b.build(spec, progress);
            r.close();
            assertThat(progress.cached.get()).isEqualTo(2);
            assertThat(r.id().toString()).isEqualTo(first);
        }
    }
}
