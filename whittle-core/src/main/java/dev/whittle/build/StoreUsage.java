package dev.whittle.build;

import dev.whittle.ffi.Posix;
import dev.whittle.image.Digest;
import dev.whittle.json.Json;
import dev.whittle.json.JsonObjects;
import dev.whittle.store.Images;
import dev.whittle.store.LayerInfo;
import dev.whittle.store.Store;
import dev.whittle.store.StoredImage;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything a store holds, in bytes on disk as {@code du -b} counts them (every file, directory and symlink once,
 * hard links once), sorted into docker's two rows: images — their blobs, layer records, the index, and whatever no
 * build-cache record claims (unreferenced blobs, temp files) — and the build cache as BuildKit-style records: step
 * cache entries with the layers only they keep ({@code regular}), unpacked layer snapshots ({@code regular}),
 * {@code RUN --mount=type=cache} directories ({@code exec.cachemount}) and the build memo and kept entrypoint verdicts
 * ({@code internal}). The rows add up to the whole store, so {@code system df} and {@code du -sb} agree.
 */
public final class StoreUsage {
    /** One image's blobs: their bytes, and how many of them other images use too (docker's SharedSize). */
    public record ImageUsage(StoredImage image, long size, long sharedSize) {
        public long uniqueSize() {
            return size - sharedSize;
        }
    }

    /**
     * A build-cache record, as {@code docker system df -v} lists them.
     *
     * @param shared whether its bytes belong to an image as well (a step whose layer an image has): removing it frees
     *               nothing
     * @param files  what removing it deletes
     */
    public record CacheRecord(
            String id,
            String type,
            String description,
            long size,
            Instant created,
            Instant lastUsed,
            boolean shared,
            List<Path> files) {}

    /** The whole store: images, build-cache records, and the total (their sum). */
    public record Report(List<ImageUsage> images, long imagesSize, List<CacheRecord> cache, long total) {
        public long cacheSize() {
            return cache.stream().mapToLong(CacheRecord::size).sum();
        }
    }

    public static final String REGULAR = "regular";
    public static final String CACHE_MOUNT = "exec.cachemount";
    public static final String INTERNAL = "internal";

    private final Store store;
    /** Inodes of multiply-linked files already counted in the parts (du counts a hard link once). */
    private final Set<String> linked = new HashSet<>();

    private StoreUsage(Store store) {
        this.store = store;
    }

    /** Measures the store (reads only; other processes may be at work, so figures are a snapshot). */
    public static Report measure(Store store) throws IOException {
        return new StoreUsage(store).report();
    }

