package dev.whittle.cli;

import dev.whittle.archive.ArchiveWriter;
import dev.whittle.build.BuildException;
import dev.whittle.build.BuildRequest;
import dev.whittle.build.ImagePuller;
import dev.whittle.registry.Puller;
import dev.whittle.registry.Pusher;
import dev.whittle.registry.TransferProgress;
import dev.whittle.build.BuildMemo;
import dev.whittle.build.BuildResult;
import dev.whittle.build.Builder;
import dev.whittle.rootfs.ContextObservations;
import dev.whittle.rootfs.ContextTree;
import dev.whittle.build.PlainProgress;
import dev.whittle.build.Progress;
import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageRef;
import dev.whittle.image.Manifest;
import dev.whittle.rootfs.LayerReader;
import dev.whittle.rootfs.MergedTree;
import dev.whittle.store.Images;
import dev.whittle.store.LayerToc;
import dev.whittle.store.StoredImage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One {@code whittle build}: the build itself, naming, outputs and the messages docker users expect. */
final class BuildRun {
    private final BuildCommand cmd;
    private final BuildContext bc;
    private final Context ctx;

    BuildRun(BuildCommand cmd, BuildContext bc) {
        this.cmd = cmd;
        this.bc = bc;
        this.ctx = cmd.ctx;
    }

    /** The image a build made (or the memo remembered): what naming, outputs and the check need. */
    private record Built(Manifest manifest, Digest config, Set<String> unusedBuildArgs, Finish finish) {
        void finishQuietly() {
            try {
                finish.run();
            } catch (IOException | RuntimeException ignored) {
                // the command already failed; this only completes the step cache and the memo
            }
        }
    }

    /** What is left once the image is named: layers written in the background, their cache entries, the memo. */
    private interface Finish {
        void run() throws IOException;
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
        if (!cmd.pull.equals("missing") && !cmd.pull.equals("always") && !cmd.pull.equals("never")) {
            throw new UserError("invalid --pull value \"" + cmd.pull + "\" (missing, always or never)");
        }
        cmd.runSettings(); // network, hosts, shm, ulimits: refused before the build
        // refused before the build, not after it (with the image named but not delivered)
        List<OutputSpec> outputs = new ArrayList<>();
        for (String o : cmd.outputs) outputs.add(OutputSpec.parse(o, !names.isEmpty()));
        Map<String, BuildRequest.Secret> secrets = secrets();
        Long epoch = sourceDateEpoch();
        Progress progress = progress();
        try {
            return build(names, outputs, secrets, epoch, progress);
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
            default -> throw new UserError("invalid --progress value \"" + mode + "\" (auto, tty, plain or quiet)", 125);
        };
    }

    private int build(List<ImageRef> names, List<OutputSpec> outputs, Map<String, BuildRequest.Secret> secrets, Long epoch,
                      Progress progress) throws IOException {
        dev.whittle.diag.Trace.mark("command line read, context and Dockerfile loaded");
        BuildMemo memo = new BuildMemo(ctx.store());
        BuildMemo.Inputs inputs = memoInputs(secrets, epoch);
        Built built = null;
        if (cmd.noCache || !cmd.noCacheFilter.isEmpty() || cmd.pull.equals("always") || !cmd.buildContexts.isEmpty()) {
            // (the memo watches the build context's files, not those of other contexts)
            if (ctx.debug()) ctx.err().println("debug: build memo: not used (--no-cache, --no-cache-filter, --pull=always or --build-context)");
        } else {
            BuildMemo.Answer a = memo.lookup(inputs, bc.ignore());
            if (ctx.debug()) ctx.err().println("debug: build memo: " + (a.miss() == null ? "hit" : "miss: " + a.miss()));
            built = a.hit().map(e -> replay(e, progress)).orElse(null);
        }
        if (built == null) built = buildFully(secrets, epoch, progress, memo, inputs);
        try {
            deliver(built, names, outputs, progress);
        } catch (IOException | RuntimeException e) {
            built.finishQuietly();
            throw e;
        }
        built.finish().run();
        dev.whittle.diag.Trace.mark("deferred layers and memo written");
        return 0;
    }

