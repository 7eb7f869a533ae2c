package dev.whittle.io;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

class ParallelGzipTest {
    static byte[] gzip(byte[] data, int chunk) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ParallelGzipOutputStream z = new ParallelGzipOutputStream(out, 6)) {
            for (int i = 0; i < data.length; i += chunk) z.write(data, i, Math.min(chunk, data.length - i));
        }
        return out.toByteArray();
    }

    @Test
    void standardGzipReadsItBackAndBytesAreStable() throws IOException {
        Random r = new Random(42);
        byte[] data = new byte[3_000_000];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i % 64 < 48 ? 'a' + (i / 64) % 26 : r.nextInt(256)); // compressible
        byte[] a = gzip(data, 7919);
        byte[] b = gzip(data, 1 << 20);
        assertThat(a).isEqualTo(b);
        assertThat(new GZIPInputStream(new ByteArrayInputStream(a)).readAllBytes()).isEqualTo(data);
        assertThat(a.length).isLessThan(data.length / 2);
    }

    @Test
    void systemZlibBlocksInflateBackAndAreAsSmallAsTheJdks() throws IOException {
        assertThat(SystemZlib.available()).as("Debian always has libz.so.1 (zlib1g is essential)").isTrue();
        Random r = new Random(7);
        byte[] data = new byte[300_000];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i % 100 < 70 ? 'a' + (i / 100) % 26 : r.nextInt(256));
        byte[] dict = java.util.Arrays.copyOfRange(data, 0, 32 * 1024);
        for (boolean last : new boolean[] {false, true}) {
            byte[] sys = SystemZlib.forLevel(6).deflate(data, data.length, dict, last);
            byte[] jdk = ParallelGzipOutputStream.jdkDeflate(6, data, data.length, dict, last);
            java.util.zip.Inflater inf = new java.util.zip.Inflater(true);
            inf.setDictionary(dict);
            inf.setInput(sys);
            byte[] back = new byte[data.length];
            try {
                int n = 0;
                while (n < back.length) {
                    int k = inf.inflate(back, n, back.length - n);
                    if (k == 0 && inf.needsDictionary()) inf.setDictionary(dict);
                    else if (k == 0) break;
                    n += k;
                }
            } catch (java.util.zip.DataFormatException e) {
                throw new AssertionError(e);
            }
            assertThat(back).isEqualTo(data);
            assertThat(Math.abs(sys.length - jdk.length)).as("same algorithm, same level").isLessThan(data.length / 50);
        }
        byte[] incompressible = new byte[200_000];
        r.nextBytes(incompressible);
        assertThat(SystemZlib.forLevel(6).deflate(incompressible, incompressible.length, null, true).length).isGreaterThan(incompressible.length);
    }

    @Test
    void emptyInputIsAValidGzip() throws IOException {
        byte[] z = gzip(new byte[0], 1);
        assertThat(new GZIPInputStream(new ByteArrayInputStream(z)).readAllBytes()).isEmpty();
        assertThat(Compression.detect(z, z.length)).isEqualTo(Compression.Kind.GZIP);
    }
}
