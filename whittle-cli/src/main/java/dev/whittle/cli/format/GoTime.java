package dev.whittle.cli.format;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Set;

/**
 * Times as Go prints them, in Go's local zone. Go takes the zone from {@code $TZ}, else {@code /etc/localtime}, and
 * calls it UTC when neither names another; whittle does the same, and for UTC (every container and most servers)
 * formats by hand: the JDK's default zone and its formatters read the time-zone database and build pattern parsers,
 * some 15 ms of a command that lists images.
 */
public final class GoTime {
    private static final Set<String> UTC_NAMES = Set.of(
            "UTC",
            "Etc/UTC",
            "UCT",
            "Etc/UCT",
            "Zulu",
            "Etc/Zulu",
            "Universal",
            "Etc/Universal",
            "GMT",
            "Etc/GMT",
            "GMT0",
            "Etc/GMT0",
            "Etc/GMT+0",
            "Etc/GMT-0",
            "Greenwich",
            "Etc/Greenwich");
    private static volatile ZoneId local;
    /** A day inside LocalDateTime.MIN and MAX (written out: java.time's constants cost class loading on the UTC path). */
    private static final Instant NAMEABLE_MIN = Instant.ofEpochSecond(-31557014135510400L),
            NAMEABLE_MAX = Instant.ofEpochSecond(31556889832694399L);

    /** Go's zero time.Time, 0001-01-01T00:00:00Z: what docker shows for an image whose config gives no date. */
    public static final Instant ZERO = Instant.ofEpochSecond(-62135596800L);

    private GoTime() {}

    /** Go's time.Local. */
    public static ZoneId local() {
        ZoneId z = local;
        if (z == null) local = z = findLocal();
        return z;
    }

    private static ZoneId findLocal() {
        String tz = System.getenv("TZ");
        if (tz != null) {
            if (tz.startsWith(":")) tz = tz.substring(1);
            if (tz.isEmpty() || UTC_NAMES.contains(tz)) return ZoneOffset.UTC;
            try {
                return ZoneId.of(tz);
            } catch (RuntimeException e) {
                return ZoneOffset.UTC; // Go also falls back to UTC for a zone it cannot load
            }
        }
        Path lt = Path.of("/etc/localtime");
        try {
            if (!Files.exists(lt)) return ZoneOffset.UTC;
            if (Files.isSymbolicLink(lt)) {
                String target = Files.readSymbolicLink(lt).toString();
                int at = target.indexOf("zoneinfo/");
                String name = at >= 0 ? target.substring(at + "zoneinfo/".length()) : target;
                if (UTC_NAMES.contains(name)) return ZoneOffset.UTC;
            }
        } catch (IOException | RuntimeException e) {
            // the JDK's own lookup below
        }
        ZoneId sys = ZoneId.systemDefault();
        return UTC_NAMES.contains(sys.getId()) || sys.getId().equals("Z") ? ZoneOffset.UTC : sys;
    }

    /** Go's {@code time.Time.String()} of a whole second in the local zone: {@code 2021-03-04 03:24:42 +0100 CET}. */
    public static String string(Instant t) {
        return string(t, local());
    }

    static String string(Instant t, ZoneId z) {
        if (z == ZoneOffset.UTC) return dateTime(t.getEpochSecond(), ZoneOffset.UTC, ' ') + " +0000 UTC";
        ZoneOffset off = z.getRules().getOffset(t);
        // a zone's name needs a ZonedDateTime, whose years stop a day's worth short of an Instant's: the edges take
        // the name of the nearest time it holds, which has the same offset
        Instant named = t.isBefore(NAMEABLE_MIN) ? NAMEABLE_MIN : t.isAfter(NAMEABLE_MAX) ? NAMEABLE_MAX : t;
        String abbrev = named.atZone(z)
                .format(DateTimeFormatter.ofPattern("zzz", Locale.US)); // Locale.ROOT says GMT+01:00, Go CET
        if (abbrev.equals("Z") || abbrev.equals("GMT")) abbrev = "UTC";
        return dateTime(t.getEpochSecond(), off, ' ') + " " + offset(off, "") + " " + abbrev;
    }

    /** RFC 3339 of a whole second in the local zone, as Go's {@code time.RFC3339}: {@code 2021-03-04T03:24:42+01:00}. */
    public static String rfc3339(Instant t) {
        return rfc3339(t, local());
    }

    static String rfc3339(Instant t, ZoneId z) {
        ZoneOffset off = z == ZoneOffset.UTC ? ZoneOffset.UTC : z.getRules().getOffset(t);
        return dateTime(t.getEpochSecond(), off, 'T') + (off.getTotalSeconds() == 0 ? "Z" : offset(off, ":"));
    }

    /** Go's {@code -0700} ({@code sep} "") and {@code Z07:00} ({@code sep} ":") offsets: minutes, seconds dropped. */
    private static String offset(ZoneOffset off, String sep) {
        int minutes = off.getTotalSeconds() / 60;
        StringBuilder b = new StringBuilder(6).append(minutes < 0 ? '-' : '+');
        pad(b, Math.abs(minutes) / 60, 2);
        b.append(sep);
        pad(b, Math.abs(minutes) % 60, 2);
        return b.toString();
    }

