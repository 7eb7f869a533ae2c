package dev.whittle.cli;

import dev.whittle.image.ImageConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** docker's {@code --filter key=value} flags: parsed once, each key checked against those the command accepts. */
final class Filters {
    private final Map<String, List<String>> values = new LinkedHashMap<>();

    private Filters() {}

    /**
     * @param flag        the flag as pflag names it in errors ({@code -f, --filter})
     * @param commandPath the command as typed ({@code whittle images}), for the usage error
     */
    static Filters parse(List<String> args, Set<String> accepted, String flag, String commandPath) {
        Filters f = new Filters();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw UserError.usage(
                        "invalid argument \"" + a + "\" for \"" + flag
                                + "\" flag: bad format of filter (expected name=value)",
                        commandPath);
            }
            // docker's filter keys are case-insensitive; label!= is a key of its own
            String key = a.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = a.substring(eq + 1).trim();
            if (key.endsWith("!")) key = key.substring(0, key.length() - 1) + "!";
            if (!accepted.contains(key)) throw new UserError("Invalid filter '" + key + "'");
            f.values.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return f;
    }

    List<String> get(String key) {
        return values.getOrDefault(key, List.of());
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    /** An image's labels (Config.Labels), none when it has none. */
    static Map<String, String> labels(ImageConfig c) {
        Map<String, String> out = new LinkedHashMap<>();
        if (c.config().get("Labels") instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) out.put(String.valueOf(e.getKey()), String.valueOf(e.getValue()));
        }
        return out;
    }

    /** docker's label filter: {@code key} (present) or {@code key=value} against an image's labels. */
    static boolean labelMatches(String filter, Map<String, String> labels) {
        int eq = filter.indexOf('=');
        if (eq < 0) return labels.containsKey(filter);
        return filter.substring(eq + 1).equals(labels.get(filter.substring(0, eq)));
    }

    /**
     * docker's timetypes.GetTimestamp: a Go duration before {@code now} ({@code 24h}, {@code 1h30m}), an RFC 3339
     * time or date, or seconds since the epoch.
     */
    static Instant timestamp(String v, Instant now) {
        Duration d = goDuration(v);
        if (d != null) return now.minus(d);
        try {
            return OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException ignored) {
            // next form
        }
        try {
            return LocalDateTime.parse(v).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException ignored) {
            // next form
        }
        try {
            return LocalDate.parse(v).atStartOfDay().toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException ignored) {
            // next form
        }
        try {
            double s = Double.parseDouble(v);
            return Instant.ofEpochSecond((long) Math.floor(s), (long) ((s - Math.floor(s)) * 1e9));
        } catch (NumberFormatException e) {
            throw new UserError("failed to parse value as time or duration: \"" + v + "\"");
        }
    }

    /** Go's time.ParseDuration ({@code 300ms}, {@code 1.5h}, {@code 2h45m}), or null when {@code s} is not one. */
    static Duration goDuration(String s) {
        if (s.isEmpty()) return null;
        int i = 0;
        boolean neg = false;
        if (s.charAt(0) == '-' || s.charAt(0) == '+') {
            neg = s.charAt(0) == '-';
            i++;
        }
        if (s.substring(i).equals("0")) return Duration.ZERO;
        double nanos = 0;
        boolean any = false;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) i++;
            if (start == i) return null;
            double n;
            try {
                n = Double.parseDouble(s.substring(start, i));
            } catch (NumberFormatException e) {
                return null;
            }
            int u = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') i++;
            double unit = switch (s.substring(u, i)) {
                case "ns" -> 1;
                case "us", "µs", "μs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                case "h" -> 3600e9;
                default -> -1;
            };
            if (unit < 0) return null;
            nanos += n * unit;
            any = true;
        }
        if (!any) return null;
        Duration d = Duration.ofNanos((long) nanos);
        return neg ? d.negated() : d;
    }
}
