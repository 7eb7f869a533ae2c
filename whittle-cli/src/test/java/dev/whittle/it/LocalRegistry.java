package dev.whittle.it;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Debian's docker-registry (distribution 2.8) on 127.0.0.1 with its own storage, started for a test: anonymous,
 * with htpasswd Basic auth, or trusting a test token server. Relative Location headers, so a proxy in front of it
 * stays in the path.
 */
public final class LocalRegistry implements AutoCloseable {
    public static final String BINARY = "/usr/bin/docker-registry";

    /** How the registry authenticates. */
    public sealed interface Auth {
        record None() implements Auth {}

        record Htpasswd(String user, String password) implements Auth {}

        record Token(TokenServer server) implements Auth {}
    }

    private final Path dir;
    private final int port;
    private final Process process;

    private LocalRegistry(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    public static LocalRegistry start(Auth auth) throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(BINARY)), "docker-registry is not installed (scripts/install-deps installs it)");
        Path dir = Files.createTempDirectory("whittle-registry-");
        int port = freePort();
        StringBuilder yml = new StringBuilder("""
                version: 0.1
                log:
                  level: warn
                  accesslog:
                    disabled: true
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:%d
                  relativeurls: true
                """.formatted(dir.resolve("data"), port));
        switch (auth) {
            case Auth.None n -> { }
            case Auth.Htpasswd h -> {
                Exec pw = Exec.run(List.of("htpasswd", "-Bbn", h.user(), h.password()), null, 60);
                if (pw.code() != 0) throw new IOException("htpasswd failed: " + pw.err());
                Files.writeString(dir.resolve("htpasswd"), pw.out());
                yml.append("""
                        auth:
                          htpasswd:
                            realm: whittle-test
                            path: %s
                        """.formatted(dir.resolve("htpasswd")));
            }
            case Auth.Token t -> yml.append("""
                    auth:
                      token:
                        realm: %s
                        service: %s
                        issuer: %s
                        rootcertbundle: %s
                    """.formatted(t.server().realm(), TokenServer.SERVICE, TokenServer.ISSUER, t.server().certificate()));
        }
        Files.writeString(dir.resolve("config.yml"), yml);
        Process p = new ProcessBuilder(BINARY, "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        LocalRegistry r = new LocalRegistry(dir, port, p);
        r.awaitUp();
        return r;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void awaitUp() throws IOException {
        HttpClient c = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IOException("docker-registry exited: " + Files.readString(dir.resolve("registry.log")));
            try {
                c.send(HttpRequest.newBuilder(URI.create("http://" + host() + "/v2/")).build(), HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException e) {
                sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        throw new IOException("docker-registry did not come up on " + host());
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** host:port, as image references use it. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path log() {
        return dir.resolve("registry.log");
    }

    @Override public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Exec.run(List.of("rm", "-rf", dir.toString()), null, 60);
    }
}
