package dev.whittle.api;

import dev.whittle.build.BuildCache;
import dev.whittle.build.BuildMemo;
import dev.whittle.build.CachePrune;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageRef;
import dev.whittle.sandbox.Leftovers;
import dev.whittle.sandbox.Snapshots;
import dev.whittle.store.Images;
import dev.whittle.store.Maintenance;
import dev.whittle.store.Store;
import dev.whittle.store.StoredImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * What the store-wide commands decide: what {@code system prune} and {@code image prune} delete, and what
 * {@code system fsck} reports. The caller prints the results and asks for confirmation first.
 */
public final class StoreMaintenance {
    private final Store store;

    public StoreMaintenance(Store store) {
        this.store = store;
    }

    /**
     * {@code system prune}: leftovers of killed whittle processes, dangling images, unreferenced blobs, the whole
     * build cache (memo, layer cache, kept entrypoint verdicts) and snapshots of layers no image has left.
     */
    public record SystemPruned(
            List<Digest> deletedImages, List<String> leftovers, int cacheEntries, int snapshots, long reclaimedBytes) {}

    /** {@code onWait} runs when other whittle processes hold the store and the prune waits for them. */
    public SystemPruned system(Runnable onWait) throws IOException {
        // first what killed processes left (mounts would keep prune from emptying the temp directory)
        Leftovers.Found[] left = {null};
        store.withExclusiveLock(true, null, () -> Leftovers.remove(store, left[0] = Leftovers.find(store)));
        int[] cleaned = {0, 0};
        Maintenance.PruneResult r = new Maintenance(store).prune(true, true, onWait, keep -> {
            // the memo first: its entries point into the cache (a prune cut short leaves no dangling entry)
            new BuildMemo(store).clear();
            cleaned[0] = new BuildCache(store).clear();
            Maintenance.deleteTree(store.stateDir().resolve("check")); // kept entrypoint verdicts
            cleaned[1] = new Snapshots(store).removeExcept(keep.layers());
        });
        return new SystemPruned(r.deletedImages(), left[0].describe(), cleaned[0], cleaned[1], r.reclaimedBytes());
    }

    /** {@code image prune}: for each image removed, the names untagged and its ID; the space it gave back. */
    public record ImagesPruned(List<RemovedImage> removed, long reclaimedBytes) {}

    public record RemovedImage(List<ImageRef> untagged, Digest id) {}

    /**
     * Removes the images {@code which} selects (with {@code danglingOnly}, only untagged ones), then the blobs and
     * snapshots no image or cache entry needs any more.
     */
    public ImagesPruned images(boolean danglingOnly, Predicate<StoredImage> which, Runnable onWait) throws IOException {
        List<RemovedImage> removed = new ArrayList<>();
        long reclaimed = CachePrune.removeAndCollect(store, onWait, () -> {
            Images images = new Images(store);
            for (StoredImage img : images.list()) {
                if (danglingOnly && !img.dangling() || !which.test(img)) continue;
                images.remove(img.manifest().digest());
                removed.add(new RemovedImage(List.copyOf(img.names()), img.id()));
            }
        });
        return new ImagesPruned(List.copyOf(removed), reclaimed);
    }

    /** {@code system fsck}'s findings; {@code leftoversChecked} false when other commands held the store. */
    public record Fsck(List<Maintenance.Problem> problems, boolean leftoversChecked) {}

    public Fsck fsck() throws IOException {
        List<Maintenance.Problem> problems = new ArrayList<>(new Maintenance(store).fsck(null));
        boolean checked = store.whenAlone(() -> {
            for (String l : Leftovers.find(store).describe()) {
                problems.add(new Maintenance.Problem("leftover", l + " (whittle system prune removes it)"));
            }
        });
        return new Fsck(List.copyOf(problems), checked);
    }
}
