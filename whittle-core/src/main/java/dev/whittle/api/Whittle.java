package dev.whittle.api;

import dev.whittle.archive.ArchiveWriter;
import dev.whittle.build.Progress;
import dev.whittle.cache.CacheExport;
import dev.whittle.check.CheckReport;
import dev.whittle.image.ImageRef;
import dev.whittle.registry.DockerConfig;
import dev.whittle.registry.Pusher;
import dev.whittle.registry.RegistryClient;
import dev.whittle.registry.RegistryConfig;
import dev.whittle.registry.TransferProgress;
import dev.whittle.sandbox.Leftovers;
import dev.whittle.store.AtomicFiles;
import dev.whittle.store.Images;
import dev.whittle.store.Store;
import dev.whittle.store.StoredImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * whittle as a library: a store, the registries as docker's configuration names them, and what whittle does with them.
 * <pre>{@code
 * try (Whittle w = Whittle.open(Path.of("/var/lib/whittle"))) {
 *     BuildSpec spec = BuildSpec.of(w.source(Path.of("app"))).tag("app:1").build();
 *     try (Build.Result built = w.build(spec)) {
 *         CheckReport report = w.check("app:1");
 *         if (report.fails()) System.err.print(Check.render(report, "text"));
 *         w.save(List.of("app:1"), Path.of("app.tar"));
 *     }
 * }
 * }</pre>
 * The command line is built on the same classes ({@link Build}, {@link Check}, {@link BuildSource}, {@link BuildSpec}).
 * A Whittle is for one thread at a time; each method blocks until it is done.
 */
public final class Whittle implements AutoCloseable {
    private final Store store;
    private final RegistryConfig registryConfig;
    private RegistryClient registries;

    private Whittle(Store store, RegistryConfig registryConfig) {
        this.store = store;
        this.registryConfig = registryConfig;
    }

    /**
     * Opens (creating if needed) the store at {@code root}, removing what a killed whittle left in it when nothing else
     * uses it. Registries are configured as the command line's are (the registries file, docker's config.json).
     */
    public static Whittle open(Path root) {
        return open(root, RegistryConfig.load());
    }

    public static Whittle open(Path root, RegistryConfig registries) {
        Store store = Store.open(root);
        Leftovers.cleanIfIdle(store);
        return new Whittle(store, registries);
    }

    /** The default store: $WHITTLE_ROOT, /var/lib/whittle for root, $XDG_DATA_HOME/whittle otherwise. */
    public static Whittle openDefault() {
        return open(Store.defaultRoot());
    }

    public Store store() {
        return store;
    }

    private synchronized RegistryClient registries() {
        if (registries == null) {
            DockerConfig docker = DockerConfig.load();
            registries = new RegistryClient(registryConfig, docker::lookup);
        }
        return registries;
    }

    /** A context directory with its Dockerfile (CONTEXT/Dockerfile) and .dockerignore. */
    public BuildSource source(Path context) throws IOException {
        return BuildSource.of(store, context, null);
    }

    /** A context directory with the Dockerfile at {@code dockerfile}. */
    public BuildSource source(Path context, Path dockerfile) throws IOException {
        return BuildSource.of(store, context, dockerfile);
    }

    /** Builds quietly; close the result once done with it (it completes what the build writes in the background). */
    public Build.Result build(BuildSpec spec) throws IOException {
        return build(spec, Progress.QUIET);
    }

    public Build.Result build(BuildSpec spec, Progress progress) throws IOException {
        return builds().run(spec, progress);
    }

    /**
     * Exports a closed build's cache to the spec's {@code cacheTo} destinations (see docs/cache.md); returns what each
     * export did.
     */
    public List<CacheExport.Report> exportCache(BuildSpec spec, Build.Result closed) throws IOException {
        return builds().exportCache(spec, closed);
    }

    private Build builds() {
        return new Build(
                store,
                Build.registryPuller(store, this::registries, bytes -> bytes + " bytes"),
                message -> {},
                this::registries,
                message -> {});
    }

    /** An image of the store, by name or ID. */
    public StoredImage image(String nameOrId) {
        return new Images(store).resolve(nameOrId);
    }

    /** Whether the image's entrypoint can start; {@link Check#render} words the report. */
    public CheckReport check(String image) throws IOException {
        return Check.image(store, image(image), image);
    }

    /** {@code docker save}: the images in one archive that {@code docker load} takes, written atomically. */
    public void save(List<String> images, Path archive) throws IOException {
        List<ArchiveWriter.Entry> entries = new ArrayList<>();
        for (String name : images) {
            StoredImage img = image(name);
            List<ImageRef> names = new ArrayList<>();
            try {
                ImageRef ref = ImageRef.parse(name);
                if (img.names().contains(ref)) names.add(ref);
            } catch (IllegalArgumentException anId) {
                // saved by ID: without a name
            }
            entries.add(new ArchiveWriter.Entry(img, names));
        }
        Path dir = archive.toAbsolutePath().getParent();
        Path part = AtomicFiles.newTemp(dir, "." + archive.getFileName() + ".whittle-save-", ".part", false);
        try {
            try (OutputStream out = Files.newOutputStream(part)) {
                new ArchiveWriter(store).write(entries, ArchiveWriter.Format.DOCKER, out);
            }
            AtomicFiles.move(part, archive);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /** {@code docker push}: the image to the registry its name (or {@code target}) names. */
    public void push(String image, String target) throws IOException {
        new Pusher(store, registries(), TransferProgress.NONE)
                .push(image(image), ImageRef.parse(target), Pusher.Options.DEFAULT);
    }

    @Override
    public void close() {
        if (registries != null) registries.close();
        store.close();
    }
}
