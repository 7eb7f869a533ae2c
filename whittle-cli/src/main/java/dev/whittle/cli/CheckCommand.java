package dev.whittle.cli;

import dev.whittle.api.Check;
import dev.whittle.check.CheckReport;
import dev.whittle.image.Descriptor;
import dev.whittle.image.Platform;
import dev.whittle.store.ImageIndexes;
import dev.whittle.store.ImageNotFoundException;
import dev.whittle.store.Images;
import dev.whittle.store.Store;
import dev.whittle.store.StoredImage;
import java.io.IOException;
import java.util.Optional;
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

    @Option(
            names = "--platform",
            description = "Check one platform of a multi-platform image (default: every platform)")
    String platform;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image whose entrypoint is checked")
    String image;

    CheckCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws IOException {
        Images images = new Images(ctx.store());
        if (platform != null && !platform.isEmpty()) {
            Platform wanted;
            try {
                wanted = Platform.parse(platform);
            } catch (IllegalArgumentException e) {
                throw new UserError("invalid --platform \"" + platform + "\": " + e.getMessage());
            }
            StoredImage img = images.find(image, wanted).orElseThrow(() -> new ImageNotFoundException(image));
            return print(check(ctx.store(), img, image + " (" + wanted + ")"));
        }
        Optional<ImageIndexes.Named> idx = new ImageIndexes(ctx.store()).find(image);
        if (idx.isEmpty()) return print(check(ctx.store(), images.resolve(image), image));
        // a multi-platform image: each platform's entrypoint must start on that platform
        int code = 0;
        for (Descriptor m : idx.get().members()) {
            String name = image + " (" + m.platform() + ")";
            code = Math.max(code, print(check(ctx.store(), images.member(idx.get(), m), name)));
        }
        return code;
    }

    private int print(CheckReport r) {
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
