package dev.whittle.check;

import dev.whittle.rootfs.FileTree;
import dev.whittle.tar.PathNames;
import dev.whittle.tar.TarEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where the dynamic loader of an image finds a DT_NEEDED library, by glibc's rules (RPATH unless RUNPATH,
 * LD_LIBRARY_PATH, RUNPATH, /etc/ld.so.cache, the default directories) or musl's (the loader is libc, LD_LIBRARY_PATH,
 * RPATH/RUNPATH of the whole chain, /etc/ld-musl-ARCH.path or /lib:/usr/local/lib:/usr/lib). Candidates of the wrong
 * class or machine are skipped, as the loaders do.
 */
final class LibrarySearch {
    private static final Pattern MUSL_BUILTIN = Pattern.compile("^lib(c|pthread|rt|m|dl|util|xnet)\\..*");
    private static final int MAX_ELF = 256 << 20;

    private final FileTree fs;
    private final String flavor;
    private final String loaderPath;
    private final List<String> ldLibraryPath;
    private Map<String, List<String>> cache;

    /** A loaded object: where it is and what it needs. */
    record Obj(String path, Elf elf, Obj requester) {
        String origin() {
            return "/" + PathNames.parent(path);
        }
    }

    LibrarySearch(FileTree fs, String flavor, String loaderPath, List<String> ldLibraryPath) {
        this.fs = fs;
        this.flavor = flavor;
        this.loaderPath = loaderPath;
        this.ldLibraryPath = ldLibraryPath;
    }

    /** The library {@code name} as {@code requester} would load it, or null when it cannot be found. */
    Obj find(String name, Obj requester) throws IOException {
        if (flavor.equals("musl") && MUSL_BUILTIN.matcher(name).matches()) return new Obj(loaderPath, null, requester);
        List<String> dirs = new ArrayList<>();
        if (name.contains("/")) return load(name.startsWith("/") ? name : requester.origin() + "/" + name, requester);
        if (flavor.equals("musl")) {
            dirs.addAll(ldLibraryPath);
            for (Obj o = requester; o != null; o = o.requester()) {
                List<String> rp = o.elf().runpath.isEmpty() ? o.elf().rpath : o.elf().runpath;
                for (String d : rp) {
                    if (d.contains("$") && !d.contains("$ORIGIN") && !d.contains("${ORIGIN}")) continue;
                    dirs.add(expandOrigin(d, o));
                }
            }
            dirs.addAll(muslSystemPath());
        } else {
            if (requester.elf().runpath.isEmpty()) {
                for (Obj o = requester; o != null; o = o.requester())
                    for (String d : o.elf().rpath) dirs.add(expandOrigin(d, o));
            }
            dirs.addAll(ldLibraryPath);
            for (String d : requester.elf().runpath) dirs.add(expandOrigin(d, requester));
            for (String p : ldCache().getOrDefault(name, List.of())) {
                Obj o = load(p, requester);
                if (o != null && compatible(o, requester)) return o;
            }
            if ((requester.elf().flags1 & Elf.DF_1_NODEFLIB) == 0) dirs.addAll(defaultDirs(requester.elf()));
        }
        for (String d : dirs) {
            Obj o = load(d + "/" + name, requester);
            if (o != null && compatible(o, requester)) return o;
        }
        return null;
    }

    private static boolean compatible(Obj o, Obj requester) {
        return o.elf() != null && o.elf().is64 == requester.elf().is64 && o.elf().machine == requester.elf().machine;
    }

    private static String expandOrigin(String d, Obj o) {
        return d.replace("${ORIGIN}", o.origin())
                .replace("$ORIGIN", o.origin())
                .replace("$LIB", "lib64")
                .replace("${LIB}", "lib64");
    }

    /** Loads an ELF at a path inside the image (following symlinks), or null. */
    Obj load(String path, Obj requester) throws IOException {
        FileTree.Node n = fs.stat(PathNames.clampToRoot(path), true);
        if (n == null || n.type() != TarEntry.Type.FILE || n.size() > MAX_ELF) return null;
        byte[] data;
        try (InputStream in = fs.open(n)) {
            data = in.readAllBytes();
        }
        try {
            return new Obj("/" + n.path(), Elf.parse(data), requester);
        } catch (Elf.ElfException e) {
            return null;
        }
    }

    static List<String> defaultDirs(Elf elf) {
        String triplet = switch (elf.machine) {
            case Elf.EM_X86_64 -> "x86_64-linux-gnu";
            case Elf.EM_AARCH64 -> "aarch64-linux-gnu";
            case Elf.EM_386 -> "i386-linux-gnu";
            case Elf.EM_ARM -> "arm-linux-gnueabihf";
            case Elf.EM_PPC64 -> "powerpc64le-linux-gnu";
            case Elf.EM_S390 -> "s390x-linux-gnu";
            case Elf.EM_RISCV -> "riscv64-linux-gnu";
            default -> "unknown";
        };
        List<String> out = new ArrayList<>(List.of("/lib/" + triplet, "/usr/lib/" + triplet));
        if (elf.is64) out.addAll(List.of("/lib64", "/usr/lib64"));
        out.addAll(List.of("/lib", "/usr/lib"));
        return out;
    }

    private List<String> muslSystemPath() throws IOException {
        String parent = PathNames.parent(PathNames.parent(PathNames.clampToRoot(loaderPath)));
        String arch =
                PathNames.baseName(loaderPath).replaceFirst("^ld-musl-", "").replaceFirst("\\.so\\.1$", "");
        String pathFile = (parent.isEmpty() ? "" : "/" + parent) + "/etc/ld-musl-" + arch + ".path";
        byte[] b = fs.readSmall(PathNames.clampToRoot(pathFile), 1 << 20);
        if (b == null) return List.of("/lib", "/usr/local/lib", "/usr/lib");
        List<String> out = new ArrayList<>();
        for (String p : new String(b, StandardCharsets.UTF_8).split("[\n:]")) if (!p.isBlank()) out.add(p.trim());
        return out;
    }

    /** /etc/ld.so.cache (glibc-ld.so.cache1.1): library name → paths. Empty when the image has none. */
    private Map<String, List<String>> ldCache() throws IOException {
        if (cache != null) return cache;
        cache = new LinkedHashMap<>();
        byte[] b = fs.readSmall("etc/ld.so.cache", 64 << 20);
        if (b == null) return cache;
        String magic = "glibc-ld.so.cache1.1";
        int base = indexOf(b, magic.getBytes(StandardCharsets.US_ASCII));
        if (base < 0) return cache;
        try {
            ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            int n = bb.getInt(base + 20);
            int entries = base + 48;
            for (int i = 0; i < n && i < 100000; i++) {
                int e = entries + i * 24;
                int key = bb.getInt(e + 4), value = bb.getInt(e + 8);
                cache.computeIfAbsent(cstr(b, base + key), k -> new ArrayList<>())
                        .add(cstr(b, base + value));
            }
        } catch (IndexOutOfBoundsException ignored) {
            // a damaged cache: the loader falls back to its default directories too
        }
        return cache;
    }

    private static String cstr(byte[] b, int off) {
        int e = off;
        while (e < b.length && b[e] != 0) e++;
        return new String(b, off, e - off, StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] b, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= Math.min(b.length, 64); i++) {
            for (int j = 0; j < needle.length; j++) if (b[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
