package dev.whittle.tar;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Malformed and hostile tar streams are refused with a message that says what is wrong. */
class HostileTarTest {
    static byte[] header(String name, char type, long size, String link) {
        return RawTar.header(name, type, size, link);
    }

    static void put(byte[] h, String s, int off) {
        RawTar.put(h, s, off);
    }

    static byte[] archive(byte[]... parts) {
        return RawTar.archive(parts);
    }

    static void readAll(byte[] data) throws IOException {
        try (TarReader r = new TarReader(new ByteArrayInputStream(data))) {
            while (r.next() != null) r.content().readAllBytes();
        }
    }

    @Test
    void dotDotBreakoutIsRefused() {
        assertThatThrownBy(() -> readAll(archive(header("../../etc/passwd", '0', 0, ""))))
                .isInstanceOf(TarFormatException.class)
                .hasMessageContaining("escapes the root");
        assertThatThrownBy(() -> readAll(archive(header("a/../../x", '0', 0, ""))))
                .hasMessageContaining("escapes the root");
    }

    @Test
    void absolutePathsAreMadeRelative() throws IOException {
        try (TarReader r = new TarReader(new ByteArrayInputStream(archive(header("/etc/passwd", '0', 0, ""))))) {
            org.assertj.core.api.Assertions.assertThat(r.next().name()).isEqualTo("etc/passwd");
        }
    }

    @Test
    void hardlinkOutOfTheArchiveIsRefused() {
        assertThatThrownBy(() -> readAll(archive(header("x", '1', 0, "../../etc/shadow"))))
                .hasMessageContaining("points outside the archive");
    }

    @Test
    void badChecksumIsRefused() throws IOException {
        byte[] h = header("a", '0', 0, "");
        h[0] = 'b';
        assertThatThrownBy(() -> readAll(archive(h))).hasMessageContaining("checksum");
    }

    @Test
    void truncatedArchiveIsRefused() {
        byte[] h = header("a", '0', 1000, "");
        byte[] data = new byte[512 + 100];
        System.arraycopy(h, 0, data, 0, 512);
        assertThatThrownBy(() -> readAll(data)).hasMessageContaining("truncated");
    }

    @Test
    void absurdSizeIsRefused() {
        byte[] h = header("a", '0', 0, "");
        // base-256 size far beyond any real file
        h[124] = (byte) 0x80;
        Arrays.fill(h, 125, 136, (byte) 0x7f);
        Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        put(h, String.format("%06o", sum), 148);
        h[154] = 0;
        assertThatThrownBy(() -> readAll(archive(h))).hasMessageContaining("absurd size");
    }

    @Test
    void sparseFilesAreRefused() {
        assertThatThrownBy(() -> readAll(archive(header("s", 'S', 0, "")))).hasMessageContaining("sparse");
    }

    @Test
    void garbageIsNotATar() {
        byte[] junk = new byte[2048];
        Arrays.fill(junk, (byte) 'x');
        assertThatThrownBy(() -> readAll(junk)).hasMessageContaining("not a tar archive");
    }
}
