package dev.whittle.cli;

import dev.whittle.api.DockerfileLint;
import dev.whittle.check.Lint;
import dev.whittle.dockerfile.DockerfileException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "lint",
        description =
                "Lint a Dockerfile: size, cache and correctness rules for multi-stage builds, plus BuildKit's checks")
final class LintCommand implements Callable<Integer> {
    private final Context ctx;

    @Option(
            names = {"-f", "--file"},
            description = "The Dockerfile (default: ./Dockerfile)")
    Path file = Path.of("Dockerfile");

    @Option(names = "--format", description = "text (default), json or sarif")
    String format = "text";

    @Option(
            names = "--config",
            description =
                    "Rule configuration (JSON: {\"ignore\": [\"WL005\"], \"levels\": {\"WL002\": \"error\"}}); default: .whittle-lint.json beside the Dockerfile")
    Path config;

    @Option(names = "--ignore", paramLabel = "RULE", description = "Ignore a rule (WL id or BuildKit check name)")
    List<String> ignore = new ArrayList<>();

    @Option(
            names = "--failure-threshold",
            description = "Exit 1 when a finding is at least: error (default), warning, info, none")
    String threshold = "error";

    LintCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws IOException {
        List<Lint.Finding> shown;
        try {
            shown = DockerfileLint.run(ctx.store(), file, config, ignore);
        } catch (DockerfileException e) {
            throw new UserError(e.getMessage());
        }
        try {
            ctx.out().print(DockerfileLint.render(shown, file.toString(), format));
            return DockerfileLint.fails(shown, threshold) ? 1 : 0;
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }
}
