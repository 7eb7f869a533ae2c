import dev.whittle.api.Build;
import dev.whittle.api.BuildSpec;
import dev.whittle.api.Check;
import dev.whittle.api.Whittle;
import dev.whittle.check.CheckReport;

import java.nio.file.Path;
import java.util.List;

/**
 * whittle as a library: builds a Dockerfile, checks that the image's entrypoint can start, and saves the image as an
 * archive `docker load` takes.
 *
 * Usage: java -cp whittle-core.jar:... BuildCheckSave STORE CONTEXT ARCHIVE
 */
public class BuildCheckSave {
    public static void main(String[] args) throws Exception {
        Path store = Path.of(args[0]), context = Path.of(args[1]), archive = Path.of(args[2]);
        try (Whittle whittle = Whittle.open(store)) {
            BuildSpec spec = BuildSpec.of(whittle.source(context)).tag("example/app:1").build();
            try (Build.Result built = whittle.build(spec)) {
                System.out.println("built " + built.id());
            }
            CheckReport report = whittle.check("example/app:1");
            System.out.print(Check.render(report, "text"));
            System.out.println(report.fails() ? "its entrypoint cannot start" : "its entrypoint can start");
            whittle.save(List.of("example/app:1"), archive);
            System.out.println("saved " + archive);
        }
    }
}
