package dev.whittle.build;

import dev.whittle.store.Maintenance;
import dev.whittle.store.Store;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * {@code builder prune}: removes build-cache records ({@link StoreUsage}) as BuildKit does. Without {@code all}
 * only the dangling ones go — records whose bytes a build can make again without running anything (unpacked layers)
 * or that only cost space (step results whose layer no image has); with it, every record, cache mounts and the build
 * memo included. A filter narrows the candidates; {@code keepStorage} removes the least recently used first and
 * stops once the cache fits. Runs with the store to itself, then collects the blobs nothing refers to any more.
 */
public final class CachePrune {
    /**
     * @param filter      which records may go (filters the user gave: until, id, type)
     * @param keepStorage bytes of cache to keep, or 0 for no limit
     */
    public record Options(boolean all, Predicate<StoreUsage.CacheRecord> filter, long keepStorage) {}

    /** The ids removed, in order, and the bytes freed (the store measured before and after). */
    public record Result(List<String> deleted, long reclaimed) {}

    private CachePrune() {}

    public static Result prune(Store store, Options o, Runnable onWait) throws IOException {
        List<String> deleted = new ArrayList<>();
        long reclaimed = removeAndCollect(store, onWait, () -> {
            StoreUsage.Report r = StoreUsage.measure(store);
            List<StoreUsage.CacheRecord> candidates = new ArrayList<>();
            for (StoreUsage.CacheRecord c : r.cache()) {
                if (!o.all()
                        && (c.shared()
                                || c.type().equals(StoreUsage.CACHE_MOUNT)
                                || c.type().equals(StoreUsage.INTERNAL))) continue;
                if (o.filter().test(c)) candidates.add(c);
            }
            // least recently used first, so --keep-storage keeps what builds use
            candidates.sort(
                    Comparator.comparing(StoreUsage.CacheRecord::lastUsed).thenComparing(StoreUsage.CacheRecord::id));
            long left = r.cacheSize();
            for (StoreUsage.CacheRecord c : candidates) {
                if (o.keepStorage() > 0 && left <= o.keepStorage()) break;
                for (var f : c.files()) Maintenance.deleteTree(f);
                deleted.add(c.id());
                left -= c.size();
            }
        });
        return new Result(List.copyOf(deleted), reclaimed);
    }

    /**
     * Runs {@code remove} (images, cache entries) under the store's exclusive lock, then collects the blobs and
     * snapshots nothing keeps any more (the build cache's layers are kept); returns the bytes the store gave back.
     */
    public static long removeAndCollect(Store store, Runnable onWait, Store.IORunnable remove) throws IOException {
        long[] total = {0, 0};
        new Maintenance(store)
                .keepLayers(new BuildCache(store)::addRoots)
                .prune(
                        false,
                        true,
                        onWait,
                        () -> {
                            total[0] = StoreUsage.measure(store).total();
                            remove.run();
                        },
                        keep -> total[1] = StoreUsage.measure(store).total());
        return Math.max(0, total[0] - total[1]);
    }

    /** BuildKit's {@code until} filter: records not used for longer than the given time. */
    public static Predicate<StoreUsage.CacheRecord> unusedSince(Instant cutoff) {
        return c -> c.lastUsed().isBefore(cutoff);
    }
}
