package dev.whittle.image;

import dev.whittle.json.JsonObjects;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** os/architecture[/variant], normalised as containerd does (x86_64→amd64, aarch64→arm64, arm→arm/v7...). */
public record Platform(String os, String architecture, String variant) {
    public Platform {
        os = os == null || os.isEmpty() ? "linux" : os.toLowerCase(Locale.ROOT);
        String[] av = normalize(
                architecture == null ? "" : architecture.toLowerCase(Locale.ROOT),
                variant == null ? "" : variant.toLowerCase(Locale.ROOT));
        architecture = av[0];
        variant = av[1];
    }

    public static final Platform LINUX_AMD64 = new Platform("linux", "amd64", "");

    /** The platform of the machine whittle runs on. */
    public static Platform host() {
        return new Platform("linux", System.getProperty("os.arch"), "");
    }

    /** Parses {@code os/arch[/variant]}, or just {@code arch} (linux), or just {@code os} (the host's arch), as containerd. */
    public static Platform parse(String s) {
        String[] p = s.trim().split("/");
        if (s.isBlank() || p.length > 3)
            throw new IllegalArgumentException("invalid platform \"" + s + "\": expected os/arch[/variant]");
        if (p.length == 1 && KNOWN_OS.contains(p[0].toLowerCase(Locale.ROOT)))
            return new Platform(p[0], host().architecture(), "");
        if (p.length == 1) return new Platform("linux", p[0], "");
        return new Platform(p[0], p[1], p.length == 3 ? p[2] : "");
    }

    private static final String COMPONENT = "^[A-Za-z0-9_.-]+$";
    private static final String OS_COMPONENT =
            "^([A-Za-z0-9_-]+)(?:\\(([A-Za-z0-9_.%-]*)((?:\\+[A-Za-z0-9_.%-]+)*)\\))?$";

    /**
     * Why containerd's {@code platforms.Parse} (which BuildKit uses for FROM --platform) refuses a specifier, in its
     * words, or null when it accepts it. {@link #parse} is more lenient and stays so for whittle's own options.
     */
    public static String specifierError(String specifier) {
        if (specifier.contains("*")) return quote(specifier) + ": wildcards not yet supported: invalid argument";
        String[] parts = specifier.split("/", 4);
        if (!osComponent(parts[0])) {
            return quote(parts[0]) + " is an invalid OS component of " + quote(specifier)
                    + ": OSAndVersion specifier component must match " + quote(OS_COMPONENT) + ": invalid argument";
        }
        for (int i = 1; i < parts.length; i++) {
            if (parts[i].isEmpty() || !parts[i].chars().allMatch(c -> word(c) || c == '.')) {
                return quote(parts[i]) + " is an invalid component of " + quote(specifier)
                        + ": platform specifier component must match " + quote(COMPONENT) + ": invalid argument";
            }
        }
        return switch (parts.length) {
            case 1 ->
                KNOWN_OS.contains(parts[0].replaceFirst("\\(.*", "").toLowerCase(Locale.ROOT))
                                || KNOWN_ARCH.contains(normalize(parts[0].toLowerCase(Locale.ROOT), "")[0])
                        ? null
                        : quote(specifier) + ": unknown operating system or architecture: invalid argument";
            case 2, 3 -> null;
            default -> quote(specifier) + ": cannot parse platform specifier: invalid argument";
        };
    }

    private static final Set<String> KNOWN_OS = Set.of(
            "aix",
            "android",
            "darwin",
            "dragonfly",
            "freebsd",
            "hurd",
            "illumos",
            "ios",
            "js",
            "linux",
            "nacl",
            "netbsd",
            "openbsd",
            "plan9",
            "solaris",
            "windows",
            "zos",
            "macos");
    private static final Set<String> KNOWN_ARCH = Set.of(
            "386",
            "amd64",
            "amd64p32",
            "arm",
            "armbe",
            "arm64",
            "arm64be",
            "ppc64",
            "ppc64le",
            "loong64",
            "mips",
            "mipsle",
            "mips64",
            "mips64le",
            "mips64p32",
            "mips64p32le",
            "ppc",
            "riscv",
            "riscv64",
            "s390",
            "s390x",
            "sparc",
            "sparc64",
            "wasm");

    private static boolean word(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-';
    }

    /** {@code os} or {@code os(version[+feature]...)}, as containerd's osRe. */
    private static boolean osComponent(String s) {
        int open = s.indexOf('(');
        String name = open < 0 ? s : s.substring(0, open);
        if (name.isEmpty() || !name.chars().allMatch(Platform::word)) return false;
        if (open < 0) return true;
        if (!s.endsWith(")")) return false;
        String inside = s.substring(open + 1, s.length() - 1);
        String[] versionAndFeatures = inside.split("\\+", -1);
        for (int i = 0; i < versionAndFeatures.length; i++) {
            String v = versionAndFeatures[i];
            if (i > 0 && v.isEmpty()) return false;
            if (!v.chars().allMatch(c -> word(c) || c == '.' || c == '%')) return false;
        }
        return true;
    }

    /** Go's %q for the ASCII strings these messages hold. */
    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String[] normalize(String arch, String variant) {
        switch (arch) {
            case "i386":
                return new String[] {"386", ""};
            case "x86_64":
            case "x86-64":
            case "amd64":
                return new String[] {"amd64", variant.equals("v1") ? "" : variant};
            case "aarch64":
            case "arm64":
                return new String[] {
                    "arm64",
                    switch (variant) {
                        case "8", "v8", "v8.0" -> "";
                        case "9", "9.0", "v9.0" -> "v9";
                        default -> variant;
                    }
                };
            case "armhf":
                return new String[] {"arm", "v7"};
            case "armel":
                return new String[] {"arm", "v6"};
            case "arm":
                return new String[] {
                    "arm",
                    switch (variant) {
                        case "", "7" -> "v7";
                        case "5", "6", "8" -> "v" + variant;
                        default -> variant;
                    }
                };
            default:
                return new String[] {arch, variant};
        }
    }

    /** Platforms acceptable in place of this one, most preferred first (containerd's platforms.Only). */
    public List<Platform> compatible() {
        List<Platform> out = new ArrayList<>();
        out.add(this);
        switch (architecture) {
            case "amd64" -> {
                int level = variant.startsWith("v") ? parseInt(variant.substring(1), 1) : 1;
                for (int v = level - 1; v >= 1; v--) out.add(new Platform(os, "amd64", v == 1 ? "" : "v" + v));
                out.add(new Platform(os, "386", ""));
            }
            case "arm" -> {
                int level = parseInt(variant.substring(1), 7);
                for (int v = level - 1; v >= 5; v--) out.add(new Platform(os, "arm", "v" + v));
            }
            case "arm64" -> {
                for (int v = 8; v >= 5; v--) out.add(new Platform(os, "arm", "v" + v));
            }
            default -> {}
        }
        return out;
    }

    private static int parseInt(String s, int dflt) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    public static Platform fromJson(Map<String, Object> m) {
        return new Platform(
                JsonObjects.string(m, "os"), JsonObjects.string(m, "architecture"), JsonObjects.string(m, "variant"));
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architecture", architecture);
        m.put("os", os);
        if (!variant.isEmpty()) m.put("variant", variant);
        return m;
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
    }
}
