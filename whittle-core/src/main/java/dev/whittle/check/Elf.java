package dev.whittle.check;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the kernel and the dynamic loader read from an ELF file: class, byte order, type, machine, the interpreter
 * (PT_INTERP), the dynamic section (DT_NEEDED, RPATH, RUNPATH, SONAME, flags) and symbol versions needed and
 * defined. Parsed from bytes with every offset bounds-checked: a malformed file gives {@link ElfException}, never
 * anything else.
 */
public final class Elf {
    public static final int ET_EXEC = 2, ET_DYN = 3;
    public static final int EM_386 = 3,
            EM_ARM = 40,
            EM_X86_64 = 62,
            EM_AARCH64 = 183,
            EM_PPC64 = 21,
            EM_S390 = 22,
            EM_RISCV = 243;
    private static final int PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3;
    private static final long DT_NEEDED = 1,
            DT_STRTAB = 5,
            DT_STRSZ = 10,
            DT_SONAME = 14,
            DT_RPATH = 15,
            DT_RUNPATH = 29,
            DT_FLAGS = 30,
            DT_FLAGS_1 = 0x6ffffffbL,
            DT_VERDEF = 0x6ffffffcL,
            DT_VERDEFNUM = 0x6ffffffdL,
            DT_VERNEED = 0x6ffffffeL,
            DT_VERNEEDNUM = 0x6fffffffL;
    public static final long DF_1_PIE = 0x08000000L, DF_1_NODEFLIB = 0x800;

    public final boolean is64;
    public final boolean littleEndian;
    public final int type;
    public final int machine;
    public final String interpreter;
    public final boolean hasDynamic;
    public final List<String> needed;
    public final List<String> rpath;
    public final List<String> runpath;
    public final String soname;
    public final long flags1;
    /** Version names required, by the library file name they are required from. */
    public final Map<String, Set<String>> versionsNeeded;
    /** Version names this object defines (a library's GLIBC_2.x set). */
    public final Set<String> versionsDefined;

    /** A malformed or non-ELF file. */
    public static final class ElfException extends Exception {
        public ElfException(String message) {
            super(message);
        }
    }

    private static final int SHT_DYNSYM = 11;
    private final ByteBuffer b;
    private Set<String> imports;
    private final List<long[]> loads = new ArrayList<>(); // vaddr, offset, filesz

    public static boolean isElf(byte[] data) {
        return data.length >= 4 && data[0] == 0x7f && data[1] == 'E' && data[2] == 'L' && data[3] == 'F';
    }

    public static Elf parse(byte[] data) throws ElfException {
        if (!isElf(data)) throw new ElfException("not an ELF file");
        try {
            return new Elf(data);
        } catch (IndexOutOfBoundsException | IllegalArgumentException | BufferUnderflowException e) {
            throw new ElfException("malformed ELF file (" + e.getClass().getSimpleName() + ")");
        }
    }

