package dev.whittle.build;

import dev.whittle.gotext.Strconv;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go's fmt renderings that BuildKit writes into image history ({@code %q} of string slices, durations, maps). */
final class GoText {
    private GoText() {}

    /** {@code fmt.Sprintf("%q", []string{...})}: {@code ["a" "b c"]}. */
    static String quotedSlice(List<String> l) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < l.size(); i++) {
            if (i > 0) sb.append(' ');
            sb.append(quote(l.get(i)));
        }
        return sb.append(']').toString();
    }

    /** {@code %v} of a []string: {@code [a b c]}. */
    static String plainSlice(List<String> l) {
        return "[" + String.join(" ", l) + "]";
    }

    /** {@code %v} of map[string]struct{}: {@code map[80/tcp:{} 8080/tcp:{}]} (keys sorted). */
    static String structSet(Collection<String> keys) {
        StringBuilder sb = new StringBuilder("map[");
        boolean first = true;
        for (String k : new TreeSet<>(keys)) {
            if (!first) sb.append(' ');
            first = false;
            sb.append(k).append(":{}");
        }
        return sb.append(']').toString();
    }

    /** strconv.Quote. */
    static String quote(String s) {
        return Strconv.quote(s, false);
    }

    /** {@code %q} of an int (a rune): {@code '\x03'}. */
    static String quotedRune(long n) {
        return Strconv.quoteRune(n < 0 || n > 0x10FFFF ? Strconv.RUNE_ERROR : (int) n, false);
    }

    /** time.Duration.String(): {@code 5m0s}, {@code 30s}, {@code 1.5s}, {@code 100ms}, {@code 0s}. */
    static String duration(long nanos) {
        if (nanos == 0) return "0s";
        boolean neg = nanos < 0;
        long u = Math.abs(nanos);
        String out;
        if (u < 1_000_000_000L) {
            if (u < 1_000) out = u + "ns";
            else if (u < 1_000_000) out = trim(u / 1e3) + "µs";
            else out = trim(u / 1e6) + "ms";
        } else {
            long h = u / 3_600_000_000_000L;
            long rem = u % 3_600_000_000_000L;
            long m = rem / 60_000_000_000L;
            long sNanos = rem % 60_000_000_000L;
            String secs = trim(sNanos / 1e9) + "s";
            if (h > 0) out = h + "h" + m + "m" + secs;
            else if (m > 0) out = m + "m" + secs;
            else out = secs;
        }
        return (neg ? "-" : "") + out;
    }

    private static String trim(double v) {
        String s = BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
        return s;
    }

    /** Parses docker's durations ({@code 30s}, {@code 1m30s}, {@code 500ms}, {@code 1h}). */
    static long parseDuration(String s) {
        Matcher m = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)").matcher(s);
        long total = 0;
        int pos = 0;
        while (m.find()) {
            if (m.start() != pos) throw new IllegalArgumentException("invalid duration \"" + s + "\"");
            double v = Double.parseDouble(m.group(1));
            total += (long) (v
                    * switch (m.group(2)) {
                        case "ns" -> 1;
                        case "us", "µs" -> 1e3;
                        case "ms" -> 1e6;
                        case "s" -> 1e9;
                        case "m" -> 60e9;
                        default -> 3600e9;
                    });
            pos = m.end();
        }
        if (pos != s.length() || s.isEmpty()) throw new IllegalArgumentException("invalid duration \"" + s + "\"");
        return total;
    }
}