    /** Names the image, writes the outputs, pushes, and checks the entrypoint. */
    private void deliver(Built built, List<ImageRef> names, List<OutputSpec> outputs, Progress progress) throws IOException {
        Images images = new Images(ctx.store());
        if (!images.isNamed(built.manifest().digest(), names)) images.add(built.manifest(), names, List.of());
        dev.whittle.diag.Trace.mark("image named");
        int step = progress.start("exporting to image");
        progress.note("#" + step + " writing image " + built.config() + " done");
        for (ImageRef n : names) progress.note("#" + step + " naming to " + n + " done");
        progress.done(step);
        progress.close();
        dev.whittle.diag.Trace.mark("progress closed");
        for (OutputSpec o : outputs) output(o, images, built, names);
        if (cmd.push) {
            if (names.isEmpty()) throw new UserError("--push needs a name: tag the image with -t");
            push(images, built, names, Pusher.Options.DEFAULT);
        }
        if (!built.unusedBuildArgs().isEmpty()) {
            ctx.err().println("[Warning] One or more build-args " + built.unusedBuildArgs() + " were not consumed");
        }
        if (cmd.iidfile != null) Files.writeString(cmd.iidfile, built.config().toString());
        if (cmd.quiet) ctx.out().println(built.config());
        String mode = cmd.checkMode();
        if (!mode.equals("off")) {
            String name = names.isEmpty() ? built.config().shortHex() : names.getFirst().familiar();
            Verdict v = verdict(images, built, name);
            dev.whittle.diag.Trace.mark("entrypoint checked");
            if (v.noCommand()) {
                // an artifact, data or base image: nothing declares how it starts, so nothing can fail to
                if (!cmd.quiet) ctx.err().println("note: " + name + " declares no ENTRYPOINT or CMD; its entrypoint was not checked");
                return;
            }
            if (!v.text().isEmpty() && (!cmd.quiet || v.fails())) ctx.err().print("\n" + v.text());
            if (v.fails() && mode.equals("error")) {
                throw new UserError(name + " was built, stored and tagged, but its entrypoint cannot start (see above); "
                        + "use --check=warn to accept it");
            }
        }
    }

    /** What the entrypoint check says of a built image: its findings as text (empty when none), and whether it fails. */
    private record Verdict(String text, boolean fails, boolean noCommand) {}

