package dev.whittle.io;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.zip.GZIPInputStream;

/**
 * Reads gzip whose members are small — as whittle writes them ({@link ParallelGzipOutputStream}: one member per
 * MiB) — with libdeflate, member by member, at about twice the JDK's speed. At the first member it cannot take whole
 * (a big single-member layer from another tool, or anything damaged) it hands the rest, from that member's first
 * byte, to {@link GZIPInputStream}, so every other stream is read, and every error reported, exactly as before.
 * Like GZIPInputStream, bytes after the last member that do not start another member end the stream.
 */
final class GzipMembersInputStream extends InputStream {
    private static final int MAX_MEMBER = 1 << 20;
    /** More than the largest valid deflate encoding of a MiB, so "incomplete" can only mean "not ours" or damaged. */
    private static final int LOOKAHEAD = 3 << 20;

    private final InputStream source;
    private final Libdeflate.MemberDecompressor decompressor = new Libdeflate.MemberDecompressor();
    private final MemorySegment in = Arena.ofAuto().allocate(2L * LOOKAHEAD);
    private final MemorySegment out = Arena.ofAuto().allocate(MAX_MEMBER);
    private final byte[] transfer = new byte[1 << 16];
    private int start, end;
    private boolean sourceEnded, ended;
    private int outPos, outLen;
    private InputStream rest;
    private boolean first = true;
    private boolean closed;

    GzipMembersInputStream(InputStream source) {
        this.source = source;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        while (outPos == outLen) {
            if (rest != null) return rest.read(b, off, len);
            if (ended || !nextMember()) return -1;
        }
        int n = Math.min(len, outLen - outPos);
        MemorySegment.copy(out, JAVA_BYTE, outPos, b, off, n);
        outPos += n;
        return n;
    }

    /** Decodes the next member into {@code out}; false at the end of the stream (or when {@link #rest} takes over). */
    private boolean nextMember() throws IOException {
        fill();
        if (end - start == 0) {
            if (first) return handOver(); // an empty stream: GZIPInputStream's own error
            ended = true;
            return false;
        }
        if (!first && !looksLikeMember()) {
            ended = true;
            return false;
        }
        long[] r = decompressor.member(in.asSlice(start, end - start), out);
        if (r == null) return handOver();
        first = false;
        start += (int) r[0];
        outPos = 0;
        outLen = (int) r[1];
        return true;
    }

    private boolean looksLikeMember() {
        return end - start >= 2
                && in.get(JAVA_BYTE, start) == (byte) 0x1f
                && in.get(JAVA_BYTE, start + 1) == (byte) 0x8b;
    }

    /** Keeps at least {@link #LOOKAHEAD} bytes ahead, or all that is left; moves bytes down once per LOOKAHEAD read. */
    private void fill() throws IOException {
        if (end - start >= LOOKAHEAD || sourceEnded) return;
        if (start >= LOOKAHEAD) {
            MemorySegment.copy(in, start, in, 0, end - start);
            end -= start;
            start = 0;
        }
        while (end - start < LOOKAHEAD && !sourceEnded) {
            int n = source.read(transfer, 0, (int) Math.min(transfer.length, in.byteSize() - end));
            if (n < 0) sourceEnded = true;
            else if (n > 0) {
                MemorySegment.copy(transfer, 0, in, JAVA_BYTE, end, n);
                end += n;
            }
        }
    }

    /** From here on GZIPInputStream reads, starting with the bytes of this member already taken from the source. */
    private boolean handOver() throws IOException {
        byte[] pending = in.asSlice(start, end - start).toArray(JAVA_BYTE);
        start = end;
        // SequenceInputStream closes each stream it has read to the end; the source is the caller's to close
        InputStream unclosed = new FilterInputStream(source) {
            @Override
            public void close() {}
        };
        rest = new GZIPInputStream(new SequenceInputStream(new ByteArrayInputStream(pending), unclosed), 1 << 16);
        outPos = outLen = 0;
        return true;
    }

    /** Whether GZIPInputStream took over (for tests). */
    boolean handedOver() {
        return rest != null;
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            decompressor.close();
        }
        source.close();
    }
}
