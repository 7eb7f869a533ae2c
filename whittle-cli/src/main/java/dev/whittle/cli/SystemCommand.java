package dev.whittle.cli;

import dev.whittle.api.StoreMaintenance;
import dev.whittle.build.StoreUsage;
import dev.whittle.cli.format.DockerTypes;
import dev.whittle.cli.format.Formatter;
import dev.whittle.cli.format.GoStruct;
import dev.whittle.cli.format.GoType;
import dev.whittle.cli.format.GoValue;
import dev.whittle.cli.format.Units;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageRef;
import dev.whittle.store.Maintenance;
import dev.whittle.store.StoredImage;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code whittle system df|prune|fsck}: the store as a whole. */
final class SystemCommand {
    private SystemCommand() {}

    @Command(name = "df", description = "Show whittle disk usage")
    static final class Df implements Callable<Integer> {
        private static final String SUMMARY =
                "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}";
        private static final String IMAGES =
                "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.VirtualSize}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}";
        private static final String CONTAINERS =
                "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}";
        private static final String VOLUMES = "table {{.Name}}\t{{.Links}}\t{{.Size}}";
        private static final String CACHE =
                "table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.Shared}}\t{{.Description}}";

        private final Context ctx;

        @Option(names = "--format", paramLabel = "string", description = "Pretty-print images using a Go template")
        String format;

        @Option(
                names = {"-v", "--verbose"},
                description = "Show detailed information on space usage")
        boolean verbose;

