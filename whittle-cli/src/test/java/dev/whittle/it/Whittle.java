package dev.whittle.it;

import dev.whittle.cli.Main;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs whittle commands in-process against a given store, capturing output. */
public final class Whittle {
    private final Path root;
    private final List<String> global;

    public Whittle(Path root) {
        this(root, List.of());
    }

    /** With global flags before every command (--registries-config, --config). */
    public Whittle(Path root, List<String> global) {
        this.root = root;
        this.global = List.copyOf(global);
    }

    /** The same store with other global flags. */
    public Whittle with(String... globalFlags) {
        return new Whittle(root, List.of(globalFlags));
    }

    public Path root() {
        return root;
    }

    public Exec run(String... args) {
        return runWithInput(new byte[0], args);
    }

    public Exec runWithInput(byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        List<String> a = new ArrayList<>(List.of("--root", root.toString()));
        a.addAll(global);
        a.addAll(List.of(args));
        int code = Main.run(
                a.toArray(String[]::new),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(stdin));
        return new Exec(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
