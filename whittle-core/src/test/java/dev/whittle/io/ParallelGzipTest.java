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
    void emptyInputIsAValidGzip() throws IOException {
        byte[] z = gzip(new byte[0], 1);
        assertThat(new GZIPInputStream(new ByteArrayInputStream(z)).readAllBytes()).isEmpty();
        assertThat(Compression.detect(z, z.length)).isEqualTo(Compression.Kind.GZIP);
    }
}
