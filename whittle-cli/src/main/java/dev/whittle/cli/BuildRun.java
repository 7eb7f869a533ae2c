package dev.whittle.cli;

import dev.whittle.archive.ArchiveWriter;
import dev.whittle.build.BuildException;
import dev.whittle.build.BuildRequest;
import dev.whittle.build.ImagePuller;
import dev.whittle.registry.Puller;
import dev.whittle.registry.Pusher;
import dev.whittle.registry.RegistryClient;
import dev.whittle.registry.TransferProgress;
import dev.whittle.build.BuildResult;
import dev.whittle.build.Builder;
import dev.whittle.build.ContextTree;
import dev.whittle.build.PlainProgress;
import dev.whittle.build.Progress;
import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.image.ImageRef;
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

/** One {@code whittle build}: the build itself, naming, outputs and the messages docker users expect. */
final class BuildRun {
    private final BuildCommand cmd;
    private final BuildContext bc;
    private final Dockerfile df;
    private final Context ctx;

    BuildRun(BuildCommand cmd, BuildContext bc, Dockerfile df) {
        this.cmd = cmd;
        this.bc = bc;
        this.df = df;
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
        if (!cmd.pull.equals("missing") && !cmd.pull.equals("always") && !cmd.pull.equals("never")) {
            throw new UserError("invalid --pull value \"" + cmd.pull + "\" (missing, always or never)");
        }
        Map<String, BuildRequest.Secret> secrets = secrets();
        Long epoch = sourceDateEpoch();
        Progress progress = progress();
        try {
            return build(names, secrets, epoch, progress);
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

    private int build(List<ImageRef> names, Map<String, BuildRequest.Secret> secrets, Long epoch, Progress progress) throws IOException {
        dev.whittle.build.Trace.mark("command line read, context and Dockerfile loaded");
        RegistryClient registries = ctx.registries();
        dev.whittle.build.Trace.mark("registry client ready");
        ImagePuller puller = (ref, platform, log) -> new Puller(ctx.store(), registries, new BuildLogProgress(log)).pullImage(ref, platform);
        BuildRequest req = new BuildRequest(new ContextTree(bc.dir(), bc.ignore()), df, cmd.options(), cmd.noCache, cmd.network,
                secrets, epoch, progress, cmd.pull, puller);
        BuildResult result;
        try {
            Builder builder = new Builder(ctx.store(), req);
            dev.whittle.build.Trace.mark("builder ready (store open)");
            result = builder.build();
        } catch (BuildException e) {
            throw new UserError(e.getMessage());
        }
        Images images = new Images(ctx.store());
        images.add(result.manifest(), names, List.of());
        dev.whittle.build.Trace.mark("image named");
        int step = progress.start("exporting to image");
        progress.note("#" + step + " writing image " + result.config().digest() + " done");
        for (ImageRef n : names) progress.note("#" + step + " naming to " + n + " done");
        progress.done(step);
        progress.close();
        for (String o : cmd.outputs) output(o, images, result, names, registries);
        if (cmd.push) {
            if (names.isEmpty()) throw new UserError("--push needs a name: tag the image with -t");
            push(images, result, names, Pusher.Options.DEFAULT, registries);
        }
        if (!result.unusedBuildArgs().isEmpty()) {
            ctx.err().println("[Warning] One or more build-args " + result.unusedBuildArgs() + " were not consumed");
        }
        if (cmd.iidfile != null) Files.writeString(cmd.iidfile, result.config().digest().toString());
        if (cmd.quiet) ctx.out().println(result.config().digest());
        String mode = cmd.checkMode();
        if (!mode.equals("off")) {
            StoredImage img = images.find(result.config().digest().toString()).orElseThrow();
            String name = names.isEmpty() ? result.config().digest().shortHex() : names.getFirst().familiar();
            var report = CheckCommand.check(ctx.store(), img, name);
            if (!report.findings().isEmpty()) ctx.err().print("\n" + CheckCommand.render(report, "text"));
            if (report.fails() && mode.equals("error")) {
                throw new UserError(name + " was built, stored and tagged, but its entrypoint cannot start (see above); "
                        + "use --check=warn to accept it");
            }
        }
        return 0;
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
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UserError("invalid SOURCE_DATE_EPOCH \"" + v + "\": seconds since 1970 expected");
        }
    }

    /** Pushes the built image under each name, with docker push's output on stdout. */
    private void push(Images images, BuildResult result, List<ImageRef> names, Pusher.Options opts, RegistryClient registries)
            throws IOException {
        StoredImage img = images.find(result.config().digest().toString()).orElseThrow();
        for (ImageRef n : names) {
            TransferView view = new TransferView(ctx.err(), false, true, cmd.quiet);
            try {
                new Pusher(ctx.store(), registries, view).push(img, n, opts);
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

    private void output(String spec, Images images, BuildResult result, List<ImageRef> names, RegistryClient registries)
            throws IOException {
        Map<String, String> kv = csv(spec);
        String type0 = kv.getOrDefault("type", "local");
        if (type0.equals("registry") || type0.equals("image")) {
            List<ImageRef> to = new ArrayList<>();
            if (kv.containsKey("name")) for (String n : kv.get("name").split(";")) to.add(ImageRef.parse(n.trim()));
            else to.addAll(names);
            if (to.isEmpty()) throw new UserError("--output " + spec + ": name= (or -t) is required");
            if (type0.equals("image")) for (ImageRef n : to) images.tag(images.find(result.config().digest().toString()).orElseThrow(), n);
            if (type0.equals("registry") || "true".equals(kv.get("push"))) {
                push(images, result, to, new Pusher.Options("true".equals(kv.get("oci-mediatypes")), PushCommand.compression(kv.get("compression"))),
                        registries);
            }
            return;
        }
        String type = kv.getOrDefault("type", spec.contains("=") ? "local" : "local");
        String dest = kv.getOrDefault("dest", spec.contains("=") ? null : spec);
        if (dest == null) throw new UserError("--output " + spec + ": dest= is required");
        StoredImage img = images.find(result.config().digest().toString()).orElseThrow();
        switch (type) {
            case "docker", "oci" -> {
                ArchiveWriter w = new ArchiveWriter(ctx.store());
                Output.write(ctx, dest.equals("-") ? null : Path.of(dest), out -> w.write(List.of(new ArchiveWriter.Entry(img, names)),
                        type.equals("oci") ? ArchiveWriter.Format.OCI : ArchiveWriter.Format.DOCKER, out));
            }
            case "local" -> {
                List<LayerToc> tocs = new ArrayList<>();
                for (var d : img.config().diffIds()) tocs.add(ctx.store().toc(d));
                MergedTree tree = MergedTree.of(img.config().diffIds(), tocs);
                Path dir = Path.of(dest);
                Files.createDirectories(dir);
                Path tar = Files.createTempFile(ctx.store().tempDir(), "local-", ".tar");
                try (LayerReader reader = new LayerReader(ctx.store(), tree)) {
                    try (var o = Files.newOutputStream(tar)) {
                        dev.whittle.rootfs.Flattener.write(tree, reader, o);
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
            default -> throw new UserError("unknown --output type \"" + type + "\" (docker, oci, local, image or registry)");
        }
    }
}
