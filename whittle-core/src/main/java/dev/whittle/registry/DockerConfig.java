package dev.whittle.registry;

import dev.whittle.image.ImageRef;
import dev.whittle.json.Json;
import dev.whittle.json.JsonObjects;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Docker's client configuration ({@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}): the
 * {@code auths} entries, {@code credsStore} and {@code credHelpers} with the {@code docker-credential-*} helper
 * protocol. Read and written exactly as the docker CLI does, so {@code docker login} and {@code whittle login} share
 * credentials, and fields whittle does not know are kept.
 */
public final class DockerConfig {
    /** The key docker files Docker Hub's credentials under. */
    public static final String HUB_KEY = "https://index.docker.io/v1/";

    private final Path file;
    private final Map<String, Object> doc;

    private DockerConfig(Path file, Map<String, Object> doc) {
        this.file = file;
        this.doc = doc;
    }

    public static Path defaultFile() {
        String dir = System.getenv("DOCKER_CONFIG");
        if (dir != null && !dir.isEmpty()) return Path.of(dir, "config.json");
        return Path.of(System.getProperty("user.home"), ".docker", "config.json");
    }

    public static DockerConfig load() {
        return load(defaultFile());
    }

    public static DockerConfig load(Path file) {
        try {
            byte[] raw = Files.readAllBytes(file);
            if (raw.length == 0) return new DockerConfig(file, new LinkedHashMap<>());
            return new DockerConfig(file, new LinkedHashMap<>(Json.parseObject(raw)));
        } catch (NoSuchFileException e) {
            return new DockerConfig(file, new LinkedHashMap<>());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getMessage());
        }
    }

    public Path file() {
        return file;
    }

    /** The key a registry's credentials are filed under: the host, except for Docker Hub's historical URL. */
    public static String key(String host) {
        return host.equals(ImageRef.DOCKER_HUB) || host.equals("index.docker.io") || host.equals("registry-1.docker.io")
                ? HUB_KEY
                : host;
    }

    /** docker's ConvertToHostname: strips a scheme and a path, keeps the port. */
    static String hostname(String key) {
        String s = key;
        if (s.startsWith("http://")) s = s.substring(7);
        else if (s.startsWith("https://")) s = s.substring(8);
        int slash = s.indexOf('/');
        return slash < 0 ? s : s.substring(0, slash);
    }

    /** The helper that holds this registry's credentials, or null for the file itself. */
    public String helperFor(String host) {
        Map<String, Object> helpers = JsonObjects.object(doc, "credHelpers");
        if (helpers != null && helpers.get(host) instanceof String h && !h.isEmpty()) return h;
        String store = JsonObjects.string(doc, "credsStore");
        return store == null || store.isEmpty() ? null : store;
    }

    /** Credentials for a registry host, or {@link Credentials#NONE}. */
    public Credentials lookup(String host) throws IOException {
        String key = key(host);
        String helper = helperFor(host);
        if (helper != null) return CredentialHelper.get(helper, key);
        Map<String, Object> entry = authEntry(key);
        return entry == null ? Credentials.NONE : decode(entry, key);
    }

    private Map<String, Object> authEntry(String key) {
        Map<String, Object> auths = JsonObjects.object(doc, "auths");
        if (auths == null) return null;
        if (auths.get(key) instanceof Map<?, ?>) return JsonObjects.object(auths, key);
        String host = hostname(key);
        for (String k : auths.keySet()) {
            if (hostname(k).equals(host) && auths.get(k) instanceof Map<?, ?>) return JsonObjects.object(auths, k);
        }
        return null;
    }

    private Credentials decode(Map<String, Object> entry, String key) {
        String user = JsonObjects.string(entry, "username");
        String pass = JsonObjects.string(entry, "password");
        String auth = JsonObjects.string(entry, "auth");
        if (auth != null && !auth.isEmpty()) {
            String pair;
            try {
                pair = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": the \"auth\" entry for " + key + " is not valid base64");
            }
            int colon = pair.indexOf(':');
            if (colon <= 0)
                throw new IllegalArgumentException(file + ": the \"auth\" entry for " + key + " has no user name");
            user = pair.substring(0, colon);
            pass = pair.substring(colon + 1).replaceAll("\0+$", "");
        }
        String token = JsonObjects.string(entry, "identitytoken");
        if ((user == null || user.isEmpty()) && (token == null || token.isEmpty())) return Credentials.NONE;
        return new Credentials(user, pass, token);
    }

    /** Stores credentials as docker login does: in the helper when one is configured, else base64 in the file. */
    public void store(String host, Credentials c) throws IOException {
        String key = key(host);
        String helper = helperFor(host);
        Map<String, Object> auths = mutableAuths();
        Map<String, Object> entry = new LinkedHashMap<>();
        if (helper != null) {
            CredentialHelper.store(helper, key, c);
        } else {
            String pair = c.username() + ":" + c.password();
            entry.put("auth", Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
            if (c.hasIdentityToken()) entry.put("identitytoken", c.identityToken());
        }
        auths.put(key, entry);
        save();
    }

    /** Removes a registry's credentials; false when there were none. */
    public boolean erase(String host) throws IOException {
        String key = key(host);
        String helper = helperFor(host);
        boolean had = false;
        if (helper != null) had = CredentialHelper.erase(helper, key);
        Map<String, Object> auths = mutableAuths();
        if (auths.remove(key) != null) had = true;
        for (String k : List.copyOf(auths.keySet())) {
            if (hostname(k).equals(hostname(key))) had |= auths.remove(k) != null;
        }
        save();
        return had;
    }

    private Map<String, Object> mutableAuths() {
        Map<String, Object> auths = JsonObjects.object(doc, "auths");
        Map<String, Object> copy = auths == null ? new LinkedHashMap<>() : new LinkedHashMap<>(auths);
        doc.put("auths", copy);
        return copy;
    }

    /** Writes the file as docker does (tab-indented, mode 0600), atomically. */
    private void save() throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path tmp = Files.createTempFile(
                dir,
                ".config.json",
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.write(tmp, Json.write(doc, new Json.Style("\t", true)));
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The {@code docker-credential-<name>} protocol: one action per process, request on stdin, answer on stdout. */
    static final class CredentialHelper {
        private CredentialHelper() {}

        static Credentials get(String helper, String serverUrl) throws IOException {
            Result r = call(helper, "get", serverUrl);
            if (r.code != 0) {
                if (r.out.contains("credentials not found")) return Credentials.NONE;
                throw new IOException("credential helper docker-credential-" + helper
                        + " failed to get credentials for " + serverUrl + ": " + r.out.trim());
            }
            Map<String, Object> m;
            try {
                m = Json.parseObject(r.out.getBytes(StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                throw new IOException(
                        "credential helper docker-credential-" + helper + " gave an answer that is not JSON");
            }
            String user = JsonObjects.string(m, "Username");
            String secret = JsonObjects.string(m, "Secret");
            if ("<token>".equals(user)) return new Credentials(null, null, secret);
            return user == null || user.isEmpty() ? Credentials.NONE : new Credentials(user, secret, null);
        }

        static void store(String helper, String serverUrl, Credentials c) throws IOException {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ServerURL", serverUrl);
            m.put("Username", c.hasIdentityToken() ? "<token>" : c.username());
            m.put("Secret", c.hasIdentityToken() ? c.identityToken() : c.password());
            Result r = call(helper, "store", new String(Json.write(m), StandardCharsets.UTF_8));
            if (r.code != 0)
                throw new IOException("credential helper docker-credential-" + helper + " failed to store credentials: "
                        + r.out.trim());
        }

        static boolean erase(String helper, String serverUrl) throws IOException {
            Result r = call(helper, "erase", serverUrl);
            if (r.code != 0 && !r.out.contains("credentials not found")) {
                throw new IOException("credential helper docker-credential-" + helper + " failed to erase credentials: "
                        + r.out.trim());
            }
            return r.code == 0;
        }

        private record Result(int code, String out) {}

        private static Result call(String helper, String action, String input) throws IOException {
            String exe = "docker-credential-" + helper;
            Process p;
            try {
                p = new ProcessBuilder(exe, action).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new IOException("credential helper " + exe + " (credsStore/credHelpers in " + defaultFile()
                        + ") is not installed or not on PATH");
            }
            try (OutputStream in = p.getOutputStream()) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream o = p.getInputStream()) {
                o.transferTo(out);
            }
            try {
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException("credential helper " + exe + " did not answer within 60 seconds");
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for " + exe);
            }
            return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8));
        }
    }
}
