package dev.whittle.cli;

import dev.whittle.cli.format.Formatter;
import dev.whittle.cli.format.TemplateException;
import dev.whittle.store.Images;
import dev.whittle.store.StoredImage;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "history", description = "Show the history of an image")
final class HistoryCommand implements Callable<Integer> {
    private final Context ctx;

    @Option(names = "--format", paramLabel = "string", description = "Pretty-print images using a Go template")
    String format;
    // a boolean flag as docker's: -H alone is true, -H=false sets it, and the word after -H is the image
    @Option(
            names = {"-H", "--human"},
            arity = "0..1",
            defaultValue = "true",
            fallbackValue = "true",
            description = "Print sizes and dates in human readable format")
    boolean human = true;

    @Option(names = "--no-trunc", description = "Don't truncate output")
    boolean noTrunc;

    @Option(
            names = {"-q", "--quiet"},
            description = "Only show image IDs")
    boolean quiet;

    @Option(
            names = "--platform",
            description = "Show the history of one platform of a multi-platform image (default: this machine's)")
    String platform;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "Image name or ID")
    String image;

    HistoryCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        StoredImage img =
                PlatformChoice.image(new Images(ctx.store()), image, PlatformChoice.parse(platform), ctx.err());
        String f = quiet
                ? "{{.ID}}"
                : format != null && !format.isEmpty()
                        ? (format.equals("json") ? "{{json .}}" : format)
                        : human
                                ? "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
                                : "table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";
        var rows = ImageViews.historyRows(img, ctx.store(), human, !noTrunc, Instant.now());
        String out;
        try {
            out = new Formatter(f).render(rows, ImageViews.HISTORY_HEADERS);
        } catch (TemplateException e) {
            throw FormatErrors.of(e, false);
        }
        ctx.out().print(out);
        return 0;
    }
}
