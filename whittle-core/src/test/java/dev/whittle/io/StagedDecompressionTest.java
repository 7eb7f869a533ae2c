package dev.whittle.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class StagedDecompressionTest {
    static byte[] gzipped(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = new ParallelGzipOutputStream(out, ParallelGzipOutputStream.DEFAULT_LEVEL)) {
            z.write(data);
        }
        return out.toByteArray();
    }

    @Test
    void decompressesOnItsThreadsAndCopiesTheSourceWhole() throws IOException {
        byte[] data = ParallelGzipTest.compressible(5_000_000, 5);
        byte[] gz = gzipped(data);
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        byte[] back;
        try (StagedDecompression s = StagedDecompression.start(new ByteArrayInputStream(gz), copy)) {
            back = s.decompressed().readAllBytes();
            assertThat(s.kind()).isEqualTo(Compression.Kind.GZIP);
        }
        assertThat(back).isEqualTo(data);
        assertThat(copy.toByteArray()).isEqualTo(gz);
    }

    /** A single big member (another tool's gzip) is read by the JDK's zlib; the source stays open for the drain. */
    @Test
    void anotherToolsGzipReadsToTheEndToo() throws IOException {
        byte[] data = ParallelGzipTest.compressible(3_000_000, 9);
        byte[] gz = GzipMembersInputStreamTest.jdkGzip(data);
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        try (StagedDecompression s = StagedDecompression.start(new ByteArrayInputStream(gz), copy)) {
            assertThat(s.decompressed().readAllBytes()).isEqualTo(data);
        }
        assertThat(copy.toByteArray()).isEqualTo(gz);
    }

    @Test
    void aSourceThatFailsReachesTheReader() throws IOException {
        byte[] gz = gzipped(ParallelGzipTest.compressible(3_000_000, 6));
        InputStream broken = new InputStream() {
            private final InputStream in = new ByteArrayInputStream(gz, 0, gz.length / 2);

            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n < 0) throw new IOException("connection reset");
                return n;
            }
        };
        try (StagedDecompression s = StagedDecompression.start(broken, OutputStream.nullOutputStream())) {
            assertThatThrownBy(() -> s.decompressed().readAllBytes())
                    .isInstanceOf(IOException.class)
                    .hasMessage("connection reset");
        }
    }

    @Test
    void corruptDataIsTheDecompressorsOwnError() throws IOException {
        byte[] gz = gzipped(ParallelGzipTest.compressible(300_000, 7));
        for (int i = 40; i < gz.length - 20; i += 97) gz[i] ^= 0x5a;
        try (StagedDecompression s =
                StagedDecompression.start(new ByteArrayInputStream(gz), OutputStream.nullOutputStream())) {
            assertThatThrownBy(() -> s.decompressed().readAllBytes()).isInstanceOf(java.util.zip.ZipException.class);
        }
    }

    /** A reader that gives up early does not wait on a source that never delivers: close ends the threads. */
    @Test
    @Timeout(20)
    void closingEarlyStopsAReadBlockedOnTheSource() throws Exception {
        byte[] head = gzipped(ParallelGzipTest.compressible(200_000, 8));
        CountDownLatch closed = new CountDownLatch(1);
        InputStream stalls = new InputStream() {
            private int at;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (at < 100) {
                    int n = Math.min(len, 100 - at);
                    System.arraycopy(head, at, b, off, n);
                    at += n;
                    return n;
                }
                try {
                    closed.await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
                throw new IOException("closed");
            }

            @Override
            public void close() {
                closed.countDown();
            }
        };
        StagedDecompression s = StagedDecompression.start(stalls, OutputStream.nullOutputStream());
        Thread.sleep(300); // the reading thread is now blocked on the source
        s.close();
        assertThat(closed.getCount())
                .as("the source was closed to end the blocked read")
                .isZero();
    }
}
