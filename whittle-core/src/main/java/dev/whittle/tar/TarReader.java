package dev.whittle.tar;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads ustar, GNU and PAX tar streams. Hardened: header checksums are verified, sizes are bounded, truncation is an
 * error, names are normalised and {@code ..} breakouts refused, sparse files refused. Binary xattr values from PAX
 * {@code SCHILY.xattr.*} records keep their exact bytes.
 *
 * <p>Use: {@code for (TarEntry e; (e = r.next()) != null; ) { ... r.content() ... }}. The reader tracks the offset of
 * each entry's data in the stream ({@link #dataOffset()}), which the store's layer index records.
 */
public final class TarReader implements AutoCloseable {
    /** Larger than any real file in an image; anything above is an attack or corruption. */
    public static final long MAX_ENTRY_SIZE = 1L << 40;

    private static final int MAX_META = 1 << 20;

    private final InputStream in;
    private final byte[] block = new byte[512];
    private long position;
    private long remaining;
    private long padding;
    private long dataOffset;
    private TarEntry current;
    private String rawName;
    private boolean eof;

    public TarReader(InputStream in) {
        this.in = in;
    }

    /** The next entry, or null at the end of the archive. The previous entry's unread content is skipped. */
    public TarEntry next() throws IOException {
        if (eof) return null;
        skipRemaining();
        Map<String, byte[]> pax = null;
        String longName = null;
        String longLink = null;
        while (true) {
            long headerAt = position;
            if (!readBlock(true)) {
                eof = true;
                return null;
            }
            if (isZero(block)) {
                // end marker: a second zero block usually follows; tolerate its absence
                eof = true;
                return null;
            }
            verifyChecksum(headerAt);
            char flag = (char) (block[156] & 0xff);
            long size = number(block, 124, 12, "size", headerAt);
            if (size < 0 || size > MAX_ENTRY_SIZE) {
                throw new TarFormatException("entry at offset " + headerAt + " declares an absurd size " + size);
            }
            switch (flag) {
                case 'x' -> {
                    pax = parsePax(readMeta(size, headerAt), headerAt);
                    continue;
                }
                case 'g' -> {
                    readMeta(size, headerAt); // global headers are ignored, as docker does
                    continue;
                }
                case 'L' -> {
                    longName = cString(readMeta(size, headerAt));
                    continue;
                }
                case 'K' -> {
                    longLink = cString(readMeta(size, headerAt));
                    continue;
                }
                case 'V' -> {
                    skipBytes(size + pad(size));
                    continue;
                }
                case 'S' ->
                    throw new TarFormatException(
                            "entry at offset " + headerAt + " is a GNU sparse file, which layers must not use");
                default -> {}
            }
            return decode(headerAt, flag, size, pax, longName, longLink);
        }
    }

