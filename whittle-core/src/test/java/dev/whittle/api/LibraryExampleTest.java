package dev.whittle.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library example of docs/library.md (examples/library/BuildCheckSave.java) compiled against whittle-core and run:
 * it builds a Dockerfile, checks the image and saves it. A COPY-only build: no root needed.
 */
class LibraryExampleTest {
    static final Path EXAMPLE = Path.of("../examples/library/BuildCheckSave.java");

    @Test
    void theExampleCompilesAndBuildsChecksAndSaves(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.isExecutable(Path.of("/bin/busybox")), "busybox-static is not installed");
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int compiled = javac.run(
                null,
                null,
                diagnostics,
                "-d",
                classes.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                EXAMPLE.toString());
        assertThat(compiled).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();

        Path context = Files.createDirectories(dir.resolve("context"));
        Files.copy(Path.of("/bin/busybox"), context.resolve("busybox"));
        Files.writeString(
                context.resolve("Dockerfile"),
                "FROM scratch\nCOPY busybox /bin/busybox\nCMD [\"/bin/busybox\", \"true\"]\n");
        Path archive = dir.resolve("app.tar");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                classes + ":" + System.getProperty("java.class.path"),
                "BuildCheckSave",
                dir.resolve("store").toString(),
                context.toString(),
                archive.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out)
                .contains("built sha256:")
                .contains("its entrypoint can start")
                .contains("saved " + archive);
        assertThat(tarList(archive)).contains("manifest.json").contains("index.json");
    }

    private static String tarList(Path archive) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("tar", "-tf", archive.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
