package dev.whittle.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** whittle's SHA-256 (kept bytes for small inputs, libcrypto for big ones) must give exactly the JDK's digests. */
class Sha256Test {
    @Test
    void libcryptoIsBoundWhereItIsInstalled() {
        boolean installed = Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libcrypto.so.3"))
                || Files.exists(Path.of("/usr/lib/aarch64-linux-gnu/libcrypto.so.3"));
        assertThat(Sha256.nativeAvailable())
                .as("libcrypto.so.3 is installed, so it must load")
                .isEqualTo(installed);
    }

    @Test
    void digestsEqualTheJdksForAnySizeAndAnySplitOfTheInput() throws Exception {
        Random r = new Random(42);
        for (int round = 0; round < 200; round++) {
            int size = switch (round % 4) {
                case 0 -> r.nextInt(300);
                case 1 -> Sha256.SMALL - 2 + r.nextInt(5); // either side of the hand-over
                default -> r.nextInt(1 << 20);
            };
            byte[] data = new byte[size];
            r.nextBytes(data);
            MessageDigest mine = Digest.newSha256();
            int at = 0;
            while (at < data.length) {
                int n = Math.min(data.length - at, r.nextInt(3) == 0 ? 1 : r.nextInt(70_000));
                if (n == 1) mine.update(data[at]);
                else mine.update(data, at, n);
                at += n;
            }
            byte[] want = MessageDigest.getInstance("SHA-256").digest(data);
            assertThat(mine.digest()).as("%d bytes", size).isEqualTo(want);
            assertThat(Digest.sha256(data).hex())
                    .isEqualTo(java.util.HexFormat.of().formatHex(want));
        }
    }

    @Test
    void smallInputsOfEveryLengthAroundTheBlockPaddingMatchTheJdkAndTheStandardsVectors() throws Exception {
        assertThat(Digest.sha256("abc".getBytes()).hex())
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(Digest.sha256(new byte[0]).hex())
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        Random r = new Random(3);
        for (int size = 0; size <= 1100; size++) {
            byte[] data = new byte[size + 7];
            r.nextBytes(data);
            byte[] want = MessageDigest.getInstance("SHA-256").digest(java.util.Arrays.copyOfRange(data, 5, 5 + size));
            assertThat(SmallSha256.digest(data, 5, size))
                    .as("%d bytes at an offset", size)
                    .isEqualTo(want);
        }
    }

    @Test
    void resetsAfterDigestAndClonesCarryTheStateSoFar() throws Exception {
        byte[] big = new byte[Sha256.SMALL * 3];
        new Random(7).nextBytes(big);
        for (byte[] first : new byte[][] {"hello ".getBytes(), big}) {
            MessageDigest mine = Digest.newSha256();
            mine.update(first);
            MessageDigest copy = (MessageDigest) mine.clone();
            mine.update("world".getBytes());
            copy.update("there".getBytes());
            assertThat(mine.digest()).isEqualTo(jdk(first, "world".getBytes()));
            assertThat(copy.digest()).isEqualTo(jdk(first, "there".getBytes()));
            mine.update(big);
            assertThat(mine.digest()).as("digest() resets").isEqualTo(jdk(big));
            mine.update(first);
            mine.reset();
            assertThat(mine.digest()).isEqualTo(jdk());
        }
        assertThat(Digest.sha256("abc".getBytes()).toString())
                .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    private static byte[] jdk(byte[]... parts) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (byte[] p : parts) md.update(p);
        return md.digest();
    }
}
