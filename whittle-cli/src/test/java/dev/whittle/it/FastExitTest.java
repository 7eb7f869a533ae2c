package dev.whittle.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launcher ends whittle with {@code _exit(2)} instead of the JVM's exit: everything the command wrote must still
 * be there, to the last byte, and the exit code must be the command's.
 */
class FastExitTest {
    @TempDir static Path dir;

    static List<String> whittle(Path root, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dwhittle.fast-exit=true", "-cp", System.getProperty("java.class.path"),
                "dev.whittle.cli.Main", "--root", root.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void outputIsCompleteAndExitCodesAreKept() throws IOException {
        Path root = dir.resolve("store");
        new Whittle(root).run("import", RootFs.busybox(dir).toString(), "fast/exit:1").ok();
        Path viaFile = dir.resolve("via-file.tar");
        new Whittle(root).run("save", "-o", viaFile.toString(), "fast/exit:1").ok();

        Path viaStdout = dir.resolve("via-stdout.tar");
        List<String> save = whittle(root, "save", "fast/exit:1");
        Process p = new ProcessBuilder(save).redirectOutput(viaStdout.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            assertThat(p.waitFor()).isZero();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertThat(Files.size(viaStdout)).isGreaterThan(1 << 20);
        assertThat(Files.mismatch(viaStdout, viaFile)).as("the archive written to stdout is whole").isEqualTo(-1);

        Exec images = Exec.run(whittle(root, "images", "--format", "{{.Repository}}:{{.Tag}}"));
        assertThat(images.code()).isZero();
        assertThat(images.out()).isEqualTo("fast/exit:1\n");

        Exec missing = Exec.run(whittle(root, "inspect", "fast/none"));
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("No such object: fast/none");

        Exec usage = Exec.run(whittle(root, "images", "--no-such-flag"));
        assertThat(usage.code()).isEqualTo(125);
        assertThat(usage.err()).contains("--no-such-flag");
    }
}
