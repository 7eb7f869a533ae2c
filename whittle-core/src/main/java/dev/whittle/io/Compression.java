package dev.whittle.io;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import dev.whittle.image.MediaType;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.GZIPInputStream;

/** Detects and removes stream compression by content (magic bytes), as docker load does. */
public final class Compression {
    private Compression() {}

    public enum Kind {
        NONE,
        GZIP,
        ZSTD,
        BZIP2,
        XZ
    }

    /** Detects the compression of a stream without consuming it (the stream must support mark). */
    public static Kind detect(InputStream in) throws IOException {
        in.mark(8);
        byte[] m = new byte[6];
        int n = in.readNBytes(m, 0, 6);
        in.reset();
        return detect(m, n);
    }

    public static Kind detect(byte[] m, int n) {
        if (n >= 2 && (m[0] & 0xff) == 0x1f && (m[1] & 0xff) == 0x8b) return Kind.GZIP;
        if (n >= 4 && (m[0] & 0xff) == 0x28 && (m[1] & 0xff) == 0xb5 && (m[2] & 0xff) == 0x2f && (m[3] & 0xff) == 0xfd)
            return Kind.ZSTD;
        if (n >= 3 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h') return Kind.BZIP2;
        if (n >= 6 && (m[0] & 0xff) == 0xfd && m[1] == '7' && m[2] == 'z' && m[3] == 'X' && m[4] == 'Z' && m[5] == 0)
            return Kind.XZ;
        return Kind.NONE;
    }

    /** Wraps {@code in} with the decompressor its first bytes call for. */
    public static InputStream decompress(InputStream in) throws IOException {
        BufferedInputStream b = in instanceof BufferedInputStream bi ? bi : new BufferedInputStream(in, 1 << 16);
        return decompress(b, detect(b));
    }

    public static InputStream decompress(InputStream in, Kind kind) throws IOException {
        return switch (kind) {
            case NONE -> in;
            case GZIP -> Libdeflate.available() ? new GzipMembersInputStream(in) : new GZIPInputStream(in, 1 << 16);
            case ZSTD -> new BufferedInputStream(new ZstdInputStream(in), 1 << 16);
            case BZIP2 -> External.filter(in, "bzip2", "-dc");
            case XZ -> External.filter(in, "xz", "-dc");
        };
    }

    public static Kind of(MediaType.Compression c) {
        return switch (c) {
            case GZIP -> Kind.GZIP;
            case ZSTD -> Kind.ZSTD;
            default -> Kind.NONE;
        };
    }

    /** A compressing stream: gzip in parallel blocks, zstd through zstd-jni. */
    public static OutputStream compress(OutputStream out, MediaType.Compression c, int level) throws IOException {
        return switch (c) {
            case NONE -> out;
            case GZIP -> new ParallelGzipOutputStream(out, level < 0 ? ParallelGzipOutputStream.DEFAULT_LEVEL : level);
            case ZSTD -> {
                ZstdOutputStream z = new ZstdOutputStream(out, level < 0 ? 3 : level);
                z.setWorkers(Math.max(0, Runtime.getRuntime().availableProcessors() - 1));
                yield z;
            }
            case UNKNOWN -> throw new IllegalArgumentException("unknown compression");
        };
    }

    /** Runs a decompressor program as a filter (bzip2 and xz are rare in layers; no library is worth carrying). */
    static final class External {
        static InputStream filter(InputStream in, String... command) throws IOException {
            Process p;
            try {
                p = new ProcessBuilder(command)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
            } catch (IOException e) {
                throw new IOException("this stream is " + command[0] + "-compressed and \"" + command[0]
                        + "\" is not installed (apt-get install " + command[0] + "-utils or " + command[0] + ")");
            }
            Thread.ofVirtual().start(() -> {
                try (OutputStream o = p.getOutputStream()) {
                    in.transferTo(o);
                } catch (IOException ignored) {
                    // the reader sees the truncated output and fails
                }
            });
            InputStream out = p.getInputStream();
            return new FilterInputStream(out) {
                @Override
                public void close() throws IOException {
                    super.close();
                    p.destroy();
                }
            };
        }
    }
}
