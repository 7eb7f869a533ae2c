package dev.whittle.cli;

import dev.whittle.check.CheckReport;
import dev.whittle.check.Finding;
import dev.whittle.check.Provenance;
import dev.whittle.check.SizeAnalysis;
import dev.whittle.cli.format.TabWriter;
import dev.whittle.cli.format.Units;
import dev.whittle.image.Platform;
import dev.whittle.store.Images;
import dev.whittle.store.StoredImage;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "compare",
        description = "Compare images side by side: size, layers, efficiency, and whether their entrypoint can start")
final class CompareCommand implements Callable<Integer> {
    private final Context ctx;

    @Option(
            names = "--platform",
            description = "Compare one platform of multi-platform images (default: this machine's)")
    String platform;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "The images, side by side in this order")
    List<String> refs;

    CompareCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws IOException {
        Images images = new Images(ctx.store());
        Platform wanted = PlatformChoice.parse(platform);
        StringBuilder t = new StringBuilder("IMAGE\t\tSIZE\tLAYERS\tEFFICIENCY\tONCE RUNNING\tSTARTS\n");
        for (String ref : refs) {
            StoredImage img = PlatformChoice.image(images, ref, wanted, ctx.err());
            SizeAnalysis.Result a =
                    SizeAnalysis.analyze(ctx.store(), img.config(), Provenance.load(ctx.store(), img.id()));
            CheckReport c = CheckCommand.check(ctx.store(), img, ref);
            String starts = c.fails()
                    ? "no: "
                            + c.findings().stream()
                                    .filter(f -> f.severity() == Finding.Severity.ERROR)
                                    .map(Finding::runtimeError)
                                    .findFirst()
                                    .orElse("")
                    : "yes";
            String name = ref.contains(":") || ref.contains("@") ? ref : ref + ":latest";
            t.append(name)
                    .append("\t->\t")
                    .append(Units.humanSize(img.size()))
                    .append('\t')
                    .append(img.config().diffIds().size())
                    .append('\t')
                    .append(SizeAnalysis.percent(a.efficiency()))
                    .append('\t')
                    .append(running(c))
                    .append('\t')
                    .append(starts)
                    .append('\n');
        }
        ctx.out().print(new TabWriter(0, 1).format(t.toString()));
        return 0;
    }

    /** What fails once it runs (run time and health check findings, errors first): their codes, or "ok". */
    static String running(CheckReport c) {
        List<String> codes = c.findings().stream()
                .filter(f -> f.phase() != Finding.Phase.START && f.severity() != Finding.Severity.NOTE)
                .sorted(Comparator.comparing(Finding::severity))
                .map(f -> f.code() + (f.severity() == Finding.Severity.WARNING ? "?" : ""))
                .distinct()
                .toList();
        return codes.isEmpty() ? (c.fails() ? "-" : "ok") : String.join(", ", codes);
    }
}
