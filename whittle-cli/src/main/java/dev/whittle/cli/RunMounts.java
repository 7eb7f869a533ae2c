package dev.whittle.cli;

import dev.whittle.sandbox.ProcessLimits;
import dev.whittle.sandbox.RuncSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code whittle run}'s {@code -v} and {@code --mount}, read as docker's client and Engine 20.10 read them, with their
 * messages. whittle has no volumes: a host path or a tmpfs, nothing else.
 */
final class RunMounts {
    private static final Set<String> PROPAGATION =
            Set.of("private", "rprivate", "shared", "rshared", "slave", "rslave");

    private RunMounts() {}

    /** {@code -v HOST:CONTAINER[:MODE]}: a bind mount; a missing host directory is made, as docker makes it. */
    static RuncSpec.Mount volume(String spec) throws IOException {
        // the client makes ./path absolute; the Engine splits at most four ways and wants a source
        String raw = spec.startsWith("./") || spec.startsWith(".:")
                ? Path.of(".").toAbsolutePath().normalize() + spec.substring(1)
                : spec;
        String[] parts = raw.split(":", 4);
        if (parts[0].isEmpty() || parts.length > 3)
            throw new UserError("invalid volume specification: '" + raw + "'", 125);
        if (parts.length == 1) {
            throw new UserError(
                    "whittle has no volumes: -v " + spec
                            + " asks for an anonymous volume; use a host directory (-v /dir:" + spec
                            + ") or --mount type=tmpfs,dst=" + spec,
                    125);
        }
        String source = parts[0], target = parts[1], mode = parts.length == 3 ? parts[2] : "";
        if (!validMode(mode)) throw new UserError("invalid mode: " + mode, 125);
        if (!source.startsWith("/")) {
            throw new UserError(
                    "whittle has no volumes: \"" + source + "\" is not a host path; use an absolute path (-v /dir:"
                            + target + ")",
                    125);
        }
        if (!target.startsWith("/"))
            throw new UserError("invalid volume specification: '" + raw + "': " + invalidPath("bind", target), 125);
        Path host = Path.of(source);
        if (!Files.exists(host)) Files.createDirectories(host);
        List<String> options = new ArrayList<>(List.of("rbind"));
        String propagation = "rprivate";
        for (String m : mode.isEmpty() ? new String[0] : mode.split(",")) {
            if (m.equals("ro")) options.add("ro");
            if (PROPAGATION.contains(m)) propagation = m;
        }
        options.add(propagation);
        return new RuncSpec.Mount(target, "bind", source, List.copyOf(options));
    }

    /** The Engine's mode check: at most one of rw/ro, one SELinux label, one propagation, one nocopy. */
    private static boolean validMode(String mode) {
        if (mode.isEmpty()) return true;
        int rw = 0, label = 0, propagation = 0, copy = 0;
        for (String m : mode.split(",", -1)) {
            switch (m) {
                case "rw", "ro" -> rw++;
                case "z", "Z" -> label++;
                case "nocopy" -> copy++;
                default -> {
                    if (!PROPAGATION.contains(m)) return false;
                    propagation++;
                }
            }
        }
        return rw <= 1 && label <= 1 && propagation <= 1 && copy <= 1;
    }

    private static String invalidPath(String type, String path) {
        return "invalid mount config for type \"" + type + "\": invalid mount path: '" + path
                + "' mount path must be absolute";
    }

