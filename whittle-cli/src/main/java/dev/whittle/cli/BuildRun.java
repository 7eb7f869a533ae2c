package dev.whittle.cli;

import dev.whittle.api.Build;
import dev.whittle.api.BuildSource;
import dev.whittle.api.BuildSpec;
import dev.whittle.archive.ArchiveWriter;
import dev.whittle.build.BuildRequest;
import dev.whittle.build.PlainProgress;
import dev.whittle.build.Progress;
import dev.whittle.cache.CacheExport;
import dev.whittle.cache.CacheSpec;
import dev.whittle.cli.format.Units;
import dev.whittle.diag.Trace;
import dev.whittle.image.ImageRef;
import dev.whittle.registry.Pusher;
import dev.whittle.rootfs.Flattener;
import dev.whittle.rootfs.LayerReader;
import dev.whittle.rootfs.MergedTree;
import dev.whittle.store.AtomicFiles;
import dev.whittle.store.Images;
import dev.whittle.store.LayerToc;
import dev.whittle.store.StoredImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code whittle build}: the flags read into a {@link BuildSpec}, the build run by the API ({@link Build}), then
 * the outputs, the push and the entrypoint check, with the messages docker users expect.
 */
final class BuildRun {
    private final BuildCommand cmd;
    private final BuildSource bc;
    private final Context ctx;

    BuildRun(BuildCommand cmd, BuildSource bc) {
        this.cmd = cmd;
        this.bc = bc;
        this.ctx = cmd.ctx;
    }

