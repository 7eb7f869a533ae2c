package dev.whittle.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run by the build (package phase): writes the shell completion scripts and the man pages under the given
 * directory ({@code completion/whittle.bash}, {@code completion/_whittle}, {@code man/man1/*.1}), which the demo's
 * setup installs.
 */
public final class BuildDocs {
    private BuildDocs() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) throw new IllegalArgumentException("usage: BuildDocs DIR");
        Path dir = Path.of(args[0]);
        Path completion = Files.createDirectories(dir.resolve("completion"));
        Files.writeString(completion.resolve("whittle.bash"), Completion.bash());
        Files.writeString(completion.resolve("_whittle"), Completion.zsh());
        ManPages.write(dir.resolve("man/man1"));
    }
}
