package dev.whittle.bench;

import dev.whittle.dockerfile.DockerIgnore;
import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.Parser;
import dev.whittle.io.HashingOutputStream;
import dev.whittle.io.ParallelGzipOutputStream;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarReader;
import dev.whittle.tar.TarWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The hot paths of a build, measured alone: tar writing and reading (a layer of 10 000 files of 4 KiB), gzip
 * (whittle's parallel gzip against the JDK's single-threaded one on 64 MiB of a real binary-like mix), SHA-256 while
 * streaming, parsing a 2 000-line Dockerfile, and matching 100 000 context paths against a .dockerignore.
 * Run with bench/jmh; bench/jmh also times pigz -p 2 on the same data for comparison.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgs = {"-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED"})
public class HotPaths {
    byte[] data; // 64 MiB, compressible about as much as a Go toolchain layer
    byte[] gzipped; // data as whittle's gzip (libdeflate members where it loads)
    byte[] gzippedJdk; // data as one gzip member (another tool's layer)
    byte[] layer; // a tar of 10 000 files
    String dockerfile; // 2 000 lines
    List<String> paths; // 100 000 context paths
    DockerIgnore ignore;

    Path upper; // a RUN's upper directory: 10 000 files of 4 KiB in 100 directories
    Path storeDir;
    dev.whittle.store.Store store;

    /** Writes the gzip benchmark's data to a file, so bench/jmh can time pigz on the very same bytes. */
    public static void main(String[] args) throws IOException {
        Files.write(Path.of(args[0]), mixed(64 << 20));
    }

