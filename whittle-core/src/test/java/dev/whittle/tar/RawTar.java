package dev.whittle.tar;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Tar bytes written by hand, for entries no honest writer produces (shared with whittle-cli's tests). */
public final class RawTar {
    private RawTar() {}

    /** A ustar header with a correct checksum. */
    public static byte[] header(String name, char type, long size, String link) {
        byte[] h = new byte[512];
        put(h, name, 0);
        put(h, "0000644", 100);
        put(h, "0000000", 108);
        put(h, "0000000", 116);
        put(h, String.format("%011o", size), 124);
        put(h, "00000000000", 136);
        h[156] = (byte) type;
        put(h, link, 157);
        put(h, "ustar", 257);
        put(h, "00", 263);
        Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        put(h, String.format("%06o", sum), 148);
        h[154] = 0;
        return h;
    }

    public static void put(byte[] h, String s, int off) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, h, off, b.length);
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }

    /** Entries followed by the two zero blocks that end an archive. */
    public static byte[] archive(byte[]... entries) {
        return concat(concat(entries), new byte[1024]);
    }

    /** Content padded to whole 512-byte blocks. */
    public static byte[] padded(byte[] content) {
        return Arrays.copyOf(content, (content.length + 511) / 512 * 512);
    }
}
