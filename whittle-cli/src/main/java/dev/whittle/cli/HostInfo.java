package dev.whittle.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What {@code info} and {@code version} say about the machine whittle runs on: runc, overlayfs, binfmt_misc
 * emulators, slirp4netns, kernel and OS. Each read or program run is small; only these two commands pay for them.
 */
final class HostInfo {
    private HostInfo() {}

    /** The first executable of the names on $PATH and the usual system directories, or null. */
    static Path which(String name) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) dirs.addAll(List.of(path.split(":")));
        dirs.addAll(List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"));
        for (String d : dirs) {
            if (d.isEmpty()) continue;
            Path p = Path.of(d, name);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) return p;
        }
        return null;
    }

    /** The first line a program prints for {@code args} (its version), or "" when it cannot be run. */
    static String firstLine(Path program, String... args) {
        if (program == null) return "";
        List<String> cmd = new ArrayList<>(List.of(program.toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            byte[] out = p.getInputStream().readNBytes(4096);
            if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
            String s = new String(out, StandardCharsets.UTF_8);
            return s.lines().findFirst().orElse("").strip();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** {@code runc version 1.1.5+ds1} → {@code 1.1.5+ds1}; "" when runc is missing. */
    static String runcVersion(Path runc) {
        String l = firstLine(runc, "--version");
        return l.startsWith("runc version ") ? l.substring("runc version ".length()) : l;
    }

    static boolean overlaySupported() {
        return read("/proc/filesystems").lines().anyMatch(l -> l.endsWith("\toverlay"));
    }

    /** The registered binfmt_misc handlers (qemu-aarch64 ...), or null when binfmt_misc is not mounted. */
    static List<String> binfmtHandlers() {
        Path dir = Path.of("/proc/sys/fs/binfmt_misc");
        if (!Files.exists(dir.resolve("status"))) return null;
        List<String> out = new ArrayList<>();
        try (var s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals("status") && !n.equals("register"))
                    .sorted()
                    .forEach(out::add);
        } catch (IOException e) {
            return null;
        }
        return out;
    }

    static String kernelVersion() {
        return read("/proc/sys/kernel/osrelease").strip();
    }

    /** PRETTY_NAME from os-release. */
    static String operatingSystem() {
        for (String f : List.of("/etc/os-release", "/usr/lib/os-release")) {
            for (String l : read(f).lines().toList()) {
                if (l.startsWith("PRETTY_NAME=")) return l.substring(12).replaceAll("^\"|\"$", "");
            }
        }
        return "";
    }

    static long memTotal() {
        for (String l : read("/proc/meminfo").lines().toList()) {
            if (l.startsWith("MemTotal:")) return Long.parseLong(l.replaceAll("\\D+", "")) * 1024;
        }
        return 0;
    }

    static String hostname() {
        return read("/proc/sys/kernel/hostname").strip();
    }

    /** Go's GOARCH for this machine. */
    static String arch() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> a;
        };
    }

    /** uname -m, as docker info's Architecture: x86_64, aarch64. */
    static String machine() {
        String a = System.getProperty("os.arch");
        return a.equals("amd64") ? "x86_64" : a;
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            return "";
        }
    }
}
