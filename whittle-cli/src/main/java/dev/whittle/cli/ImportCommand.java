package dev.whittle.cli;

import dev.whittle.build.ConfigInstructions;
import dev.whittle.build.State;
import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.DockerfileException;
import dev.whittle.dockerfile.Instruction;
import dev.whittle.dockerfile.Parser;
import dev.whittle.dockerfile.Scope;
import dev.whittle.dockerfile.ShellLex;
import dev.whittle.image.Descriptor;
import dev.whittle.image.ImageConfig;
import dev.whittle.image.ImageRef;
import dev.whittle.image.Manifest;
import dev.whittle.image.MediaType;
import dev.whittle.image.Platform;
import dev.whittle.store.Images;
import dev.whittle.store.LayerIngest;
import dev.whittle.tar.TarFormatException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "import", description = "Import the contents from a tarball to create a filesystem image")
final class ImportCommand implements Callable<Integer> {
    private static final Set<String> CHANGES = Set.of(
            "CMD",
            "ENTRYPOINT",
            "ENV",
            "EXPOSE",
            "LABEL",
            "ONBUILD",
            "USER",
            "VOLUME",
            "WORKDIR",
            "STOPSIGNAL",
            "HEALTHCHECK",
            "SHELL");
    private final Context ctx;

    @Option(
            names = {"-c", "--change"},
            paramLabel = "INSTRUCTION",
            description = "Apply Dockerfile instruction to the created image")
    List<String> changes = new ArrayList<>();

    @Option(
            names = {"-m", "--message"},
            description = "Set commit message for imported image")
    String message;

    @Option(names = "--platform", description = "Set platform (default: this machine's)")
    String platform;

    @Parameters(
            index = "0",
            paramLabel = "file|-",
            description = "A tarball of a root filesystem (compressed or not), - for STDIN")
    String source;

    @Parameters(index = "1", arity = "0..1", paramLabel = "REPOSITORY[:TAG]", description = "A name for the image")
    String repository;

    ImportCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws IOException {
        if (source.startsWith("http://") || source.startsWith("https://")) {
            throw new UserError("importing from a URL is not supported: download the file and import it");
        }
        ImageRef name = repository == null ? null : ImageRef.parse(repository);
        Platform p = platform == null ? Platform.host() : Platform.parse(platform);
        String comment = message != null ? message : "Imported from -";
        String created = DateTimeFormatter.ISO_INSTANT.format(Instant.now());
        ImageConfig.Builder cb = ImageConfig.builder(p).created(created);
        State state = new State(cb.build(), List.of(), Scope.empty(), null, created, false, List.of());
        ConfigInstructions apply = new ConfigInstructions(
                Parser.parse("--change", "FROM scratch"), new ShellLex('\\'), Map.of(), Map.of(), false);
        for (String c : changes) {
            Dockerfile df;
            try {
                df = Parser.parse("--change", c);
            } catch (DockerfileException e) {
                throw new UserError("invalid --change \"" + c + "\": " + e.reason());
            }
            for (Instruction i : df.instructions()) {
                if (!CHANGES.contains(i.name())) throw new UserError(i.name() + " is not a valid change command");
                if (i instanceof Instruction.Workdir w) {
                    String wd = w.path().text();
                    state = new State(
                            state.config().toBuilder()
                                    .configField("WorkingDir", wd.startsWith("/") ? wd : "/" + wd)
                                    .build(),
                            state.layers(),
                            state.scope(),
                            null,
                            created,
                            state.cmdSet(),
                            state.buildArgNames());
                    continue;
                }
                Map<String, String> env = new LinkedHashMap<>();
                for (String e : state.config().env()) {
                    int eq = e.indexOf('=');
                    if (eq > 0) env.put(e.substring(0, eq), e.substring(eq + 1));
                }
                state = new State(
                        state.config(),
                        state.layers(),
                        Scope.of(Map.of(), env),
                        null,
                        created,
                        state.cmdSet(),
                        state.buildArgNames());
                state = apply.apply(state, i);
            }
        }
        LayerIngest.Result layer;
        try (InputStream in = new BufferedInputStream(source.equals("-") ? ctx.in() : open(source), 1 << 16)) {
            layer = LayerIngest.ingest(ctx.store(), in, LayerIngest.Keep.UNCOMPRESSED, null, null, -1, null, true);
        } catch (TarFormatException e) {
            throw new UserError(
                    source + (name == null ? "" : " (importing as " + name.familiar() + ")") + ": " + e.getMessage());
        }
        ImageConfig.Builder out = state.config().toBuilder()
                .field("comment", comment)
                .addLayer(layer.info().diffId(), new ImageConfig.History(created, null, null, comment, false));
        ImageConfig config = out.build();
        ctx.store().putBlob(config.raw());
        Manifest m = Manifest.create(
                true,
                new Descriptor(MediaType.OCI_CONFIG, config.digest(), config.size()),
                List.of(layer.descriptor()),
                null);
        new Images(ctx.store()).add(m, name == null ? List.of() : List.of(name), List.of());
        ctx.out().println(config.digest());
        return 0;
    }

    private static InputStream open(String file) throws IOException {
        Path p = Path.of(file);
        if (!Files.isRegularFile(p)) throw new UserError("open " + file + ": no such file or directory");
        return Files.newInputStream(p);
    }
}
