package dev.whittle.build;

import dev.whittle.image.Digest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Cache keys: a digest over the parent's key and the parts that decide a step's result. */
final class CacheKeys {
    private CacheKeys() {}

    static Digest of(Digest parent, String... parts) {
        MessageDigest md = Digest.newSha256();
        md.update((parent == null ? "" : parent.toString()).getBytes(StandardCharsets.UTF_8));
        for (String p : parts) {
            md.update((byte) 0);
            md.update(p.getBytes(StandardCharsets.UTF_8));
        }
        return Digest.ofSha256(md.digest());
    }
}
