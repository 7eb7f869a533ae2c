package dev.whittle.api;

import dev.whittle.build.BuildException;
import dev.whittle.build.ContextArchive;
import dev.whittle.build.GitContext;
import dev.whittle.dockerfile.DockerIgnore;
import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.Parser;
import dev.whittle.sandbox.Cleanup;
import dev.whittle.store.Store;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What a build reads: the context, the Dockerfile and its .dockerignore, located as docker locates them. The context is
 * a directory, a git repository ({@code https://host/repo.git#ref:subdir}) or a tar on standard input ({@code -}); the
 * last two are unpacked into a temporary directory of the store that closing this removes.
 */
public record BuildSource(
        Path dir,
        Path dockerfilePath,
        String dockerfileName,
        String dockerfileText,
        Path ignoreFile,
        String ignoreText,
        DockerIgnore ignore,
        Cleanup.TempDirectory temp)
        implements AutoCloseable {

    /**
     * @param file {@code -f}: a path (relative to the working directory; inside the context for a git or stdin
     *             context), {@code -} for stdin, or null for CONTEXT/Dockerfile (or CONTEXT/dockerfile)
     */
    public static BuildSource locate(Store store, InputStream stdin, String contextArg, String file)
            throws IOException {
        Cleanup.TempDirectory temp = null;
        byte[] stdinDockerfile = null;
        Path dir;
        try {
            if ("-".equals(contextArg)) {
                if ("-".equals(file))
                    throw new BuildException("invalid argument: can't use stdin for both build context and dockerfile");
                temp = Cleanup.newTempDirectory(store.tempDir(), "context-");
                ContextArchive.Contents c = ContextArchive.read(stdin, temp.path());
                if (!c.archive()) stdinDockerfile = c.dockerfile();
                dir = temp.path();
            } else if (GitContext.isGitUrl(contextArg)) {
                temp = Cleanup.newTempDirectory(store.tempDir(), "context-");
                dir = GitContext.parse(contextArg).checkout(temp.path());
            } else {
                dir = directory(contextArg);
            }
            return locate(stdin, dir, file, stdinDockerfile, temp);
        } catch (IOException | RuntimeException e) {
            if (temp != null) temp.close();
            if (e instanceof IllegalArgumentException || e instanceof IOException && temp != null)
                throw new BuildException(e.getMessage());
            throw e;
        }
    }

    private static BuildSource locate(
            InputStream stdin, Path dir, String file, byte[] stdinDockerfile, Cleanup.TempDirectory temp)
            throws IOException {
        String text;
        Path path;
        String name;
        if (stdinDockerfile != null) {
            text = DockerfileReader.read(new ByteArrayInputStream(stdinDockerfile), "Dockerfile");
            path = null;
            name = "Dockerfile";
        } else if ("-".equals(file)) {
            text = DockerfileReader.read(stdin, "Dockerfile");
            path = null;
            name = "Dockerfile";
        } else {
            path = file == null ? defaultDockerfile(dir) : temp != null ? dir.resolve(file) : Path.of(file);
            name = file == null ? path.getFileName().toString() : file;
            text = DockerfileReader.read(path, name);
        }
        // <Dockerfile>.dockerignore next to the Dockerfile wins over the context's .dockerignore
        Path ignoreFile = null;
        if (path != null) {
            Path specific = path.resolveSibling(path.getFileName() + ".dockerignore");
            if (Files.isRegularFile(specific)) ignoreFile = specific;
        }
        if (ignoreFile == null && Files.isRegularFile(dir.resolve(".dockerignore")))
            ignoreFile = dir.resolve(".dockerignore");
        String ignoreText = ignoreFile == null ? null : DockerfileReader.read(ignoreFile, ignoreFile.toString());
        DockerIgnore ignore =
                ignoreFile == null ? DockerIgnore.none() : DockerIgnore.parse(ignoreText, ignoreFile.toString());
        return new BuildSource(dir, path, name, text, ignoreFile, ignoreText, ignore, temp);
    }

    /** CONTEXT/Dockerfile, or CONTEXT/dockerfile when only that exists (as docker looks for it). */
    private static Path defaultDockerfile(Path dir) {
        Path upper = dir.resolve("Dockerfile"), lower = dir.resolve("dockerfile");
        return !Files.exists(upper, LinkOption.NOFOLLOW_LINKS) && Files.exists(lower, LinkOption.NOFOLLOW_LINKS)
                ? lower
                : upper;
    }

    @Override
    public void close() throws IOException {
        if (temp != null) temp.close();
    }

    /** The context directory, or docker's refusal. */
    private static Path directory(String contextArg) throws IOException {
        Path dir = Path.of(contextArg);
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(dir, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new BuildException("unable to prepare context: path \"" + contextArg + "\" not found");
        } catch (FileSystemException e) {
            throw new BuildException("unable to prepare context: path \"" + contextArg + "\": " + e.getReason());
        }
        if (!a.isDirectory())
            throw new BuildException("unable to prepare context: context must be a directory: " + dir.toAbsolutePath());
        return dir;
    }

    /** A directory context with CONTEXT/Dockerfile (or -f {@code dockerfile}, relative to the working directory). */
    public static BuildSource of(Store store, Path context, Path dockerfile) throws IOException {
        return locate(
                store,
                InputStream.nullInputStream(),
                context.toString(),
                dockerfile == null ? null : dockerfile.toString());
    }

    public Dockerfile parse() {
        return Parser.parse(dockerfileName, dockerfileText);
    }
}