    /** RFC 3339 in UTC with the nanoseconds Go's {@code time.RFC3339Nano} keeps (trailing zeros dropped). */
    public static String rfc3339Nano(Instant t) {
        if (t == null) t = ZERO;
        StringBuilder b = new StringBuilder(dateTime(t.getEpochSecond(), ZoneOffset.UTC, 'T'));
        int nanos = t.getNano();
        if (nanos != 0) {
            String n = Integer.toString(1_000_000_000 + nanos).substring(1);
            int end = n.length();
            while (n.charAt(end - 1) == '0') end--;
            b.append('.').append(n, 0, end);
        }
        return b.append('Z').toString();
    }

    /** Go's {@code time.Time.String()} of a time in UTC, with its fraction: {@code 2021-03-04 03:24:42.5 +0000 UTC}. */
    public static String stringUtc(Instant t) {
        StringBuilder b = new StringBuilder(dateTime(t.getEpochSecond(), ZoneOffset.UTC, ' '));
        int nanos = t.getNano();
        if (nanos != 0) {
            String n = Integer.toString(1_000_000_000 + nanos).substring(1);
            int end = n.length();
            while (n.charAt(end - 1) == '0') end--;
            b.append('.').append(n, 0, end);
        }
        return b.append(" +0000 UTC").toString();
    }

    private static final String[] MONTHS = {
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December"
    };

    /** Go's {@code time.Time.GoString()} of a time in UTC: {@code time.Date(2021, time.March, 4, 3, 24, 42, 0, time.UTC)}. */
    public static String goString(Instant t) {
        String dt = dateTime(t.getEpochSecond(), ZoneOffset.UTC, ' ');
        int dash = dt.indexOf('-', 1);
        long year = Long.parseLong(dt.substring(0, dash));
        int month = Integer.parseInt(dt.substring(dash + 1, dash + 3));
        int day = Integer.parseInt(dt.substring(dash + 4, dash + 6));
        String clock = dt.substring(dash + 7);
        return "time.Date(" + year + ", time." + MONTHS[month - 1] + ", " + day + ", "
                + Integer.parseInt(clock.substring(0, 2)) + ", " + Integer.parseInt(clock.substring(3, 5)) + ", "
                + Integer.parseInt(clock.substring(6, 8)) + ", " + t.getNano() + ", time.UTC)";
    }

    /** Go's {@code time.Duration.String()}: {@code 1h2m3.5s}, {@code 30s}, {@code 1.5ms}, {@code 0s}. */
    public static String durationString(long d) {
        if (d == 0) return "0s";
        boolean neg = d < 0;
        long u = Math.abs(d); // Long.MIN_VALUE stays negative: its magnitude as unsigned below
        StringBuilder b = new StringBuilder();
        if (Long.compareUnsigned(u, 1_000_000_000L) < 0) {
            // under a second: the largest unit that keeps a digit before the point
            long unit;
            String name;
            if (u < 1_000L) {
                return (neg ? "-" : "") + u + "ns";
            } else if (u < 1_000_000L) {
                unit = 1_000L;
                name = "µs";
            } else {
                unit = 1_000_000L;
                name = "ms";
            }
            b.append(u / unit).append(fraction(u % unit, unit)).append(name);
        } else {
            long secs = Long.divideUnsigned(u, 1_000_000_000L), nanos = Long.remainderUnsigned(u, 1_000_000_000L);
            long h = secs / 3600, m = secs / 60 % 60, s = secs % 60;
            if (h > 0) b.append(h).append('h');
            if (h > 0 || m > 0) b.append(m).append('m');
            b.append(s).append(fraction(nanos, 1_000_000_000L)).append('s');
        }
        return (neg ? "-" : "") + b;
    }

    /** ".5" for 500 of 1000: the digits of {@code v / unit} after the point, trailing zeros dropped. */
    private static String fraction(long v, long unit) {
        if (v == 0) return "";
        String digits = Long.toString(unit + v).substring(1);
        int end = digits.length();
        while (digits.charAt(end - 1) == '0') end--;
        return "." + digits.substring(0, end);
    }

    /** The civil date and time worked out by hand (Hinnant's days-to-civil), so any instant formats, as in Go. */
    private static String dateTime(long epochSecond, ZoneOffset off, char sep) {
        long local = epochSecond + off.getTotalSeconds();
        long days = Math.floorDiv(local, 86400), secs = Math.floorMod(local, 86400);
        long z = days + 719468, era = Math.floorDiv(z, 146097), doe = z - era * 146097;
        long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
        long day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
        long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        StringBuilder b = new StringBuilder(19);
        // Go's appendInt(year, 4): the sign, then at least four digits (-0005, 10000, -5000000)
        if (year < 0) b.append('-');
        pad(b, Math.abs(year), 4);
        b.append('-');
        pad(b, month, 2);
        b.append('-');
        pad(b, day, 2);
        b.append(sep);
        pad(b, secs / 3600, 2);
        b.append(':');
        pad(b, secs / 60 % 60, 2);
        b.append(':');
        pad(b, secs % 60, 2);
        return b.toString();
    }

    private static void pad(StringBuilder b, long v, int width) {
        String s = Long.toString(v);
        for (int i = s.length(); i < width; i++) b.append('0');
        b.append(s);
    }
}
