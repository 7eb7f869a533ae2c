package dev.whittle.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.whittle.image.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The smallest registry a push and a pull can complete against, on 127.0.0.1, for the AOT training of the registry
 * group: so the HTTP client's classes and whittle's transfer path come loaded and profiled (a pull's first exchanges
 * cost a young JVM ~150 ms). It speaks just enough of the distribution API — /v2/, blob HEAD and GET, monolithic and
 * streamed uploads, manifest PUT, HEAD and GET — and trusts what it is sent. Never used outside training.
 */
final class TrainingRegistry implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
    private final Map<String, String> manifestTypes = new ConcurrentHashMap<>();
    private final Map<String, ByteArrayOutputStream> uploads = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    TrainingRegistry() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/v2/", this::handle);
        server.start();
    }

    /** host:port of the registry. */
    String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath(), method = ex.getRequestMethod();
            byte[] body = ex.getRequestBody().readAllBytes();
            if (path.equals("/v2/")) {
                send(ex, 200, new byte[0], null);
            } else if (path.contains("/blobs/uploads/")) {
                upload(ex, method, path, body);
            } else if (path.contains("/blobs/")) {
                byte[] b = blobs.get(path.substring(path.lastIndexOf('/') + 1));
                if (b == null) send(ex, 404, new byte[0], null);
                else send(ex, 200, method.equals("HEAD") ? null : b, b.length);
            } else if (path.contains("/manifests/")) {
                String key = path.substring(path.indexOf("/v2/") + 4).replace("/manifests/", "@");
                if (method.equals("PUT")) {
                    String digest = Digest.sha256(body).toString();
                    manifests.put(key, body);
                    manifests.put(key.substring(0, key.indexOf('@') + 1) + digest, body);
                    String type = ex.getRequestHeaders().getFirst("Content-Type");
                    manifestTypes.put(key, type);
                    manifestTypes.put(key.substring(0, key.indexOf('@') + 1) + digest, type);
                    ex.getResponseHeaders().set("Docker-Content-Digest", digest);
                    send(ex, 201, new byte[0], null);
                } else {
                    byte[] m = manifests.get(key);
                    if (m == null) {
                        send(ex, 404, new byte[0], null);
                    } else {
                        ex.getResponseHeaders().set("Content-Type", manifestTypes.get(key));
                        ex.getResponseHeaders()
                                .set("Docker-Content-Digest", Digest.sha256(m).toString());
                        send(ex, 200, method.equals("HEAD") ? null : m, m.length);
                    }
                }
            } else {
                send(ex, 404, new byte[0], null);
            }
        }
    }

    private void upload(HttpExchange ex, String method, String path, byte[] body) throws IOException {
        String repoPath = path.substring(0, path.indexOf("/blobs/uploads/"));
        String digest = queryValue(ex, "digest");
        if (method.equals("POST")) {
            if (digest != null) { // monolithic: the blob in the POST itself
                blobs.put(digest, body);
                send(ex, 201, new byte[0], null);
                return;
            }
            String id = Integer.toString(ids.incrementAndGet());
            uploads.put(id, new ByteArrayOutputStream());
            ex.getResponseHeaders().set("Location", repoPath + "/blobs/uploads/" + id);
            ex.getResponseHeaders().set("Range", "0-0");
            send(ex, 202, new byte[0], null);
            return;
        }
        String id = path.substring(path.lastIndexOf('/') + 1);
        ByteArrayOutputStream sofar = uploads.computeIfAbsent(id, k -> new ByteArrayOutputStream());
        sofar.write(body);
        if (method.equals("PUT") && digest != null) {
            blobs.put(digest, sofar.toByteArray());
            uploads.remove(id);
            send(ex, 201, new byte[0], null);
        } else {
            ex.getResponseHeaders().set("Location", repoPath + "/blobs/uploads/" + id);
            ex.getResponseHeaders().set("Range", "0-" + Math.max(0, sofar.size() - 1));
            send(ex, 202, new byte[0], null);
        }
    }

    private static String queryValue(HttpExchange ex, String name) {
        String q = ex.getRequestURI().getRawQuery();
        if (q == null) return null;
        for (String kv : q.split("&")) {
            if (kv.startsWith(name + "="))
                return URLDecoder.decode(kv.substring(name.length() + 1), StandardCharsets.UTF_8);
        }
        return null;
    }

    private static void send(HttpExchange ex, int status, byte[] body, Integer length) throws IOException {
        ex.getResponseHeaders().set("Docker-Distribution-API-Version", "registry/2.0");
        if (body == null) { // HEAD: the length of what a GET would send
            ex.getResponseHeaders().set("Content-Length", Integer.toString(length));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
