package dev.whittle.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParallelGzipTest {
    static byte[] gzip(byte[] data, int chunk) throws IOException {
        return gzip(data, chunk, Libdeflate.available());
    }

    static byte[] gzip(byte[] data, int chunk, boolean members) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ParallelGzipOutputStream z = new ParallelGzipOutputStream(out, 6, members)) {
            for (int i = 0; i < data.length; i += chunk) z.write(data, i, Math.min(chunk, data.length - i));
        }
        return out.toByteArray();
    }

    static byte[] compressible(int size, long seed) {
        Random r = new Random(seed);
        byte[] data = new byte[size];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i % 64 < 48 ? 'a' + (i / 64) % 26 : r.nextInt(256));
        return data;
    }

    @ParameterizedTest(name = "libdeflate members: {0}")
    @ValueSource(booleans = {true, false})
    void standardGzipReadsItBackAndBytesAreStable(boolean members) throws IOException {
        if (members)
            assertThat(Libdeflate.available())
                    .as("libdeflate0 is installed by scripts/install-deps")
                    .isTrue();
        byte[] data = compressible(3_000_000, 42);
        byte[] a = gzip(data, 7919, members);
        byte[] b = gzip(data, 1 << 20, members);
        assertThat(a).isEqualTo(b);
        assertThat(new GZIPInputStream(new ByteArrayInputStream(a)).readAllBytes())
                .isEqualTo(data);
        assertThat(a.length).isLessThan(data.length / 2);
    }

    /** gzip(1) and Go's reader (what docker and containerd use) read the members as one stream, like the JDK does. */
    @Test
    void membersAreOneStreamForGzipAndGo(@TempDir Path dir) throws Exception {
        assertThat(Libdeflate.available())
                .as("libdeflate0 is installed by scripts/install-deps")
                .isTrue();
        byte[] data = compressible(2_500_000, 3);
        Path z = dir.resolve("layer.gz");
        Files.write(z, gzip(data, 65536, true));
        Process p = new ProcessBuilder("gzip", "-dc", z.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        byte[] back = p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        assertThat(back).isEqualTo(data);
        Path go = Path.of("/usr/bin/go");
        Assumptions.assumeTrue(Files.isExecutable(go), "golang-go is not installed (scripts/install-deps installs it)");
        Files.writeString(dir.resolve("main.go"), """
                package main

                import ("compress/gzip"; "crypto/sha256"; "fmt"; "io"; "os")

                func main() {
                	f, _ := os.Open(os.Args[1])
                	r, err := gzip.NewReader(f)
                	if err != nil { panic(err) }
                	h := sha256.New()
                	n, err := io.Copy(h, r)
                	if err != nil { panic(err) }
                	fmt.Printf("%d %x", n, h.Sum(nil))
                }
                """);
        ProcessBuilder pb = new ProcessBuilder(go.toString(), "run", "main.go", z.toString())
                .directory(dir.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("GOCACHE", dir.resolve("gocache").toString());
        pb.environment().put("GO111MODULE", "off");
        Process g = pb.start();
        String out = new String(g.getInputStream().readAllBytes());
        assertThat(g.waitFor()).isZero();
        assertThat(out)
                .isEqualTo(data.length + " "
                        + java.util.HexFormat.of()
                                .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                        .digest(data)));
    }

    @Test
    void libdeflateMembersAreNoBiggerThanZlibBlocks() throws IOException {
        byte[] data = compressible(4_000_000, 11);
        assertThat(gzip(data, 1 << 16, true).length).isLessThanOrEqualTo(gzip(data, 1 << 16, false).length);
    }

    @Test
    void systemZlibBlocksInflateBackAndAreAsSmallAsTheJdks() throws IOException {
        assertThat(SystemZlib.available())
                .as("Debian always has libz.so.1 (zlib1g is essential)")
                .isTrue();
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
            assertThat(Math.abs(sys.length - jdk.length))
                    .as("same algorithm, same level")
                    .isLessThan(data.length / 50);
        }
        byte[] incompressible = new byte[200_000];
        r.nextBytes(incompressible);
        assertThat(SystemZlib.forLevel(6).deflate(incompressible, incompressible.length, null, true).length)
                .isGreaterThan(incompressible.length);
    }

    @ParameterizedTest(name = "libdeflate members: {0}")
    @ValueSource(booleans = {true, false})
    void emptyInputIsAValidGzip(boolean members) throws IOException {
        byte[] z = gzip(new byte[0], 1, members);
        assertThat(new GZIPInputStream(new ByteArrayInputStream(z)).readAllBytes())
                .isEmpty();
        assertThat(Compression.detect(z, z.length)).isEqualTo(Compression.Kind.GZIP);
    }
}
