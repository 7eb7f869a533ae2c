package dev.whittle.build;

import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.json.Json;
import dev.whittle.json.JsonObjects;
import dev.whittle.sandbox.StopSignal;
import dev.whittle.store.AtomicFiles;
import dev.whittle.store.LayerInfo;
import dev.whittle.store.Maintenance;
import dev.whittle.store.Store;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Layer-producing steps by cache key: the layer they made and when. A hit needs the layer still in the store;
 * the recorded time is reused so an unchanged rebuild gives the same image ID, as BuildKit's does.
 */
public final class BuildCache {
    private final Store store;
    private final Path dir;
    /** The keys this build found or stored: what its image came from. */
    private final Set<String> used = ConcurrentHashMap.newKeySet();
    /** Cache mount directories this build used, by directory name (what an export carries). */
    private final Map<String, MountUse> mounts = new ConcurrentHashMap<>();
    /** Where a miss is looked up next (a cache imported with --cache-from); null: nowhere. */
    private volatile Remote remote;

    /**
     * A cache beyond the store: asked on a local miss, it makes the step's layer present in the store (verified) and
     * answers the entry, or null; it may also fill a cache mount's directory before its first use.
     */
    public interface Remote {
        Entry find(Digest key);

        void restoreMount(String name, String id, Path dir);
    }

    /** A cache mount a RUN of this build used: its id and its directory. */
    public record MountUse(String id, Path dir) {}

    public BuildCache(Store store) throws IOException {
        this.store = store;
        this.dir = store.stateDir().resolve("cache");
        Files.createDirectories(dir);
    }

    /**
     * A cached step result. {@code next}: the key the steps after it built on when it was made, when that is not the
     * entry's own key (a RUN run again for --no-cache); null otherwise.
     */
    public record Entry(Digest diffId, Descriptor blob, String created, Digest next) {
        public Entry(Digest diffId, Descriptor blob, String created) {
            this(diffId, blob, created, null);
        }
    }

    /**
     * Steps being made in this process, by entry file: the platforms of a multi-platform build run at once, and a
     * step they share (a stage on $BUILDPLATFORM) must run once, as BuildKit solves a shared vertex once. Another
     * process making the same step is not waited for (the second layer is the same content, or a second entry).
     */
    private static final Map<Path, CompletableFuture<Void>> MAKING = new ConcurrentHashMap<>();

    /**
     * The entry under {@code key}, as {@link #get}; on a miss the caller has claimed the key and must {@link #put} the
     * entry or {@link #release} the claim. While another build of this process holds the claim, waits for it first,
     * unless {@code stop} is given: then throws {@link BuildException} with its reason.
     */
    public Entry getOrClaim(Digest key, StopSignal stop) throws InterruptedIOException {
        while (true) {
            Entry e = get(key);
            if (e != null) return e;
            CompletableFuture<Void> mine = new CompletableFuture<>();
            CompletableFuture<Void> other = MAKING.putIfAbsent(dir.resolve(key.hex()), mine);
            if (other == null) {
                // made meanwhile: the claim was released between the lookup and now
                Entry late;
                try {
                    late = get(key);
                } catch (RuntimeException | Error t) {
                    release(key); // nobody would: the caller never learns it held the claim
                    throw t;
                }
                if (late != null) release(key);
                return late;
            }
            await(other, stop);
        }
    }

    /** Waits for another build's claim to end, or for {@code stop}. */
    private static void await(CompletableFuture<Void> claim, StopSignal stop) throws InterruptedIOException {
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        try (var _ = stop.whileRunning(() -> stopped.complete(null))) {
            CompletableFuture.anyOf(claim, stopped).get();
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while another platform's build made the same step");
        } catch (ExecutionException ignored) {
            // claims and the stop are only completed normally
        }
        String reason = stop.reason();
        if (reason != null) throw new BuildException(reason);
    }

    /** Gives up a claim of {@link #getOrClaim} (the step failed, or its entry is written): waiting builds look again. */
    public void release(Digest key) {
        CompletableFuture<Void> c = MAKING.remove(dir.resolve(key.hex()));
        if (c != null) c.complete(null);
    }