    private TarEntry decode(
            long headerAt, char flag, long size, Map<String, byte[]> pax, String longName, String longLink)
            throws IOException {
        boolean posix = block[257] == 'u'
                && block[258] == 's'
                && block[259] == 't'
                && block[260] == 'a'
                && block[261] == 'r'
                && block[262] == 0;
        String name = field(block, 0, 100);
        if (posix) {
            String prefix = field(block, 345, 155);
            if (!prefix.isEmpty()) name = prefix + "/" + name;
        }
        if (longName != null) name = longName;
        String link = field(block, 157, 100);
        if (longLink != null) link = longLink;
        int mode = (int) (number(block, 100, 8, "mode", headerAt) & 07777);
        long uid = number(block, 108, 8, "uid", headerAt);
        long gid = number(block, 116, 8, "gid", headerAt);
        long mtime = number(block, 136, 12, "mtime", headerAt);
        int major = (int) number(block, 329, 8, "devmajor", headerAt);
        int minor = (int) number(block, 337, 8, "devminor", headerAt);
        Map<String, byte[]> xattrs = null;
        if (pax != null) {
            for (Map.Entry<String, byte[]> e : pax.entrySet()) {
                String k = e.getKey();
                String v = new String(e.getValue(), StandardCharsets.UTF_8);
                switch (k) {
                    case "path" -> name = v;
                    case "linkpath" -> link = v;
                    case "size" -> size = paxNumber(v, k, headerAt);
                    case "uid" -> uid = paxNumber(v, k, headerAt);
                    case "gid" -> gid = paxNumber(v, k, headerAt);
                    case "mtime" -> mtime = (long) Math.floor(paxDecimal(v, headerAt));
                    default -> {
                        if (k.startsWith("SCHILY.xattr.")) {
                            if (xattrs == null) xattrs = new TreeMap<>();
                            xattrs.put(k.substring("SCHILY.xattr.".length()), e.getValue());
                        } else if (k.startsWith("GNU.sparse.")) {
                            throw new TarFormatException(
                                    "entry \"" + name + "\" is a sparse file, which layers must not use");
                        }
                    }
                }
            }
            if (size < 0 || size > MAX_ENTRY_SIZE)
                throw new TarFormatException("entry \"" + name + "\" declares an absurd size " + size);
        }
        TarEntry.Type type = switch (flag) {
            case '0', '\0', '7' -> TarEntry.Type.FILE;
            case '1' -> TarEntry.Type.HARDLINK;
            case '2' -> TarEntry.Type.SYMLINK;
            case '3' -> TarEntry.Type.CHAR;
            case '4' -> TarEntry.Type.BLOCK;
            case '5', 'D' -> TarEntry.Type.DIR;
            case '6' -> TarEntry.Type.FIFO;
            default -> throw new TarFormatException("entry \"" + name + "\" has unsupported type '" + flag + "'");
        };
        // old tars mark directories only by a trailing slash
        if (type == TarEntry.Type.FILE && name.endsWith("/") && flag == '\0') type = TarEntry.Type.DIR;
        rawName = name;
        String normalized = PathNames.clean(name);
        if (normalized == null) {
            throw new TarFormatException("entry \"" + name + "\" escapes the root with \"..\"");
        }
        if (normalized.isEmpty() && type != TarEntry.Type.DIR) {
            throw new TarFormatException("entry \"" + name + "\" names the root but is not a directory");
        }
        if (type == TarEntry.Type.HARDLINK) {
            String target = PathNames.clean(link);
            if (target == null || target.isEmpty()) {
                throw new TarFormatException("hardlink \"" + name + "\" points outside the archive: \"" + link + "\"");
            }
            link = target;
        }
        dataOffset = position;
        // content of non-regular entries is skipped, never interpreted
        remaining = size;
        padding = pad(size);
        current = new TarEntry(normalized, type, mode, uid, gid, size, mtime, link, major, minor, xattrs);
        return current;
    }

    /** The name as written in the archive, before normalisation. */
    public String rawName() {
        return rawName;
    }

    /** Offset of the current entry's data from the start of the stream. */
    public long dataOffset() {
        return dataOffset;
    }

    /** Bytes consumed from the underlying stream so far. */
    public long position() {
        return position;
    }

