package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.sandbox.Runc;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whittle runner image of docs/rootless.md, built from examples/runner/Dockerfile by whittle as root, loaded into
 * Docker and run with the least options the document names, as the image's own user: it builds site:static and gets
 * the image ID whittle as root gets. The bases are stand-ins (no image can be pulled here): debian:bookworm-slim is
 * mmdebstrap'd Debian with the Dockerfile's packages already installed and no apt sources (make-rootfs RUNNER=1), so
 * its apt-get has nothing to fetch; eclipse-temurin:25-jre is this JVM's JDK under /opt/java/openjdk; the context
 * holds the jar and lib/ as ./whittle's build lays them out, made from this JVM's class path.
 */
@Tag("docker")
class RunnerImageTest {
    static final String EPOCH = "SOURCE_DATE_EPOCH=1700000000";
    static final String RUNNER = "whittle-it/runner:1";

    @TempDir
    static Path dir;

    @Test
    void theRunnerImageBuildsSiteStaticAsItsUser() throws IOException {
        DockerDaemon.require();
        Assumptions.assumeTrue(Runc.available(), "runc is not installed (apt-get install runc)");
        Path debian = Scenarios.requireRunnerBase();
        Whittle root = new Whittle(dir.resolve("store"));
        Scenarios.importBases(root.root());
        root.run(
                        "import",
                        "-c",
                        "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                        "-c",
                        "CMD [\"bash\"]",
                        debian.toString(),
                        "debian:bookworm-slim")
                .ok();
        Path jdk = Path.of(System.getProperty("java.home"));
        Path jre = dir.resolve("jre.tar"), parents = Files.createDirectories(dir.resolve("jre/opt/java"));
        Exec.run(
                        "tar",
                        "-C",
                        parents.getParent().getParent().toString(),
                        "opt",
                        "-C",
                        jdk.getParent().toString(),
                        "--transform",
                        "s,^" + jdk.getFileName() + ",opt/java/openjdk,",
                        "-cf",
                        jre.toString(),
                        jdk.getFileName().toString())
                .ok();
        root.run("import", jre.toString(), "eclipse-temurin:25-jre").ok();

        Path ctx = jarsAsTheBuildLaysThemOut(dir.resolve("ctx"));
        Path dockerfile = Scenarios.examples().resolve("runner/Dockerfile");
        root.run("build", "-q", "--network=none", "-f", dockerfile.toString(), "-t", RUNNER, ctx.toString())
                .ok();
        Path runnerTar = dir.resolve("runner.tar");
        root.run("save", "-o", runnerTar.toString(), RUNNER).ok();
        Exec.run(DockerDaemon.DOCKER, "load", "-i", runnerTar.toString()).ok();

        Path in = Files.createDirectories(dir.resolve("in"));
        root.run("save", "-o", in.resolve("bases.tar").toString(), "golang:alpine", "gcr.io/distroless/static-debian11")
                .ok();
        RootlessTest.copyTree(Scenarios.examples().resolve("site"), in.resolve("site"));
        RootlessTest.openToAll(in);
        String uid = Exec.run(
                        DockerDaemon.DOCKER, "run", "--rm", "--network", "none", "--entrypoint", "id", RUNNER, "-u")
                .ok()
                .out()
                .strip();
        Path home = Files.createDirectories(dir.resolve("home"));
        Exec.run("chown", uid + ":" + uid, home.toString()).ok();
        try {
            List<String> docker = List.of(
                    DockerDaemon.DOCKER,
                    "run",
                    "--rm",
                    "--user",
                    "builder",
                    "--cap-add",
                    "SYS_ADMIN",
                    "--security-opt",
                    "seccomp=unconfined",
                    "--security-opt",
                    "systempaths=unconfined",
                    "--network",
                    "none",
                    "-v",
                    in + ":/in:ro",
                    "-v",
                    home + ":/home/builder",
                    RUNNER);
            Exec.run(RootlessTest.concat(docker, "load", "-i", "/in/bases.tar"), null, 600)
                    .ok();
            List<String> build =
                    List.of("build", "-q", "--network=none", "--build-arg", EPOCH, "-t", "site:static", "-f");
            Exec inside = Exec.run(
                            RootlessTest.concat(
                                    RootlessTest.concat(docker, build.toArray(String[]::new)),
                                    "/in/site/Dockerfile.static",
                                    "/in/site"),
                            null,
                            600)
                    .ok();
            Path site = in.resolve("site");
            String rootId = root.run(RootlessTest.concat(
                                    build, site.resolve("Dockerfile.static").toString(), site.toString())
                            .toArray(String[]::new))
                    .ok()
                    .out()
                    .strip();
            assertThat(inside.out().strip()).isEqualTo(rootId);
            // with the subordinate range Debian's useradd gave the image's user, not the one-id fallback
            assertThat(inside.err()).doesNotContain("has no range");
            assertThat(Exec.run(DockerDaemon.DOCKER, "run", "--rm", "--entrypoint", "cat", RUNNER, "/etc/subuid")
                            .ok()
                            .out())
                    .isEqualTo("builder:100000:65536\n");
            // no setuid or setgid program but the two the user namespace needs and fusermount3 (su, mount, passwd lost
            // the bit)
            assertThat(Exec.run(
                                    DockerDaemon.DOCKER,
                                    "run",
                                    "--rm",
                                    "--network",
                                    "none",
                                    "--user",
                                    "root",
                                    "--entrypoint",
                                    "find",
                                    RUNNER,
                                    "/",
                                    "-xdev",
                                    "-type",
                                    "f",
                                    "-perm",
                                    "/6000")
                            .ok()
                            .out()
                            .lines()
                            .sorted())
                    .containsExactly("/usr/bin/fusermount3", "/usr/bin/newgidmap", "/usr/bin/newuidmap");
        } finally {
            Exec.run(DockerDaemon.DOCKER, "rmi", RUNNER);
        }
    }

