package dev.whittle.api;

import dev.whittle.build.BuildException;
import dev.whittle.build.PlatformProgress;
import dev.whittle.build.Progress;
import dev.whittle.image.Descriptor;
import dev.whittle.image.ImageIndex;
import dev.whittle.image.Platform;
import dev.whittle.sandbox.StopSignal;
import dev.whittle.store.ImageIndexes;
import dev.whittle.store.Images;
import dev.whittle.store.Store;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A build for several platforms ({@code --platform linux/amd64,linux/arm64}): one {@link Build} per platform, then an
 * OCI image index of their manifests under the spec's names. The platforms are built at once, as many as there are
 * CPUs: a step they share (a stage on {@code $BUILDPLATFORM} has the same inputs for every platform) runs once, the
 * other platforms waiting for its cache entry ({@code BuildCache#getOrClaim}); the rest runs side by side. When one
 * platform fails the others stop, and no index is written.
 */
public final class PlatformBuild {
    private final Store store;
    private final Build build;
    private final int atOnce;

    /** The platforms built as many at once as there are CPUs. */
    public PlatformBuild(Store store, Build build) {
        this(store, build, Runtime.getRuntime().availableProcessors());
    }

    /** At most {@code atOnce} platforms built at a time (1: one after the other). */
    public PlatformBuild(Store store, Build build, int atOnce) {
        if (atOnce < 1) throw new IllegalArgumentException("at least one platform at a time, not " + atOnce);
        this.store = store;
        this.build = build;
        this.atOnce = atOnce;
    }

    /** Parses {@code --platform}'s comma-separated list; duplicates (after normalisation) are refused. */
    public static List<Platform> parse(String list) {
        List<Platform> out = new ArrayList<>();
        for (String p : list.split(",", -1)) {
            Platform pl = Platform.parse(p);
            if (out.contains(pl)) throw new IllegalArgumentException("platform " + pl + " is named twice in " + list);
            out.add(pl);
        }
        return out;
    }

    /** One platform's image of the build. */
    public record PlatformImage(Platform platform, Build.Result result) {}

    /** The platforms' images and, when the spec names the image, the index that holds them. */
    public record Result(List<PlatformImage> images, ImageIndex index) implements AutoCloseable {
        public Result {
            images = List.copyOf(images);
        }

        /** Completes every platform's build (its background layers and memo). */
        @Override
        public void close() throws IOException {
            IOException first = null;
            for (PlatformImage i : images) {
                try {
                    i.result().close();
                } catch (IOException e) {
                    if (first == null) first = e;
                }
            }
            if (first != null) throw first;
        }

        public void closeQuietly() {
            for (PlatformImage i : images) i.result().closeQuietly();
        }
    }

    public Result run(BuildSpec spec, List<Platform> platforms, Progress progress) throws IOException {
        if (new LinkedHashSet<>(platforms).size() != platforms.size())
            throw new IllegalArgumentException("a platform is named twice in " + platforms);
        List<PlatformImage> built = buildAll(spec, platforms, progress);
        try {
            List<Descriptor> members = new ArrayList<>();
            for (PlatformImage i : built) {
                // the config's platform: a base's variant (arm/v7) is what a puller matches
                Platform declared = new Images(store)
                        .find(i.result().id().toString())
                        .orElseThrow()
                        .config()
                        .platform();
                Descriptor d = i.result().manifest().descriptor();
                members.add(new Descriptor(d.mediaType(), d.digest(), d.size(), null, declared, null));
            }
            ImageIndex index = ImageIndex.create(members);
            if (!spec.tags().isEmpty()) new ImageIndexes(store).add(index, spec.tags());
            return new Result(built, index);
        } catch (IOException | RuntimeException e) {
            for (PlatformImage i : built) i.result().closeQuietly();
            throw e;
        }
    }

    /**
     * Every platform's build, at most {@code atOnce} at a time, in the order given. The first failure stops the others
     * and is the one thrown; the builds that finished are completed (their layers and cache entries are good).
     */
    private List<PlatformImage> buildAll(BuildSpec spec, List<Platform> platforms, Progress progress)
            throws IOException {
        StopSignal stop = new StopSignal();
        int pool = Math.min(platforms.size(), atOnce);
        List<Future<Build.Result>> running = new ArrayList<>();
        AtomicReference<Exception> first = new AtomicReference<>();
        try (ExecutorService exec =
                Executors.newFixedThreadPool(pool, Thread.ofVirtual().factory())) {
            for (Platform p : platforms) {
                running.add(exec.submit(() -> {
                    try {
                        return build.run(spec.forPlatform(p), new PlatformProgress(progress, p.toString()), stop);
                    } catch (Throwable e) {
                        // an Error too: the others stop now, not after building to the end
                        first.compareAndSet(
                                null,
                                e instanceof Exception x ? x : new BuildException("the build for " + p + " failed", e));
                        stop.stop("stopped: the build for " + p + " failed");
                        throw e;
                    }
                }));
            }
        }
        List<PlatformImage> built = new ArrayList<>();
        for (int i = 0; i < platforms.size(); i++) {
            try {
                built.add(new PlatformImage(platforms.get(i), running.get(i).get()));
            } catch (ExecutionException e) {
                // the first failure was recorded by its task (this platform's own may be only "stopped")
                first.compareAndSet(
                        null, new BuildException("the build for " + platforms.get(i) + " failed", e.getCause()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                first.compareAndSet(null, new InterruptedIOException("interrupted while the platforms were built"));
            }
        }
        Exception failed = first.get();
        if (failed == null) return built;
        for (PlatformImage i : built) i.result().closeQuietly();
        if (failed instanceof IOException io) throw io;
        throw (RuntimeException) failed;
    }
}