        Df(Context ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() throws IOException {
            StoreUsage.Report r = StoreUsage.measure(ctx.store());
            Instant now = Instant.now();
            String f = format == null ? "table" : format.equals("json") ? "{{json .}}" : format;
            if (verbose) {
                ctx.out()
                        .print(
                                f.equals("table")
                                        ? verboseTable(r, now)
                                        : new Formatter(f)
                                                .render(
                                                        List.of(verboseData(r, now, false)
                                                                .value()),
                                                        ImageViews.headers(Map.of())));
            } else {
                ctx.out()
                        .print(new Formatter(f.equals("table") ? SUMMARY : f)
                                .render(summary(r), ImageViews.headers(HEADERS)));
            }
            return 0;
        }

        static final Map<String, String> HEADERS = Map.of(
                "Type",
                "TYPE",
                "TotalCount",
                "TOTAL",
                "Active",
                "ACTIVE",
                "Size",
                "SIZE",
                "Reclaimable",
                "RECLAIMABLE");

        /** docker's four rows; whittle keeps no containers or volumes, so theirs are zero. */
        static List<GoValue> summary(StoreUsage.Report r) {
            long images = r.imagesSize();
            String imagesReclaim =
                    images > 0 ? Units.humanSize(images, 4) + " (100%)" : "0B"; // no container uses an image
            long cache = r.cacheSize();
            return List.of(
                    row("Images", r.images().size(), Units.humanSize(images, 4), imagesReclaim),
                    row("Containers", 0, "0B", "0B"),
                    row("Local Volumes", 0, "0B", "0B"),
                    row("Build Cache", r.cache().size(), Units.humanSize(cache, 4), Units.humanSize(cache, 4)));
        }

        private static GoValue row(String type, int total, String size, String reclaimable) {
            return ImageViews.plainRow(Map.of(
                    "Active",
                    "0",
                    "Reclaimable",
                    reclaimable,
                    "Size",
                    size,
                    "TotalCount",
                    Integer.toString(total),
                    "Type",
                    type));
        }

        private static String verboseTable(StoreUsage.Report r, Instant now) {
            Verbose data = verboseData(r, now, true);
            StringBuilder b = new StringBuilder("Images space usage:\n\n");
            b.append(new Formatter(IMAGES).render(data.images(), ImageViews.IMAGE_HEADERS));
            b.append("\nContainers space usage:\n\n");
            b.append(new Formatter(CONTAINERS)
                    .render(
                            List.of(),
                            ImageViews.headers(Map.of(
                                    "ID",
                                    "CONTAINER ID",
                                    "Image",
                                    "IMAGE",
                                    "Command",
                                    "COMMAND",
                                    "LocalVolumes",
                                    "LOCAL VOLUMES",
                                    "Size",
                                    "SIZE",
                                    "RunningFor",
                                    "CREATED",
                                    "Status",
                                    "STATUS",
                                    "Names",
                                    "NAMES"))));
            b.append("\nLocal Volumes space usage:\n\n");
            b.append(new Formatter(VOLUMES)
                    .render(
                            List.of(),
                            ImageViews.headers(Map.of("Name", "VOLUME NAME", "Links", "LINKS", "Size", "SIZE"))));
            b.append("\nBuild cache usage: ")
                    .append(Units.humanSize(r.cacheSize(), 4))
                    .append("\n\n");
            b.append(new Formatter(CACHE).render(data.cache(), ImageViews.headers(CACHE_HEADERS)));
            return b.toString();
        }

        static final Map<String, String> CACHE_HEADERS = Map.ofEntries(
                Map.entry("ID", "CACHE ID"),
                Map.entry("CacheType", "CACHE TYPE"),
                Map.entry("Size", "SIZE"),
                Map.entry("CreatedSince", "CREATED"),
                Map.entry("LastUsedSince", "LAST USED"),
                Map.entry("UsageCount", "USAGE"),
                Map.entry("InUse", "IN USE"),
                Map.entry("Shared", "SHARED"),
                Map.entry("Description", "DESCRIPTION"),
                Map.entry("Parent", "PARENT"),
                Map.entry("CreatedAt", "CREATED AT"),
                Map.entry("LastUsedAt", "LAST USED AT"));

        /** What docker's verbose template sees: {Images, Containers, Volumes, BuildCache}. */
        record Verbose(List<GoValue> images, List<GoValue> cache) {
            /** docker's document, a struct: its four lists in docker's order. */
            static final GoType TYPE = GoType.struct(
                    "system.diskUsage",
                    GoType.field("Images", DockerTypes.RAW_ARRAY),
                    GoType.field("Containers", DockerTypes.RAW_ARRAY),
                    GoType.field("Volumes", DockerTypes.RAW_ARRAY),
                    GoType.field("BuildCache", DockerTypes.RAW_ARRAY));

            GoValue value() {
                return new GoStruct(TYPE)
                        .set("Images", new ArrayList<Object>(images))
                        .set("Containers", new ArrayList<>())
                        .set("Volumes", new ArrayList<>())
                        .set("BuildCache", new ArrayList<Object>(cache))
                        .value();
            }
        }

        static Verbose verboseData(StoreUsage.Report r, Instant now, boolean trunc) {
            List<GoValue> images = new ArrayList<>();
            List<StoreUsage.ImageUsage> sorted = new ArrayList<>(r.images());
            sorted.sort(
                    Comparator.comparing((StoreUsage.ImageUsage u) -> u.image().created() == null
                                    ? Instant.EPOCH
                                    : u.image().created())
                            .reversed());
            for (StoreUsage.ImageUsage u : sorted) images.add(imageRow(u, trunc, now));
            List<GoValue> cache = new ArrayList<>();
            List<StoreUsage.CacheRecord> records = new ArrayList<>(r.cache());
            records.sort(
                    Comparator.comparing(StoreUsage.CacheRecord::lastUsed).thenComparing(StoreUsage.CacheRecord::id));
            for (StoreUsage.CacheRecord c : records) cache.add(cacheRow(c, trunc, now));
            return new Verbose(images, cache);
        }

        /** docker's image row, sizes as the store holds them (first name only, as docker shows). */
        private static GoValue imageRow(StoreUsage.ImageUsage u, boolean trunc, Instant now) {
            StoredImage img = u.image();
            String repo = "<none>", tag = "<none>";
            if (!img.dangling() && !img.names().isEmpty()) {
                ImageRef first = img.names().getFirst();
                repo = first.familiarRepository();
                tag = first.tag();
            }
            Map<String, String> sizes = new HashMap<>(Map.of(
                    "Containers",
                    "0",
                    "SharedSize",
                    Units.humanSize(u.sharedSize(), 4),
                    "Size",
                    Units.humanSize(u.size()),
                    "UniqueSize",
                    Units.humanSize(u.uniqueSize(), 4),
                    "VirtualSize",
                    Units.humanSize(u.size(), 4)));
            if (!trunc) sizes.put("ID", img.id().toString());
            return ImageViews.imageRow(img, repo, tag, "", trunc, now, sizes);
        }

        /** BuildKit's cache record as docker's buildCacheContext prints it. */
        static GoValue cacheRow(StoreUsage.CacheRecord c, boolean trunc, Instant now) {
            Map<String, Object> s = new HashMap<>();
            s.put("CacheType", c.type());
            s.put("CreatedAt", ImageViews.goTimeString(c.created()));
            s.put("CreatedSince", ImageViews.createdSince(c.created(), now));
            s.put("Description", c.description());
            s.put("ID", trunc && c.id().length() > 12 ? c.id().substring(0, 12) : c.id());
            s.put("InUse", "false");
            s.put("LastUsedAt", ImageViews.goTimeString(c.lastUsed()));
            s.put("LastUsedSince", ImageViews.createdSince(c.lastUsed(), now));
            s.put("Parent", "");
            s.put("Shared", Boolean.toString(c.shared()));
            s.put("Size", Units.humanSize(c.size()));
            s.put("UsageCount", "0");
            return ImageViews.plainRow(s);
        }
    }

