package dev.whittle.registry;

import dev.whittle.image.ImageRef;
import dev.whittle.json.Json;
import dev.whittle.json.JsonException;
import dev.whittle.json.JsonObjects;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where images are pulled from and how: mirrors, insecure (plain HTTP or unverified TLS) registries, retries and
 * time-outs. Read from {@code $WHITTLE_REGISTRIES_CONFIG}, else {@code $XDG_CONFIG_HOME/whittle/registries.json}
 * (default {@code ~/.config}), else {@code /etc/whittle/registries.json}. The keys follow docker's
 * {@code daemon.json} ({@code registry-mirrors}, {@code insecure-registries}); {@code registries} adds per-registry
 * mirrors for any registry, as containers' {@code registries.conf} does. See docs/registries.md.
 */
public record RegistryConfig(
        Map<String, Registry> registries,
        List<String> insecure,
        int retries,
        Duration retryBase,
        Duration timeout,
        int parallel,
        long chunkSize,
        boolean loopbackOnly,
        Path source) {
    public static final String ENV = "WHITTLE_REGISTRIES_CONFIG";
    /** The same, as a system property (takes precedence; for embedding and in-process tests). */
    public static final String PROPERTY = "whittle.registries.config";

    /** Per-registry settings: mirrors (pull only, tried in order) and whether the registry itself may be skipped. */
    public record Registry(List<Endpoint> mirrors, boolean mirrorsOnly, boolean insecure) {}

    /**
     * A place to talk to: host[:port], an optional path prefix (a mirror may keep images under one), and a scheme
     * when the configuration names one (null: HTTPS, with HTTP as fallback for insecure and loopback registries).
     */
    public record Endpoint(String host, String prefix, String scheme, boolean mirror) {
        /** A registry itself; Docker Hub's API lives at registry-1.docker.io, not at docker.io. */
        public static Endpoint of(String registry) {
            if (registry.equals(ImageRef.DOCKER_HUB)) return new Endpoint("registry-1.docker.io", "", "https", false);
            return new Endpoint(registry, "", null, false);
        }

        /** Parses {@code [http[s]://]host[:port][/prefix]}. */
        static Endpoint parseMirror(String s, String where) {
            String scheme = null;
            String rest = s.trim();
            int sep = rest.indexOf("://");
            if (sep >= 0) {
                scheme = rest.substring(0, sep).toLowerCase(Locale.ROOT);
                if (!scheme.equals("http") && !scheme.equals("https")) {
                    throw new IllegalArgumentException(
                            where + ": mirror \"" + s + "\": only http:// and https:// are supported");
                }
                rest = rest.substring(sep + 3);
            }
            while (rest.endsWith("/")) rest = rest.substring(0, rest.length() - 1);
            if (rest.contains("@") || rest.contains("?") || rest.contains("#") || rest.isEmpty()) {
                throw new IllegalArgumentException(where + ": mirror \"" + s
                        + "\" must be [scheme://]host[:port][/path] without user, query or fragment");
            }
            int slash = rest.indexOf('/');
            String host = slash < 0 ? rest : rest.substring(0, slash);
            String prefix = slash < 0 ? "" : rest.substring(slash + 1);
            return new Endpoint(host, prefix, scheme, true);
        }

        public String repository(String path) {
            return prefix.isEmpty() ? path : prefix + "/" + path;
        }

        @Override
        public String toString() {
            return (scheme != null ? scheme + "://" : "") + host + (prefix.isEmpty() ? "" : "/" + prefix);
        }
    }

    public static RegistryConfig defaults() {
        return new RegistryConfig(
                Map.of(), List.of(), 5, Duration.ofMillis(250), Duration.ofSeconds(60), 3, 0, false, null);
    }

    /** Loads the first configuration file that exists, or the defaults. */
    public static RegistryConfig load() {
        String prop = System.getProperty(PROPERTY);
        if (prop != null && !prop.isEmpty()) return load(Path.of(prop), true);
        String env = System.getenv(ENV);
        if (env != null && !env.isEmpty()) return load(Path.of(env), true);
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path user = (xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config"))
                .resolve("whittle/registries.json");
        if (Files.isRegularFile(user)) return load(user, true);
        return load(Path.of("/etc/whittle/registries.json"), false);
    }

    public static RegistryConfig load(Path file, boolean mustExist) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            if (mustExist) throw new IllegalArgumentException("registry configuration " + file + " does not exist");
            return defaults();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read registry configuration " + file + ": " + e.getMessage());
        }
        try {
            return parse(Json.parseObject(raw), file);
        } catch (JsonException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw e.getMessage() != null && e.getMessage().startsWith(file.toString())
                    ? e
                    : new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }

    static RegistryConfig parse(Map<String, Object> m, Path file) {
        String where = String.valueOf(file);
        Map<String, Registry> regs = new LinkedHashMap<>();
        List<String> insecure = new ArrayList<>();
        for (String s : strings(m, "insecure-registries")) insecure.add(s.trim());
        List<Endpoint> hub = new ArrayList<>();
        for (String s : strings(m, "registry-mirrors")) hub.add(Endpoint.parseMirror(s, where));
        if (!hub.isEmpty()) regs.put(ImageRef.DOCKER_HUB, new Registry(List.copyOf(hub), false, false));
        Map<String, Object> per = JsonObjects.object(m, "registries");
        if (per != null) {
            for (Map.Entry<String, Object> e : per.entrySet()) {
                if (!(e.getValue() instanceof Map<?, ?>))
                    throw new IllegalArgumentException(where + ": registries." + e.getKey() + " must be an object");
                @SuppressWarnings("unchecked")
                Map<String, Object> r = (Map<String, Object>) e.getValue();
                String host = e.getKey().equals("index.docker.io") ? ImageRef.DOCKER_HUB : e.getKey();
                List<Endpoint> mirrors =
                        new ArrayList<>(regs.containsKey(host) ? regs.get(host).mirrors() : List.of());
                for (String s : strings(r, "mirrors")) mirrors.add(Endpoint.parseMirror(s, where));
                regs.put(
                        host,
                        new Registry(
                                List.copyOf(mirrors),
                                JsonObjects.bool(r, "mirrors-only"),
                                JsonObjects.bool(r, "insecure")));
            }
        }
        int retries = (int) JsonObjects.number(m, "retries", 5);
        Duration base = Duration.ofMillis(JsonObjects.number(m, "retry-backoff-ms", 250));
        Duration timeout = Duration.ofSeconds(JsonObjects.number(m, "timeout-seconds", 60));
        int parallel = (int) JsonObjects.number(m, "max-concurrent-transfers", 3);
        long chunk = JsonObjects.number(m, "upload-chunk-size-mb", 0) << 20;
        if (chunk < 0 || retries < 0 || parallel < 1 || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(
                    where
                            + ": retries and upload-chunk-size-mb must be >= 0, max-concurrent-transfers >= 1 and timeout-seconds > 0");
        }
        return new RegistryConfig(
                Map.copyOf(regs),
                List.copyOf(insecure),
                retries,
                base,
                timeout,
                parallel,
                chunk,
                JsonObjects.bool(m, "loopback-only"),
                file);
    }

    private static List<String> strings(Map<String, Object> m, String key) {
        List<String> l = JsonObjects.strings(m, key);
        return l == null ? List.of() : l;
    }

    /** Where to pull {@code ref} from, in order: the mirrors, then (unless mirrors-only) the registry itself. */
    public List<Endpoint> pullEndpoints(ImageRef ref) {
        List<Endpoint> out = new ArrayList<>();
        Registry r = registries.get(ref.domain());
        if (r != null) out.addAll(r.mirrors());
        if (r == null || !r.mirrorsOnly() || r.mirrors().isEmpty()) out.add(Endpoint.of(ref.domain()));
        return out;
    }

    /**
     * Refuses a host the configuration does not allow ({@code "loopback-only": true} keeps every request, redirects and
     * token servers included, on this machine: what tests, CI and air-gapped builds want).
     */
    public void checkAllowed(String host) throws RegistryException {
        if (loopbackOnly && !isLoopback(hostOnly(host))) {
            throw new RegistryException(
                    "registry " + host + " is not on this machine, and " + source
                            + " allows loopback registries only (\"loopback-only\": true)",
                    "DENIED",
                    0);
        }
    }

    /** Whether plain HTTP and unverified TLS are allowed: loopback hosts always, as docker does, and named ones. */
    public boolean isInsecure(String host) {
        Registry r = registries.get(host);
        if (r != null && r.insecure()) return true;
        String bare = hostOnly(host);
        for (String s : insecure) {
            if (s.equals(host) || s.equals(bare)) return true;
            if (s.contains("/") && inCidr(bare, s)) return true;
        }
        return isLoopback(bare);
    }

    static String hostOnly(String host) {
        if (host.startsWith("[")) return host.substring(1, host.indexOf(']'));
        int c = host.lastIndexOf(':');
        return c > 0 ? host.substring(0, c) : host;
    }

    static boolean isLoopback(String host) {
        if (host.equals("localhost")) return true;
        // only literal addresses: a name must never cause a DNS lookup here
        if (!host.matches("[0-9]+(\\.[0-9]+){3}") && !(host.contains(":") && host.matches("[0-9a-fA-F:]+")))
            return false;
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static boolean inCidr(String host, String cidr) {
        if (!host.matches("[0-9]+(\\.[0-9]+){3}")) return false;
        try {
            String[] p = cidr.split("/");
            byte[] net = InetAddress.getByName(p[0]).getAddress();
            byte[] h = InetAddress.getByName(host).getAddress();
            if (net.length != h.length) return false;
            int bits = Integer.parseInt(p[1]);
            for (int i = 0; i < net.length && bits > 0; i++, bits -= 8) {
                int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
                if ((net[i] & mask) != (h[i] & mask)) return false;
            }
            return true;
        } catch (UnknownHostException | NumberFormatException e) {
            return false;
        }
    }
}
