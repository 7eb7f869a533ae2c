package dev.whittle.store;

import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageConfig;
import dev.whittle.image.ImageIndex;
import dev.whittle.image.Manifest;
import dev.whittle.image.MediaType;
import dev.whittle.io.HashingInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** Garbage collection, disk usage and consistency checks of a store. */
public final class Maintenance {
    private final Store store;
    private final List<Consumer<Set<Digest>>> extraRoots = new ArrayList<>();

    public Maintenance(Store store) {
        this.store = store;
    }

    /** Lets other parts (the build cache) add layers they still need, by diffID. */
    public Maintenance keepLayers(Consumer<Set<Digest>> roots) {
        extraRoots.add(roots);
        return this;
    }

    /** What a prune removed. */
    public record PruneResult(List<Digest> deletedImages, int deletedBlobs, long reclaimedBytes) {}

    /** Blobs and layers reachable from the named and dangling images (and extra roots). */
    public Reachable reachable(boolean includeDangling) {
        Set<Digest> blobs = new HashSet<>();
        Set<Digest> layers = new HashSet<>();
        Images images = new Images(store);
        for (StoredImage i : images.list()) {
            if (!includeDangling && i.dangling()) continue;
            blobs.add(i.manifest().digest());
            blobs.add(i.manifest().config().digest());
            for (Descriptor l : i.manifest().layers()) blobs.add(l.digest());
            layers.addAll(i.config().diffIds());
        }
        // every platform of a multi-platform image, not only the one that stands for it in the listing
        for (ImageIndexes.Named idx : new ImageIndexes(store).list()) {
            blobs.add(idx.digest());
            for (Descriptor m : idx.members()) {
                StoredImage i = images.member(idx, m);
                blobs.add(i.manifest().digest());
                blobs.add(i.manifest().config().digest());
                for (Descriptor l : i.manifest().layers()) blobs.add(l.digest());
                layers.addAll(i.config().diffIds());
            }
        }
        for (Consumer<Set<Digest>> r : extraRoots) r.accept(layers);
        for (Digest diffId : layers) {
            LayerInfo li = store.recordedLayer(diffId);
            if (li != null) blobs.addAll(li.blobs().keySet());
        }
        return new Reachable(blobs, layers);
    }

    public record Reachable(Set<Digest> blobs, Set<Digest> layers) {}

    /**
     * Removes dangling images, then every blob, layer record and temp file nothing refers to. Other whittle processes
     * on the store must finish first: with {@code wait} it waits for them, otherwise it returns null at once.
     */
    public PruneResult prune(boolean danglingImages, boolean wait, Runnable onWait) throws IOException {
        return prune(danglingImages, wait, onWait, keep -> {});
    }

    /** Cleans what lives beside the store (build cache, snapshots), told what is still reachable. */
    public interface Cleaner {
        void clean(Reachable keep) throws IOException;
    }

    /** As {@link #prune(boolean, boolean, Runnable)}, then runs {@code also} under the same exclusive lock. */
    public PruneResult prune(boolean danglingImages, boolean wait, Runnable onWait, Cleaner also) throws IOException {
        return prune(danglingImages, wait, onWait, () -> {}, also);
    }

