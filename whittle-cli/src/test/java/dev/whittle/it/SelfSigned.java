package dev.whittle.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A self-signed RSA key and certificate made by openssl, for the loopback servers the tests start. */
final class SelfSigned {
    private SelfSigned() {}

    /** Writes {@code key} (PKCS#8 PEM) and {@code cert} for {@code subject}, with openssl's extra {@code -addext}s. */
    static void make(Path key, Path cert, String subject, String... extensions) throws IOException {
        List<String> cmd = new ArrayList<>(
                List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", subject));
        for (String e : extensions) cmd.addAll(List.of("-addext", e));
        cmd.addAll(List.of("-keyout", key.toString(), "-out", cert.toString()));
        Exec gen = Exec.run(cmd, null, 60);
        if (gen.code() != 0) throw new IOException("openssl failed: " + gen.err());
    }
}
