package dev.whittle.tar;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes deterministic tar streams: ustar headers, PAX records only where ustar cannot hold a value (long or
 * non-ASCII names, large ids or sizes, xattrs), numeric ids without user names, whole-second times, and a 1024-byte
 * end marker as Go's archive/tar writes (so an empty layer has docker's well-known diffID).
 */
public final class TarWriter implements AutoCloseable {
    private static final byte[] ZEROS = new byte[1024];
    private final CountingStream out;
    private final byte[] header = new byte[512];
    private long contentBytes;
    private boolean finished;
    private long pending;
    private String pendingName;

    public TarWriter(OutputStream out) {
        this.out = new CountingStream(out);
    }

    /** Bytes written so far; after {@link #writeHeader} it is the offset of that entry's content. */
    public long position() {
        return out.count;
    }

    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream o) {
            super(o);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

    /** Sum of {@link TarEntry#diskSize()} of the entries written: what docker reports as a layer's size. */
    public long contentBytes() {
        return contentBytes;
    }

    /** Writes a non-file entry, or a file whose content follows with {@link #writeContent}. */
    public void writeHeader(TarEntry e) throws IOException {
        String name = e.name();
        if (e.isDir() && !name.isEmpty()) name = name + "/";
        if (name.isEmpty()) name = "./";
        Map<String, byte[]> pax = new TreeMap<>();
        String ustarName = name;
        String prefix = "";
        if (!fitsAscii(name, 100)) {
            int split = splitPoint(name);
            if (split > 0) {
                prefix = name.substring(0, split);
                ustarName = name.substring(split + 1);
            } else {
                pax.put("path", utf8(name));
                ustarName = truncateAscii(name, 100);
            }
        }
        String link = e.linkName();
        if (!fitsAscii(link, 100)) {
            pax.put("linkpath", utf8(link));
            link = truncateAscii(link, 100);
        }
        long uid = e.uid(), gid = e.gid(), size = e.size();
        if (uid > 07777777) pax.put("uid", ascii(Long.toString(uid)));
        if (gid > 07777777) pax.put("gid", ascii(Long.toString(gid)));
        if (size > 077777777777L) pax.put("size", ascii(Long.toString(size)));
        long mtime = Math.max(0, e.mtime());
        if (mtime > 077777777777L) pax.put("mtime", ascii(Long.toString(mtime)));
        for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) pax.put("SCHILY.xattr." + x.getKey(), x.getValue());

        if (!pax.isEmpty()) writePax(name, pax);

        Arrays.fill(header, (byte) 0);
        putString(ustarName, 0, 100);
        putOctal(e.mode(), 100, 8);
        putOctal(Math.min(uid, 07777777), 108, 8);
        putOctal(Math.min(gid, 07777777), 116, 8);
        putOctal(size > 077777777777L ? 0 : size, 124, 12);
        putOctal(Math.min(mtime, 077777777777L), 136, 12);
        header[156] = (byte) e.type().flag;
        putString(link, 157, 100);
        System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, header, 257, 8);
        if (e.type() == TarEntry.Type.CHAR || e.type() == TarEntry.Type.BLOCK) {
            putOctal(e.devMajor(), 329, 8);
            putOctal(e.devMinor(), 337, 8);
        }
        putString(prefix, 345, 155);
        checksum();
        out.write(header);
        pending = e.isFile() ? e.size() : 0;
        pendingName = e.name();
        if (!e.isFile()) contentBytes += e.diskSize();
    }

    /** Copies exactly the announced size from {@code in}; a shorter or longer source is an error (file changed). */
    public void writeContent(InputStream in) throws IOException {
        long want = pending;
        byte[] buf = new byte[(int) Math.min(Math.max(want, 1), 1 << 16)];
        long left = want;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0)
                throw new IOException("\"" + pendingName + "\" shrank while it was being read (" + (want - left)
                        + " of " + want + " bytes)");
            out.write(buf, 0, n);
            left -= n;
        }
        finishContent(want);
    }

    public void writeContent(byte[] data) throws IOException {
        if (data.length != pending) throw new IllegalStateException("content length " + data.length + " != " + pending);
        out.write(data);
        finishContent(data.length);
    }

    private void finishContent(long size) throws IOException {
        contentBytes += size;
        int pad = (int) ((512 - (size % 512)) % 512);
        out.write(ZEROS, 0, pad);
        pending = 0;
    }

    public void write(TarEntry e, byte[] data) throws IOException {
        writeHeader(e);
        if (e.isFile()) writeContent(data);
    }

    public void write(TarEntry e, InputStream data) throws IOException {
        writeHeader(e);
        if (e.isFile()) writeContent(data);
    }

    private void writePax(String name, Map<String, byte[]> records) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> r : records.entrySet()) {
            byte[] key = utf8(r.getKey());
            int fixed = 1 + key.length + 1 + r.getValue().length + 1; // ' ' key '=' value '\n'
            int len = fixed + 1;
            while (Integer.toString(len).length() + fixed != len)
                len = Integer.toString(len).length() + fixed;
            body.write(ascii(Integer.toString(len)));
            body.write(' ');
            body.write(key);
            body.write('=');
            body.write(r.getValue());
            body.write('\n');
        }
        byte[] data = body.toByteArray();
        Arrays.fill(header, (byte) 0);
        String base = PathNames.baseName(name.endsWith("/") ? name.substring(0, name.length() - 1) : name);
        putString(truncateAscii("PaxHeaders.0/" + base, 100), 0, 100);
        putOctal(0644, 100, 8);
        putOctal(0, 108, 8);
        putOctal(0, 116, 8);
        putOctal(data.length, 124, 12);
        putOctal(0, 136, 12);
        header[156] = 'x';
        System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, header, 257, 8);
        checksum();
        out.write(header);
        out.write(data);
        out.write(ZEROS, 0, (512 - (data.length % 512)) % 512);
    }

    /** Writes the end-of-archive marker. */
    public void finish() throws IOException {
        if (finished) return;
        finished = true;
        out.write(ZEROS);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        finish();
        out.close();
    }

    private static boolean fitsAscii(String s, int max) {
        if (s.length() > max) return false;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) >= 0x80 || s.charAt(i) == 0) return false;
        return true;
    }

    /** Where a long ASCII name can be split into ustar prefix (≤155) and name (≤100), or -1. */
    private static int splitPoint(String name) {
        for (int i = 0; i < name.length(); i++) if (name.charAt(i) >= 0x80) return -1;
        if (name.length() > 256) return -1;
        for (int i = Math.min(name.length() - 1, 155); i > 0; i--) {
            if (name.charAt(i) == '/' && name.length() - i - 1 <= 100 && name.length() - i - 1 > 0) return i;
        }
        return -1;
    }

    private static String truncateAscii(String s, int max) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < max; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x80 && c != 0 ? c : '_');
        }
        return sb.toString();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private void putString(String s, int off, int len) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, header, off, Math.min(b.length, len));
    }

    private void putOctal(long v, int off, int len) {
        String s = Long.toOctalString(v);
        int digits = len - 1;
        StringBuilder sb = new StringBuilder();
        for (int i = s.length(); i < digits; i++) sb.append('0');
        sb.append(s);
        byte[] b = sb.toString().getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, header, off, digits);
        header[off + digits] = 0;
    }

    private void checksum() {
        for (int i = 148; i < 156; i++) header[i] = ' ';
        long sum = 0;
        for (byte b : header) sum += b & 0xff;
        String s = Long.toOctalString(sum);
        StringBuilder sb = new StringBuilder();
        for (int i = s.length(); i < 6; i++) sb.append('0');
        sb.append(s);
        byte[] b = sb.toString().getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, header, 148, 6);
        header[154] = 0;
        header[155] = ' ';
    }
}