    @Setup(Level.Trial)
    public void setup() throws IOException {
        upper = Files.createTempDirectory("whittle-bench-upper-");
        byte[] content = new byte[4096];
        new Random(3).nextBytes(content);
        for (int d = 0; d < 100; d++) {
            Path dir = Files.createDirectories(upper.resolve("d" + d));
            for (int i = 0; i < 100; i++) Files.write(dir.resolve("file-" + i + ".bin"), content);
        }
        storeDir = Files.createTempDirectory("whittle-bench-store-");
        store = dev.whittle.store.Store.open(storeDir);
        String source = System.getProperty("whittle.bench.data");
        if (source != null) {
            data = Files.readAllBytes(Path.of(source));
        } else {
            data = mixed(64 << 20);
        }
        java.io.ByteArrayOutputStream z = new java.io.ByteArrayOutputStream();
        try (ParallelGzipOutputStream g = new ParallelGzipOutputStream(z, ParallelGzipOutputStream.DEFAULT_LEVEL)) {
            g.write(data);
        }
        gzipped = z.toByteArray();
        z = new java.io.ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(z, 1 << 16)) {
            g.write(data);
        }
        gzippedJdk = z.toByteArray();
        layer = tarOf(10_000, 4096);
        dockerfile = dockerfile(2000);
        paths = paths(100_000);
        ignore = DockerIgnore.parse(
                String.join(
                        "\n",
                        ".git",
                        "**/*.log",
                        "node_modules",
                        "build/",
                        "*.tmp",
                        "!build/keep.txt",
                        "docs/**/*.md",
                        "**/testdata/**",
                        "vendor/**/*_test.go",
                        ".idea",
                        "*.swp",
                        "dist",
                        "coverage/**",
                        "**/.DS_Store",
                        "tmp/",
                        "!tmp/.keep",
                        "secrets/*.pem",
                        "**/*.o",
                        "**/*.a",
                        "Dockerfile*"),
                ".dockerignore");
    }

    /** Half random bytes, half repetitive text: gzip gets about 2:1, as on real layers. */
    static byte[] mixed(int size) {
        byte[] b = new byte[size];
        Random r = new Random(7);
        byte[] text = "func main() { fmt.Println(\"hello, world\") } // the quick brown fox\n".getBytes();
        for (int i = 0; i < size; i += 8192) {
            int n = Math.min(8192, size - i);
            if ((i / 8192) % 2 == 0) {
                byte[] chunk = new byte[n];
                r.nextBytes(chunk);
                System.arraycopy(chunk, 0, b, i, n);
            } else {
                for (int k = 0; k < n; k++) b[i + k] = text[(i + k) % text.length];
            }
        }
        return b;
    }

    static byte[] tarOf(int files, int size) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] content = new byte[size];
        new Random(1).nextBytes(content);
        try (TarWriter w = new TarWriter(out)) {
            for (int i = 0; i < files; i++) {
                if (i % 100 == 0) w.writeHeader(TarEntry.dir("d" + i / 100, 0755, 1700000000));
                w.write(TarEntry.file("d" + i / 100 + "/file-" + i + ".bin", 0644, size, 1700000000), content);
            }
        }
        return out.toByteArray();
    }

    static String dockerfile(int lines) {
        StringBuilder b = new StringBuilder(
                "# syntax=docker/dockerfile:1\nARG GO=1.22\nFROM golang:${GO} AS build\nWORKDIR /src\n");
        int n = 4;
        while (n < lines - 3) {
            b.append("ENV KEY_")
                    .append(n)
                    .append("=\"value ")
                    .append(n)
                    .append("\" OTHER_")
                    .append(n)
                    .append("=${KEY_")
                    .append(n)
                    .append("}\n");
            b.append("RUN --mount=type=cache,target=/root/.cache/go-build \\\n    go build -o /out/app")
                    .append(n)
                    .append(" ./cmd/app && \\\n    echo done\n");
            b.append("COPY --chown=1000:1000 --chmod=0755 [\"a b\", \"c\", \"/dest/\"]\n");
            n += 6;
        }
        b.append("FROM scratch\nCOPY --from=build /out /\nENTRYPOINT [\"/app\"]\n");
        return b.toString();
    }

    static List<String> paths(int count) {
        String[] dirs = {
            "cmd/app",
            "internal/server",
            "internal/store/testdata",
            "vendor/github.com/x/y",
            "node_modules/pkg/lib",
            "build",
            "docs/guide/deep",
            "tmp",
            ".git/objects/ab",
            "coverage/html"
        };
        String[] names = {
            "main.go",
            "server_test.go",
            "data.json",
            "index.js",
            "notes.md",
            "core.o",
            "build.log",
            "keep.txt",
            "x.tmp",
            ".keep"
        };
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
            out.add(dirs[i % dirs.length] + "/sub" + (i % 97) + "/" + names[(i / 10) % names.length]);
        return out;
    }

    @org.openjdk.jmh.annotations.TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
        dev.whittle.store.Maintenance.deleteTree(upper);
        dev.whittle.store.Maintenance.deleteTree(storeDir);
    }

    @Benchmark
    public long upperDirToLayer10kFiles() throws IOException {
        try (dev.whittle.store.LayerWriter w = new dev.whittle.store.LayerWriter(store, true)) {
            new dev.whittle.sandbox.UpperDiff(upper, -1).write(w);
            return w.entries();
        }
    }

    @Benchmark
    public long tarWrite10kFiles() throws IOException {
        CountingSink sink = new CountingSink();
        byte[] content = new byte[4096];
        try (TarWriter w = new TarWriter(sink)) {
            for (int i = 0; i < 10_000; i++) {
                if (i % 100 == 0) w.writeHeader(TarEntry.dir("d" + i / 100, 0755, 1700000000));
                w.write(
                        TarEntry.file("d" + i / 100 + "/file-" + i + ".bin", 0644, content.length, 1700000000),
                        content);
            }
        }
        return sink.count;
    }

    @Benchmark
    public long tarRead10kFiles() throws IOException {
        TarReader r = new TarReader(new ByteArrayInputStream(layer));
        long n = 0;
        for (TarEntry e = r.next(); e != null; e = r.next()) n += e.size();
        return n;
    }

    @Benchmark
    public long gzipParallel64MiB() throws IOException {
        CountingSink sink = new CountingSink();
        try (ParallelGzipOutputStream z = new ParallelGzipOutputStream(sink, 6)) {
            z.write(data);
        }
        return sink.count;
    }

    /** Reading whittle's own layers: libdeflate, member by member. */
    @Benchmark
    public long gunzipWhittleMembers64MiB() throws IOException {
        return dev.whittle.io.Compression.decompress(new ByteArrayInputStream(gzipped))
                .transferTo(OutputStream.nullOutputStream());
    }

    /** Reading another tool's single-member layer: handed to the JDK's zlib after the first attempt. */
    @Benchmark
    public long gunzipSingleMember64MiB() throws IOException {
        return dev.whittle.io.Compression.decompress(new ByteArrayInputStream(gzippedJdk))
                .transferTo(OutputStream.nullOutputStream());
    }

    @Benchmark
    public long gzipJdk64MiB() throws IOException {
        CountingSink sink = new CountingSink();
        try (GZIPOutputStream z = new GZIPOutputStream(sink, 1 << 16)) {
            z.write(data);
        }
        return sink.count;
    }

    @Benchmark
    public Object sha256While64MiBStream() throws IOException {
        HashingOutputStream h = new HashingOutputStream(OutputStream.nullOutputStream());
        for (int off = 0; off < data.length; off += 1 << 16) h.write(data, off, Math.min(1 << 16, data.length - off));
        return h.digest();
    }

    @Benchmark
    public Dockerfile parse2000LineDockerfile() {
        return Parser.parse("Dockerfile", dockerfile);
    }

    @Benchmark
    public void dockerignore100kPaths(Blackhole bh) {
        for (String p : paths) bh.consume(ignore.excluded(p));
    }

    /** An output stream that only counts. */
    static final class CountingSink extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