    int run() throws IOException {
        List<ImageRef> names = new ArrayList<>();
        for (String t : cmd.tags) {
            try {
                names.add(ImageRef.parse(t));
            } catch (IllegalArgumentException e) {
                throw new UserError("invalid argument \"" + t + "\" for \"-t, --tag\" flag: " + e.getMessage());
            }
        }
        cmd.pullPolicy(); // refused before the build
        cmd.runSettings(); // network, hosts, shm, ulimits: refused before the build
        // refused before the build, not after it (with the image named but not delivered)
        List<OutputSpec> outputs = new ArrayList<>();
        for (String o : cmd.outputs) outputs.add(OutputSpec.parse(o, !names.isEmpty()));
        BuildSpec.Builder b = BuildSpec.of(bc)
                .target(cmd.target)
                .buildArgs(cmd.buildArgMap())
                .platform(cmd.options().targetPlatform())
                .noCache(cmd.noCache)
                .noCacheStages(new HashSet<>(cmd.noCacheFilter))
                .run(cmd.runSettings())
                .labels(cmd.labels())
                .secrets(secrets())
                .ssh(cmd.sshSources())
                .namedContexts(cmd.namedContexts())
                .pull(cmd.pullPolicy())
                .sourceDateEpoch(sourceDateEpoch())
                .clientIdentity(clientIdentity());
        for (ImageRef n : names) b.tag(n);
        try {
            for (String c : cmd.cacheFrom) b.cacheFrom(CacheSpec.parseImport(c));
            for (String c : cmd.cacheTo) b.cacheTo(CacheSpec.parseExport(c));
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        BuildSpec spec = b.build();
        Progress progress = progress();
        try {
            return build(spec, names, outputs, progress);
        } finally {
            progress.close();
        }
    }

    /** BuildKit's modes: auto is the live view on a terminal and plain elsewhere. */
    private Progress progress() {
        String mode = cmd.quiet ? "quiet" : cmd.progressMode;
        return switch (mode) {
            case "quiet" -> Progress.QUIET;
            case "plain" -> new PlainProgress(ctx.err());
            case "tty" -> new TtyProgress(ctx.err());
            case "auto" -> ctx.stderrIsTerminal() ? new TtyProgress(ctx.err()) : new PlainProgress(ctx.err());
            default ->
                throw new UserError("invalid --progress value \"" + mode + "\" (auto, tty, plain or quiet)", 125);
        };
    }

    private int build(BuildSpec spec, List<ImageRef> names, List<OutputSpec> outputs, Progress progress)
            throws IOException {
        Trace.mark("command line read, context and Dockerfile loaded");
        Build build = new Build(
                ctx.store(),
                Build.registryPuller(ctx.store(), ctx::registries, Units::humanSize),
                ctx.debug() ? m -> ctx.err().println("debug: " + m) : m -> {},
                ctx::registries,
                m -> ctx.err().println(m));
        if (cmd.platforms().size() > 1) {
            for (OutputSpec o : outputs) PlatformOutputs.check(o);
            return new PlatformsRun(cmd, build).run(spec, cmd.platforms(), names, outputs, progress);
        }
        Build.Result built = build.run(spec, progress);
        try {
            deliver(build, spec, built, names, outputs, progress);
        } catch (IOException | RuntimeException e) {
            built.closeQuietly();
            throw e;
        }
        built.close();
        Trace.mark("deferred layers and memo written");
        for (CacheExport.Report r : build.exportCache(spec, built))
            if (!cmd.quiet) ctx.err().println(r.summary());
        return 0;
    }

    /** Shows the naming, writes the outputs, pushes, and checks the entrypoint. */
    private void deliver(
            Build build,
            BuildSpec spec,
            Build.Result built,
            List<ImageRef> names,
            List<OutputSpec> outputs,
            Progress progress)
            throws IOException {
        Images images = new Images(ctx.store());
        int step = progress.start("exporting to image");
        progress.note("#" + step + " writing image " + built.id() + " done");
        for (ImageRef n : names) progress.note("#" + step + " naming to " + n + " done");
        progress.done(step);
        progress.close();
        Trace.mark("progress closed");
        for (OutputSpec o : outputs) output(o, images, built, names);
        if (cmd.push) {
            if (names.isEmpty()) throw new UserError("--push needs a name: tag the image with -t");
            push(images, built, names, Pusher.Options.DEFAULT);
        }
        if (!built.unusedBuildArgs().isEmpty()) {
            ctx.err().println("[Warning] One or more build-args " + built.unusedBuildArgs() + " were not consumed");
        }
        if (cmd.iidfile != null) Files.writeString(cmd.iidfile, built.id().toString());
        if (cmd.quiet) ctx.out().println(built.id());
        String mode = cmd.checkMode();
        if (!mode.equals("off")) {
            String name =
                    names.isEmpty() ? built.id().shortHex() : names.getFirst().familiar();
            Build.Verdict v = build.verdict(spec, built.manifest().digest(), built.id(), name);
            Trace.mark("entrypoint checked");
            if (v.noCommand()) {
                // an artifact, data or base image: nothing declares how it starts, so nothing can fail to
                if (!cmd.quiet)
                    ctx.err()
                            .println(
                                    "note: " + name + " declares no ENTRYPOINT or CMD; its entrypoint was not checked");
                return;
            }
            if (!v.text().isEmpty() && (!cmd.quiet || v.fails())) ctx.err().print("\n" + v.text());
            if (v.fails() && mode.equals("error")) {
                throw new UserError(
                        name + " was built, stored and tagged, but its entrypoint cannot start (see above); "
                                + "use --check=warn to accept it");
            }
        }
    }

    /** This command's version and jar, for the memo's key: a new build of whittle starts afresh. */
    private static String clientIdentity() {
        return "whittle " + Main.version() + Build.codeIdentity(BuildRun.class);
    }

    private Map<String, BuildRequest.Secret> secrets() {
        Map<String, BuildRequest.Secret> out = new LinkedHashMap<>();
        for (String s : cmd.secrets) {
            Map<String, String> kv = csv(s);
            String id = kv.get("id");
            Path src = kv.containsKey("src")
                    ? Path.of(kv.get("src"))
                    : kv.containsKey("source") ? Path.of(kv.get("source")) : null;
            String env = kv.get("env");
            if (id == null) id = src != null ? src.getFileName().toString() : env;
            if (id == null) throw new UserError("invalid --secret \"" + s + "\": id=, src= or env= is required");
            if (src == null && env == null) {
                if (System.getenv(id) != null) env = id;
                else throw new UserError("invalid --secret \"" + s + "\": src= or env= is required");
            }
            if (src != null && !Files.isRegularFile(src))
                throw new UserError("secret " + id + ": " + src + ": no such file");
            out.put(id, new BuildRequest.Secret(id, src, env));
        }
        return out;
    }

    private static Map<String, String> csv(String s) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String part : s.split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) kv.put(part.substring(0, eq).trim(), part.substring(eq + 1));
            else kv.put(part.trim(), "");
        }
        return kv;
    }

    private Long sourceDateEpoch() {
        String v = cmd.buildArgMap().getOrDefault("SOURCE_DATE_EPOCH", System.getenv("SOURCE_DATE_EPOCH"));
        if (v == null || v.isEmpty()) return null;
        long epoch;
        try {
            epoch = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UserError("invalid SOURCE_DATE_EPOCH \"" + v + "\": seconds since 1970 expected");
        }
        // BuildKit's config cannot hold such a time (Go's Time.MarshalJSON), and most of them no Instant either
        if (epoch < FIRST_CONFIG_SECOND || epoch > LAST_CONFIG_SECOND) {
            throw new UserError("invalid SOURCE_DATE_EPOCH \"" + v + "\": year outside of range [0,9999]");
        }
        return epoch;
    }

    /** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the times an image config written by Go can say. */
    private static final long FIRST_CONFIG_SECOND = -62167219200L, LAST_CONFIG_SECOND = 253402300799L;

    /** Pushes the built image under each name, with docker push's output on stdout. */
    private void push(Images images, Build.Result built, List<ImageRef> names, Pusher.Options opts) throws IOException {
        StoredImage img = images.find(built.id().toString()).orElseThrow();
        for (ImageRef n : names) {
            TransferView view = new TransferView(ctx.err(), false, true, cmd.quiet);
            try {
                new Pusher(ctx.store(), ctx.registries(), view).push(img, n, opts);
            } finally {
                view.finish();
            }
        }
    }

    /** One {@code --output}, checked before the build: its type, and where it goes. */
    record OutputSpec(String type, Map<String, String> attrs) {
        static final List<String> TYPES = List.of("local", "tar", "docker", "oci", "image", "registry");

        static OutputSpec parse(String spec, boolean tagged) {
            Map<String, String> kv = csv(spec);
            // docker: a plain path is a local directory
            String type = spec.contains("=") ? kv.getOrDefault("type", "local") : "local";
            if (!spec.contains("=")) kv = Map.of("dest", spec);
            if (!TYPES.contains(type)) {
                throw new UserError("--output " + spec + ": exporter \"" + type
                        + "\" could not be found (whittle writes " + String.join(", ", TYPES) + ")");
            }
            if (type.equals("image") || type.equals("registry")) {
                if (!kv.containsKey("name") && !tagged)
                    throw new UserError("--output " + spec + ": name= (or -t) is required");
                return new OutputSpec(type, kv);
            }
            String dest = kv.get("dest");
            if (dest == null) throw new UserError("--output " + spec + ": dest= is required");
            if (type.equals("local") && Files.exists(Path.of(dest)) && !Files.isDirectory(Path.of(dest))) {
                throw new UserError(
                        "--output " + spec + ": cannot write to " + dest + ": it exists and is not a directory");
            }
            return new OutputSpec(type, kv);
        }

        String dest() {
            return attrs.get("dest");
        }
    }

    private void output(OutputSpec o, Images images, Build.Result built, List<ImageRef> names) throws IOException {
        Map<String, String> kv = o.attrs();
        String type = o.type();
        if (type.equals("registry") || type.equals("image")) {
            List<ImageRef> to = new ArrayList<>();
            if (kv.containsKey("name")) for (String n : kv.get("name").split(";")) to.add(ImageRef.parse(n.trim()));
            else to.addAll(names);
            if (type.equals("image"))
                for (ImageRef n : to)
                    images.tag(images.find(built.id().toString()).orElseThrow(), n);
            if (type.equals("registry") || "true".equals(kv.get("push"))) {
                push(
                        images,
                        built,
                        to,
                        new Pusher.Options(
                                "true".equals(kv.get("oci-mediatypes")),
                                PushCommand.compression(kv.get("compression"))));
            }
            return;
        }
        String dest = o.dest();
        StoredImage img = images.find(built.id().toString()).orElseThrow();
        switch (type) {
            case "docker", "oci" -> {
                ArchiveWriter w = new ArchiveWriter(ctx.store());
                Output.write(
                        ctx,
                        dest.equals("-") ? null : Path.of(dest),
                        "build",
                        out -> w.write(
                                List.of(new ArchiveWriter.Entry(img, names)),
                                type.equals("oci") ? ArchiveWriter.Format.OCI : ArchiveWriter.Format.DOCKER,
                                out));
            }
            case "tar" -> {
                // the image's file system as one tar, as BuildKit's tar exporter writes it
                MergedTree tree = mergedTree(ctx, img);
                Output.write(ctx, dest.equals("-") ? null : Path.of(dest), "build", out -> {
                    try (LayerReader reader = new LayerReader(ctx.store(), tree)) {
                        Flattener.write(tree, reader, out);
                    }
                });
            }
            case "local" -> {
                MergedTree tree = mergedTree(ctx, img);
                unpack(ctx, Path.of(dest), out -> {
                    try (LayerReader reader = new LayerReader(ctx.store(), tree)) {
                        Flattener.write(tree, reader, out);
                    }
                });
            }
            default ->
                throw new UserError(
                        "unknown --output type \"" + type + "\" (docker, oci, local, tar, image or registry)");
        }
    }

    /** {@code --output type=local}: the tar {@code w} writes, unpacked into {@code dir} with its owners and modes. */
    static void unpack(Context ctx, Path dir, Output.Writer w) throws IOException {
        Files.createDirectories(dir);
        Path tar = AtomicFiles.newTemp(ctx.store().tempDir(), "local-", ".tar", false);
        try {
            try (var out = Files.newOutputStream(tar)) {
                w.write(out);
            }
            Process p = new ProcessBuilder("tar", "--same-owner", "-xpf", tar.toString(), "-C", dir.toString())
                    .redirectErrorStream(true)
                    .start();
            String log = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) throw new UserError("--output type=local: unpacking to " + dir + " failed: " + log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            Files.deleteIfExists(tar);
        }
    }

    /** An image's merged root file system, from its layers' tables of contents. */
    static MergedTree mergedTree(Context ctx, StoredImage img) throws IOException {
        List<LayerToc> tocs = new ArrayList<>();
        for (var d : img.config().diffIds()) tocs.add(ctx.store().toc(d));
        return MergedTree.of(img.config().diffIds(), tocs);
    }
}
