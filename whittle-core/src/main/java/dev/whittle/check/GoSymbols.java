package dev.whittle.check;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * The function names of a Go program, read from its pclntab ({@code .gopclntab}, or found by its header when the
 * file has no section table). The runtime needs the table for stack traces, so it is there even in a binary built
 * with {@code -ldflags=-s} or run through {@code strip}; inlined functions keep their names in it too. Formats of
 * Go 1.2–1.15 (names reached through the function table), 1.16–1.17 and 1.18+ (one table of NUL-terminated names),
 * as {@code debug/gosym} reads them. Every offset is bounds-checked: malformed bytes give null, never an exception.
 */
public final class GoSymbols {
    private static final int GO12 = 0xfffffffb, GO116 = 0xfffffffa, GO118 = 0xfffffff0, GO120 = 0xfffffff1;
    private static final int MAX_FUNCS = 2_000_000;

    private final Set<String> names;

    private GoSymbols(Set<String> names) {
        this.names = names;
    }

    /** Whether the program has a function of exactly this name (for example {@code time.LoadLocation}). */
    public boolean has(String function) {
        return names.contains(function);
    }

    /** Whether any function's name starts with {@code prefix} (for example {@code os/user.}). */
    public boolean hasPrefix(String prefix) {
        for (String n : names) if (n.startsWith(prefix)) return true;
        return false;
    }

    /** The first of {@code functions} the program has, or null: the evidence a finding names. */
    public String first(String... functions) {
        for (String f : functions) if (names.contains(f)) return f;
        return null;
    }

    public int size() {
        return names.size();
    }

    /** The names of a parsed ELF's pclntab, or null when it has none (not a Go program) or it cannot be read. */
    public static GoSymbols read(Elf elf) {
        long[] sec = elf.sectionBounds(".gopclntab");
        byte[] data = elf.data();
        int start;
        int end;
        if (sec != null) {
            start = (int) sec[0];
            end = (int) (sec[0] + sec[1]);
        } else {
            start = find(data);
            end = data.length;
        }
        return parse(data, start, end);
    }

    /** Reads a pclntab at {@code data[start, end)}; null when the header is not one Go writes or an offset leads outside. */
    static GoSymbols parse(byte[] data, int start, int end) {
        try {
            return parseChecked(data, start, end);
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            return null;
        }
    }

    private static GoSymbols parseChecked(byte[] data, int start, int end) {
        if (start < 0 || end > data.length || end - start < 16) return null;
        ByteBuffer b = ByteBuffer.wrap(data, 0, end);
        int le = b.order(ByteOrder.LITTLE_ENDIAN).getInt(start);
        int be = b.order(ByteOrder.BIG_ENDIAN).getInt(start);
        int magic;
        if (isMagic(le)) {
            magic = le;
            b.order(ByteOrder.LITTLE_ENDIAN);
        } else if (isMagic(be)) {
            magic = be;
            b.order(ByteOrder.BIG_ENDIAN);
        } else {
            return null;
        }
        if (!plausibleHeader(data, start)) return null;
        int ptr = data[start + 7];
        Set<String> names = new HashSet<>();
        if (magic == GO12) {
            long nfunc = word(b, start + 8, ptr, end);
            if (nfunc < 0 || nfunc > MAX_FUNCS) return null;
            long functab = start + 8L + ptr;
            for (long i = 0; i < nfunc; i++) {
                long funcoff = word(b, functab + (2 * i + 1) * ptr, ptr, end);
                long nameAt = start + funcoff + ptr;
                if (funcoff < 0 || nameAt + 4 > end) return null;
                int nameoff = b.getInt((int) nameAt);
                long at = start + (long) nameoff;
                if (nameoff < 0 || at >= end) return null;
                names.add(cstring(data, (int) at, end));
            }
        } else {
            // 1.16+: nfunc, nfiles, [textStart (1.18+)], funcnameOffset, cuOffset, ...: the names fill [funcname, cu)
            int first = magic == GO116 ? 2 : 3;
            long from = word(b, start + 8 + (long) first * ptr, ptr, end);
            long to = word(b, start + 8 + (long) (first + 1) * ptr, ptr, end);
            if (from < 0 || to < from || start + to > end) return null;
            int i = (int) (start + from), stop = (int) (start + to);
            while (i < stop) {
                int e = i;
                while (e < stop && data[e] != 0) e++;
                if (e > i) names.add(new String(data, i, e - i, StandardCharsets.UTF_8));
                if (names.size() > MAX_FUNCS) return null;
                i = e + 1;
            }
        }
        return new GoSymbols(names);
    }

    private static boolean isMagic(int m) {
        return m == GO12 || m == GO116 || m == GO118 || m == GO120;
    }

    /** Two zero bytes, an instruction size of 1, 2 or 4, a pointer size of 4 or 8. */
    private static boolean plausibleHeader(byte[] d, int at) {
        return d[at + 4] == 0
                && d[at + 5] == 0
                && (d[at + 6] == 1 || d[at + 6] == 2 || d[at + 6] == 4)
                && (d[at + 7] == 4 || d[at + 7] == 8);
    }

    /** Finds a pclntab header by its magic where there is no section table (at 4-byte alignment, as the linker puts it). */
    private static int find(byte[] d) {
        for (int i = 0; i + 64 <= d.length; i += 4) {
            if ((d[i] & 0xff) < 0xf0 && (d[i + 3] & 0xff) < 0xf0) continue;
            int le = (d[i] & 0xff) | (d[i + 1] & 0xff) << 8 | (d[i + 2] & 0xff) << 16 | (d[i + 3] & 0xff) << 24;
            int be = (d[i + 3] & 0xff) | (d[i + 2] & 0xff) << 8 | (d[i + 1] & 0xff) << 16 | (d[i] & 0xff) << 24;
            if ((isMagic(le) || isMagic(be)) && plausibleHeader(d, i)) return i;
        }
        return -1;
    }

    private static long word(ByteBuffer b, long at, int ptr, int end) {
        if (at < 0 || at + ptr > end) throw new IndexOutOfBoundsException("offset " + at);
        return ptr == 8 ? b.getLong((int) at) : Integer.toUnsignedLong(b.getInt((int) at));
    }

    private static String cstring(byte[] d, int at, int end) {
        int e = at;
        while (e < end && d[e] != 0 && e - at < 4096) e++;
        return new String(d, at, e - at, StandardCharsets.UTF_8);
    }
}
