package dev.whittle.cli;

import dev.whittle.dockerfile.DockerIgnore;
import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.Parser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the Dockerfile and its .dockerignore for a build, as docker does. */
record BuildContext(Path dir, Path dockerfilePath, String dockerfileName, String dockerfileText, Path ignoreFile, String ignoreText,
                    DockerIgnore ignore) {

    /**
     * @param file {@code -f}: a path (relative to the working directory), {@code -} for stdin, or null for
     *             CONTEXT/Dockerfile
     */
    static BuildContext locate(Context ctx, String contextArg, String file) throws IOException {
        Path dir = Path.of(contextArg);
        if (!Files.isDirectory(dir)) throw new UserError("unable to prepare context: path \"" + contextArg + "\" not found");
        String text;
        Path path;
        String name;
        if ("-".equals(file)) {
            text = new String(ctx.in().readAllBytes(), StandardCharsets.UTF_8);
            path = null;
            name = "Dockerfile";
        } else {
            path = file == null ? dir.resolve("Dockerfile") : Path.of(file);
            if (!Files.isRegularFile(path)) {
                throw new UserError("unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat "
                        + path.toAbsolutePath() + ": no such file or directory");
            }
            text = Files.readString(path, StandardCharsets.UTF_8);
            name = file == null ? "Dockerfile" : file;
        }
        // <Dockerfile>.dockerignore next to the Dockerfile wins over the context's .dockerignore
        Path ignoreFile = null;
        if (path != null) {
            Path specific = path.resolveSibling(path.getFileName() + ".dockerignore");
            if (Files.isRegularFile(specific)) ignoreFile = specific;
        }
        if (ignoreFile == null && Files.isRegularFile(dir.resolve(".dockerignore"))) ignoreFile = dir.resolve(".dockerignore");
        String ignoreText = ignoreFile == null ? null : Files.readString(ignoreFile, StandardCharsets.UTF_8);
        DockerIgnore ignore = ignoreFile == null ? DockerIgnore.none() : DockerIgnore.parse(ignoreText, ignoreFile.toString());
        return new BuildContext(dir, path, name, text, ignoreFile, ignoreText, ignore);
    }

    Dockerfile parse() {
        return Parser.parse(dockerfileName, dockerfileText);
    }
}
