package dev.whittle.cli;

import dev.whittle.cli.format.Formatter;
import dev.whittle.cli.format.GoTime;
import dev.whittle.cli.format.GoValue;
import dev.whittle.cli.format.TemplateException;
import dev.whittle.image.ImageRef;
import dev.whittle.store.ImageIndexes;
import dev.whittle.store.Images;
import dev.whittle.store.StoredImage;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "images", description = "List images")
final class ImagesCommand implements Callable<Integer> {
    private static final String DEFAULT =
            "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}";
    private static final String DIGESTS =
            "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}";

    private final Context ctx;

    @Option(
            names = {"-a", "--all"},
            description = "Show all images (default hides intermediate images)")
    boolean all;

    @Option(names = "--digests", description = "Show digests")
    boolean digests;

    @Option(
            names = {"-f", "--filter"},
            paramLabel = "filter",
            description =
                    "Filter output based on conditions provided (dangling=true|false, label=KEY[=VALUE], before=IMAGE, since=IMAGE, reference=PATTERN)")
    List<String> filters = new ArrayList<>();

    @Option(names = "--format", paramLabel = "string", description = "Pretty-print images using a Go template")
    String format;

    @Option(names = "--no-trunc", description = "Don't truncate output")
    boolean noTrunc;

    @Option(
            names = {"-q", "--quiet"},
            description = "Only show image IDs")
    boolean quiet;

    @Option(names = "--tree", description = "List multi-platform images as a tree of their platforms")
    boolean tree;

    @Parameters(
            arity = "0..1",
            paramLabel = "REPOSITORY[:TAG]",
            description = "Only images of this repository (and tag); * and ? match as in a path")
    String repository;

    ImagesCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        Filters f = Filters.parse(
                filters, Set.of("dangling", "label", "before", "since", "reference"), "-f, --filter", "whittle images");
        Boolean dangling = null;
        for (String v : f.get("dangling")) {
            if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false") && !v.equals("1") && !v.equals("0")) {
                throw new UserError("Invalid filter 'dangling=" + v + "'");
            }
            dangling = v.equalsIgnoreCase("true") || v.equals("1");
        }
        List<String> refPatterns = new ArrayList<>(f.get("reference"));
        if (repository != null) refPatterns.add(repository);
        Images store = new Images(ctx.store());
        // docker's before/since: created before (after) the named image was
        Instant before = f.has("before") ? createdOf(store, f.get("before").getLast()) : null;
        Instant since = f.has("since") ? createdOf(store, f.get("since").getLast()) : null;

        Instant now = Instant.now();
        List<StoredImage> images = new ArrayList<>(store.list());
        // newest first; an image without a date has Go's zero time, so comes last, as in docker
        images.sort(Comparator.comparing((StoredImage i) -> i.created() == null ? GoTime.ZERO : i.created())
                .reversed());
        List<GoValue> rows = new ArrayList<>();
        List<ImagesTree.Row> treeRows = new ArrayList<>();
        for (StoredImage img : images) {
            if (dangling != null && dangling != img.dangling()) continue;
            Instant created = img.created() == null ? Instant.MIN : img.created();
            if (before != null && !created.isBefore(before) || since != null && !created.isAfter(since)) continue;
            if (f.has("label")) {
                Map<String, String> labels = Filters.labels(img.config());
                if (!f.get("label").stream().allMatch(l -> Filters.labelMatches(l, labels))) continue;
            }
            for (String[] rtd : repoTagDigests(img)) {
                if (!refPatterns.isEmpty()
                        && (img.dangling() || refPatterns.stream().noneMatch(p -> matches(p, rtd[0], rtd[1]))))
                    continue;
                rows.add(ImageViews.imageRow(img, rtd[0], rtd[1], rtd[2], !noTrunc, now));
                treeRows.add(new ImagesTree.Row(
                        img.dangling() || rtd[1].equals("<none>") ? null : ImageRef.parse(rtd[0] + ":" + rtd[1]), img));
            }
        }
        if (tree) {
            if (quiet || format != null || digests)
                throw new UserError("--tree cannot be used with --quiet, --format or --digests");
            ctx.out().print(new ImagesTree(store, new ImageIndexes(ctx.store())).render(treeRows, noTrunc));
            return 0;
        }
        String template = quiet
                ? "{{.ID}}"
                : format != null && !format.isEmpty()
                        ? (format.equals("json") ? "{{json .}}" : format)
                        : digests ? DIGESTS : DEFAULT;
        String out;
        try {
            out = new Formatter(template).render(rows, ImageViews.IMAGE_HEADERS);
        } catch (TemplateException e) {
            throw FormatErrors.of(e, false);
        }
        ctx.out().print(out);
        return 0;
    }

    private static Instant createdOf(Images store, String ref) {
        StoredImage img = store.resolve(ref);
        return img.created() == null ? Instant.MIN : img.created();
    }

    /** (repository, tag, digest) rows of one image, as docker's formatter derives them. */
    private List<String[]> repoTagDigests(StoredImage img) {
        List<String[]> out = new ArrayList<>();
        if (img.dangling() && img.repoDigests().isEmpty()) {
            out.add(new String[] {"<none>", "<none>", "<none>"});
            return out;
        }
        Map<String, List<String>> tags = new TreeMap<>();
        for (ImageRef r : img.names())
            tags.computeIfAbsent(r.familiarRepository(), k -> new ArrayList<>()).add(r.tag());
        Map<String, List<String>> dgs = new TreeMap<>();
        for (String rd : img.repoDigests()) {
            String fam = ImageViews.familiarDigestRef(rd);
            int at = fam.indexOf('@');
            if (at > 0)
                dgs.computeIfAbsent(fam.substring(0, at), k -> new ArrayList<>())
                        .add(fam.substring(at + 1));
        }
        for (Map.Entry<String, List<String>> e : tags.entrySet()) {
            List<String> d = dgs.remove(e.getKey());
            for (String tag : e.getValue()) {
                if (!digests || d == null || d.isEmpty()) out.add(new String[] {e.getKey(), tag, "<none>"});
                else for (String x : d) out.add(new String[] {e.getKey(), tag, x});
            }
        }
        for (Map.Entry<String, List<String>> e : dgs.entrySet()) {
            if (digests) for (String x : e.getValue()) out.add(new String[] {e.getKey(), "<none>", x});
            else out.add(new String[] {e.getKey(), "<none>", ""});
        }
        return out;
    }

    /** docker's reference filter: path.Match against the familiar name, with or without the tag. */
    static boolean matches(String pattern, String repo, String tag) {
        String p = pattern;
        String ptag = null;
        int colon = p.lastIndexOf(':');
        if (colon > p.lastIndexOf('/')) {
            ptag = p.substring(colon + 1);
            p = p.substring(0, colon);
        }
        if (!glob(p, repo)) {
            // a fully qualified pattern (docker.io/library/x) matches the familiar name too
            try {
                if (!ImageRef.parseNoDefault(p).familiarRepository().equals(repo)) return false;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return ptag == null || glob(ptag, tag);
    }

    private static boolean glob(String pattern, String s) {
        if (!pattern.contains("*") && !pattern.contains("?") && !pattern.contains("[")) return pattern.equals(s);
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        return m.matches(Path.of(s));
    }
}
