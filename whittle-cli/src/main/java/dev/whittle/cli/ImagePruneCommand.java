package dev.whittle.cli;

import dev.whittle.api.StoreMaintenance;
import dev.whittle.cli.format.Units;
import dev.whittle.image.ImageRef;
import dev.whittle.store.StoredImage;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code whittle image prune}: dangling images, or with {@code -a} every image (whittle keeps no containers, so no
 * image is in use), then the blobs nothing refers to. The build cache's layers stay: that is {@code builder prune}'s.
 */
@Command(name = "prune", description = "Remove unused images")
final class ImagePruneCommand implements Callable<Integer> {
    private final Context ctx;

    @Option(
            names = {"-a", "--all"},
            description = "Remove all unused images, not just dangling ones")
    boolean all;

    @Option(
            names = "--filter",
            paramLabel = "filter",
            description = "Provide filter values (e.g. 'until=<timestamp>', 'label=<key>=<value>')")
    List<String> filters = new ArrayList<>();

    @Option(
            names = {"-f", "--force"},
            description = "Do not prompt for confirmation")
    boolean force;

    ImagePruneCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws IOException {
        Filters f = Filters.parse(filters, Set.of("until", "label", "label!"), "--filter", "whittle image prune");
        String warning = all
                ? "WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue?"
                : "WARNING! This will remove all dangling images.\nAre you sure you want to continue?";
        if (!force && !Prompt.confirm(ctx, warning)) {
            ctx.out().println("Total reclaimed space: 0B");
            return 0;
        }
        Instant now = Instant.now();
        StoreMaintenance.ImagesPruned r = new StoreMaintenance(ctx.store())
                .images(
                        !all,
                        img -> matches(f, img, now),
                        () -> ctx.err().println("waiting for other whittle processes to finish..."));
        List<String> lines = new ArrayList<>();
        for (StoreMaintenance.RemovedImage img : r.removed()) {
            for (ImageRef n : img.untagged()) lines.add("untagged: " + n.familiar());
            lines.add("deleted: " + img.id());
        }
        if (!lines.isEmpty()) ctx.out().println("Deleted Images:\n" + String.join("\n", lines) + "\n");
        ctx.out().println("Total reclaimed space: " + Units.humanSize(r.reclaimedBytes(), 4));
        return 0;
    }

    private static boolean matches(Filters f, StoredImage img, Instant now) {
        Instant created = img.created() == null ? Instant.EPOCH : img.created();
        for (String v : f.get("until")) if (!created.isBefore(Filters.timestamp(v, now))) return false;
        Map<String, String> labels = Filters.labels(img.config());
        for (String v : f.get("label")) if (!Filters.labelMatches(v, labels)) return false;
        for (String v : f.get("label!")) if (Filters.labelMatches(v, labels)) return false;
        return true;
    }
}