    /** {@code --mount type=bind|tmpfs,...}. */
    static RuncSpec.Mount mount(String spec) throws IOException {
        String type = "volume", source = "", target = "", propagation = "rprivate";
        boolean readonly = false, recursive = true;
        long tmpfsSize = 0;
        int tmpfsMode = 0;
        for (String field : spec.split(",")) {
            int eq = field.indexOf('=');
            String key = (eq < 0 ? field : field.substring(0, eq)).toLowerCase(Locale.ROOT),
                    value = eq < 0 ? null : field.substring(eq + 1);
            if (value == null && !key.equals("readonly") && !key.equals("ro") && !key.equals("bind-nonrecursive")) {
                throw flag(spec, "invalid field '" + field + "' must be a key=value pair");
            }
            switch (key) {
                case "type" -> type = value;
                case "source", "src" -> source = value;
                case "target", "destination", "dst" -> target = value;
                case "readonly", "ro" -> readonly = bool(spec, key, value);
                case "bind-propagation" -> {
                    if (!PROPAGATION.contains(value.toLowerCase(Locale.ROOT)))
                        throw flag(spec, "invalid value for bind-propagation: " + value);
                    propagation = value.toLowerCase(Locale.ROOT);
                }
                case "bind-nonrecursive" -> recursive = !bool(spec, key, value);
                case "consistency" -> {} // macOS only, as in docker on Linux
                case "tmpfs-size" -> tmpfsSize = ramInBytes(spec, value);
                case "tmpfs-mode" -> {
                    try {
                        tmpfsMode = Integer.parseUnsignedInt(value, 8);
                    } catch (NumberFormatException e) {
                        throw flag(spec, "invalid value for tmpfs-mode: " + value);
                    }
                }
                default -> throw flag(spec, "unexpected key '" + key + "' in '" + field + "'");
            }
        }
        if (target.isEmpty()) throw flag(spec, "target is required");
        return switch (type) {
            case "bind" -> {
                if (source.isEmpty())
                    throw new UserError("invalid mount config for type \"bind\": field Source must not be empty", 125);
                if (!source.startsWith("/")) throw new UserError(invalidPath("bind", source), 125);
                if (!target.startsWith("/")) throw new UserError(invalidPath("bind", target), 125);
                if (!Files.exists(Path.of(source))) {
                    throw new UserError(
                            "invalid mount config for type \"bind\": bind source path does not exist: " + source, 125);
                }
                List<String> options = new ArrayList<>(List.of(recursive ? "rbind" : "bind"));
                if (readonly) options.add("ro");
                options.add(propagation);
                yield new RuncSpec.Mount(target, "bind", source, List.copyOf(options));
            }
            case "tmpfs" -> {
                if (!source.isEmpty())
                    throw new UserError(
                            "invalid mount config for type \"tmpfs\": field Source must not be specified", 125);
                if (!target.startsWith("/")) throw new UserError(invalidPath("tmpfs", target), 125);
                List<String> options = new ArrayList<>(List.of("noexec", "nosuid", "nodev", "rprivate"));
                if (readonly) options.add("ro");
                if (tmpfsMode != 0) options.add("mode=" + Integer.toOctalString(tmpfsMode));
                if (tmpfsSize != 0) options.add("size=" + tmpfsSizeOption(tmpfsSize));
                yield new RuncSpec.Mount(target, "tmpfs", "tmpfs", List.copyOf(options));
            }
            case "volume" ->
                throw new UserError(
                        "whittle has no volumes: use --mount type=bind with a host directory, or type=tmpfs", 125);
            default -> throw new UserError("invalid mount config for type \"" + type + "\": mount type unknown", 125);
        };
    }

    private static UserError flag(String spec, String msg) {
        return new UserError("invalid argument \"" + spec + "\" for \"--mount\" flag: " + msg, 125);
    }

    /** Go's strconv.ParseBool, which the client uses for readonly; no value is true. */
    private static boolean bool(String spec, String key, String value) throws UserError {
        if (value == null) return true;
        return switch (value) {
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> throw flag(spec, "invalid value for " + key + ": " + value);
        };
    }

    /** docker's units.RAMInBytes, as --shm-size reads it. */
    private static long ramInBytes(String spec, String value) throws UserError {
        try {
            return ProcessLimits.parseSize(value);
        } catch (IllegalArgumentException e) {
            throw flag(spec, "invalid value for tmpfs-size: " + value);
        }
    }

    /** The Engine's size option: the largest unit that divides the size evenly. */
    private static String tmpfsSizeOption(long size) {
        if (size % (1L << 30) == 0) return size / (1L << 30) + "g";
        if (size % (1L << 20) == 0) return size / (1L << 20) + "m";
        if (size % (1L << 10) == 0) return size / (1L << 10) + "k";
        return Long.toString(size);
    }
}