    /**
     * As {@link #prune(boolean, boolean, Runnable, Cleaner)}, with {@code first} run under the same lock before
     * anything is collected (it removes what the collection should then find unreferenced: images, cache entries).
     */
    public PruneResult prune(
            boolean danglingImages, boolean wait, Runnable onWait, Store.IORunnable first, Cleaner also)
            throws IOException {
        List<Digest> deleted = new ArrayList<>();
        int[] blobs = {0};
        long[] bytes = {0};
        boolean ran = store.withExclusiveLock(wait, onWait, () -> {
            first.run();
            if (danglingImages) {
                Images images = new Images(store);
                for (StoredImage i : images.list()) {
                    if (i.dangling()) {
                        images.remove(i.manifest().digest());
                        deleted.add(i.id());
                    }
                }
            }
            Reachable keep = reachable(true);
            // what refers goes before what it refers to (index entries, then layer records, then blobs), so a prune
            // cut short leaves unreferenced blobs for the next one, never a record of a layer whose blobs are gone
            forgetLayers(keep.layers());
            try (DirectoryStream<Path> ds =
                    Files.newDirectoryStream(store.root().resolve("blobs/sha256"))) {
                for (Path p : ds) {
                    String name = p.getFileName().toString();
                    Digest d;
                    try {
                        d = new Digest("sha256", name);
                    } catch (IllegalArgumentException e) {
                        continue; // not ours
                    }
                    if (!keep.blobs().contains(d)) {
                        bytes[0] += Files.size(p);
                        Files.delete(p);
                        blobs[0]++;
                    }
                }
            }
            clearTemp();
            also.clean(keep);
        });
        return ran ? new PruneResult(deleted, blobs[0], bytes[0]) : null;
    }

    private void forgetLayers(Set<Digest> keep) throws IOException {
        for (String dir : List.of("whittle/layers", "whittle/toc", "whittle/pending")) {
            try (DirectoryStream<Path> ds =
                    Files.newDirectoryStream(store.root().resolve(dir))) {
                for (Path p : ds) {
                    String hex = p.getFileName().toString().replace(".json", "");
                    try {
                        if (!keep.contains(new Digest("sha256", hex))) deleteTree(p);
                    } catch (IllegalArgumentException ignored) {
                        // not a layer record
                    }
                }
            }
        }
    }

    private void clearTemp() throws IOException {
        try (Stream<Path> s = Files.list(store.tempDir())) {
            for (Path p : (Iterable<Path>) s::iterator) deleteTree(p);
        }
    }

