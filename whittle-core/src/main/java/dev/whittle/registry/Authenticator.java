package dev.whittle.registry;

import dev.whittle.json.Json;
import dev.whittle.json.JsonObjects;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The authorization state for one registry host. Anonymous until the registry answers 401; then Basic (credentials on
 * every request) or Bearer: a token per scope set from the challenge's realm, fetched with an OAuth2 POST when there
 * are credentials (falling back to the classic GET with Basic auth, as containerd does), anonymously otherwise, cached
 * until it expires.
 */
final class Authenticator {
    private record Token(String value, Instant expires) {}

    private final String host;
    private final CredentialSource source;
    private final HttpClient http;
    private final RegistryConfig config;
    private final Duration timeout;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private volatile Challenge challenge;
    private volatile Credentials credentials;

    Authenticator(String host, CredentialSource source, HttpClient http, RegistryConfig config) {
        this.host = host;
        this.source = source;
        this.http = http;
        this.config = config;
        this.timeout = config.timeout();
    }

    private Credentials credentials() throws IOException {
        Credentials c = credentials;
        if (c == null) credentials = c = source.lookup(host);
        return c;
    }

    /** The Authorization header for a request needing the given scopes, or null while anonymous. */
    String header(Collection<String> scopes) throws IOException {
        Challenge ch = challenge;
        if (ch == null) return null;
        if (ch.scheme().equals("basic")) {
            Credentials c = credentials();
            return c.isEmpty() ? null : c.basic();
        }
        String key = String.join(" ", new TreeSet<>(scopes));
        Token t = tokens.get(key);
        if (t == null || Instant.now().isAfter(t.expires())) t = fetchOnce(ch, key, new TreeSet<>(scopes));
        return "Bearer " + t.value();
    }

    /** Parallel transfers that need the same token wait for one fetch instead of each asking the token server. */
    private synchronized Token fetchOnce(Challenge ch, String key, TreeSet<String> scopes) throws IOException {
        Token t = tokens.get(key);
        if (t != null && !Instant.now().isAfter(t.expires())) return t;
        t = fetch(ch, scopes);
        tokens.put(key, t);
        return t;
    }

    /**
     * Takes a 401's challenges and forgets the token that was refused. Returns false when no challenge is one
     * whittle speaks, so retrying cannot help.
     */
    boolean challenged(List<Challenge> challenges, Collection<String> scopes) {
        Challenge pick = null;
        for (Challenge c : challenges) {
            if (c.scheme().equals("bearer")) {
                pick = c;
                break;
            }
            if (c.scheme().equals("basic") && pick == null) pick = c;
        }
        if (pick == null) return false;
        challenge = pick;
        tokens.remove(String.join(" ", new TreeSet<>(scopes)));
        return true;
    }

    boolean hasChallenge() {
        return challenge != null;
    }

    private Token fetch(Challenge ch, TreeSet<String> scopes) throws IOException {
        String realm = ch.param("realm");
        if (realm == null || realm.isEmpty())
            throw new RegistryException(host + ": the registry asked for a bearer token without a realm", null, 401);
        String service = ch.param("service") != null ? ch.param("service") : host;
        Credentials c = credentials();
        HttpResponse<InputStream> r;
        if (!c.isEmpty()) {
            r = post(realm, service, scopes, c);
            int s = r.statusCode();
            if (s == 404 || s == 401 || s == 400 || s == 405) {
                r.body().close();
                r = get(realm, service, scopes, c);
            }
        } else {
            r = get(realm, service, scopes, c);
        }
        byte[] body;
        try (InputStream in = r.body()) {
            body = in.readNBytes(1 << 20);
        }
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            throw new RegistryException(
                    host + ": "
                            + (c.isEmpty()
                                    ? "access denied (run whittle login " + host + ")"
                                    : "incorrect username or password")
                            + " (token server " + URI.create(realm).getHost() + " answered "
                            + r.statusCode() + ")",
                    "UNAUTHORIZED",
                    r.statusCode());
        }
        if (r.statusCode() != 200) {
            throw new RegistryException(
                    host + ": token server " + realm + " answered HTTP " + r.statusCode(), null, r.statusCode());
        }
        Map<String, Object> m;
        try {
            m = Json.parseObject(body);
        } catch (RuntimeException e) {
            throw new RegistryException(
                    host + ": token server " + realm + " answered something that is not JSON", null, r.statusCode());
        }
        String token = JsonObjects.string(m, "token");
        if (token == null || token.isEmpty()) token = JsonObjects.string(m, "access_token");
        if (token == null || token.isEmpty())
            throw new RegistryException(host + ": token server " + realm + " gave no token", null, 200);
        long expiresIn = Math.max(60, JsonObjects.number(m, "expires_in", 60));
        Instant issued = Instant.now();
        // refresh a little early so a token never expires between being read and being used
        return new Token(token, issued.plusSeconds(expiresIn).minusSeconds(Math.min(30, expiresIn / 4)));
    }

    private HttpResponse<InputStream> post(String realm, String service, TreeSet<String> scopes, Credentials c)
            throws IOException {
        StringBuilder form = new StringBuilder();
        if (c.hasIdentityToken()) {
            form.append("grant_type=refresh_token&refresh_token=").append(enc(c.identityToken()));
        } else {
            form.append("grant_type=password&username=")
                    .append(enc(c.username()))
                    .append("&password=")
                    .append(enc(c.password()));
        }
        form.append("&service=").append(enc(service)).append("&client_id=whittle&access_type=online");
        if (!scopes.isEmpty()) form.append("&scope=").append(enc(String.join(" ", scopes)));
        HttpRequest req = HttpRequest.newBuilder(URI.create(realm))
                .timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form.toString()))
                .build();
        return send(req, realm);
    }

    private HttpResponse<InputStream> get(String realm, String service, TreeSet<String> scopes, Credentials c)
            throws IOException {
        StringBuilder q = new StringBuilder(realm)
                .append(realm.contains("?") ? '&' : '?')
                .append("service=")
                .append(enc(service));
        for (String s : scopes) q.append("&scope=").append(enc(s));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(q.toString()))
                .timeout(timeout)
                .GET();
        if (!c.isEmpty() && !c.hasIdentityToken()) b.header("Authorization", c.basic());
        return send(b.build(), realm);
    }

    private HttpResponse<InputStream> send(HttpRequest req, String realm) throws IOException {
        config.checkAllowed(req.uri().getRawAuthority());
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        } catch (IOException e) {
            throw new RegistryException(
                    host + ": cannot reach token server " + realm + ": " + RegistryHost.describe(e), e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8);
    }
}
