package dev.whittle.cli;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Optional;

/**
 * The file a command writes beside its destination and renames into place once complete:
 * {@code .DEST.whittle-COMMAND-PID.part}, so a user who finds one knows what made it. One left by a killed process is
 * removed by the next write to the same destination: a part file is abandoned when no process has its pid, or the one
 * that has it started after the file was last written (pids are reused, and a live writer keeps writing).
 */
final class PartFile {
    private PartFile() {}

    /** Removes abandoned part files of {@code dest}, then creates this process's (0600: it holds image content). */
    static Path create(Path dest, String command) throws IOException {
        Path dir = dest.getParent();
        String prefix = "." + dest.getFileName() + ".whittle-";
        try (DirectoryStream<Path> ds =
                Files.newDirectoryStream(dir, p -> p.getFileName().toString().startsWith(prefix))) {
            for (Path p : ds) {
                long pid = pid(p.getFileName().toString(), prefix);
                if (pid > 0 && abandoned(p, pid)) Files.deleteIfExists(p);
            }
        }
        Path part = dir.resolve(prefix + command + "-" + ProcessHandle.current().pid() + ".part");
        try {
            return Files.createFile(
                    part, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            throw new UserError("open " + dest + ": this process is already writing it (" + part.getFileName() + ")");
        }
    }

    /** The pid in {@code .DEST.whittle-COMMAND-PID.part}; -1 when the name is not one of ours. */
    static long pid(String name, String prefix) {
        if (!name.endsWith(".part")) return -1;
        String rest = name.substring(prefix.length(), name.length() - ".part".length());
        int dash = rest.lastIndexOf('-');
        if (dash <= 0 || dash == rest.length() - 1) return -1;
        for (int i = 0; i < dash; i++) if (rest.charAt(i) < 'a' || rest.charAt(i) > 'z') return -1;
        for (int i = dash + 1; i < rest.length(); i++) if (!Character.isDigit(rest.charAt(i))) return -1;
        try {
            return Long.parseLong(rest.substring(dash + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Whether the process that wrote the part file is gone. */
    static boolean abandoned(Path part, long pid) throws IOException {
        if (pid == ProcessHandle.current().pid()) return false;
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) return true;
        // the reported start is never later than the real one, so "after" errs towards keeping the file
        Optional<Instant> started = h.get().info().startInstant();
        return started.isPresent()
                && started.get().isAfter(Files.getLastModifiedTime(part).toInstant());
    }
}
