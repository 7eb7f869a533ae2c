package dev.whittle.image;

import java.util.Locale;
import java.util.Objects;

/**
 * A docker image reference, normalised as docker does: {@code golang} is {@code docker.io/library/golang:latest};
 * the first component is a registry only if it has a '.' or ':', is {@code localhost}, or has upper-case letters.
 * A reference by digest drops the tag, as docker does.
 */
public record ImageRef(String domain, String path, String tag, Digest digest) {
    public static final String DOCKER_HUB = "docker.io";

    /** Parses a reference, adding the default tag {@code latest} when neither tag nor digest is given. */
    public static ImageRef parse(String ref) {
        ImageRef r = parseNoDefault(ref);
        return r.tag == null && r.digest == null ? new ImageRef(r.domain, r.path, "latest", null) : r;
    }

    /** Parses a reference without adding a default tag (for filters like {@code whittle images site}). */
    public static ImageRef parseNoDefault(String ref) {
        if (ref == null || ref.isEmpty()) throw new InvalidReferenceException("invalid reference format");
        String name = ref;
        Digest digest = null;
        int at = name.indexOf('@');
        if (at >= 0) {
            try {
                digest = Digest.parse(name.substring(at + 1));
            } catch (IllegalArgumentException e) {
                throw new InvalidReferenceException("invalid reference format: " + e.getMessage());
            }
            name = name.substring(0, at);
        }
        String tag = null;
        int colon = name.lastIndexOf(':');
        if (colon > name.lastIndexOf('/')) {
            tag = name.substring(colon + 1);
            name = name.substring(0, colon);
            if (!isTag(tag)) throw new InvalidReferenceException("invalid reference format");
        }
        String domain;
        String path;
        int slash = name.indexOf('/');
        String first = slash < 0 ? null : name.substring(0, slash);
        if (first != null
                && (first.contains(".")
                        || first.contains(":")
                        || first.equals("localhost")
                        || !first.toLowerCase(Locale.ROOT).equals(first))) {
            domain = first;
            path = name.substring(slash + 1);
            if (!isDomain(domain)) throw new InvalidReferenceException("invalid reference format");
        } else {
            domain = DOCKER_HUB;
            path = name;
        }
        if (domain.equals("index.docker.io")) domain = DOCKER_HUB;
        if (!path.toLowerCase(Locale.ROOT).equals(path)) {
            throw new InvalidReferenceException("invalid reference format: repository name must be lowercase");
        }
        if (!isPath(path)) throw new InvalidReferenceException("invalid reference format");
        if (domain.equals(DOCKER_HUB) && !path.contains("/")) {
            if (Digest.isLowerHex(path, 64)) {
                throw new InvalidReferenceException(
                        "invalid repository name (" + path + "), cannot specify 64-byte hexadecimal strings");
            }
            path = "library/" + path;
        }
        if ((domain + "/" + path).length() > 255)
            throw new InvalidReferenceException("repository name must not be more than 255 characters");
        if (digest != null) tag = null;
        return new ImageRef(domain, path, tag, digest);
    }

    // docker's reference grammar (distribution/reference), matched by hand: the regexes cost a young JVM ~1 ms a name,
    // and every command that lists or resolves images parses every name in the index. ReferenceGrammarTest holds the
    // regexes they replace and compares the two on many strings.

    /** {@code [\w][\w.-]{0,127}} */
    static boolean isTag(String t) {
        if (t.isEmpty() || t.length() > 128 || !isWord(t.charAt(0))) return false;
        for (int i = 1; i < t.length(); i++) {
            char c = t.charAt(i);
            if (!isWord(c) && c != '.' && c != '-') return false;
        }
        return true;
    }

    /** Components {@code [a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*} joined by '/'. */
    static boolean isPath(String p) {
        int i = 0, n = p.length();
        while (true) {
            int end = p.indexOf('/', i);
            if (end < 0) end = n;
            if (!isComponent(p, i, end)) return false;
            if (end == n) return true;
            i = end + 1;
        }
    }

    private static boolean isComponent(String p, int from, int to) {
        int i = from;
        if (i >= to || !isLowerAlnum(p.charAt(i))) return false;
        while (i < to) {
            while (i < to && isLowerAlnum(p.charAt(i))) i++;
            if (i == to) return true;
            char c = p.charAt(i);
            if (c == '.') i++;
            else if (c == '_') i += i + 1 < to && p.charAt(i + 1) == '_' ? 2 : 1;
            else if (c == '-') while (i < to && p.charAt(i) == '-') i++;
            else return false;
            if (i >= to || !isLowerAlnum(p.charAt(i))) return false; // a separator needs a run after it
        }
        return true;
    }

    /** Host labels {@code [a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?} joined by '.', or {@code [ipv6]}; then {@code :port}. */
    static boolean isDomain(String d) {
        int n = d.length(), i;
        if (n > 0 && d.charAt(0) == '[') {
            int close = d.indexOf(']');
            if (close < 2) return false;
            for (int k = 1; k < close; k++) {
                char c = d.charAt(k);
                if (!(c == ':' || Character.digit(c, 16) >= 0 && c < 128)) return false;
            }
            i = close + 1;
        } else {
            i = 0;
            while (true) {
                int start = i;
                while (i < n && (isAlnum(d.charAt(i)) || d.charAt(i) == '-')) i++;
                if (i == start || d.charAt(start) == '-' || d.charAt(i - 1) == '-') return false;
                if (i < n && d.charAt(i) == '.') {
                    i++;
                    continue;
                }
                break;
            }
        }
        if (i == n) return true;
        if (d.charAt(i) != ':' || i + 1 == n) return false;
        for (int k = i + 1; k < n; k++) if (d.charAt(k) < '0' || d.charAt(k) > '9') return false;
        return true;
    }

    private static boolean isWord(char c) {
        return isAlnum(c) || c == '_';
    }

    private static boolean isAlnum(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    private static boolean isLowerAlnum(char c) {
        return c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
    }

    /** {@code docker.io/library/golang} */
    public String repository() {
        return domain + "/" + path;
    }

    /** The short form docker prints: {@code golang}, {@code myreg:5000/app}. */
    public String familiarRepository() {
        if (domain.equals(DOCKER_HUB)) {
            return path.startsWith("library/") && path.indexOf('/', 8) < 0 ? path.substring(8) : path;
        }
        return domain + "/" + path;
    }

    /** {@code golang:latest}, {@code app@sha256:...}. */
    public String familiar() {
        return familiarRepository() + suffix();
    }

    /** {@code docker.io/library/golang:latest}. */
    @Override
    public String toString() {
        return repository() + suffix();
    }

    private String suffix() {
        return (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    public ImageRef withTag(String t) {
        return new ImageRef(domain, path, t, null);
    }

    public ImageRef withDigest(Digest d) {
        return new ImageRef(domain, path, null, d);
    }

    public ImageRef withDomain(String d) {
        return new ImageRef(d, path, tag, digest);
    }

    /** Thrown for references docker also refuses; the message is docker's. */
    public static final class InvalidReferenceException extends IllegalArgumentException {
        public InvalidReferenceException(String message) {
            super(message);
        }
    }

    /** Written out, as in {@link Digest}: the generated ones cost milliseconds to bind on first use. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ImageRef r
                && Objects.equals(domain, r.domain)
                && Objects.equals(path, r.path)
                && Objects.equals(tag, r.tag)
                && Objects.equals(digest, r.digest);
    }

    @Override
    public int hashCode() {
        return Objects.hash(domain, path, tag, digest);
    }
}
