package dev.whittle.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.whittle.image.Digest;
import dev.whittle.sandbox.StopSignal;
import dev.whittle.store.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BuildCache#getOrClaim}: the platforms of a build share a step by claiming its key; a claim is never left
 * held by a build that failed, and a build waiting for another's claim stops when the build is stopped. Waits are
 * bounded here, so a regression fails instead of hanging.
 */
class BuildCacheClaimTest {
    static final Duration LIMIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final Digest key = Digest.sha256("RUN make".getBytes(StandardCharsets.UTF_8));

    @Test
    void aLookupFailingAfterTheClaimGivesTheClaimBack() throws IOException {
        try (Store store = Store.open(dir.resolve("store"))) {
            BuildCache cache = new BuildCache(store);
            AtomicInteger asked = new AtomicInteger();
            cache.importFrom(new BuildCache.Remote() {
                @Override
                public BuildCache.Entry find(Digest k) {
                    // the second look, made once the key is claimed, fails
                    if (asked.incrementAndGet() == 2) throw new IllegalStateException("the imported cache broke");
                    return null;
                }

                @Override
                public void restoreMount(String name, String id, Path mountDir) {}
            });
            assertThatThrownBy(() -> cache.getOrClaim(key, new StopSignal())).hasMessage("the imported cache broke");
            // another platform's build of the step claims it now, rather than waiting for a claim nobody holds
            assertThat(assertTimeoutPreemptively(LIMIT, () -> cache.getOrClaim(key, new StopSignal())))
                    .isNull();
            cache.release(key);
        }
    }

    @Test
    void aWaitForAnotherBuildsClaimEndsWhenTheBuildIsStopped() throws Exception {
        try (Store store = Store.open(dir.resolve("store"))) {
            BuildCache cache = new BuildCache(store);
            assertThat(cache.getOrClaim(key, new StopSignal())).as("claimed").isNull();
            try {
                StopSignal stop = new StopSignal();
                CompletableFuture<Throwable> waiter = new CompletableFuture<>();
                Thread.ofVirtual().start(() -> {
                    try {
                        cache.getOrClaim(key, stop);
                        waiter.complete(null);
                    } catch (Throwable t) {
                        waiter.complete(t);
                    }
                });
                Thread.sleep(200); // most likely waiting by now; stopped earlier, it must end the same way
                stop.stop("stopped: the build for linux/arm64 failed");
                Throwable t = assertTimeoutPreemptively(LIMIT, () -> waiter.get());
                assertThat(t)
                        .isInstanceOf(BuildException.class)
                        .hasMessage("stopped: the build for linux/arm64 failed");
                // a build stopped before it asks does not wait at all
                assertThatThrownBy(() -> assertTimeoutPreemptively(LIMIT, () -> cache.getOrClaim(key, stop)))
                        .isInstanceOf(BuildException.class);
            } finally {
                cache.release(key);
            }
        }
    }
}
