package dev.whittle.cli.format;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/** Go's strconv.FormatFloat, digit for digit, for fmt's float verbs and docker's sizes. */
public final class GoFloat {
    private GoFloat() {}

    /**
     * Go's strconv.FormatFloat for 'g' and 'e' and 'f' with a precision (-1 = shortest). Go drops trailing zeros in
     * %g and writes exponents with at least two digits ({@code 1e+03}), unlike Java's %g.
     */
    public static String formatFloat(double v, char fmt, int prec) {
        return formatFloat(v, fmt, prec, 64);
    }

    /** As {@link #formatFloat(double, char, int)} for a float32 ({@code bitSize} 32): its own shortest digits. */
    public static String formatFloat(double v, char fmt, int prec, int bitSize) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
        if (v == 0) {
            String z = switch (fmt) {
                case 'e' -> prec < 0 ? "0e+00" : "0" + (prec > 0 ? "." + "0".repeat(prec) : "") + "e+00";
                case 'f' -> prec <= 0 ? "0" : "0." + "0".repeat(prec);
                default -> "0";
            };
            return (1 / v < 0 ? "-" : "") + z;
        }
        if (prec >= 0 && fmt != 'f') {
            // the digits without BigDecimal when they are clear: its class initialisation alone costs ~15 ms in a
            // young JVM, and every docker-style size (855MB) is a %.3g
            long[] fast = roundedDigits(Math.abs(v), fmt == 'e' ? prec + 1 : Math.max(prec, 1));
            if (fast != null) return layout(v, fmt, prec, Long.toString(fast[0]), (int) fast[1]);
        }
        return formatFloatExact(v, fmt, prec, bitSize);
    }

    /**
     * {@code digits} significant digits of {@code a > 0}, rounded half to even, and the decimal exponent of the first;
     * null when the value lies so close to halfway between two roundings that double arithmetic cannot tell which.
     */
    static long[] roundedDigits(double a, int digits) {
        if (digits > 15 || !(a >= 1e-300 && a <= 1e300)) return null;
        long low = pow10(digits - 1), high = low * 10;
        int exp = (int) Math.floor(Math.log10(a));
        double scaled = 0;
        for (int tries = 0; tries < 3; tries++) {
            scaled = a * Math.pow(10, digits - 1 - exp);
            if (scaled >= high) exp++;
            else if (scaled < low) exp--;
            else break;
        }
        if (scaled < low || scaled >= high) return null;
        double floor = Math.floor(scaled), frac = scaled - floor;
        if (Math.abs(frac - 0.5) < 1e-6 || frac < 1e-9 && floor == low)
            return null; // a tie, or at a power of ten: exactly
        long r = (long) floor + (frac > 0.5 ? 1 : 0);
        if (r == high) {
            r = low;
            exp++;
        }
        return new long[] {r, exp};
    }

    private static long pow10(int n) {
        long p = 1;
        for (int k = 0; k < n; k++) p *= 10;
        return p;
    }

    /** {@link #formatFloat} through BigDecimal: exact in every case. */
    static String formatFloatExact(double v, char fmt, int prec) {
        return formatFloatExact(v, fmt, prec, 64);
    }

    private static String formatFloatExact(double v, char fmt, int prec, int bitSize) {
        BigDecimal exact = new BigDecimal(v);
        BigDecimal d;
        if (prec < 0) {
            // shortest representation that round-trips
            d = new BigDecimal(bitSize == 32 ? Float.toString((float) v) : Double.toString(v));
        } else if (fmt == 'f') {
            // a double's exact decimal has at most 1074 decimals: past them the digits are zeros, which costs
            // nothing to write where rounding at a scale of millions (%.9999999f) costs BigDecimal seconds
            if (prec > exact.scale()) {
                String plain = exact.toPlainString();
                return plain + (exact.scale() <= 0 ? "." : "") + "0".repeat(prec - Math.max(exact.scale(), 0));
            }
            d = exact.setScale(prec, RoundingMode.HALF_EVEN);
            return d.toPlainString();
        } else {
            int digits = fmt == 'e' ? prec + 1 : Math.max(prec, 1);
            d = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
        }
        if (fmt == 'f') {
            String plain = d.stripTrailingZeros().toPlainString();
            return v < 0 && !plain.startsWith("-") ? "-" + plain : plain;
        }
        BigInteger unscaled = d.unscaledValue().abs();
        String digits = unscaled.toString();
        int exp = digits.length() - 1 - d.scale();
        return layout(v, fmt, prec, digits, exp);
    }

    /** Go's layout of significant digits with their exponent, for 'g' and 'e'. */
    private static String layout(double v, char fmt, int prec, String digits, int exp) {
        if (fmt == 'g') {
            String stripped = stripZeros(digits);
            int eprec = prec < 0 ? 6 : Math.max(prec, 1);
            if (exp < -4 || exp >= eprec) return sign(v) + mantissa(stripped) + expo(exp);
            return sign(v) + plain(stripped, exp);
        }
        // 'e'
        String m = digits;
        if (prec >= 0) {
            if (m.length() < prec + 1) m = m + "0".repeat(prec + 1 - m.length());
        } else {
            m = stripZeros(m);
        }
        return sign(v) + mantissa(m) + expo(exp);
    }

    /** The digits without trailing zeros ("0" if nothing is left). */
    private static String stripZeros(String digits) {
        int end = digits.length();
        while (end > 1 && digits.charAt(end - 1) == '0') end--;
        return digits.substring(0, end);
    }

    private static String sign(double v) {
        return v < 0 ? "-" : "";
    }

    private static String mantissa(String digits) {
        return digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    }

    private static String expo(int exp) {
        String e = Integer.toString(Math.abs(exp));
        return "e" + (exp < 0 ? "-" : "+") + (e.length() < 2 ? "0" + e : e);
    }

    private static String plain(String digits, int exp) {
        if (exp < 0) return "0." + "0".repeat(-exp - 1) + digits;
        if (digits.length() <= exp + 1) return digits + "0".repeat(exp + 1 - digits.length());
        return digits.substring(0, exp + 1) + "." + digits.substring(exp + 1);
    }
}
