package dev.whittle.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** libdeflate reads whittle's members; every other stream, and every damaged one, reads exactly as the JDK reads it. */
class GzipMembersInputStreamTest {
    static byte[] jdkGzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    /** What a reader gives: the bytes, or the kind of failure. */
    static Object outcome(java.io.InputStream in) {
        try (in) {
            return Arrays.hashCode(in.readAllBytes()) + " bytes-hash";
        } catch (IOException e) {
            return "failed";
        }
    }

    static Object jdk(byte[] gz) {
        try {
            return outcome(new GZIPInputStream(new ByteArrayInputStream(gz)));
        } catch (IOException e) {
            return "failed";
        }
    }

    @Test
    void whittlesMembersAreReadByLibdeflateOthersByTheJdk() throws IOException {
        assertThat(Libdeflate.available())
                .as("libdeflate0 is installed by scripts/install-deps")
                .isTrue();
        byte[] data = ParallelGzipTest.compressible(3_500_000, 21);
        GzipMembersInputStream ours =
                new GzipMembersInputStream(new ByteArrayInputStream(ParallelGzipTest.gzip(data, 1 << 16, true)));
        assertThat(ours.readAllBytes()).isEqualTo(data);
        assertThat(ours.handedOver()).isFalse();

        GzipMembersInputStream foreign = new GzipMembersInputStream(new ByteArrayInputStream(jdkGzip(data)));
        assertThat(foreign.readAllBytes()).isEqualTo(data);
        assertThat(foreign.handedOver())
                .as("one 3.5 MB member is more than a MiB")
                .isTrue();
    }

    @Test
    void sameResultAsTheJdkOnWholeCutCorruptAndPaddedStreams() throws IOException {
        byte[] data = ParallelGzipTest.compressible(2_600_000, 22);
        byte[] small = "a small file\n".repeat(100).getBytes();
        byte[] members = ParallelGzipTest.gzip(data, 1 << 16, true);
        byte[] big = jdkGzip(data);
        Random r = new Random(23);
        java.util.List<byte[]> cases = new java.util.ArrayList<>(java.util.List.of(
                members,
                big,
                jdkGzip(small),
                jdkGzip(new byte[0]),
                new byte[0],
                concat(members, big),
                concat(big, members),
                concat(members, jdkGzip(small)),
                concat(members, "trailing junk".getBytes()),
                concat(members, new byte[1000])));
        for (int i = 0; i < 12; i++) {
            byte[] cut = Arrays.copyOf(members, r.nextInt(members.length));
            cases.add(cut);
            byte[] flipped = members.clone();
            flipped[r.nextInt(flipped.length)] ^= (byte) (1 + r.nextInt(255));
            cases.add(flipped);
        }
        for (int i = 0; i < cases.size(); i++) {
            byte[] gz = cases.get(i);
            assertThat(outcome(new GzipMembersInputStream(new ByteArrayInputStream(gz))))
                    .as("case %d", i)
                    .isEqualTo(jdk(gz));
        }
    }
}
