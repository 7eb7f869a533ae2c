package dev.whittle.cli;

import dev.whittle.check.CheckReport;
import dev.whittle.check.Finding;
import dev.whittle.check.Provenance;
import dev.whittle.check.ReportWriter;
import dev.whittle.check.SizeAnalysis;
import dev.whittle.cli.format.TabWriter;
import dev.whittle.cli.format.Units;
import dev.whittle.json.Json;
import dev.whittle.store.Images;
import dev.whittle.store.StoredImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "analyze",
        description = "Explain an image's size: layers, largest files, wasted bytes, efficiency, advice")
final class AnalyzeCommand implements Callable<Integer> {
    private final Context ctx;

    @Option(names = "--format", description = "text (default) or json")
    String format = "text";

    @Option(names = "--lowest-efficiency", paramLabel = "0..1", description = "CI: fail when efficiency is below this")
    Double lowestEfficiency;

    @Option(
            names = "--highest-wasted-bytes",
            paramLabel = "SIZE",
            description = "CI: fail when more bytes than this are wasted (20MB, 1GiB...)")
    String highestWasted;

    @Option(
            names = "--highest-user-wasted-percent",
            paramLabel = "0..1",
            description = "CI: fail when wasted bytes exceed this share of the image's own layers")
    Double highestUserWasted;

    @Option(
            names = "--platform",
            description = "Explain one platform of a multi-platform image (default: this machine's)")
    String platform;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image to explain")
    String image;

    AnalyzeCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws IOException {
        StoredImage img =
                PlatformChoice.image(new Images(ctx.store()), image, PlatformChoice.parse(platform), ctx.err());
        SizeAnalysis.Result r = SizeAnalysis.analyze(ctx.store(), img.config(), Provenance.load(ctx.store(), img.id()));
        CheckReport check = CheckCommand.check(ctx.store(), img, image);
        List<String[]> rules = new ArrayList<>();
        boolean failed = false;
        if (lowestEfficiency != null)
            failed |= rule(
                    rules,
                    "lowest-efficiency",
                    r.efficiency() >= lowestEfficiency,
                    SizeAnalysis.percent(r.efficiency()) + " (threshold " + SizeAnalysis.percent(lowestEfficiency)
                            + ")");
        if (highestWasted != null) {
            long limit = Units.parseSize(highestWasted);
            failed |= rule(
                    rules,
                    "highest-wasted-bytes",
                    r.wastedBytes() <= limit,
                    Units.humanSize(r.wastedBytes()) + " (threshold " + Units.humanSize(limit) + ")");
        }
        if (highestUserWasted != null)
            failed |= rule(
                    rules,
                    "highest-user-wasted-percent",
                    r.userWastedPercent() <= highestUserWasted,
                    SizeAnalysis.percent(r.userWastedPercent()) + " (threshold "
                            + SizeAnalysis.percent(highestUserWasted) + ")");
        if (format.equals("json")) {
            Map<String, Object> m = json(r, rules);
            m.put("check", Json.parse(CheckCommand.render(check, "json")));
            ctx.out().println(Json.writeString(m, Json.Style.INDENT));
        } else {
            ctx.out().print(text(r, rules) + checkText(check));
        }
        return failed ? 1 : 0;
    }

    /** The check's verdict and each finding in a line: what starts and what fails once it runs sits beside the size. */
    private static String checkText(CheckReport c) {
        StringBuilder sb =
                new StringBuilder("\ncheck: ").append(ReportWriter.headline(c)).append('\n');
        for (Finding f : c.findings()) {
            sb.append("  ")
                    .append(f.severity().name().toLowerCase())
                    .append(' ')
                    .append(f.code());
            if (f.phase() != Finding.Phase.START)
                sb.append(f.phase() == Finding.Phase.RUNTIME ? " (at run time)" : " (health check)");
            if (f.runtimeError() != null) sb.append(": ").append(f.runtimeError());
            if (!f.fixes().isEmpty()) sb.append("\n    fix: ").append(f.fixes().getFirst());
            sb.append('\n');
        }
        return sb.toString();
    }

    private static boolean rule(List<String[]> rules, String name, boolean pass, String detail) {
        rules.add(new String[] {pass ? "PASS" : "FAIL", name, detail});
        return !pass;
    }

