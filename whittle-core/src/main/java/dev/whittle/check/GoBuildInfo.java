package dev.whittle.check;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Go's build information ({@code go version -m}): the Go version, main module and build settings
 * ({@code CGO_ENABLED}, {@code -ldflags}, {@code -tags}, {@code GOOS}/{@code GOARCH}), read from
 * {@code .go.buildinfo} — inline strings (Go ≥ 1.18) or the older pointer form.
 */
public record GoBuildInfo(String goVersion, String path, String module, Map<String, String> settings) {
    private static final byte[] MAGIC = "\u00ff Go buildinf:".getBytes(StandardCharsets.ISO_8859_1);

    public String setting(String key) {
        return settings.get(key);
    }

    public boolean cgo() {
        return "1".equals(settings.get("CGO_ENABLED"));
    }

    /** Reads build info from a parsed ELF, or null when the file is not a Go program. */
    public static GoBuildInfo read(Elf elf) {
        byte[] sec = elf.section(".go.buildinfo");
        byte[] data = sec != null ? sec : elf.data();
        int at = find(data, sec != null ? 0 : 0);
        if (at < 0) return null;
        try {
            int ptrSize = data[at + 14];
            int flags = data[at + 15];
            String version, mod;
            if ((flags & 2) != 0) {
                int[] pos = {at + 32};
                version = varString(data, pos);
                mod = varString(data, pos);
            } else {
                boolean little = (flags & 1) == 0;
                long vptr = elf.readPointer(data, at + 16, ptrSize, little);
                long mptr = elf.readPointer(data, at + 16 + ptrSize, ptrSize, little);
                version = goString(elf, vptr, ptrSize, little);
                mod = goString(elf, mptr, ptrSize, little);
                if (version == null) return null;
            }
            if (mod != null && mod.length() >= 33 && mod.charAt(mod.length() - 17) == '\n')
                mod = mod.substring(16, mod.length() - 16);
            String path = null, module = null;
            Map<String, String> settings = new LinkedHashMap<>();
            if (mod != null) {
                for (String line : mod.split("\n")) {
                    String[] f = line.split("\t");
                    if (f.length < 2) continue;
                    switch (f[0]) {
                        case "path" -> path = f[1];
                        case "mod" -> module = f[1];
                        case "build" -> {
                            int eq = f[1].indexOf('=');
                            if (eq > 0) settings.put(f[1].substring(0, eq), unquote(f[1].substring(eq + 1)));
                        }
                        default -> {}
                    }
                }
            }
            return new GoBuildInfo(version, path, module, settings);
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            return v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        return v;
    }

    private static int find(byte[] data, int from) {
        outer:
        for (int i = from; i + 32 <= data.length; i += 16) {
            for (int j = 0; j < MAGIC.length; j++) if (data[i + j] != MAGIC[j]) continue outer;
            return i;
        }
        return -1;
    }

    private static String varString(byte[] d, int[] pos) {
        long len = 0;
        int shift = 0;
        while (true) {
            int c = d[pos[0]++] & 0xff;
            len |= (long) (c & 0x7f) << shift;
            if ((c & 0x80) == 0) break;
            shift += 7;
            if (shift > 35) throw new IllegalArgumentException("bad varint");
        }
        if (len < 0 || len > d.length - pos[0]) throw new IllegalArgumentException("bad length");
        String s = new String(d, pos[0], (int) len, StandardCharsets.UTF_8);
        pos[0] += (int) len;
        return s;
    }

    private static String goString(Elf elf, long addr, int ptrSize, boolean little) {
        byte[] hdr = elf.readVaddr(addr, ptrSize * 2);
        if (hdr == null) return null;
        long p = elf.readPointer(hdr, 0, ptrSize, little), n = elf.readPointer(hdr, ptrSize, ptrSize, little);
        if (n < 0 || n > 1 << 20) return null;
        byte[] s = elf.readVaddr(p, (int) n);
        return s == null ? null : new String(s, StandardCharsets.UTF_8);
    }
}