    /**
     * The entrypoint check of the built image, kept in the store by image, name and Dockerfile: an image is immutable
     * and the check deterministic, so an unchanged rebuild (of the 850 MB toolchain image, a quarter of a second of
     * reading) only reads the verdict back.
     */
    private Verdict verdict(Images images, Built built, String name) throws IOException {
        String id = builderIdentity() + "\n" + built.manifest().digest() + "\n" + name + "\n" + bc.dockerfilePath() + "\n"
                + bc.dockerfileText();
        Path kept = ctx.store().stateDir().resolve("check").resolve(Digest.sha256(id.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hex());
        try {
            Map<String, Object> m = dev.whittle.json.Json.parseObject(Files.readAllBytes(kept));
            return new Verdict((String) m.get("text"), (Boolean) m.get("fails"), (Boolean) m.get("noCommand"));
        } catch (IOException | RuntimeException e) {
            // not checked yet (or a damaged entry): check now
        }
        StoredImage img = images.find(built.config().toString()).orElseThrow();
        var report = CheckCommand.check(ctx.store(), img, name);
        Verdict v = new Verdict(report.findings().isEmpty() ? "" : CheckCommand.render(report, "text"), report.fails(),
                report.findings().stream().anyMatch(f -> f.code().equals("NoCommand")));
        try {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("text", v.text());
            m.put("fails", v.fails());
            m.put("noCommand", v.noCommand());
            dev.whittle.store.AtomicFiles.write(kept, dev.whittle.json.Json.write(m));
        } catch (IOException | RuntimeException e) {
            // only a shortcut for the next build
        }
        return v;
    }

    /** Plans and runs the build (the Dockerfile parsed now), and remembers it for an identical rebuild. */
    private Built buildFully(Map<String, BuildRequest.Secret> secrets, Long epoch, Progress progress, BuildMemo memo,
                             BuildMemo.Inputs inputs) throws IOException {
        Dockerfile df = bc.parse();
        dev.whittle.diag.Trace.mark("Dockerfile parsed");
        FrontendCalls.failOnViolations(ctx, df, bc.ignore(), cmd.options());
        ImagePuller puller = (ref, platform, log) -> new Puller(ctx.store(), ctx.registries(), new BuildLogProgress(log)).pullImage(ref, platform);
        ContextObservations seen = new ContextObservations();
        BuildRequest req = new BuildRequest(new ContextTree(bc.dir(), bc.ignore()).observedBy(seen), df, cmd.options(), cmd.noCache,
                cmd.runSettings(), cmd.labels(), new java.util.HashSet<>(cmd.noCacheFilter), secrets, cmd.sshSources(), cmd.namedContexts(), epoch, progress, cmd.pull, puller);
        Builder builder = new Builder(ctx.store(), req);
        dev.whittle.diag.Trace.mark("builder ready (store open)");
        BuildResult result;
        try {
            result = builder.build();
        } catch (IOException | RuntimeException e) {
            try {
                builder.finish();
            } catch (IOException | RuntimeException ignored) {
                // the build's own error is the one to report
            }
            if (e instanceof BuildException b) throw new UserError(b.getMessage());
            throw e;
        }
        return new Built(result.manifest(), result.config().digest(), result.unusedBuildArgs(), () -> {
            List<String> cacheKeys = builder.finish();
            if (!result.memoizable()) return;
            try {
                memo.save(inputs, new BuildMemo.Entry(result.manifest().digest(), result.config().digest(),
                        List.copyOf(result.unusedBuildArgs()), result.steps(), result.bases(), cacheKeys, seen.lines()));
            } catch (IOException | RuntimeException e) {
                // only a shortcut for the next build
            }
        });
    }

    /** Shows a remembered build's steps as a fully cached rebuild shows them. */
    private Built replay(BuildMemo.Entry e, Progress progress) {
        for (BuildMemo.Step s : e.steps()) {
            int id = progress.start(s.name());
            if (s.cached()) progress.cached(id);
            else progress.done(id);
        }
        Manifest m = Manifest.parse(ctx.store().readBlob(e.manifest()), null);
        return new Built(m, e.config(), new java.util.LinkedHashSet<>(e.unusedBuildArgs()), () -> {});
    }

    /** What decides this build's result, apart from base images and the context's files (the memo checks those). */
    private BuildMemo.Inputs memoInputs(Map<String, BuildRequest.Secret> secrets, Long epoch) {
        var opts = cmd.options();
        List<String> secretNames = new ArrayList<>();
        for (BuildRequest.Secret sc : secrets.values()) secretNames.add(sc.id() + "=" + sc.file() + "|" + sc.env());
        for (String id : cmd.sshSources().keySet()) secretNames.add("ssh:" + id);
        return new BuildMemo.Inputs(builderIdentity(), bc.dir(), bc.dockerfileName(), bc.dockerfileText(),
                bc.ignoreFile() == null ? null : bc.ignoreFile().toAbsolutePath().toString(), bc.ignoreText(), cmd.target,
                opts.buildArgs(), opts.buildPlatform() + " -> " + opts.targetPlatform(),
                cmd.runSettings() + " labels=" + new java.util.TreeMap<>(cmd.labels()), secretNames, epoch);
    }

    private static String identity;

    /** This whittle: its version and the jars (or class directories) it runs from, so a new build of it starts afresh. */
    private static synchronized String builderIdentity() {
        if (identity == null) identity = readIdentity();
        return identity;
    }

    private static String readIdentity() {
        StringBuilder b = new StringBuilder(Main.version());
        for (Class<?> c : List.of(BuildRun.class, Builder.class)) {
            try {
                java.net.URL u = c.getProtectionDomain().getCodeSource().getLocation();
                // the URL's path as it is where nothing needed escaping (URI parsing costs a young JVM a few ms)
                Path p = u.getPath().indexOf('%') < 0 ? Path.of(u.getPath()) : Path.of(u.toURI());
                var a = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class);
                b.append(' ').append(p).append('@').append(a.lastModifiedTime().toMillis()).append('/').append(a.size());
            } catch (Exception e) {
                b.append(" unknown:").append(System.nanoTime()); // never equal twice: no memo hits
            }
        }
        return b.toString();
    }

