package dev.whittle.cli;

import dev.whittle.build.CachePrune;
import dev.whittle.build.StoreUsage;
import dev.whittle.cli.format.Units;
import dev.whittle.sandbox.ProcessLimits;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code whittle builder prune}: docker's command over whittle's build cache (step results, unpacked layers, cache
 * mounts, the build memo; {@link StoreUsage}). {@code --filter id=ID} removes one record, a cache mount for instance,
 * by the id {@code system df -v} lists.
 */
@Command(name = "prune", description = "Remove build cache", customSynopsis = "")
final class BuilderPruneCommand implements Callable<Integer> {
    private final Context ctx;

    @Option(
            names = {"-a", "--all"},
            description = "Remove all unused build cache, not just dangling ones")
    boolean all;

    @Option(
            names = "--filter",
            paramLabel = "filter",
            description = "Provide filter values (e.g. 'until=24h', 'id=<id>', 'type=exec.cachemount')")
    List<String> filters = new ArrayList<>();

    @Option(
            names = {"-f", "--force"},
            description = "Do not prompt for confirmation")
    boolean force;

    @Option(names = "--keep-storage", paramLabel = "bytes", description = "Amount of disk space to keep for cache")
    String keepStorage;

    BuilderPruneCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws IOException {
        Predicate<StoreUsage.CacheRecord> filter = filter(Filters.parse(
                filters, Set.of("until", "id", "type", "description"), "--filter", "whittle builder prune"));
        long keep = 0;
        if (keepStorage != null) {
            try {
                keep = ProcessLimits.parseSize(keepStorage);
            } catch (IllegalArgumentException e) {
                throw UserError.usage(
                        "invalid argument \"" + keepStorage + "\" for \"--keep-storage\" flag: " + e.getMessage(),
                        "whittle builder prune");
            }
        }
        String warning = all
                ? "WARNING! This will remove all build cache. Are you sure you want to continue?"
                : "WARNING! This will remove all dangling build cache. Are you sure you want to continue?";
        if (!force && !Prompt.confirm(ctx, warning)) {
            ctx.out().println("Total reclaimed space: 0B");
            return 0;
        }
        CachePrune.Result r = CachePrune.prune(
                ctx.store(),
                new CachePrune.Options(all, filter, keep),
                () -> ctx.err().println("waiting for other whittle processes to finish..."));
        if (!r.deleted().isEmpty()) {
            StringBuilder b = new StringBuilder("Deleted build cache objects:\n");
            for (String id : r.deleted()) b.append(id).append('\n');
            ctx.out().println(b);
        }
        ctx.out().println("Total reclaimed space: " + Units.humanSize(r.reclaimed(), 4));
        return 0;
    }

    private static Predicate<StoreUsage.CacheRecord> filter(Filters f) {
        Predicate<StoreUsage.CacheRecord> p = c -> true;
        for (String v : f.get("until")) p = p.and(CachePrune.unusedSince(Filters.timestamp(v, Instant.now())));
        if (f.has("id")) {
            List<String> ids = f.get("id");
            p = p.and(c -> ids.stream().anyMatch(id -> !id.isEmpty() && c.id().startsWith(id)));
        }
        if (f.has("type")) p = p.and(c -> f.get("type").contains(c.type()));
        for (String v : f.get("description")) p = p.and(c -> c.description().contains(v));
        return p;
    }
}
