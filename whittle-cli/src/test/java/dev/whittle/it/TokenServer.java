package dev.whittle.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A token server of the kind Docker Hub runs (distribution's token auth): the registry sends clients here with a
 * Bearer challenge; this server checks their Basic credentials (GET) or OAuth2 form (POST), grants actions per
 * repository, and signs a JWT with a key whose certificate the registry trusts (RS256, the certificate in x5c).
 * alice/secret may pull and push everything; anyone may pull {@code public/*}; nobody else gets anything.
 */
public final class TokenServer implements AutoCloseable {
    public static final String SERVICE = "whittle-test-registry";
    public static final String ISSUER = "whittle-test-issuer";
    public static final String USER = "alice";
    public static final String PASSWORD = "secret";

    /** What clients asked for, for tests to assert on. */
    public record Request(String method, String user, List<String> scopes) {}

    private final HttpServer server;
    private final Path dir;
    private final PrivateKey key;
    private final String certDer;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile boolean postSupported = true;

    private TokenServer(Path dir) throws IOException {
        this.dir = dir;
        SelfSigned.make(dir.resolve("key.pem"), dir.resolve("cert.pem"), "/CN=whittle-test-token-issuer");
        try {
            this.key =
                    KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pem(dir.resolve("key.pem"))));
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
        this.certDer = Base64.getEncoder().encodeToString(pem(dir.resolve("cert.pem")));
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/token", this::handle);
        server.start();
    }

    public static TokenServer start() throws IOException {
        return new TokenServer(Files.createTempDirectory("whittle-token-"));
    }

    private static byte[] pem(Path p) throws IOException {
        String body = Files.readString(p).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(body);
    }

    public String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    public Path certificate() {
        return dir.resolve("cert.pem");
    }

    public List<Request> requests() {
        return requests;
    }

    /** Makes POST answer 405, as token servers without OAuth2 do, so clients must fall back to GET. */
    public void refusePost() {
        postSupported = false;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String user = null;
            String password = null;
            List<String> scopes = new ArrayList<>();
            if (ex.getRequestMethod().equals("POST")) {
                if (!postSupported) {
                    requests.add(new Request("POST", null, List.of()));
                    reply(ex, 405, "{}");
                    return;
                }
                Map<String, List<String>> form =
                        params(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                if (!"password".equals(first(form, "grant_type"))) {
                    reply(ex, 400, "{\"error\":\"unsupported_grant_type\"}");
                    return;
                }
                user = first(form, "username");
                password = first(form, "password");
                for (String s : form.getOrDefault("scope", List.of())) scopes.addAll(List.of(s.split(" ")));
            } else {
                Map<String, List<String>> q = params(ex.getRequestURI().getRawQuery());
                scopes.addAll(q.getOrDefault("scope", List.of()));
                String h = ex.getRequestHeaders().getFirst("Authorization");
                if (h != null && h.startsWith("Basic ")) {
                    String pair = new String(Base64.getDecoder().decode(h.substring(6)), StandardCharsets.UTF_8);
                    user = pair.substring(0, pair.indexOf(':'));
                    password = pair.substring(pair.indexOf(':') + 1);
                }
            }
            requests.add(new Request(ex.getRequestMethod(), user, List.copyOf(scopes)));
            if (user != null && !(USER.equals(user) && PASSWORD.equals(password))) {
                reply(ex, 401, "{\"details\":\"incorrect username or password\"}");
                return;
            }
            List<Map<String, Object>> access = new ArrayList<>();
            for (String s : scopes) {
                String[] p = s.split(":");
                if (p.length < 3 || !p[0].equals("repository")) continue;
                String name = String.join(":", java.util.Arrays.copyOfRange(p, 1, p.length - 1));
                List<String> granted = new ArrayList<>();
                for (String a : p[p.length - 1].split(",")) {
                    if (user != null || (a.equals("pull") && name.startsWith("public/"))) granted.add(a);
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("type", "repository");
                entry.put("name", name);
                entry.put("actions", granted);
                access.add(entry);
            }
            String token = sign(user == null ? "" : user, access);
            reply(ex, 200, "{\"token\":\"" + token + "\",\"access_token\":\"" + token + "\",\"expires_in\":300}");
        }
    }

    private String sign(String subject, List<Map<String, Object>> access) throws IOException {
        long now = System.currentTimeMillis() / 1000;
        String header = "{\"typ\":\"JWT\",\"alg\":\"RS256\",\"x5c\":[\"" + certDer + "\"]}";
        StringBuilder acc = new StringBuilder("[");
        for (Map<String, Object> a : access) {
            if (acc.length() > 1) acc.append(',');
            @SuppressWarnings("unchecked")
            List<String> actions = (List<String>) a.get("actions");
            acc.append("{\"type\":\"repository\",\"name\":\"")
                    .append(a.get("name"))
                    .append("\",\"actions\":[");
            for (int i = 0; i < actions.size(); i++)
                acc.append(i > 0 ? "," : "").append('"').append(actions.get(i)).append('"');
            acc.append("]}");
        }
        acc.append(']');
        String claims = "{\"iss\":\"" + ISSUER + "\",\"sub\":\"" + subject + "\",\"aud\":\"" + SERVICE + "\",\"exp\":"
                + (now + 300) + ",\"nbf\":" + (now - 10) + ",\"iat\":" + now + ",\"jti\":\"" + UUID.randomUUID()
                + "\",\"access\":" + acc + "}";
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(key);
            s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64.encodeToString(s.sign());
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private static Map<String, List<String>> params(String raw) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) return m;
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            m.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return m;
    }

    private static String first(Map<String, List<String>> m, String k) {
        List<String> l = m.get(k);
        return l == null || l.isEmpty() ? null : l.getFirst();
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        Exec.run(List.of("rm", "-rf", dir.toString()), null, 60);
    }
}