    private Map<String, BuildRequest.Secret> secrets() {
        Map<String, BuildRequest.Secret> out = new LinkedHashMap<>();
        for (String s : cmd.secrets) {
            Map<String, String> kv = csv(s);
            String id = kv.get("id");
            Path src = kv.containsKey("src") ? Path.of(kv.get("src")) : kv.containsKey("source") ? Path.of(kv.get("source")) : null;
            String env = kv.get("env");
            if (id == null) id = src != null ? src.getFileName().toString() : env;
            if (id == null) throw new UserError("invalid --secret \"" + s + "\": id=, src= or env= is required");
            if (src == null && env == null) {
                if (System.getenv(id) != null) env = id;
                else throw new UserError("invalid --secret \"" + s + "\": src= or env= is required");
            }
            if (src != null && !Files.isRegularFile(src)) throw new UserError("secret " + id + ": " + src + ": no such file");
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
    private void push(Images images, Built built, List<ImageRef> names, Pusher.Options opts)
            throws IOException {
        StoredImage img = images.find(built.config().toString()).orElseThrow();
        for (ImageRef n : names) {
            TransferView view = new TransferView(ctx.err(), false, true, cmd.quiet);
            try {
                new Pusher(ctx.store(), ctx.registries(), view).push(img, n, opts);
            } finally {
                view.finish();
            }
        }
    }

    /** Build-log lines for a base image pull: what is fetched and when each layer is in. */
    private record BuildLogProgress(java.util.function.Consumer<String> log) implements TransferProgress {
        @Override public void message(String line) {
            log.accept(line);
        }

        @Override public void blob(dev.whittle.image.Digest d, long size, State state, long done) {
            switch (state) {
                case EXISTS -> log.accept(d.shortHex() + ": already in the store");
                case DONE -> log.accept(d.shortHex() + ": " + dev.whittle.cli.format.Units.humanSize(size) + " pulled");
                default -> { }
            }
        }
    }

    /** One {@code --output}, checked before the build: its type, and where it goes. */
    private record OutputSpec(String type, Map<String, String> attrs) {
        static final List<String> TYPES = List.of("local", "tar", "docker", "oci", "image", "registry");

        static OutputSpec parse(String spec, boolean tagged) {
            Map<String, String> kv = csv(spec);
            // docker: a plain path is a local directory
            String type = spec.contains("=") ? kv.getOrDefault("type", "local") : "local";
            if (!spec.contains("=")) kv = Map.of("dest", spec);
            if (!TYPES.contains(type)) {
                throw new UserError("--output " + spec + ": exporter \"" + type + "\" could not be found (whittle writes "
                        + String.join(", ", TYPES) + ")");
            }
            if (type.equals("image") || type.equals("registry")) {
                if (!kv.containsKey("name") && !tagged) throw new UserError("--output " + spec + ": name= (or -t) is required");
                return new OutputSpec(type, kv);
            }
            String dest = kv.get("dest");
            if (dest == null) throw new UserError("--output " + spec + ": dest= is required");
            if (type.equals("local") && Files.exists(Path.of(dest)) && !Files.isDirectory(Path.of(dest))) {
                throw new UserError("--output " + spec + ": cannot write to " + dest + ": it exists and is not a directory");
            }
            return new OutputSpec(type, kv);
        }

        String dest() {
            return attrs.get("dest");
        }
    }

    private void output(OutputSpec o, Images images, Built built, List<ImageRef> names)
            throws IOException {
        Map<String, String> kv = o.attrs();
        String type = o.type();
        if (type.equals("registry") || type.equals("image")) {
            List<ImageRef> to = new ArrayList<>();
            if (kv.containsKey("name")) for (String n : kv.get("name").split(";")) to.add(ImageRef.parse(n.trim()));
            else to.addAll(names);
            if (type.equals("image")) for (ImageRef n : to) images.tag(images.find(built.config().toString()).orElseThrow(), n);
            if (type.equals("registry") || "true".equals(kv.get("push"))) {
                push(images, built, to, new Pusher.Options("true".equals(kv.get("oci-mediatypes")), PushCommand.compression(kv.get("compression"))));
            }
            return;
        }
        String dest = o.dest();
        StoredImage img = images.find(built.config().toString()).orElseThrow();
        switch (type) {
            case "docker", "oci" -> {
                ArchiveWriter w = new ArchiveWriter(ctx.store());
                Output.write(ctx, dest.equals("-") ? null : Path.of(dest), "build",
                        out -> w.write(List.of(new ArchiveWriter.Entry(img, names)),
                                type.equals("oci") ? ArchiveWriter.Format.OCI : ArchiveWriter.Format.DOCKER, out));
            }
            case "tar" -> {
                // the image's file system as one tar, as BuildKit's tar exporter writes it
                MergedTree tree = mergedTree(img);
                Output.write(ctx, dest.equals("-") ? null : Path.of(dest), "build", out -> {
                    try (LayerReader reader = new LayerReader(ctx.store(), tree)) {
                        dev.whittle.rootfs.Flattener.write(tree, reader, out);
                    }
                });
            }
            case "local" -> {
                MergedTree tree = mergedTree(img);
                Path dir = Path.of(dest);
                Files.createDirectories(dir);
                Path tar = dev.whittle.store.AtomicFiles.newTemp(ctx.store().tempDir(), "local-", ".tar", false);
                try (LayerReader reader = new LayerReader(ctx.store(), tree)) {
                    try (var out = Files.newOutputStream(tar)) {
                        dev.whittle.rootfs.Flattener.write(tree, reader, out);
                    }
                    Process p = new ProcessBuilder("tar", "--same-owner", "-xpf", tar.toString(), "-C", dir.toString())
                            .redirectErrorStream(true).start();
                    String log = new String(p.getInputStream().readAllBytes());
                    if (p.waitFor() != 0) throw new UserError("--output type=local: unpacking to " + dir + " failed: " + log);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    Files.deleteIfExists(tar);
                }
            }
            default -> throw new UserError("unknown --output type \"" + type + "\" (docker, oci, local, tar, image or registry)");
        }
    }

    private MergedTree mergedTree(StoredImage img) throws IOException {
        List<LayerToc> tocs = new ArrayList<>();
        for (var d : img.config().diffIds()) tocs.add(ctx.store().toc(d));
        return MergedTree.of(img.config().diffIds(), tocs);
    }
}
