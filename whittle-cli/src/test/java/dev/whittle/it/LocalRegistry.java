package dev.whittle.it;

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
import org.junit.jupiter.api.Assumptions;

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
    private final boolean tls;

    private LocalRegistry(Path dir, int port, Process process, boolean tls) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.tls = tls;
    }

    public static LocalRegistry start(Auth auth) throws IOException {
        return start(auth, false);
    }

    /** With {@code tls}, the registry serves HTTPS only, with a self-signed certificate for 127.0.0.1. */
    public static LocalRegistry start(Auth auth, boolean tls) throws IOException {
        Assumptions.assumeTrue(
                Files.isExecutable(Path.of(BINARY)),
                "docker-registry is not installed (scripts/install-deps installs it)");
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
        if (tls) {
            SelfSigned.make(
                    dir.resolve("tls.key"), dir.resolve("tls.crt"), "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1");
            yml.append("""
                      tls:
                        certificate: %s
                        key: %s
                    """.formatted(dir.resolve("tls.crt"), dir.resolve("tls.key")));
        }
        switch (auth) {
            case Auth.None n -> {}
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
            case Auth.Token t ->
                yml.append("""
                    auth:
                      token:
                        realm: %s
                        service: %s
                        issuer: %s
                        rootcertbundle: %s
                    """.formatted(
                                t.server().realm(),
                                TokenServer.SERVICE,
                                TokenServer.ISSUER,
                                t.server().certificate()));
        }
        Files.writeString(dir.resolve("config.yml"), yml);
        Process p = new ProcessBuilder(
                        BINARY, "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("registry.log").toFile())
                .start();
        LocalRegistry r = new LocalRegistry(dir, port, p, tls);
        r.awaitUp();
        return r;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void awaitUp() throws IOException {
        HttpClient c = tls ? trustingClient() : HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive())
                throw new IOException("docker-registry exited: " + Files.readString(dir.resolve("registry.log")));
            try {
                c.send(
                        HttpRequest.newBuilder(URI.create((tls ? "https://" : "http://") + host() + "/v2/"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
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

    /** A client that accepts the test's self-signed certificate (the test only asks whether the registry is up). */
    private static HttpClient trustingClient() throws IOException {
        try {
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(
                    null,
                    new javax.net.ssl.TrustManager[] {
                        new javax.net.ssl.X509TrustManager() {
                            @Override
                            public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}

                            @Override
                            public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}

                            @Override
                            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                                return new java.security.cert.X509Certificate[0];
                            }
                        }
                    },
                    null);
            return HttpClient.newBuilder().sslContext(ctx).build();
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
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

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Exec.run(List.of("rm", "-rf", dir.toString()), null, 60);
    }
}