    /**
     * whittle-cli/target/whittle-cli-0.1.0.jar (its manifest naming the main class and lib/'s jars) and
     * whittle-cli/target/lib/ under {@code ctx}, from this JVM's class path: its directories become jars, its jars are
     * copied.
     */
    static Path jarsAsTheBuildLaysThemOut(Path ctx) throws IOException {
        Path target = Files.createDirectories(ctx.resolve("whittle-cli/target"));
        Path lib = Files.createDirectories(target.resolve("lib"));
        Path cliClasses = null;
        List<String> classPath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(":")) {
            Path p = Path.of(entry);
            if (!Files.exists(p) || entry.contains("test-classes")) continue;
            if (entry.contains("whittle-cli")) {
                cliClasses = p;
                continue;
            }
            String name = Files.isDirectory(p)
                    ? p.getParent().getParent().getFileName() + ".jar"
                    : p.getFileName().toString();
            if (Files.isDirectory(p)) jar(p, lib.resolve(name), new Manifest());
            else Files.copy(p, lib.resolve(name));
            classPath.add("lib/" + name);
        }
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "dev.whittle.cli.Main");
        m.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", classPath));
        jar(cliClasses, target.resolve("whittle-cli-0.1.0.jar"), m);
        RootlessTest.openToAll(ctx);
        return ctx;
    }

    static void jar(Path classes, Path out, Manifest manifest) throws IOException {
        manifest.getMainAttributes().putIfAbsent(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (OutputStream o = Files.newOutputStream(out);
                JarOutputStream j = new JarOutputStream(o, manifest);
                Stream<Path> all = Files.walk(classes)) {
            for (Path p : (Iterable<Path>) all.filter(Files::isRegularFile)::iterator) {
                j.putNextEntry(new JarEntry(classes.relativize(p).toString()));
                Files.copy(p, j);
                j.closeEntry();
            }
        }
    }
}
