package dev.whittle.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A delete cut short (the process killed, or a file it cannot remove) never leaves a directory's marker file behind
 * while part of the tree beside it is gone: a snapshot's {@code diffid} says its {@code fs/} is complete.
 */
class DeleteTreeTest {
    @TempDir
    Path dir;

    @Test
    void aDirectorysFilesGoBeforeItsSubdirectories() throws IOException {
        Path tree = Files.createDirectories(dir.resolve("snapshot"));
        // many of each, so that whatever order the directory lists them in, some file comes after some subdirectory
        for (int i = 0; i < 20; i++) {
            Files.writeString(tree.resolve("marker" + i), "sha256:...");
            Files.writeString(Files.createDirectories(tree.resolve("fs" + i)).resolve("content"), "x");
        }
        Path stuck = tree.resolve("fs7");
        boolean root = "root".equals(System.getProperty("user.name"));
        // a directory whose entries cannot be removed: immutable for root, read-only for anyone else
        if (root) run("chattr", "+i", stuck.toString());
        else Files.setPosixFilePermissions(stuck, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assertThatThrownBy(() -> Maintenance.deleteTree(tree)).isInstanceOf(IOException.class);
        } finally {
            if (root) run("chattr", "-i", stuck.toString());
            else Files.setPosixFilePermissions(stuck, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        List<String> left = new ArrayList<>();
        try (Stream<Path> s = Files.list(tree)) {
            s.forEach(p -> left.add(p.getFileName().toString()));
        }
        assertThat(left).as("what the cut-short delete left").contains("fs7").noneMatch(n -> n.startsWith("marker"));
        Maintenance.deleteTree(tree);
        assertThat(tree).doesNotExist();
    }

    private static void run(String... cmd) throws IOException {
        try {
            assertThat(new ProcessBuilder(cmd).inheritIO().start().waitFor())
                    .as(String.join(" ", cmd))
                    .isZero();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
