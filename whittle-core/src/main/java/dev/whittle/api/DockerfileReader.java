package dev.whittle.api;

import dev.whittle.build.BuildException;
import dev.whittle.dockerfile.Parser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads the text files of a build (the Dockerfile, .dockerignore): what is not a regular file is refused before it is
 * opened (opening a FIFO waits for a writer: the build would hang), at most {@link Parser#MAX_BYTES} and one byte
 * are read, and the text must be UTF-8 ({@link Parser#decode} says where it is not).
 */
public final class DockerfileReader {
    private DockerfileReader() {}

    /** A file named on the command line or found in the context; {@code shown} names it in errors. */
    public static String read(Path path, String shown) throws IOException {
        int mode;
        try {
            mode = (Integer) Files.readAttributes(path, "unix:mode").get("mode"); // follows symlinks, as docker does
        } catch (NoSuchFileException e) {
            throw new BuildException("unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat "
                    + path.toAbsolutePath() + ": no such file or directory");
        } catch (FileSystemException e) {
            throw new BuildException("unable to prepare context: " + path + ": " + e.getReason());
        }
        String kind = KINDS.get(mode & 0170000);
        if (kind != null) {
            throw new BuildException(
                    "unable to prepare context: " + path + " is " + kind + ", not a file: name the Dockerfile with -f"
                            + (kind.equals("a directory")
                                    ? " (default CONTEXT/Dockerfile)"
                                    : ", or use -f - to read it from standard input"));
        }
        try (InputStream in = Files.newInputStream(path)) {
            return read(in, shown);
        }
    }

    /** Standard input ({@code -f -}). */
    public static String read(InputStream in, String shown) throws IOException {
        return Parser.decode(shown, in.readNBytes(Parser.MAX_BYTES + 1));
    }

    /** File types by the S_IFMT bits of st_mode, for all but regular files. */
    private static final Map<Integer, String> KINDS = Map.of(
            0040000,
            "a directory",
            0010000,
            "a FIFO",
            0020000,
            "a character device",
            0060000,
            "a block device",
            0140000,
            "a socket");
}