    private Report report() throws IOException {
        Path root = store.root();
        long[] whole = {0};
        walk(root, whole, new HashSet<>());
        long total = whole[0];
        List<StoredImage> images = new Images(store).list();
        // what each image holds on disk: manifest, config, each layer's blobs (every stored variant) and records
        Map<String, Long> bytes = new HashMap<>();
        Map<String, Integer> users = new HashMap<>();
        List<Set<String>> perImage = new ArrayList<>();
        Set<Digest> imageLayers = new HashSet<>();
        for (StoredImage img : images) {
            Set<String> parts = new LinkedHashSet<>();
            parts.add(blob(img.manifestDescriptor().digest(), bytes));
            parts.add(blob(img.manifest().config().digest(), bytes));
            for (Digest diffId : img.config().diffIds()) {
                imageLayers.add(diffId);
                parts.addAll(layer(diffId, bytes));
            }
            perImage.add(parts);
            for (String p : parts) users.merge(p, 1, Integer::sum);
        }
        List<ImageUsage> usage = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            long size = 0, shared = 0;
            for (String p : perImage.get(i)) {
                long b = bytes.getOrDefault(p, 0L);
                size += b;
                if (users.get(p) > 1) shared += b;
            }
            usage.add(new ImageUsage(images.get(i), size, shared));
        }
        List<CacheRecord> cache = new ArrayList<>();
        steps(imageLayers, bytes, cache);
        snapshots(cache);
        cacheMounts(cache);
        internal("memo", "build memo: a whole build remembered", cache);
        internal("check", "entrypoint verdict kept for an image", cache);
        long cacheSize = cache.stream().mapToLong(CacheRecord::size).sum();
        return new Report(List.copyOf(usage), Math.max(0, total - cacheSize), List.copyOf(cache), total);
    }

    /** A blob's key in {@code bytes}, its size recorded. */
    private String blob(Digest d, Map<String, Long> bytes) {
        String key = "blob " + d.hex();
        bytes.computeIfAbsent(key, k -> fileSize(store.blobPath(d)));
        return key;
    }

    /** A layer's parts: its blobs, and its record and table of contents as one part. */
    private List<String> layer(Digest diffId, Map<String, Long> bytes) {
        List<String> parts = new ArrayList<>();
        LayerInfo li = store.recordedLayer(diffId);
        if (li != null) for (Digest b : li.blobs().keySet()) parts.add(blob(b, bytes));
        String key = "layer " + diffId.hex();
        bytes.computeIfAbsent(
                key,
                k -> fileSize(store.root().resolve("whittle/layers/" + diffId.hex() + ".json"))
                        + fileSize(store.root().resolve("whittle/toc/" + diffId.hex())));
        parts.add(key);
        return parts;
    }

    /** Step-cache entries; a layer no image has is counted with the first entry that keeps it. */
    private void steps(Set<Digest> imageLayers, Map<String, Long> bytes, List<CacheRecord> out) throws IOException {
        Path dir = store.stateDir().resolve("cache");
        Set<String> counted = new HashSet<>();
        for (Path p : list(dir)) {
            Digest diffId = null;
            try {
                diffId = Digest.parse(JsonObjects.requireString(Json.parseObject(Files.readAllBytes(p)), "diffId"));
            } catch (IOException | RuntimeException e) {
                // a damaged entry: a miss for every build, removed like any other
            }
            long size = size(p);
            boolean shared = diffId != null && imageLayers.contains(diffId);
            List<Path> files = List.of(p);
            if (diffId != null && !shared && store.recordedLayer(diffId) != null) {
                for (String part : layer(diffId, bytes)) if (counted.add(part)) size += bytes.getOrDefault(part, 0L);
            }
            String what = diffId == null
                    ? "damaged step cache entry"
                    : "step result: layer " + diffId.hex().substring(0, 12) + (shared ? " (in an image)" : "");
            Instant[] t = times(p);
            out.add(new CacheRecord(p.getFileName().toString(), REGULAR, what, size, t[0], t[1], shared, files));
        }
    }

    /** Unpacked layers (their lock files with them); half-made ones left by a killed process too. */
    private void snapshots(List<CacheRecord> out) throws IOException {
        Path dir = store.stateDir().resolve("s");
        for (Path p : list(dir)) {
            String name = p.getFileName().toString();
            if (name.endsWith(".lock")
                    && Files.isDirectory(
                            dir.resolve(name.substring(0, name.length() - 5)), LinkOption.NOFOLLOW_LINKS)) {
                continue; // counted with its snapshot
            }
            List<Path> files = new ArrayList<>(List.of(p));
            long size = size(p);
            Path lock = dir.resolve(name + ".lock");
            if (!name.endsWith(".lock") && Files.exists(lock, LinkOption.NOFOLLOW_LINKS)) {
                files.add(lock);
                size += size(lock);
            }
            String what = "unpacked layer";
            Path marker = p.resolve("diffid");
            try {
                what += " " + Files.readAllLines(marker).getFirst().trim();
            } catch (IOException | RuntimeException e) {
                what = "unpacked layer (incomplete)";
            }
            Instant[] t = times(Files.exists(marker) ? marker : p);
            out.add(new CacheRecord(
                    name.replace(".lock", ""), REGULAR, what, size, t[0], t[1], false, List.copyOf(files)));
        }
    }

    private void cacheMounts(List<CacheRecord> out) throws IOException {
        Path dir = store.stateDir().resolve("cachemounts");
        for (Path p : list(dir)) {
            String name = p.getFileName().toString();
            if (name.endsWith(".lock")
                    && Files.isDirectory(
                            dir.resolve(name.substring(0, name.length() - 5)), LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            List<Path> files = new ArrayList<>(List.of(p));
            long size = size(p);
            Path lock = dir.resolve(name + ".lock");
            if (Files.exists(lock, LinkOption.NOFOLLOW_LINKS)) {
                files.add(lock);
                size += size(lock);
            }
            Instant[] t = times(p);
            out.add(new CacheRecord(
                    name.replace(".lock", ""),
                    CACHE_MOUNT,
                    "cache mount (RUN --mount=type=cache)",
                    size,
                    t[0],
                    t[1],
                    false,
                    List.copyOf(files)));
        }
    }

    private void internal(String sub, String what, List<CacheRecord> out) throws IOException {
        for (Path p : list(store.stateDir().resolve(sub))) {
            Instant[] t = times(p);
            out.add(new CacheRecord(
                    p.getFileName().toString(), INTERNAL, what, size(p), t[0], t[1], false, List.of(p)));
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) out.add(p);
        } catch (NoSuchFileException e) {
            return out;
        }
        out.sort(null);
        return out;
    }

    /** (created, last used): the file's birth time where the file system keeps one, and its modification time. */
    private static Instant[] times(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            Instant modified = a.lastModifiedTime().toInstant();
            Instant created = a.creationTime().toInstant();
            if (created.isAfter(modified) || created.equals(Instant.EPOCH)) created = modified;
            return new Instant[] {created, modified};
        } catch (IOException e) {
            Instant now = Instant.now();
            return new Instant[] {now, now};
        }
    }

    private long fileSize(Path p) {
        try {
            return size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    /** {@code du -sb} of a path: apparent sizes of everything in it, each inode once. */
    long size(Path p) throws IOException {
        long[] sum = {0};
        walk(p, sum, linked);
        return sum[0];
    }

    private static void walk(Path p, long[] sum, Set<String> linked) throws IOException {
        long size, nlink, ino, dev;
        boolean dir;
        if (Posix.canStat()) {
            Posix.Stat s = Posix.lstat(p);
            if (s == null) return; // removed meanwhile
            size = s.size();
            nlink = s.nlink();
            ino = s.ino();
            dev = s.dev();
            dir = s.type() == 0040000;
        } else {
            Map<String, Object> a;
            try {
                a = Files.readAttributes(p, "unix:size,nlink,ino,dev,isDirectory", LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return;
            }
            size = (Long) a.get("size");
            nlink = ((Number) a.get("nlink")).longValue();
            ino = (Long) a.get("ino");
            dev = (Long) a.get("dev");
            dir = (Boolean) a.get("isDirectory");
        }
        if (!dir && nlink > 1 && !linked.add(dev + ":" + ino)) return;
        sum[0] += size;
        if (!dir) return;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
            for (Path c : ds) walk(c, sum, linked);
        } catch (NoSuchFileException e) {
            // removed meanwhile
        }
    }
}
