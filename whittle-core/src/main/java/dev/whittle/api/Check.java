package dev.whittle.api;

import dev.whittle.check.CheckReport;
import dev.whittle.check.EntrypointCheck;
import dev.whittle.check.Provenance;
import dev.whittle.check.ReportWriter;
import dev.whittle.rootfs.ImageTree;
import dev.whittle.store.Store;
import dev.whittle.store.StoredImage;
import java.io.IOException;

/** Whether an image's entrypoint can start, proven from its files without running anything ({@link EntrypointCheck}). */
public final class Check {
    private Check() {}

    /** Checks a stored image; {@code name} is how the report names it. */
    public static CheckReport image(Store store, StoredImage img, String name) throws IOException {
        try (ImageTree fs = ImageTree.of(store, img.config().diffIds())) {
            return EntrypointCheck.run(name, img.config(), fs, Provenance.load(store, img.id()));
        }
    }

    /** The report as text (what a person reads), json or sarif (what CI tools read). */
    public static String render(CheckReport r, String format) {
        return switch (format) {
            case "json" -> ReportWriter.json(r) + "\n";
            case "sarif" -> ReportWriter.sarif(r) + "\n";
            case "text" -> ReportWriter.text(r);
            default -> throw new IllegalArgumentException("unknown --format \"" + format + "\" (text, json or sarif)");
        };
    }
}