    @Command(name = "prune", description = "Remove unused data")
    static final class Prune implements Callable<Integer> {
        private final Context ctx;

        @Option(
                names = {"-f", "--force"},
                description = "Do not prompt for confirmation")
        boolean force;

        Prune(Context ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() throws IOException {
            if (!force && !Prompt.confirm(ctx, """
                    WARNING! This will remove:
                      - all dangling images
                      - all blobs and layers no image refers to
                      - all build cache

                    Are you sure you want to continue?""")) {
                return 0;
            }
            StoreMaintenance.SystemPruned r = new StoreMaintenance(ctx.storeAsFound())
                    .system(() -> ctx.err().println("waiting for other whittle processes to finish..."));
            if (!r.deletedImages().isEmpty()) {
                ctx.out().println("Deleted Images:");
                for (Digest d : r.deletedImages()) ctx.out().println("deleted: " + d);
                ctx.out().println();
            }
            for (String l : r.leftovers()) ctx.out().println("Removed " + l);
            if (r.cacheEntries() > 0) ctx.out().println("Deleted build cache entries: " + r.cacheEntries());
            if (r.snapshots() > 0) ctx.out().println("Deleted layer snapshots: " + r.snapshots());
            ctx.out().println("Total reclaimed space: " + Units.humanSize(r.reclaimedBytes(), 4));
            return 0;
        }
    }

    @Command(name = "fsck", description = "Verify every blob against its digest and every image against its blobs")
    static final class Fsck implements Callable<Integer> {
        private final Context ctx;

        Fsck(Context ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() throws IOException {
            StoreMaintenance.Fsck f = new StoreMaintenance(ctx.storeAsFound()).fsck();
            List<Maintenance.Problem> problems = f.problems();
            if (!f.leftoversChecked())
                ctx.err()
                        .println(
                                "note: other whittle commands are using the store; leftovers of killed ones not checked");
            for (Maintenance.Problem p : problems) ctx.out().println(p);
            if (problems.isEmpty()) {
                ctx.out().println("store " + ctx.root() + " is consistent");
                return 0;
            }
            ctx.out().println(problems.size() + " problem(s) found");
            return 1;
        }
    }
}