    /** A stream over the current entry's content; reading past it returns -1. */
    public InputStream content() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] b = new byte[1];
                int n = read(b, 0, 1);
                return n < 0 ? -1 : b[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (remaining <= 0) return -1;
                int n = in.read(b, off, (int) Math.min(len, remaining));
                if (n < 0) throw truncated();
                remaining -= n;
                position += n;
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                long k = Math.min(n, remaining);
                skipBytes(k);
                remaining -= k;
                return k;
            }
        };
    }

    /** Reads the current entry's whole content into memory (for small files such as /etc/passwd). */
    public byte[] readContent(int max) throws IOException {
        if (remaining > max)
            throw new TarFormatException("entry \"" + current.name() + "\" is larger than " + max + " bytes");
        return content().readAllBytes();
    }

    private void skipRemaining() throws IOException {
        if (remaining > 0 || padding > 0) {
            skipBytes(remaining + padding);
            remaining = 0;
            padding = 0;
        }
    }

    private void skipBytes(long n) throws IOException {
        while (n > 0) {
            long k = in.skip(n);
            if (k <= 0) {
                if (in.read() < 0) throw truncated();
                k = 1;
            }
            n -= k;
            position += k;
        }
    }

    private TarFormatException truncated() {
        String what = current == null ? "archive" : "entry \"" + current.name() + "\"";
        return new TarFormatException(
                "unexpected end of tar data in " + what + " (truncated archive?) at offset " + position);
    }

    private boolean readBlock(boolean eofOk) throws IOException {
        int off = 0;
        while (off < 512) {
            int n = in.read(block, off, 512 - off);
            if (n < 0) {
                if (off == 0 && eofOk) return false;
                throw truncated();
            }
            off += n;
        }
        position += 512;
        return true;
    }

    private byte[] readMeta(long size, long headerAt) throws IOException {
        if (size > MAX_META)
            throw new TarFormatException(
                    "extended header at offset " + headerAt + " is too large (" + size + " bytes)");
        byte[] data = new byte[(int) size];
        int off = 0;
        while (off < data.length) {
            int n = in.read(data, off, data.length - off);
            if (n < 0) throw truncated();
            off += n;
        }
        position += size;
        skipBytes(pad(size));
        return data;
    }

    private static long pad(long size) {
        return (512 - (size % 512)) % 512;
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }

    private void verifyChecksum(long headerAt) {
        long stored;
        try {
            stored = number(block, 148, 8, "checksum", headerAt);
        } catch (TarFormatException e) {
            stored = -1;
        }
        long unsigned = 0, signed = 0;
        for (int i = 0; i < 512; i++) {
            byte b = (i >= 148 && i < 156) ? (byte) ' ' : block[i];
            unsigned += b & 0xff;
            signed += b;
        }
        if (stored != unsigned && stored != signed) {
            throw new TarFormatException(
                    "invalid tar header checksum at offset " + headerAt + " (not a tar archive, or corrupted)");
        }
    }

    private static String field(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) end++;
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static String cString(byte[] b) {
        int end = 0;
        while (end < b.length && b[end] != 0) end++;
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }

    /** Octal ASCII or GNU base-256 (high bit set). */
    private static long number(byte[] b, int off, int len, String what, long headerAt) {
        if ((b[off] & 0x80) != 0) {
            if ((b[off] & 0x40) != 0)
                throw new TarFormatException("negative " + what + " in tar header at offset " + headerAt);
            long v = b[off] & 0x3f;
            for (int i = 1; i < len; i++) {
                if ((v >>> 55) != 0)
                    throw new TarFormatException("entry at offset " + headerAt + " declares an absurd " + what);
                v = (v << 8) | (b[off + i] & 0xff);
            }
            return v;
        }
        long v = 0;
        int i = off, end = off + len;
        while (i < end && (b[i] == ' ' || b[i] == 0)) i++;
        boolean any = false;
        for (; i < end; i++) {
            byte c = b[i];
            if (c == ' ' || c == 0) break;
            if (c < '0' || c > '7')
                throw new TarFormatException("invalid " + what + " field in tar header at offset " + headerAt);
            v = (v << 3) | (c - '0');
            any = true;
        }
        return any ? v : 0;
    }

    private static long paxNumber(String v, String key, long headerAt) {
        try {
            long n = Long.parseLong(v.trim());
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new TarFormatException("invalid PAX " + key + " \"" + v + "\" at offset " + headerAt);
        }
    }

    private static double paxDecimal(String v, long headerAt) {
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new TarFormatException("invalid PAX mtime \"" + v + "\" at offset " + headerAt);
        }
    }

    /** PAX records {@code "<len> <key>=<value>\n"}, values kept as bytes. */
    static Map<String, byte[]> parsePax(byte[] data, long headerAt) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        int i = 0;
        while (i < data.length) {
            if (data[i] == 0) break;
            int sp = i;
            while (sp < data.length && data[sp] != ' ') sp++;
            int len;
            try {
                len = Integer.parseInt(new String(data, i, sp - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new TarFormatException("malformed PAX record at offset " + headerAt);
            }
            int end = i + len;
            if (len <= 0 || end > data.length || sp >= end || data[end - 1] != '\n') {
                throw new TarFormatException("malformed PAX record at offset " + headerAt);
            }
            int eq = sp + 1;
            while (eq < end && data[eq] != '=') eq++;
            if (eq >= end) throw new TarFormatException("malformed PAX record at offset " + headerAt);
            String key = new String(data, sp + 1, eq - sp - 1, StandardCharsets.UTF_8);
            out.put(key, Arrays.copyOfRange(data, eq + 1, end - 1));
            i = end;
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Reads the rest of the stream after the end marker (to hash or count trailing zeros). */
    public void drain() throws IOException {
        skipRemaining();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) position += n;
        eof = true;
    }
}