    private String text(SizeAnalysis.Result r, List<String[]> rules) {
        StringBuilder sb = new StringBuilder();
        sb.append(image)
                .append(": ")
                .append(Units.humanSize(r.size()))
                .append(", ")
                .append(r.layers().size())
                .append(" layers, efficiency ")
                .append(SizeAnalysis.percent(r.efficiency()))
                .append(", wasted ")
                .append(Units.humanSize(r.wastedBytes()))
                .append("\n\n");
        StringBuilder t = new StringBuilder("LAYER\tSIZE\tCREATED BY\n");
        for (SizeAnalysis.LayerRow l : r.layers()) {
            t.append(l.index() + 1)
                    .append(l.base() ? " (base)" : "")
                    .append('\t')
                    .append(Units.humanSize(l.size()))
                    .append('\t')
                    .append(ImageViews.ellipsis(l.createdBy().replace('\t', ' '), 70))
                    .append('\n');
        }
        sb.append(TabWriter.docker().format(t.toString())).append('\n');
        StringBuilder f = new StringBuilder("LARGEST FILES\tSIZE\tLAYER\n");
        for (SizeAnalysis.FileRow x : r.largest())
            f.append('/')
                    .append(x.path())
                    .append('\t')
                    .append(Units.humanSize(x.size()))
                    .append('\t')
                    .append(x.layer() + 1)
                    .append('\n');
        sb.append(TabWriter.docker().format(f.toString())).append('\n');
        if (!r.waste().isEmpty()) {
            StringBuilder w = new StringBuilder("WASTED\tBYTES\tADDED IN\t" + "REMOVED IN\n");
            for (SizeAnalysis.Waste x : r.waste()) {
                w.append('/')
                        .append(x.path())
                        .append('\t')
                        .append(Units.humanSize(x.bytes()))
                        .append('\t')
                        .append(x.addedIn() + 1)
                        .append('\t')
                        .append(x.removedIn() + 1)
                        .append(x.deleted() ? " (deleted)" : " (replaced)")
                        .append('\n');
            }
            sb.append(TabWriter.docker().format(w.toString())).append('\n');
        }
        if (!r.advice().isEmpty()) {
            sb.append("advice:\n");
            for (SizeAnalysis.Advice a : r.advice())
                sb.append("  - ")
                        .append(a.what())
                        .append(" (saves about ")
                        .append(Units.humanSize(a.savings()))
                        .append(")\n");
        }
        for (String[] x : rules)
            sb.append(x[0]).append(": ").append(x[1]).append(" ").append(x[2]).append('\n');
        return sb.toString();
    }

    private Map<String, Object> json(SizeAnalysis.Result r, List<String[]> rules) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("image", image);
        m.put("sizeBytes", r.size());
        m.put("efficiency", r.efficiency());
        m.put("wastedBytes", r.wastedBytes());
        m.put("userSizeBytes", r.userBytes());
        m.put("userWastedPercent", r.userWastedPercent());
        List<Object> layers = new ArrayList<>();
        for (SizeAnalysis.LayerRow l : r.layers())
            layers.add(Map.of("index", l.index(), "sizeBytes", l.size(), "command", l.createdBy(), "base", l.base()));
        m.put("layers", layers);
        List<Object> files = new ArrayList<>();
        for (SizeAnalysis.FileRow f : r.largest())
            files.add(Map.of("path", "/" + f.path(), "sizeBytes", f.size(), "layer", f.layer()));
        m.put("largest", files);
        List<Object> waste = new ArrayList<>();
        for (SizeAnalysis.Waste w : r.waste())
            waste.add(Map.of(
                    "path",
                    "/" + w.path(),
                    "bytes",
                    w.bytes(),
                    "addedIn",
                    w.addedIn(),
                    "removedIn",
                    w.removedIn(),
                    "deleted",
                    w.deleted()));
        m.put("waste", waste);
        List<Object> advice = new ArrayList<>();
        for (SizeAnalysis.Advice a : r.advice()) advice.add(Map.of("what", a.what(), "savingsBytes", a.savings()));
        m.put("advice", advice);
        List<Object> rs = new ArrayList<>();
        for (String[] x : rules) rs.add(Map.of("rule", x[1], "result", x[0], "detail", x[2]));
        m.put("rules", rs);
        return m;
    }
}
