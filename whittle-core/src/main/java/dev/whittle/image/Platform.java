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
        String[] av = normalize(architecture == null ? "" : architecture.toLowerCase(Locale.ROOT),
                variant == null ? "" : variant.toLowerCase(Locale.ROOT));
        architecture = av[0];
        variant = av[1];
    }

    /** containerd's known operating systems (GOOS values): a lone one of these is an OS, anything else an arch. */
    private static final Set<String> KNOWN_OS = Set.of("aix", "android", "darwin", "dragonfly", "freebsd",
            "hurd", "illumos", "ios", "js", "linux", "nacl", "netbsd", "openbsd", "plan9", "solaris", "windows", "zos");

    public static final Platform LINUX_AMD64 = new Platform("linux", "amd64", "");

    /** The platform of the machine whittle runs on. */
    public static Platform host() {
        return new Platform("linux", System.getProperty("os.arch"), "");
    }

    /** Parses {@code os/arch[/variant]}, or just {@code arch} (linux), or just {@code os} (the host's arch), as containerd. */
    public static Platform parse(String s) {
        String[] p = s.trim().split("/");
        if (s.isBlank() || p.length > 3) throw new IllegalArgumentException("invalid platform \"" + s + "\": expected os/arch[/variant]");
        if (p.length == 1 && KNOWN_OS.contains(p[0].toLowerCase(Locale.ROOT))) return new Platform(p[0], host().architecture(), "");
        if (p.length == 1) return new Platform("linux", p[0], "");
        return new Platform(p[0], p[1], p.length == 3 ? p[2] : "");
    }

    private static String[] normalize(String arch, String variant) {
        switch (arch) {
            case "i386": return new String[] {"386", ""};
            case "x86_64": case "x86-64": case "amd64":
                return new String[] {"amd64", variant.equals("v1") ? "" : variant};
            case "aarch64": case "arm64":
                return new String[] {"arm64", switch (variant) {
                    case "8", "v8", "v8.0" -> "";
                    case "9", "9.0", "v9.0" -> "v9";
                    default -> variant;
                }};
            case "armhf": return new String[] {"arm", "v7"};
            case "armel": return new String[] {"arm", "v6"};
            case "arm":
                return new String[] {"arm", switch (variant) {
                    case "", "7" -> "v7";
                    case "5", "6", "8" -> "v" + variant;
                    default -> variant;
                }};
            default: return new String[] {arch, variant};
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
            default -> { }
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
        return new Platform(JsonObjects.string(m, "os"), JsonObjects.string(m, "architecture"), JsonObjects.string(m, "variant"));
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architecture", architecture);
        m.put("os", os);
        if (!variant.isEmpty()) m.put("variant", variant);
        return m;
    }

    @Override public String toString() {
        return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
    }
}
