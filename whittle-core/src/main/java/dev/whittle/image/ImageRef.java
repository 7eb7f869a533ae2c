package dev.whittle.image;

import java.util.regex.Pattern;

/**
 * A docker image reference, normalised as docker does: {@code golang} is {@code docker.io/library/golang:latest};
 * the first component is a registry only if it has a '.' or ':', is {@code localhost}, or has upper-case letters.
 * A reference by digest drops the tag, as docker does.
 */
public record ImageRef(String domain, String path, String tag, Digest digest) {
    public static final String DOCKER_HUB = "docker.io";
    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
    private static final Pattern PATH = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
                    + "(?::[0-9]+)?|\\[[0-9a-fA-F:]+\\](?::[0-9]+)?");
    private static final Pattern HEX64 = Pattern.compile("[a-f0-9]{64}");

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
            if (!TAG.matcher(tag).matches()) throw new InvalidReferenceException("invalid reference format");
        }
        String domain;
        String path;
        int slash = name.indexOf('/');
        String first = slash < 0 ? null : name.substring(0, slash);
        if (first != null && (first.contains(".") || first.contains(":") || first.equals("localhost")
                || !first.toLowerCase(java.util.Locale.ROOT).equals(first))) {
            domain = first;
            path = name.substring(slash + 1);
            if (!DOMAIN.matcher(domain).matches()) throw new InvalidReferenceException("invalid reference format");
        } else {
            domain = DOCKER_HUB;
            path = name;
        }
        if (domain.equals("index.docker.io")) domain = DOCKER_HUB;
        if (!path.toLowerCase(java.util.Locale.ROOT).equals(path)) {
            throw new InvalidReferenceException("invalid reference format: repository name must be lowercase");
        }
        if (!PATH.matcher(path).matches()) throw new InvalidReferenceException("invalid reference format");
        if (domain.equals(DOCKER_HUB) && !path.contains("/")) {
            if (HEX64.matcher(path).matches()) {
                throw new InvalidReferenceException("invalid repository name (" + path
                        + "), cannot specify 64-byte hexadecimal strings");
            }
            path = "library/" + path;
        }
        if ((domain + "/" + path).length() > 255) throw new InvalidReferenceException("repository name must not be more than 255 characters");
        if (digest != null) tag = null;
        return new ImageRef(domain, path, tag, digest);
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
    @Override public String toString() {
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
    @Override public boolean equals(Object o) {
        return o instanceof ImageRef r && java.util.Objects.equals(domain, r.domain) && java.util.Objects.equals(path, r.path)
                && java.util.Objects.equals(tag, r.tag) && java.util.Objects.equals(digest, r.digest);
    }

    @Override public int hashCode() {
        return java.util.Objects.hash(domain, path, tag, digest);
    }
}
