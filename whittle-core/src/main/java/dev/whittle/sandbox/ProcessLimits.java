package dev.whittle.sandbox;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The resources a container's processes get beyond docker's defaults: the size of /dev/shm ({@code --shm-size}) and
 * resource limits ({@code --ulimit}), as docker reads and passes them to runc.
 */
public record ProcessLimits(long shmBytes, List<Ulimit> ulimits) {
    /** docker's default /dev/shm: 64 MiB. */
    public static final long DEFAULT_SHM = 64L << 20;

    public static final ProcessLimits DEFAULT = new ProcessLimits(DEFAULT_SHM, List.of());

    public ProcessLimits {
        if (shmBytes <= 0) throw new IllegalArgumentException("invalid --shm-size: it must be greater than 0");
        ulimits = List.copyOf(ulimits);
    }

    /** One {@code --ulimit name=soft[:hard]}; -1 is unlimited. */
    public record Ulimit(String name, long soft, long hard) {
        private static final Set<String> NAMES = Set.of(
                "core",
                "cpu",
                "data",
                "fsize",
                "locks",
                "memlock",
                "msgqueue",
                "nice",
                "nofile",
                "nproc",
                "rss",
                "rtprio",
                "rttime",
                "sigpending",
                "stack");

        /** Parses docker's form, with docker's messages. */
        public static Ulimit parse(String spec) {
            int eq = spec.indexOf('=');
            if (eq < 0) throw new IllegalArgumentException("invalid ulimit argument: " + spec);
            String name = spec.substring(0, eq);
            if (!NAMES.contains(name)) throw new IllegalArgumentException("invalid ulimit type: " + name);
            String[] limits = spec.substring(eq + 1).split(":", -1);
            if (limits.length > 2)
                throw new IllegalArgumentException("too many limit value arguments - " + spec.substring(eq + 1)
                        + ", can only have up to two, `soft[:hard]`");
            long soft = number(limits[0]), hard = limits.length == 2 ? number(limits[1]) : soft;
            if (soft > hard && hard != -1 || soft == -1 && hard != -1) {
                throw new IllegalArgumentException(
                        "ulimit soft limit must be less than or equal to hard limit: " + soft + " > " + hard);
            }
            return new Ulimit(name, soft, hard);
        }

        private static long number(String s) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid ulimit value: \"" + s + "\"");
            }
        }

        /** runc's form: {@code RLIMIT_NOFILE}, unlimited as RLIM_INFINITY (2^64 - 1). */
        Object toJson() {
            return Map.of("type", "RLIMIT_" + name.toUpperCase(Locale.ROOT), "soft", value(soft), "hard", value(hard));
        }

        private static Object value(long v) {
            return v == -1 ? BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE) : (Object) v;
        }

        @Override
        public String toString() {
            return name + "=" + soft + ":" + hard;
        }
    }

    /** Parses {@code --shm-size} as docker's units.RAMInBytes does: a number, then k, m, g, t or p (powers of 1024), i, b. */
    public static long parseSize(String s) {
        Matcher m =
                Pattern.compile("^(\\d+(\\.\\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$").matcher(s);
        if (!m.matches()) throw new IllegalArgumentException("invalid size: '" + s + "'");
        double v;
        try {
            v = Double.parseDouble(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid size: '" + s + "'");
        }
        int shift = m.group(3) == null
                ? 0
                : 10 * ("kmgtp".indexOf(Character.toLowerCase(m.group(3).charAt(0))) + 1);
        return (long) (v * (1L << shift));
    }

    List<Object> rlimitsJson() {
        List<Object> out = new ArrayList<>();
        for (Ulimit u : ulimits) out.add(u.toJson());
        return out;
    }
}
