package dev.whittle.registry;

import java.net.Socket;
import java.net.http.HttpClient;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Entry point to registries for one whittle process: the HTTP clients (one verifying TLS, one for registries the user
 * marked insecure), the configuration, and one {@link RegistryHost} per endpoint so authorization state and tokens
 * are shared by every pull and push that talks to it.
 */
public final class RegistryClient implements AutoCloseable {
    private final RegistryConfig config;
    private final CredentialSource credentials;
    private volatile HttpClient secure;
    private volatile HttpClient insecure;
    private final Map<RegistryConfig.Endpoint, RegistryHost> hosts = new ConcurrentHashMap<>();

    public RegistryClient(RegistryConfig config) {
        this(config, host -> DockerConfig.load().lookup(host));
    }

    public RegistryClient(RegistryConfig config, CredentialSource credentials) {
        this.config = config;
        this.credentials = credentials;
    }

    /**
     * The JDK client reads a response into buffers of this size (16 KiB by default) and passes each through its flow
     * machinery: with 512 KiB, a 260 MB blob arrives over loopback in 0.8 s instead of 1.3 s, at a third of the CPU.
     * Read once, when the client's classes initialise, so it is set before the first client is built; a value
     * given on the command line wins.
     */
    private static final String BUFFER_SIZE = "jdk.httpclient.bufsize";

    static {
        if (System.getProperty(BUFFER_SIZE) == null) System.setProperty(BUFFER_SIZE, Integer.toString(512 << 10));
    }

    private static HttpClient.Builder builder() {
        // HTTP/1.1: registries and the proxies in front of them speak it; h2c upgrade attempts only confuse some
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(30));
    }

    public RegistryConfig config() {
        return config;
    }

    /**
     * Stops the clients' selector threads. A thread blocked in a native call holds up the JVM's exit: HotSpot waits
     * up to 300 ms for it (VM_Exit's wait for threads in native), so a command that pulled or pushed ends here.
     */
    @Override
    public void close() {
        for (HttpClient c : new HttpClient[] {secure, insecure}) if (c != null) c.shutdownNow();
    }

    /** The client for an endpoint (a registry or one of its mirrors). */
    public RegistryHost host(RegistryConfig.Endpoint endpoint) {
        return hosts.computeIfAbsent(endpoint, e -> {
            boolean insecureHost = config.isInsecure(e.host()) || "http".equals(e.scheme());
            HttpClient http = insecureHost ? insecureClient() : secureClient();
            return new RegistryHost(
                    this, e, http, insecureHost, new Authenticator(e.host(), credentials, http, config));
        });
    }

    public RegistryHost host(String registry) {
        return host(RegistryConfig.Endpoint.of(registry));
    }

    /**
     * Made on first use, its TLS context on first TLS connection: loading the trust store costs ~100 ms, which a build
     * that pulls nothing, or a pull from a plain-HTTP registry, should not pay.
     */
    private HttpClient secureClient() {
        HttpClient c = secure;
        if (c != null) return c;
        synchronized (this) {
            if (secure == null)
                secure = builder()
                        .sslContext(LazySslContext.systemDefault())
                        .sslParameters(LazySslContext.parameters())
                        .build();
            return secure;
        }
    }

    private HttpClient insecureClient() {
        HttpClient c = insecure;
        if (c != null) return c;
        synchronized (this) {
            if (insecure == null) {
                insecure = builder()
                        .sslContext(LazySslContext.trusting(new TrustAll()))
                        .sslParameters(LazySslContext.parameters())
                        .build();
            }
            return insecure;
        }
    }

    /** For registries the user declared insecure: any certificate, any name, as docker's insecure-registries. */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] c, String a, Socket s) {}

        @Override
        public void checkServerTrusted(X509Certificate[] c, String a, Socket s) {}

        @Override
        public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) {}

        @Override
        public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) {}

        @Override
        public void checkClientTrusted(X509Certificate[] c, String a) {}

        @Override
        public void checkServerTrusted(X509Certificate[] c, String a) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
