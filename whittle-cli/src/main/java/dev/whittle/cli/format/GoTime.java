package dev.whittle.cli.format;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
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
    private static final Set<String> UTC_NAMES = Set.of("UTC", "Etc/UTC", "UCT", "Etc/UCT", "Zulu", "Etc/Zulu", "Universal",
            "Etc/Universal", "GMT", "Etc/GMT", "GMT0", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0", "Greenwich", "Etc/Greenwich");
    private static volatile ZoneId local;

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
        } catch (java.io.IOException | RuntimeException e) {
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
        var zoned = t.atZone(z);
        String abbrev = zoned.format(DateTimeFormatter.ofPattern("zzz", Locale.US)); // Locale.ROOT says GMT+01:00, Go CET
        if (abbrev.equals("Z") || abbrev.equals("GMT")) abbrev = "UTC";
        return zoned.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss xx", Locale.ROOT)) + " " + abbrev;
    }

    /** RFC 3339 of a whole second in the local zone, as Go's {@code time.RFC3339}: {@code 2021-03-04T03:24:42+01:00}. */
    public static String rfc3339(Instant t) {
        return rfc3339(t, local());
    }

    static String rfc3339(Instant t, ZoneId z) {
        ZoneOffset off = z == ZoneOffset.UTC ? ZoneOffset.UTC : z.getRules().getOffset(t);
        return dateTime(t.getEpochSecond(), off, 'T') + (off.getTotalSeconds() == 0 ? "Z" : off.getId());
    }

    /** RFC 3339 in UTC with the nanoseconds Go's {@code time.RFC3339Nano} keeps (trailing zeros dropped). */
    public static String rfc3339Nano(Instant t) {
        if (t == null) return "0001-01-01T00:00:00Z";
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

    private static String dateTime(long epochSecond, ZoneOffset off, char sep) {
        LocalDateTime d = LocalDateTime.ofEpochSecond(epochSecond, 0, off);
        StringBuilder b = new StringBuilder(19);
        int y = d.getYear();
        if (y < 0 || y > 9999) b.append(y);
        else pad(b, y, 4);
        b.append('-');
        pad(b, d.getMonthValue(), 2);
        b.append('-');
        pad(b, d.getDayOfMonth(), 2);
        b.append(sep);
        pad(b, d.getHour(), 2);
        b.append(':');
        pad(b, d.getMinute(), 2);
        b.append(':');
        pad(b, d.getSecond(), 2);
        return b.toString();
    }

    private static void pad(StringBuilder b, int v, int width) {
        String s = Integer.toString(v);
        for (int i = s.length(); i < width; i++) b.append('0');
        b.append(s);
    }
}