    private Elf(byte[] data) throws ElfException {
        if (data.length < 52) throw new ElfException("truncated ELF header");
        int cls = data[4];
        if (cls != 1 && cls != 2) throw new ElfException("unknown ELF class " + cls);
        is64 = cls == 2;
        int enc = data[5];
        if (enc != 1 && enc != 2) throw new ElfException("unknown ELF data encoding " + enc);
        littleEndian = enc == 1;
        b = ByteBuffer.wrap(data).order(littleEndian ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        type = u16(16);
        machine = u16(18);
        long phoff = is64 ? b.getLong(32) : u32(28);
        int phentsize = u16(is64 ? 54 : 42);
        int phnum = u16(is64 ? 56 : 44);
        if (phnum > 4096 || (phnum > 0 && phentsize < (is64 ? 56 : 32)))
            throw new ElfException("implausible program header table");
        String interp = null;
        long dynOff = -1, dynSize = 0;
        for (int i = 0; i < phnum; i++) {
            long off = phoff + (long) i * phentsize;
            int ptype = (int) u32(off);
            long pOffset = is64 ? b.getLong(idx(off + 8)) : u32(off + 4);
            long pVaddr = is64 ? b.getLong(idx(off + 16)) : u32(off + 8);
            long pFilesz = is64 ? b.getLong(idx(off + 32)) : u32(off + 16);
            if (ptype == PT_LOAD) loads.add(new long[] {pVaddr, pOffset, pFilesz});
            if (ptype == PT_INTERP) interp = cstring(pOffset, (int) Math.min(pFilesz, 4096));
            if (ptype == PT_DYNAMIC) {
                dynOff = pOffset;
                dynSize = pFilesz;
            }
        }
        interpreter = interp;
        hasDynamic = dynOff >= 0;
        List<String> need = new ArrayList<>();
        List<String> rp = new ArrayList<>(), rup = new ArrayList<>();
        String so = null;
        long f1 = 0;
        Map<String, Set<String>> vneed = new LinkedHashMap<>();
        Set<String> vdef = new LinkedHashSet<>();
        if (hasDynamic) {
            int entSize = is64 ? 16 : 8;
            List<long[]> dyn = new ArrayList<>();
            long strtab = -1, verneed = -1, verneedNum = 0, verdef = -1, verdefNum = 0;
            for (long o = dynOff; o + entSize <= dynOff + dynSize && dyn.size() < 10000; o += entSize) {
                long tag = is64 ? b.getLong(idx(o)) : (int) u32(o);
                long val = is64 ? b.getLong(idx(o + 8)) : u32(o + 4);
                if (tag == 0) break;
                dyn.add(new long[] {tag, val});
                if (tag == DT_STRTAB) strtab = val;
                if (tag == DT_VERNEED) verneed = val;
                if (tag == DT_VERNEEDNUM) verneedNum = val;
                if (tag == DT_VERDEF) verdef = val;
                if (tag == DT_VERDEFNUM) verdefNum = val;
                if (tag == DT_FLAGS_1) f1 = val;
            }
            long strOff = strtab < 0 ? -1 : vaddrToOffset(strtab);
            for (long[] d : dyn) {
                if (strOff < 0) break;
                if (d[0] == DT_NEEDED) need.add(cstring(strOff + d[1], 4096));
                if (d[0] == DT_SONAME) so = cstring(strOff + d[1], 4096);
                if (d[0] == DT_RPATH) rp.addAll(splitPath(cstring(strOff + d[1], 8192)));
                if (d[0] == DT_RUNPATH) rup.addAll(splitPath(cstring(strOff + d[1], 8192)));
            }
            if (strOff >= 0 && verneed >= 0) {
                long off = vaddrToOffset(verneed);
                for (long n = 0; n < Math.min(verneedNum, 1000) && off >= 0; n++) {
                    int cnt = u16(off + 2);
                    String file = cstring(strOff + u32(off + 4), 4096);
                    long aux = off + u32(off + 8);
                    Set<String> names = vneed.computeIfAbsent(file, k -> new LinkedHashSet<>());
                    for (int a = 0; a < Math.min(cnt, 1000); a++) {
                        names.add(cstring(strOff + u32(aux + 8), 4096));
                        long next = u32(aux + 12);
                        if (next == 0) break;
                        aux += next;
                    }
                    long next = u32(off + 12);
                    if (next == 0) break;
                    off += next;
                }
            }
            if (strOff >= 0 && verdef >= 0) {
                long off = vaddrToOffset(verdef);
                for (long n = 0; n < Math.min(verdefNum, 10000) && off >= 0; n++) {
                    int flags = u16(off + 2);
                    int cnt = u16(off + 6);
                    long aux = off + u32(off + 12);
                    if ((flags & 1) == 0 && cnt > 0)
                        vdef.add(cstring(strOff + u32(aux), 4096)); // skip the file's own base version
                    long next = u32(off + 16);
                    if (next == 0) break;
                    off += next;
                }
            }
        }
        needed = List.copyOf(need);
        rpath = List.copyOf(rp);
        runpath = List.copyOf(rup);
        soname = so;
        flags1 = f1;
        versionsNeeded = vneed;
        versionsDefined = vdef;
    }

    /** No interpreter: the kernel needs nothing else (static or static-pie). */
    public boolean isStatic() {
        return interpreter == null;
    }

    public boolean isStaticPie() {
        return interpreter == null && type == ET_DYN && hasDynamic;
    }

    public boolean isPie() {
        return type == ET_DYN && (flags1 & DF_1_PIE) != 0;
    }

    /** musl, glibc, or null (static / unknown) by the interpreter's name. */
    public String libc() {
        return interpreter == null ? null : libcOfLoader(interpreter.substring(interpreter.lastIndexOf('/') + 1));
    }

    /** The C library a dynamic loader belongs to, by its file name: musl, glibc, or null. */
    public static String libcOfLoader(String fileName) {
        if (fileName.startsWith("ld-musl-")) return "musl";
        if (fileName.startsWith("ld-linux") || fileName.startsWith("ld64.so") || fileName.startsWith("ld.so"))
            return "glibc";
        return null;
    }

    public String machineName() {
        return machineName(machine, is64);
    }

    public static String machineName(int machine, boolean is64) {
        return switch (machine) {
            case EM_X86_64 -> "x86-64";
            case EM_386 -> "i386";
            case EM_AARCH64 -> "aarch64";
            case EM_ARM -> "arm";
            case EM_PPC64 -> "ppc64";
            case EM_S390 -> "s390x";
            case EM_RISCV -> is64 ? "riscv64" : "riscv32";
            default -> "machine " + machine;
        };
    }

    /** Whether this ELF runs on an image platform (GOARCH names, as in image configs). */
    public boolean runsOn(String architecture) {
        return switch (architecture) {
            case "amd64" -> machine == EM_X86_64 && is64;
            case "386" -> machine == EM_386 && !is64;
            case "arm64" -> machine == EM_AARCH64 && is64;
            case "arm" -> machine == EM_ARM && !is64;
            case "ppc64le" -> machine == EM_PPC64 && is64 && littleEndian;
            case "ppc64" -> machine == EM_PPC64 && is64 && !littleEndian;
            case "s390x" -> machine == EM_S390 && is64;
            case "riscv64" -> machine == EM_RISCV && is64;
            default -> true;
        };
    }

    /** {@code file}-style one-line description. */
    public String describe() {
        StringBuilder sb = new StringBuilder("ELF ")
                .append(is64 ? "64" : "32")
                .append("-bit ")
                .append(littleEndian ? "LSB " : "MSB ");
        sb.append(
                type == ET_EXEC
                        ? "executable"
                        : type == ET_DYN
                                ? (isPie() || interpreter != null || isStaticPie() ? "pie executable" : "shared object")
                                : "type " + type);
        sb.append(", ").append(machineName());
        if (isStaticPie()) sb.append(", static-pie linked");
        else if (interpreter == null) sb.append(", statically linked");
        else sb.append(", dynamically linked, interpreter ").append(interpreter);
        return sb.toString();
    }

    /** File offset of a virtual address (through PT_LOAD), or -1. */
    long vaddrToOffset(long vaddr) {
        for (long[] l : loads) {
            if (vaddr >= l[0] && vaddr < l[0] + l[2]) return vaddr - l[0] + l[1];
        }
        return -1;
    }

    /** Reads a section's bytes by name (null when absent or when there is no section table). */
    public byte[] section(String name) {
        long[] at = sectionBounds(name);
        if (at == null) return null;
        byte[] out = new byte[(int) at[1]];
        b.get((int) at[0], out);
        return out;
    }

    /** A section's file offset and size, checked to lie inside the file (null when absent or out of bounds). */
    long[] sectionBounds(String name) {
        long[] h = sectionHeader(name, -1);
        return h == null ? null : new long[] {h[0], h[1]};
    }

    /**
     * Finds a section by name (or, when {@code name} is null, by type): {offset, size, link, entsize}; null when absent,
     * out of the file's bounds, or when there is no section table.
     */
    private long[] sectionHeader(String name, int type) {
        try {
            long shoff = is64 ? b.getLong(40) : u32(32);
            int shentsize = u16(is64 ? 58 : 46);
            int shnum = u16(is64 ? 60 : 48);
            int shstrndx = u16(is64 ? 62 : 50);
            if (shoff <= 0 || shnum == 0 || shstrndx >= shnum || shentsize < (is64 ? 64 : 40)) return null;
            long strHdr = shoff + (long) shstrndx * shentsize;
            long strOff = is64 ? b.getLong(idx(strHdr + 24)) : u32(strHdr + 16);
            for (int i = 0; i < shnum; i++) {
                long h = shoff + (long) i * shentsize;
                if (name != null ? !cstring(strOff + u32(h), 256).equals(name) : (int) u32(h + 4) != type) continue;
                return bounds(h);
            }
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            return null;
        }
        return null;
    }

    /** The section at header index {@code i}: {offset, size, link, entsize}, or null. */
    private long[] sectionAt(int i) {
        long shoff = is64 ? b.getLong(40) : u32(32);
        int shentsize = u16(is64 ? 58 : 46);
        int shnum = u16(is64 ? 60 : 48);
        if (i < 0 || i >= shnum) return null;
        return bounds(shoff + (long) i * shentsize);
    }

    private long[] bounds(long h) {
        long off = is64 ? b.getLong(idx(h + 24)) : u32(h + 16);
        long size = is64 ? b.getLong(idx(h + 32)) : u32(h + 20);
        long link = u32(is64 ? h + 40 : h + 24);
        long entsize = is64 ? b.getLong(idx(h + 56)) : u32(h + 36);
        if (off < 0 || size < 0 || off > b.capacity() || size > b.capacity() - off) return null;
        return new long[] {off, size, link, entsize};
    }

    /**
     * The names of the functions and objects this file takes from shared libraries (its undefined dynamic symbols:
     * {@code getaddrinfo}, {@code getpwnam}…), read from {@code .dynsym} on first use. Empty for a static file.
     */
    public Set<String> dynamicImports() {
        if (imports != null) return imports;
        Set<String> out = new LinkedHashSet<>();
        try {
            long[] sym = sectionHeader(null, SHT_DYNSYM);
            long[] str = sym == null ? null : sectionAt((int) sym[2]);
            if (sym != null && str != null) {
                int ent = is64 ? 24 : 16;
                for (long o = sym[0] + ent; o + ent <= sym[0] + sym[1] && out.size() < 100_000; o += ent) {
                    long name = u32(o);
                    int shndx = u16(is64 ? o + 6 : o + 14);
                    if (shndx != 0 || name == 0 || name >= str[1]) continue;
                    out.add(cstring(str[0] + name, 1024));
                }
            }
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            // a damaged table: what was read so far
        }
        imports = Set.copyOf(out);
        return imports;
    }

    /** The bytes at a virtual address (for Go build info pointers), or null. */
    byte[] readVaddr(long vaddr, int len) {
        long off = vaddrToOffset(vaddr);
        if (off < 0 || len < 0 || off + len > b.capacity()) return null;
        byte[] out = new byte[len];
        b.get(idx(off), out);
        return out;
    }

    /** The first writable PT_LOAD segment's bytes (where Go puts build info when there is no section table). */
    byte[] data() {
        return b.array();
    }

    long readPointer(byte[] bytes, int at, int ptrSize, boolean little) {
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        return ptrSize == 8 ? bb.getLong(at) : Integer.toUnsignedLong(bb.getInt(at));
    }

    private int u16(long off) {
        return Short.toUnsignedInt(b.getShort(idx(off)));
    }

    private long u32(long off) {
        return Integer.toUnsignedLong(b.getInt(idx(off)));
    }

    private int idx(long off) {
        if (off < 0 || off >= b.capacity()) throw new IndexOutOfBoundsException("offset " + off);
        return (int) off;
    }

    private String cstring(long off, int max) {
        int start = idx(off);
        int end = start;
        while (end < b.capacity() && end - start < max && b.get(end) != 0) end++;
        return new String(b.array(), start, end - start, StandardCharsets.UTF_8);
    }

    private static List<String> splitPath(String s) {
        List<String> out = new ArrayList<>();
        for (String p : s.split(":")) if (!p.isEmpty()) out.add(p);
        return out;
    }
}
