package dev.whittle.sandbox;

import dev.whittle.image.Platform;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

/**
 * Whether this machine can run another platform's programs: the kernel's binfmt_misc hands an ELF for a foreign
 * machine to an emulator (Debian's {@code qemu-user-static}). Inside a RUN's container the emulator's path does not
 * exist, so the handler must be registered with the {@code F} flag (the kernel opens the emulator at registration);
 * without it every foreign RUN dies with "exec format error" or "no such file or directory", far from the cause.
 */
public final class Binfmt {
    public static final Path PROC = Path.of("/proc/sys/fs/binfmt_misc");

    private final Path dir;
    private final Platform host;

    public Binfmt(Path dir, Platform host) {
        this.dir = dir;
        this.host = host;
    }

    /** This machine's handlers. */
    public static Binfmt system() {
        return new Binfmt(PROC, Platform.host());
    }

    /** The start of an ELF executable for a platform (class, byte order, type, machine), or null if unknown. */
    static byte[] elfHeader(Platform p) {
        int cls, machine;
        boolean big = false;
        switch (p.architecture()) {
            case "amd64" -> {
                cls = 2;
                machine = 0x3e;
            }
            case "386" -> {
                cls = 1;
                machine = 0x03;
            }
            case "arm64" -> {
                cls = 2;
                machine = 0xb7;
            }
            case "arm" -> {
                cls = 1;
                machine = 0x28;
            }
            case "ppc64le" -> {
                cls = 2;
                machine = 0x15;
            }
            case "s390x" -> {
                cls = 2;
                machine = 0x16;
                big = true;
            }
            case "riscv64" -> {
                cls = 2;
                machine = 0xf3;
            }
            default -> {
                return null;
            }
        }
        byte[] h = new byte[20];
        h[0] = 0x7f;
        h[1] = 'E';
        h[2] = 'L';
        h[3] = 'F';
        h[4] = (byte) cls;
        h[5] = (byte) (big ? 2 : 1);
        h[6] = 1;
        // e_type EXEC (2) and e_machine, in the file's byte order
        h[big ? 17 : 16] = 2;
        h[big ? 19 : 18] = (byte) machine;
        return h;
    }

    /** Debian's name of the qemu handler for a platform (the update-binfmts name). */
    static String qemuName(Platform p) {
        return switch (p.architecture()) {
            case "arm64" -> "qemu-aarch64";
            case "amd64" -> "qemu-x86_64";
            case "386" -> "qemu-i386";
            case "ppc64le" -> "qemu-ppc64le";
            default -> "qemu-" + p.architecture();
        };
    }

    /**
     * Why a RUN for {@code p} cannot run here, with how to make it run, or null when it can (the host's own platform,
     * or an enabled handler with the F flag that matches the platform's ELF programs).
     */
    public String problem(Platform p) {
        if (p.architecture().equals(host.architecture()) || compatibleWithHost(p)) return null;
        byte[] elf = elfHeader(p);
        String name = qemuName(p);
        String register = "install qemu-user-static and binfmt-support, then register it with the F flag "
                + "(update-binfmts --enable " + name + ", or docker run --privileged --rm tonistiigi/binfmt --install "
                + p.architecture() + ")";
        if (elf == null) return "whittle does not know how to run " + p + " programs on this " + host + " machine";
        if (!Files.isRegularFile(dir.resolve("status"))) {
            return "binfmt_misc is not mounted at " + dir + ": mount it (mount -t binfmt_misc binfmt_misc " + dir
                    + "), then " + register;
        }
        Handler found = null;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path f : ds) {
                String n = f.getFileName().toString();
                if (n.equals("register") || n.equals("status")) continue;
                Handler h = Handler.read(n, Files.readAllLines(f));
                if (h == null || !h.matches(elf)) continue;
                if (found == null || h.enabled() && h.fixBinary()) found = h;
            }
        } catch (IOException e) {
            return "cannot read " + dir + ": " + e.getMessage();
        }
        if (found == null) return "no binfmt_misc handler for " + p + " programs is registered: " + register;
        if (!found.enabled())
            return "the binfmt_misc handler " + found.name() + " for " + p + " is disabled: " + register;
        if (!found.fixBinary()) {
            return "the binfmt_misc handler " + found.name() + " for " + p + " (" + found.interpreter()
                    + ") is registered without the F flag, so containers cannot reach it: " + register;
        }
        return null;
    }

    /** amd64 runs 386 programs itself; other pairs (arm64 and arm) depend on the CPU, so they go through binfmt. */
    private boolean compatibleWithHost(Platform p) {
        return host.architecture().equals("amd64") && p.architecture().equals("386");
    }

    /** One registered handler, as /proc/sys/fs/binfmt_misc/NAME shows it. */
    record Handler(
            String name, boolean enabled, String interpreter, String flags, int offset, byte[] magic, byte[] mask) {
        static Handler read(String name, List<String> lines) {
            boolean enabled = false;
            String interpreter = "", flags = "";
            int offset = 0;
            byte[] magic = null, mask = null;
            for (String l : lines) {
                if (l.equals("enabled")) enabled = true;
                else if (l.startsWith("interpreter ")) interpreter = l.substring(12);
                else if (l.startsWith("flags:")) flags = l.substring(6).trim();
                else if (l.startsWith("offset "))
                    offset = Integer.parseInt(l.substring(7).trim());
                else if (l.startsWith("magic "))
                    magic = HexFormat.of().parseHex(l.substring(6).trim());
                else if (l.startsWith("mask "))
                    mask = HexFormat.of().parseHex(l.substring(5).trim());
            }
            return magic == null ? null : new Handler(name, enabled, interpreter, flags, offset, magic, mask);
        }

        boolean fixBinary() {
            return flags.contains("F");
        }

        boolean matches(byte[] file) {
            if (offset + magic.length > file.length) return false;
            for (int i = 0; i < magic.length; i++) {
                int m = mask == null || i >= mask.length ? 0xff : mask[i] & 0xff;
                if ((file[offset + i] & m) != (magic[i] & m)) return false;
            }
            return true;
        }
    }
}
