package dev.whittle.cli.format;

import java.time.Duration;
import java.util.Locale;

/** docker/go-units: sizes in decimal units with Go's %g, and human durations. */
public final class Units {
    private Units() {}

    private static final String[] DECIMAL = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
    private static final String[] BINARY = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};

    /** {@code HumanSizeWithPrecision(size, 3)}: what {@code docker images} and {@code docker history} print. */
    public static String humanSize(double size) {
        return humanSize(size, 3);
    }

    public static String humanSize(double size, int precision) {
        int i = 0;
        while (size >= 1000 && i < DECIMAL.length - 1) {
            size /= 1000;
            i++;
        }
        return GoFloat.formatFloat(size, 'g', precision) + DECIMAL[i];
    }

    /** {@code BytesSize}: binary units, %.4g. */
    public static String bytesSize(double size) {
        int i = 0;
        while (size >= 1024 && i < BINARY.length - 1) {
            size /= 1024;
            i++;
        }
        return GoFloat.formatFloat(size, 'g', 4) + BINARY[i];
    }

    /** Go's time.Duration: int64 nanoseconds, which time.Sub saturates at about ±292 years. */
    private static final Duration GO_MAX = Duration.ofNanos(Long.MAX_VALUE), GO_MIN = Duration.ofNanos(Long.MIN_VALUE);

    /**
     * {@code units.HumanDuration}, worked out as Go does on a {@code time.Duration}: a longer duration is taken as
     * Go's {@code time.Sub} gives it, saturated, so an image dated 5 million years ago was created "292 years ago".
     */
    public static String humanDuration(Duration d) {
        long ns = d.compareTo(GO_MAX) >= 0 ? Long.MAX_VALUE : d.compareTo(GO_MIN) <= 0 ? Long.MIN_VALUE : d.toNanos();
        long seconds = (long) inUnits(ns, 1_000_000_000L);
        if (seconds < 1) return "Less than a second";
        if (seconds == 1) return "1 second";
        if (seconds < 60) return seconds + " seconds";
        long minutes = (long) inUnits(ns, 60_000_000_000L);
        if (minutes == 1) return "About a minute";
        if (minutes < 60) return minutes + " minutes";
        long hours = (long) (inUnits(ns, 3_600_000_000_000L) + 0.5);
        if (hours == 1) return "About an hour";
        if (hours < 48) return hours + " hours";
        if (hours < 24 * 7 * 2) return hours / 24 + " days";
        if (hours < 24 * 30 * 2) return hours / 24 / 7 + " weeks";
        if (hours < 24 * 365 * 2) return hours / 24 / 30 + " months";
        return (long) inUnits(ns, 3_600_000_000_000L) / 24 / 365 + " years";
    }

    /** Go's Duration.Seconds/Minutes/Hours: whole units plus the fraction, so no precision is lost to the double. */
    private static double inUnits(long ns, long unit) {
        return (double) (ns / unit) + (double) (ns % unit) / unit;
    }

    /** Parses sizes such as {@code 20MB}, {@code 1.5GiB}, {@code 100} (bytes), as dive's CI options do. */
    public static long parseSize(String s) {
        String t = s.trim();
        int i = 0;
        while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) i++;
        if (i == 0) throw new IllegalArgumentException("invalid size \"" + s + "\"");
        double n = Double.parseDouble(t.substring(0, i));
        String unit = t.substring(i).trim().toLowerCase(Locale.ROOT);
        double mult = switch (unit) {
            case "", "b" -> 1;
            case "k", "kb" -> 1e3;
            case "m", "mb" -> 1e6;
            case "g", "gb" -> 1e9;
            case "t", "tb" -> 1e12;
            case "ki", "kib" -> 1024;
            case "mi", "mib" -> 1024.0 * 1024;
            case "gi", "gib" -> 1024.0 * 1024 * 1024;
            default -> throw new IllegalArgumentException("invalid size unit in \"" + s + "\"");
        };
        return (long) (n * mult);
    }
}
