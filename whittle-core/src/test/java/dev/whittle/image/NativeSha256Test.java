package dev.whittle.image;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** libcrypto's SHA-256 must give exactly the JDK's digests, however the bytes arrive. */
class NativeSha256Test {
    @Test
    void isUsedWhereLibcryptoIsInstalled() {
        boolean installed = Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libcrypto.so.3"))
                || Files.exists(Path.of("/usr/lib/aarch64-linux-gnu/libcrypto.so.3"));
        assertThat(NativeSha256.AVAILABLE).as("libcrypto.so.3 is installed, so it must load").isEqualTo(installed);
        if (installed) assertThat(Digest.newSha256()).isInstanceOf(NativeSha256.class);
    }

    @Test
    void digestsEqualTheJdksForAnySplitOfTheInput() throws Exception {
        if (!NativeSha256.AVAILABLE) return; // isUsedWhereLibcryptoIsInstalled says why
        Random r = new Random(42);
        for (int round = 0; round < 200; round++) {
            byte[] data = new byte[r.nextInt(round < 100 ? 300 : 1 << 20)];
            r.nextBytes(data);
            MessageDigest jdk = MessageDigest.getInstance("SHA-256");
            NativeSha256 mine = new NativeSha256();
            int at = 0;
            while (at < data.length) {
                int n = Math.min(data.length - at, r.nextInt(3) == 0 ? 1 : r.nextInt(70_000));
                if (n == 1) mine.update(data[at]);
                else mine.update(data, at, n);
                at += n;
            }
            jdk.update(data);
            assertThat(mine.digest()).as("%d bytes", data.length).isEqualTo(jdk.digest());
        }
    }

    @Test
    void resetsAfterDigestAndClonesCarryTheStateSoFar() throws Exception {
        if (!NativeSha256.AVAILABLE) return;
        byte[] a = "hello ".getBytes(), b = "world".getBytes();
        NativeSha256 mine = new NativeSha256();
        assertThat(mine.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest());
        mine.update(a);
        MessageDigest copy = (MessageDigest) mine.clone();
        mine.update(b);
        copy.update("there".getBytes());
        assertThat(mine.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest("hello world".getBytes()));
        assertThat(copy.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest("hello there".getBytes()));
        mine.update(b);
        assertThat(mine.digest()).as("digest() resets").isEqualTo(MessageDigest.getInstance("SHA-256").digest(b));
        mine.update(a);
        mine.reset();
        assertThat(mine.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest());
        assertThat(Digest.sha256("abc".getBytes()).toString())
                .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
