package dev.whittle.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library example of docs/library.md (examples/library/BuildCheckSave.java) compiled against whittle-core and run:
 * on the module path, seeing only what module-info exports: it builds a Dockerfile, checks the image and saves it.
 * A COPY-only build: no root needed.
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
                "-cp", // nothing but the module: the test's own class path would see everything
                classes.toString(),
                "--module-path",
                modulePath(),
                "--add-modules",
                "dev.whittle.core",
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
                "--enable-native-access=dev.whittle.core",
                "--module-path",
                modulePath(),
                "--add-modules",
                "dev.whittle.core",
                "-cp",
                classes.toString(),
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

    @Test
    void theEnginesInsidesAreNotVisibleToALibraryUser(@TempDir Path dir) throws IOException {
        Path source = dir.resolve("UsesJson.java");
        Files.writeString(source, "class UsesJson { Object o = dev.whittle.json.Json.class; }\n");
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int compiled = ToolProvider.getSystemJavaCompiler()
                .run(
                        null,
                        null,
                        diagnostics,
                        "-d",
                        dir.toString(),
                        "-cp",
                        dir.toString(),
                        "--module-path",
                        modulePath(),
                        "--add-modules",
                        "dev.whittle.core",
                        source.toString());
        assertThat(compiled).isNotZero();
        assertThat(diagnostics.toString(StandardCharsets.UTF_8))
                .contains("package dev.whittle.json is declared in module dev.whittle.core, which does not export it");
    }

    /**
     * whittle-core as a module with what it requires: the example sees only the packages module-info exports, as a
     * library user's program does.
     */
    private static String modulePath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> e.endsWith("whittle-core/target/classes")
                        || e.contains("jackson-core")
                        || e.contains("zstd-jni"))
                .collect(Collectors.joining(File.pathSeparator));
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
