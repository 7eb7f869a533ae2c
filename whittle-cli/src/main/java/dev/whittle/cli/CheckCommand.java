package dev.whittle.cli;

import dev.whittle.api.Check;
import dev.whittle.check.CheckReport;
import dev.whittle.store.Images;
import dev.whittle.store.Store;
import dev.whittle.store.StoredImage;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "check",
        description =
                "Prove that an image's entrypoint can start (interpreter, libraries, symbol versions, architecture, scripts, user, permissions) and what it needs once running (TLS roots, zoneinfo, passwd, temp dir, NSS, healthcheck)")
final class CheckCommand implements Callable<Integer> {
    private final Context ctx;

    @Option(names = "--format", description = "Output format: text (default), json, sarif")
    String format = "text";

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image whose entrypoint is checked")
    String image;

    CheckCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws IOException {
        StoredImage img = new Images(ctx.store()).resolve(image);
        CheckReport r = check(ctx.store(), img, image);
        ctx.out().print(render(r, format));
        return r.hasErrors() ? 1 : 0;
    }

    static CheckReport check(Store store, StoredImage img, String name) throws IOException {
        return Check.image(store, img, name);
    }

    static String render(CheckReport r, String format) {
        try {
            return Check.render(r, format);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }
}
