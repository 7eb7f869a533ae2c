package dev.whittle.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP proxy in front of a registry that misbehaves on purpose: answers an error status, cuts a response
 * (or a request) after some bytes, stalls in the middle of a body, flips a byte, or redirects blob downloads to
 * another host name. Each fault fires a given number of times, then requests pass through untouched. Every request
 * is recorded, so tests can see what the client did (resumed with Range, dropped credentials on a redirect, ...).
 */
public final class FaultProxy implements AutoCloseable {
    private static final Set<String> HOP = Set.of(
            "connection", "content-length", "expect", "host", "upgrade", "transfer-encoding", "keep-alive", "date");

    /** One recorded request. */
    public record Seen(String method, String path, boolean authorized, String range) {}

    private enum Kind {
        STATUS,
        CUT,
        STALL,
        CORRUPT,
        CUT_REQUEST
    }

    private record Fault(
            String method,
            String pathPart,
            Kind kind,
            int status,
            Map<String, String> headers,
            long bytes,
            long millis,
            AtomicInteger remaining) {
        boolean matches(HttpExchange ex) {
            return ex.getRequestMethod().equals(method)
                    && ex.getRequestURI().toString().contains(pathPart)
                    && remaining.get() > 0
                    && remaining.getAndDecrement() > 0;
        }
    }

    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final String upstream;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private volatile boolean redirectBlobs;
    private volatile String upstreamAuth;

    private FaultProxy(String upstream) throws IOException {
        this.upstream = upstream;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A proxy for {@code host:port}. */
    public static FaultProxy to(String upstream) throws IOException {
        return new FaultProxy(upstream);
    }

    public String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Seen> seen() {
        return seen;
    }

    public FaultProxy status(String method, String pathPart, int status, int times, Map<String, String> headers) {
        faults.add(new Fault(method, pathPart, Kind.STATUS, status, headers, 0, 0, new AtomicInteger(times)));
        return this;
    }

    /** Sends the response headers and {@code after} bytes of the body, then drops the connection. */
    public FaultProxy cut(String method, String pathPart, long after, int times) {
        faults.add(new Fault(method, pathPart, Kind.CUT, 0, Map.of(), after, 0, new AtomicInteger(times)));
        return this;
    }

    /** Reads {@code after} bytes of the request body, then drops the connection without an answer. */
    public FaultProxy cutRequest(String method, String pathPart, long after, int times) {
        faults.add(new Fault(method, pathPart, Kind.CUT_REQUEST, 0, Map.of(), after, 0, new AtomicInteger(times)));
        return this;
    }

    /** Sends {@code after} bytes of the body, then nothing for {@code millis}, then drops the connection. */
    public FaultProxy stall(String method, String pathPart, long after, long millis, int times) {
        faults.add(new Fault(method, pathPart, Kind.STALL, 0, Map.of(), after, millis, new AtomicInteger(times)));
        return this;
    }

    /** Flips one byte in the middle of the body. */
    public FaultProxy corrupt(String method, String pathPart, int times) {
        faults.add(new Fault(method, pathPart, Kind.CORRUPT, 0, Map.of(), 0, 0, new AtomicInteger(times)));
        return this;
    }

    /**
     * Answers blob GETs with 307 to the same proxy under the name {@code localhost} (another host to the client),
     * where they are served with the proxy's own upstream credentials; the client's must not come along.
     */
    public FaultProxy redirectBlobs(String upstreamAuthorization) {
        redirectBlobs = true;
        upstreamAuth = upstreamAuthorization;
        return this;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().toString();
            seen.add(new Seen(
                    ex.getRequestMethod(),
                    path,
                    ex.getRequestHeaders().containsKey("Authorization"),
                    ex.getRequestHeaders().getFirst("Range")));
            boolean direct = path.startsWith("/direct/");
            if (direct) path = path.substring("/direct".length());
            else if (redirectBlobs
                    && ex.getRequestMethod().equals("GET")
                    && path.matches("/v2/.+/blobs/sha256:[0-9a-f]{64}")) {
                ex.getResponseHeaders()
                        .set(
                                "Location",
                                "http://localhost:" + server.getAddress().getPort() + "/direct" + path);
                ex.sendResponseHeaders(307, -1);
                return;
            }
            Fault fault = null;
            for (Fault f : faults) {
                if (f.matches(ex)) {
                    fault = f;
                    break;
                }
            }
            if (fault != null && fault.kind() == Kind.STATUS) {
                ex.getRequestBody().transferTo(OutputStream.nullOutputStream());
                fault.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
                byte[] body = ("{\"errors\":[{\"code\":\"" + (fault.status() == 429 ? "TOOMANYREQUESTS" : "UNAVAILABLE")
                                + "\",\"message\":\"injected by the test proxy\"}]}")
                        .getBytes();
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(fault.status(), body.length);
                ex.getResponseBody().write(body);
                return;
            }
            if (fault != null && fault.kind() == Kind.CUT_REQUEST) {
                ex.getRequestBody().readNBytes((int) fault.bytes());
                return; // closing an exchange that sent no headers drops the connection
            }
            forward(ex, path, direct, fault);
        } catch (IOException e) {
            // the client went away, or a fault dropped the connection on purpose
        }
    }

    private void forward(HttpExchange ex, String path, boolean direct, Fault fault) throws IOException {
        String method = ex.getRequestMethod();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + upstream + path));
        boolean hasBody = method.equals("PUT") || method.equals("PATCH") || method.equals("POST");
        b.method(
                method,
                hasBody
                        ? HttpRequest.BodyPublishers.ofInputStream(ex::getRequestBody)
                        : HttpRequest.BodyPublishers.noBody());
        ex.getRequestHeaders().forEach((k, vs) -> {
            if (HOP.contains(k.toLowerCase(Locale.ROOT))) return;
            for (String v : vs) b.header(k, v);
        });
        if (direct && upstreamAuth != null) b.setHeader("Authorization", upstreamAuth);
        HttpResponse<InputStream> r;
        try {
            r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        r.headers().map().forEach((k, vs) -> {
            if (HOP.contains(k.toLowerCase(Locale.ROOT)) || k.startsWith(":")) return;
            for (String v : vs) ex.getResponseHeaders().add(k, v);
        });
        long len = r.headers().firstValueAsLong("Content-Length").orElse(-1);
        int status = r.statusCode();
        try (InputStream in = r.body()) {
            if (method.equals("HEAD") || status == 204 || status == 304 || len == 0) {
                if (method.equals("HEAD") && len > 0) ex.getResponseHeaders().set("Content-Length", Long.toString(len));
                ex.sendResponseHeaders(status, -1);
                return;
            }
            ex.sendResponseHeaders(status, len < 0 ? 0 : len);
            OutputStream out = ex.getResponseBody();
            if (fault == null) {
                in.transferTo(out);
                return;
            }
            switch (fault.kind()) {
                case CUT -> out.write(in.readNBytes((int) fault.bytes()));
                case STALL -> {
                    out.write(in.readNBytes((int) fault.bytes()));
                    out.flush();
                    LocalRegistry.sleep(fault.millis());
                }
                case CORRUPT -> {
                    byte[] all = in.readAllBytes();
                    if (all.length > 0) all[all.length / 2] ^= 0x5a;
                    out.write(all);
                }
                default -> in.transferTo(out);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