    /** Deletes the files in a directory (not below it); returns how many. A missing directory has none. */
    public static int deleteFilesIn(Path dir) throws IOException {
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                Files.deleteIfExists(p);
                n++;
            }
        } catch (NoSuchFileException e) {
            return 0;
        }
        return n;
    }

    /**
     * Deletes a file or a directory tree. A directory's files go before its subdirectories, so a delete cut short never
     * leaves a marker that vouches for the tree beside it (a snapshot's {@code diffid}) with part of that tree gone.
     */
    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            List<Path> dirs = new ArrayList<>();
            try (Stream<Path> s = Files.list(p)) {
                for (Path c : (Iterable<Path>) s::iterator) {
                    if (Files.isDirectory(c, LinkOption.NOFOLLOW_LINKS)) dirs.add(c);
                    else Files.deleteIfExists(c);
                }
            } catch (NoSuchFileException gone) {
                return; // removed meanwhile (an exit hook cleaning up the same tree)
            }
            for (Path d : dirs) deleteTree(d);
        }
        Files.deleteIfExists(p);
    }

    /** Disk usage by kind. */
    public record Usage(int images, int activeImages, long imagesSize, long reclaimableSize, long blobBytes) {}

    public Usage usage() throws IOException {
        Images images = new Images(store);
        List<StoredImage> all = images.list();
        Set<Digest> allLayers = new HashSet<>();
        Set<Digest> namedLayers = new HashSet<>();
        int active = 0;
        for (StoredImage i : all) {
            allLayers.addAll(i.config().diffIds());
            if (!i.dangling()) {
                active++;
                namedLayers.addAll(i.config().diffIds());
            }
        }
        long size = 0, reclaim = 0;
        for (Digest d : allLayers) {
            LayerInfo li = store.layer(d);
            long s = li == null ? 0 : li.contentSize();
            size += s;
            if (!namedLayers.contains(d)) reclaim += s;
        }
        long blobBytes = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(store.root().resolve("blobs/sha256"))) {
            for (Path p : ds) blobBytes += Files.size(p);
        }
        return new Usage(all.size(), active, size, reclaim, blobBytes);
    }

    /** One problem fsck found. */
    public record Problem(String where, String what) {
        @Override
        public String toString() {
            return where + ": " + what;
        }
    }

    /** Re-verifies every blob against its digest and every image against its blobs. */
    public List<Problem> fsck(Consumer<String> progress) throws IOException {
        List<Problem> problems = new ArrayList<>();
        Set<Digest> present = new HashSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(store.root().resolve("blobs/sha256"))) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                Digest d;
                try {
                    d = new Digest("sha256", name);
                } catch (IllegalArgumentException e) {
                    problems.add(new Problem("blobs/sha256/" + name, "file name is not a sha256 digest"));
                    continue;
                }
                if (progress != null) progress.accept("verifying " + d);
                try (InputStream in = Files.newInputStream(p)) {
                    Digest actual = new HashingInputStream(in).drainAndDigest();
                    if (!actual.equals(d))
                        problems.add(
                                new Problem("blob " + d, "content does not match its digest (has " + actual + ")"));
                    else present.add(d);
                }
            }
        }
        List<Descriptor> entries;
        try {
            entries = store.indexEntries();
        } catch (StoreException e) {
            problems.add(new Problem("index.json", e.getMessage()));
            return problems;
        }
        Set<Digest> checked = new HashSet<>();
        for (Descriptor e : entries) {
            if (!checked.add(e.digest())) continue;
            String name = e.annotation(Store.REF_NAME) == null ? "image " + e.digest() : e.annotation(Store.REF_NAME);
            if (!present.contains(e.digest())) {
                problems.add(new Problem(name, "manifest " + e.digest() + " is missing or corrupt"));
                continue;
            }
            if (MediaType.isIndex(e.mediaType())) {
                try {
                    ImageIndex index = ImageIndex.parse(store.readBlob(e.digest()), e.mediaType());
                    for (Descriptor m : new ImageIndexes.Named(e, index, List.of()).members())
                        if (!present.contains(m.digest()))
                            problems.add(new Problem(name, "manifest " + m.digest() + " is missing or corrupt"));
                } catch (RuntimeException ex) {
                    problems.add(new Problem(name, ex.getMessage()));
                }
                continue;
            }
            try {
                Manifest m = Manifest.parse(store.readBlob(e.digest()), e.mediaType());
                if (!present.contains(m.config().digest())) {
                    problems.add(new Problem(name, "config " + m.config().digest() + " is missing or corrupt"));
                    continue;
                }
                ImageConfig c = ImageConfig.parse(store.readBlob(m.config().digest()));
                List<Digest> diffIds = c.diffIds();
                if (diffIds.size() != m.layers().size()) {
                    problems.add(new Problem(
                            name,
                            "manifest has " + m.layers().size() + " layers but config has " + diffIds.size()
                                    + " diff_ids"));
                }
                long nonEmpty =
                        c.history().stream().filter(h -> !h.emptyLayer()).count();
                if (!c.history().isEmpty() && nonEmpty != diffIds.size()) {
                    problems.add(new Problem(
                            name, "history has " + nonEmpty + " non-empty entries for " + diffIds.size() + " layers"));
                }
                for (int i = 0; i < m.layers().size(); i++) {
                    Descriptor l = m.layers().get(i);
                    if (!present.contains(l.digest()))
                        problems.add(new Problem(name, "layer " + l.digest() + " is missing or corrupt"));
                    if (i < diffIds.size()) {
                        LayerInfo li = store.layer(diffIds.get(i));
                        if (li == null) problems.add(new Problem(name, "no record of layer " + diffIds.get(i)));
                        else if (!li.blobs().containsKey(l.digest())) {
                            problems.add(new Problem(
                                    name,
                                    "layer blob " + l.digest() + " is not recorded as holding diffID "
                                            + diffIds.get(i)));
                        }
                    }
                }
            } catch (RuntimeException ex) {
                problems.add(new Problem(name, ex.getMessage()));
            }
        }
        return problems;
    }
}
