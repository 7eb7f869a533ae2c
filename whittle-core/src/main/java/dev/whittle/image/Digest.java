package dev.whittle.image;

import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * A content digest {@code algorithm:hex}. Only sha256 is produced; sha512 is accepted when read. The hex is
 * validated before a digest is ever used in a path or URL (CVE-2024-3727, CVE-2014-9358).
 */
public record Digest(String algorithm, String hex) implements Comparable<Digest> {
    public Digest {
        switch (algorithm) {
            case "sha256" -> {
                if (!isLowerHex(hex, 64)) throw new IllegalArgumentException("invalid sha256 digest: " + hex);
            }
            case "sha512" -> {
                if (!isLowerHex(hex, 128)) throw new IllegalArgumentException("invalid sha512 digest: " + hex);
            }
            default -> throw new IllegalArgumentException("unsupported digest algorithm: " + algorithm);
        }
    }

    /** Whether {@code s} is exactly {@code length} characters of [a-f0-9] (by hand: a regex costs a young JVM more). */
    static boolean isLowerHex(String s, int length) {
        if (s.length() != length) return false;
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) return false;
        }
        return true;
    }

    /** Parses {@code sha256:<64 lower-case hex>}. */
    public static Digest parse(String s) {
        if (s == null) throw new IllegalArgumentException("missing digest");
        int i = s.indexOf(':');
        if (i <= 0) throw new IllegalArgumentException("invalid digest \"" + s + "\": expected algorithm:hex");
        return new Digest(s.substring(0, i), s.substring(i + 1));
    }

    public static boolean isDigest(String s) {
        try {
            parse(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public static Digest sha256(byte[] data) {
        byte[] raw = data.length > Sha256.SMALL ? newSha256().digest(data) : SmallSha256.digest(data, 0, data.length);
        return new Digest("sha256", HexFormat.of().formatHex(raw));
    }

    public static Digest ofSha256(byte[] rawDigest) {
        return new Digest("sha256", HexFormat.of().formatHex(rawDigest));
    }

    /** A SHA-256 hasher: big inputs go through libcrypto where it loads (fast whatever the JIT has done), see {@link Sha256}. */
    public static MessageDigest newSha256() {
        return new Sha256();
    }

    /** Binds libcrypto now (where a command will hash big inputs soon, on a thread that would otherwise idle). */
    public static void prepareNativeHashing() {
        Sha256.nativeAvailable();
    }

    /** The 12-hex short form docker shows as IMAGE ID. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }

    // Written out rather than generated: a record's generated equals and hashCode are bound on first call through
    // method handles, ~15 ms in a young JVM, and every command's first map of digests paid it.
    @Override
    public boolean equals(Object o) {
        return o instanceof Digest d && hex.equals(d.hex) && algorithm.equals(d.algorithm);
    }

    @Override
    public int hashCode() {
        return hex.hashCode();
    }

    @Override
    public int compareTo(Digest o) {
        return toString().compareTo(o.toString());
    }
}
