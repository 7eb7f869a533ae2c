package dev.whittle.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Writes command output to a file atomically (never a half-written file) or to standard output. */
final class Output {
    private Output() {}

    interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** Writes to {@code file} through a part file named for {@code command} ({@link PartFile}), or to stdout if null. */
    static void write(Context ctx, Path file, String command, Writer w) throws IOException {
        if (file == null) {
            OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
            if (ctx.out() != System.out) {
                out = ctx.out(); // in-process callers capture output
            }
            w.write(out);
            out.flush();
            return;
        }
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null && !Files.isDirectory(dir)) throw new UserError("open " + file + ": no such file or directory");
        Path tmp = PartFile.create(abs, command);
        try {
            try (FileChannel ch =
                            FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                    OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                w.write(out);
                out.flush();
                ch.force(false);
            }
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
