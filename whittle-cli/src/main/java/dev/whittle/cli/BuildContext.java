package dev.whittle.cli;

import dev.whittle.dockerfile.DockerIgnore;
import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.Parser;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/** Locates the Dockerfile and its .dockerignore for a build, as docker does. */
record BuildContext(Path dir, Path dockerfilePath, String dockerfileName, String dockerfileText, Path ignoreFile, String ignoreText,
                    DockerIgnore ignore) {

    /**
     * @param file {@code -f}: a path (relative to the working directory), {@code -} for stdin, or null for
     *             CONTEXT/Dockerfile
     */
    static BuildContext locate(Context ctx, String contextArg, String file) throws IOException {
        Path dir = directory(contextArg);
        String text;
        Path path;
        String name;
        if ("-".equals(file)) {
            text = DockerfileReader.read(ctx.in(), "Dockerfile");
            path = null;
            name = "Dockerfile";
        } else {
            path = file == null ? dir.resolve("Dockerfile") : Path.of(file);
            name = file == null ? "Dockerfile" : file;
            text = DockerfileReader.read(path, name);
        }
        // <Dockerfile>.dockerignore next to the Dockerfile wins over the context's .dockerignore
        Path ignoreFile = null;
        if (path != null) {
            Path specific = path.resolveSibling(path.getFileName() + ".dockerignore");
            if (Files.isRegularFile(specific)) ignoreFile = specific;
        }
        if (ignoreFile == null && Files.isRegularFile(dir.resolve(".dockerignore"))) ignoreFile = dir.resolve(".dockerignore");
        String ignoreText = ignoreFile == null ? null : DockerfileReader.read(ignoreFile, ignoreFile.toString());
        DockerIgnore ignore = ignoreFile == null ? DockerIgnore.none() : DockerIgnore.parse(ignoreText, ignoreFile.toString());
        return new BuildContext(dir, path, name, text, ignoreFile, ignoreText, ignore);
    }

    /** The context directory, or docker's refusal. */
    private static Path directory(String contextArg) throws IOException {
        Path dir = Path.of(contextArg);
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(dir, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new UserError("unable to prepare context: path \"" + contextArg + "\" not found");
        } catch (FileSystemException e) {
            throw new UserError("unable to prepare context: path \"" + contextArg + "\": " + e.getReason());
        }
        if (!a.isDirectory()) throw new UserError("unable to prepare context: context must be a directory: " + dir.toAbsolutePath());
        return dir;
    }

    Dockerfile parse() {
        return Parser.parse(dockerfileName, dockerfileText);
    }
}
