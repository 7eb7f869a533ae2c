package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RUN's network as `docker build` gives it: a namespace of its own with outbound access (slirp4netns), its own
 * loopback, the host reached only through the gateway ({@code --add-host NAME:host-gateway}); none and host as asked.
 * The only server any of this reaches is one the test runs on 127.0.0.1.
 */
@Tag("runc")
class NetworkTest {
    @TempDir
    static Path dir;

    static Whittle whittle;
    static HttpServer server;
    static int port;
    static final Map<String, byte[]> SERVED = new ConcurrentHashMap<>();
    static final String BASE = "net/busybox:1";

    @BeforeAll
    static void setUp() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "RUN needs root");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                dev.whittle.sandbox.Runc.available(), "runc is not installed (apt-get install runc)");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                dev.whittle.sandbox.UserModeNetwork.available(),
                "slirp4netns is not installed (scripts/install-deps installs it)");
        whittle = RootFs.busyboxStore(dir, BASE);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            byte[] body = SERVED.get(ex.getRequestURI().normalize().getPath()); // apt asks for /./Packages
            ex.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null)
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(body);
                }
            ex.close();
        });
        server.start();
        port = server.getAddress().getPort();
        SERVED.put("/hello.txt", "hello from the host\n".getBytes(StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop(0);
    }

    static Exec build(String name, String dockerfile, String... flags) throws IOException {
        Path ctx = Files.createDirectories(dir.resolve(name));
        Files.writeString(
                ctx.resolve("Dockerfile"), dockerfile.replace("BASE", BASE).replace("PORT", String.valueOf(port)));
        List<String> a = new ArrayList<>(List.of("build", "--progress", "plain", "--check=off", "-t", "net/" + name));
        a.addAll(List.of(flags));
        a.add(ctx.toString());
        return whittle.run(a.toArray(String[]::new));
    }

    static String file(String image, String path) {
        return whittle.run("run", "--rm", "--network", "none", "net/" + image, "cat", path)
                .ok()
                .out();
    }

    @Test
    void byDefaultARunReachesTheHostThroughTheGatewayButNotThroughItsOwnLoopback() throws IOException {
        build("default", """
                FROM BASE
                RUN busybox wget -q -O /fetched http://host.docker.internal:PORT/hello.txt
                RUN busybox wget -q -T 3 -O - http://127.0.0.1:PORT/hello.txt > /own-loopback 2>&1 || echo unreachable > /own-loopback
                RUN cat /etc/hosts > /hosts && busybox ip addr > /addr
                """, "--add-host", "host.docker.internal:host-gateway", "--add-host", "db.example:192.0.2.7")
                .ok();
        assertThat(file("default", "/fetched")).isEqualTo("hello from the host\n");
        assertThat(file("default", "/own-loopback")).isEqualTo("unreachable\n");
        assertThat(file("default", "/hosts"))
                .contains("127.0.0.1\tlocalhost buildkitsandbox")
                .contains("10.0.2.2\thost.docker.internal")
                .contains("192.0.2.7\tdb.example");
        assertThat(file("default", "/addr")).contains("tap0").contains("inet 127.0.0.1/8");
    }

    @Test
    void noneHasLoopbackOnlyAndHostHasTheHostsNetwork() throws IOException {
        build("none", """
                FROM BASE
                RUN busybox wget -q -T 3 -O - http://host.docker.internal:PORT/hello.txt > /out 2>&1 || echo unreachable > /out
                RUN --network=default busybox wget -q -O /per-run http://host.docker.internal:PORT/hello.txt
                """, "--network", "none", "--add-host", "host.docker.internal:host-gateway")
                .ok();
        assertThat(file("none", "/out")).isEqualTo("unreachable\n");
        assertThat(file("none", "/per-run")).isEqualTo("hello from the host\n");
        build("host", """
                FROM BASE
                RUN busybox wget -q -O /out http://127.0.0.1:PORT/hello.txt
                """, "--network", "host").ok();
        assertThat(file("host", "/out")).isEqualTo("hello from the host\n");
    }

    @Test
    void whittleRunHasTheSameDefaultNetwork() throws IOException {
        build("run", "FROM BASE\n").ok();
        Exec run = whittle.run(
                "run",
                "--rm",
                "--add-host",
                "host.docker.internal:host-gateway",
                "net/run",
                "busybox",
                "wget",
                "-q",
                "-O",
                "-",
                "http://host.docker.internal:" + port + "/hello.txt");
        assertThat(run.ok().out()).isEqualTo("hello from the host\n");
    }

    @Test
    void aBadNetworkOrHostIsAClearError() throws IOException {
        assertThat(build("bad-host", "FROM BASE\nRUN true\n", "--add-host", "x:999.1.1.1")
                        .fails(1)
                        .err())
                .contains("invalid IP address in add-host: \"999.1.1.1\"")
                .doesNotContain("Exception");
        assertThat(build("bad-run-network", "FROM BASE\nRUN --network=bridge2 true\n")
                        .fails(1)
                        .err())
                .contains("Dockerfile:2")
                .contains("network mode \"bridge2\" is not supported");
        assertThat(whittle.run("run", "--rm", "--network", "foo", BASE, "true")
                        .fails(125)
                        .err())
                .contains("network mode \"foo\" is not supported");
    }

    @Test
    void aRunInstallsAPackageWithAptFromAMirrorServedOnThisMachine() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Exec.available("dpkg-deb"), "dpkg-deb is not installed");
        Whittle debian = Scenarios.require(); // its golang:alpine stand-in is Debian with apt
        // a flat apt repository with one package, served by the test's own server
        Path pkg = Files.createDirectories(dir.resolve("deb/pkg/DEBIAN"));
        Files.writeString(
                pkg.resolve("control"),
                "Package: whittle-hello\nVersion: 1.0\nArchitecture: all\n"
                        + "Maintainer: test <t@example.invalid>\nDescription: a test package\n");
        Files.createDirectories(dir.resolve("deb/pkg/usr/share/whittle-hello"));
        Files.writeString(dir.resolve("deb/pkg/usr/share/whittle-hello/hello.txt"), "hello from the mirror\n");
        Path deb = dir.resolve("deb/whittle-hello_1.0_all.deb");
        Exec.run(
                        "dpkg-deb",
                        "-Zgzip",
                        "--root-owner-group",
                        "-b",
                        dir.resolve("deb/pkg").toString(),
                        deb.toString())
                .ok();
        byte[] debBytes = Files.readAllBytes(deb);
        String packages =
                "Package: whittle-hello\nVersion: 1.0\nArchitecture: all\nMaintainer: test <t@example.invalid>\n"
                        + "Filename: ./whittle-hello_1.0_all.deb\nSize: " + debBytes.length + "\nSHA256: "
                        + sha256(debBytes)
                        + "\nDescription: a test package\n\n";
        byte[] pb = packages.getBytes(StandardCharsets.UTF_8);
        String release =
                "Date: Thu, 01 Jan 2026 00:00:00 UTC\nSHA256:\n " + sha256(pb) + " " + pb.length + " Packages\n";
        SERVED.put("/whittle-hello_1.0_all.deb", debBytes);
        SERVED.put("/Packages", pb);
        SERVED.put("/Release", release.getBytes(StandardCharsets.UTF_8));
        Path ctx = Files.createDirectories(dir.resolve("apt"));
        Files.writeString(ctx.resolve("Dockerfile"), """
                FROM golang:alpine
                RUN rm -f /etc/apt/sources.list.d/* \\
                 && echo "deb [trusted=yes] http://mirror.test:PORT/ ./" > /etc/apt/sources.list \\
                 && apt-get update -q && apt-get install -y -q whittle-hello
                """.replace("PORT", String.valueOf(port)));
        debian.run(
                        "build",
                        "--progress",
                        "plain",
                        "--check=off",
                        "--pull=never",
                        "--no-cache",
                        "--add-host",
                        "mirror.test:host-gateway",
                        "-t",
                        "net/apt:1",
                        ctx.toString())
                .ok();
        assertThat(debian.run(
                                "run",
                                "--rm",
                                "--network",
                                "none",
                                "net/apt:1",
                                "cat",
                                "/usr/share/whittle-hello/hello.txt")
                        .ok()
                        .out())
                .isEqualTo("hello from the mirror\n");
        debian.run("rmi", "net/apt:1").ok();
    }

    private static String sha256(byte[] b) {
        return dev.whittle.image.Digest.sha256(b).hex();
    }
}