    public Entry get(Digest key) {
        Entry local = local(key);
        Remote r = remote;
        if (local != null || r == null) return local;
        Entry found = r.find(key);
        if (found == null) return null;
        try {
            put(key, found);
        } catch (IOException e) {
            used.add(key.hex()); // only the next build misses it
        }
        return found;
    }

    /** Asks {@code r} about keys the store does not have (set before the build starts). */
    public void importFrom(Remote r) {
        remote = r;
    }

    /** Notes a cache mount of one of this build's RUNs (run or cached): an export carries it. */
    public void mountSeen(String id, Path mountDir) {
        mounts.putIfAbsent(mountDir.getFileName().toString(), new MountUse(id, mountDir));
    }

    /** Called before a RUN mounts a cache directory: an imported cache may fill it, the first time only. */
    public synchronized void mountReady(Path mountDir) {
        Remote r = remote;
        if (r == null) return;
        String name = mountDir.getFileName().toString();
        if (restored.add(name)) {
            MountUse u = mounts.get(name);
            r.restoreMount(name, u == null ? name : u.id(), mountDir);
        }
    }

    private final Set<String> restored = ConcurrentHashMap.newKeySet();

    /** The cache mounts this build used, by directory name. */
    public Map<String, MountUse> mountsUsed() {
        return new TreeMap<>(mounts);
    }

    /** The entry stored under a key (as {@link #used} names it), unchecked and unmarked; null when none. */
    public Entry stored(String keyHex) {
        try {
            return read(Files.readAllBytes(dir.resolve(keyHex)));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Entry read(byte[] bytes) {
        Map<String, Object> m = Json.parseObject(bytes);
        String next = JsonObjects.string(m, "next");
        return new Entry(
                Digest.parse(JsonObjects.requireString(m, "diffId")),
                Descriptor.fromJson(m.get("blob")),
                JsonObjects.string(m, "created"),
                next == null ? null : Digest.parse(next));
    }

    private Entry local(Digest key) {
        Path p = dir.resolve(key.hex());
        try {
            Entry e = read(Files.readAllBytes(p));
            // the layer may have gone since (rmi or prune), come back in another blob, or be known by descriptor
            // only (an imported cache's, not fetched yet: the import answers for it, and this must not fetch it; a
            // second build in the process that imported it finds such entries): each a miss here
            LayerInfo info = store.isKnownOnly(e.diffId()) ? null : store.layer(e.diffId());
            Descriptor own =
                    info == null ? null : store.layerBlob(info, e.blob().digest());
            if (own == null) return null;
            used.add(key.hex());
            touch(p);
            // the blob as the store knows it, never as the entry says: an entry written on an imported cache's hit
            // holds the cache's claim, and what a hit answers goes into the image's manifest
            return new Entry(e.diffId(), own, e.created(), e.next());
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            return null; // a damaged entry is a miss
        }
    }

    /**
     * Marks an entry used now: its modification time is when a build last used it, which {@code builder prune}'s
     * {@code until} filter and {@code --keep-storage} (least recently used first) go by.
     */
    static void touch(Path p) {
        try {
            Files.setLastModifiedTime(p, FileTime.from(Instant.now()));
        } catch (IOException ignored) {
            // only a date for prune to go by
        }
    }

    public void put(Digest key, Entry e) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("diffId", e.diffId().toString());
        m.put("blob", e.blob().toJson());
        m.put("created", e.created());
        if (e.next() != null) m.put("next", e.next().toString());
        AtomicFiles.write(dir.resolve(key.hex()), Json.write(m));
        used.add(key.hex());
    }

    /** The keys found or stored so far, sorted. */
    public List<String> used() {
        List<String> out = new ArrayList<>(used);
        out.sort(null);
        return out;
    }

    /** Removes every entry; returns how many. */
    public int clear() throws IOException {
        return Maintenance.deleteFilesIn(dir);
    }

    /** diffIDs the cache refers to (kept by garbage collection unless the cache itself is pruned). */
    public void addRoots(Set<Digest> layers) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                try {
                    layers.add(
                            Digest.parse(JsonObjects.requireString(Json.parseObject(Files.readAllBytes(p)), "diffId")));
                } catch (RuntimeException ignored) {
                    // damaged entry: not a root
                }
            }
        } catch (IOException ignored) {
            // no cache
        }
    }
}
