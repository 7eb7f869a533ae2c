package dev.whittle.cli.format;

import dev.whittle.json.Json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Values as Go's fmt prints them with %v, which is what docker's templates print for anything that is not passed
 * through {@code json}: {@code [a b]} for slices, {@code map[k:v]} with sorted keys, {@code {}} for empty structs,
 * {@code <nil>}, and typed nils ({@code []}, {@code map[]}) for absent slices and maps of docker's structs.
 */
public final class GoValues {
    private GoValues() {}

    /** A nil slice of a typed struct field: prints {@code []}, encodes as JSON null. */
    public static final Object NIL_SLICE = new TypedNil("[]");
    /** A nil map of a typed struct field: prints {@code map[]}, encodes as JSON null. */
    public static final Object NIL_MAP = new TypedNil("map[]");
    /** A nil pointer to a struct: prints {@code <nil>}, encodes as JSON null. */
    public static final Object NIL_POINTER = new TypedNil("<nil>");
    /** Go's struct{}{}, the value type of ExposedPorts and Volumes: prints {@code {}}, encodes as {@code {}}. */
    public static final Object EMPTY_STRUCT = new EmptyStruct();

    public static final class TypedNil implements Json.JsonNull {
        private final String text;

        TypedNil(String text) {
            this.text = text;
        }

        @Override public String toString() {
            return text;
        }
    }

    public static final class EmptyStruct extends java.util.AbstractMap<String, Object> {
        @Override public java.util.Set<Entry<String, Object>> entrySet() {
            return java.util.Set.of();
        }

        @Override public String toString() {
            return "{}";
        }
    }

    /** Marks a map that is a Go struct (fields in declaration order, printed as {@code {v1 v2}}). */
    public static final class Struct extends java.util.LinkedHashMap<String, Object> {
        /** Extra names a field answers to in templates but that JSON does not show (docker's {@code .ID} beside {@code .Id}). */
        private final Map<String, String> aliases = new java.util.HashMap<>();
        /** Whether {@code json} escapes HTML in this struct, as docker's row types do with their own MarshalJSON. */
        private boolean htmlEscaped;
        /** Fields tagged {@code json:",omitempty"}: visible to templates, left out of JSON when empty. */
        private final java.util.Set<String> omitEmpty = new java.util.HashSet<>();

        public Struct omitEmpty(String... fields) {
            omitEmpty.addAll(java.util.List.of(fields));
            return this;
        }

        public boolean omitted(String field) {
            return omitEmpty.contains(field) && !truthy(get(field));
        }

        public Struct alias(String alias, String field) {
            aliases.put(alias, field);
            return this;
        }

        public String aliasOf(String name) {
            return aliases.get(name);
        }

        public Struct htmlEscaped() {
            htmlEscaped = true;
            return this;
        }

        public boolean isHtmlEscaped() {
            return htmlEscaped;
        }
    }

    /** The value as Go's encoding/json sees it: Go maps sorted, struct fields in order minus empty omitempty ones. */
    public static Object toJson(Object v) {
        if (v instanceof Struct s) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            s.forEach((k, x) -> {
                if (!s.omitted(k)) m.put(k, toJson(x));
            });
            return m;
        }
        if (v instanceof EmptyStruct) return new java.util.LinkedHashMap<>();
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> t = new TreeMap<>();
            m.forEach((k, x) -> t.put(String.valueOf(k), toJson(x)));
            return t;
        }
        if (v instanceof List<?> l) {
            List<Object> o = new java.util.ArrayList<>();
            for (Object x : l) o.add(toJson(x));
            return o;
        }
        return v;
    }

    /** Go's %v. */
    public static String format(Object v) {
        StringBuilder sb = new StringBuilder();
        append(sb, v, true);
        return sb.toString();
    }

    private static void append(StringBuilder sb, Object v, boolean top) {
        switch (v) {
            case null -> sb.append("<nil>");
            case TypedNil t -> sb.append(t.text);
            case EmptyStruct e -> sb.append("{}");
            case String s -> sb.append(s);
            case Struct s -> {
                sb.append('{');
                boolean first = true;
                for (Object o : s.values()) {
                    if (!first) sb.append(' ');
                    first = false;
                    append(sb, o, false);
                }
                sb.append('}');
            }
            case Map<?, ?> m -> {
                sb.append("map[");
                boolean first = true;
                for (Map.Entry<?, ?> e : sorted(m).entrySet()) {
                    if (!first) sb.append(' ');
                    first = false;
                    append(sb, e.getKey(), false);
                    sb.append(':');
                    append(sb, e.getValue(), false);
                }
                sb.append(']');
            }
            case List<?> l -> {
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) sb.append(' ');
                    append(sb, l.get(i), false);
                }
                sb.append(']');
            }
            case Double d -> sb.append(formatFloat(d, 'g', -1));
            case Float f -> sb.append(formatFloat(f.doubleValue(), 'g', -1));
            default -> sb.append(v);
        }
    }

    /** The Go type a value stands for, as fmt and template errors name it. */
    static String typeName(Object v) {
        return switch (v) {
            case null -> "<nil>";
            case String s -> "string";
            case Long l -> "int64";
            case Integer n -> "int";
            case Double d -> "float64";
            case Boolean b -> "bool";
            case List<?> l -> "[]interface {}";
            default -> "interface {}";
        };
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static Map<?, ?> sorted(Map<?, ?> m) {
        if (m instanceof TreeMap) return m;
        try {
            return new TreeMap(m);
        } catch (ClassCastException | NullPointerException e) {
            return m;
        }
    }

    /** Go truthiness: false, 0, nil, and empty strings, slices and maps are false. */
    public static boolean truthy(Object v) {
        return switch (v) {
            case null -> false;
            case TypedNil t -> false;
            case Boolean b -> b;
            case String s -> !s.isEmpty();
            case Number n -> n.doubleValue() != 0;
            case EmptyStruct e -> true;
            case Struct s -> true;
            case Map<?, ?> m -> !m.isEmpty();
            case List<?> l -> !l.isEmpty();
            default -> true;
        };
    }

    /**
     * Go's strconv.FormatFloat for 'g' and 'e' and 'f' with a precision (-1 = shortest). Go drops trailing zeros in
     * %g and writes exponents with at least two digits ({@code 1e+03}), unlike Java's %g.
     */
    public static String formatFloat(double v, char fmt, int prec) {
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
        return formatFloatExact(v, fmt, prec);
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
        if (Math.abs(frac - 0.5) < 1e-6 || frac < 1e-9 && floor == low) return null; // a tie, or at a power of ten: exactly
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
        BigDecimal exact = new BigDecimal(v);
        BigDecimal d;
        if (prec < 0) {
            d = new BigDecimal(Double.toString(v)); // shortest representation that round-trips
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
        if (fmt == 'f') return d.stripTrailingZeros().toPlainString();
        BigInteger unscaled = d.unscaledValue().abs();
        String digits = unscaled.toString();
        int exp = digits.length() - 1 - d.scale();
        return layout(v, fmt, prec, digits, exp);
    }

    /** Go's layout of significant digits with their exponent, for 'g' and 'e'. */
    private static String layout(double v, char fmt, int prec, String digits, int exp) {
        if (fmt == 'g') {
            String stripped = digits.replaceFirst("0+$", "");
            if (stripped.isEmpty()) stripped = "0";
            int eprec = prec < 0 ? 6 : Math.max(prec, 1);
            if (exp < -4 || exp >= eprec) return sign(v) + mantissa(stripped) + expo(exp);
            return sign(v) + plain(stripped, exp);
        }
        // 'e'
        String m = digits;
        if (prec >= 0) {
            if (m.length() < prec + 1) m = m + "0".repeat(prec + 1 - m.length());
        } else {
            m = m.replaceFirst("0+$", "");
            if (m.isEmpty()) m = "0";
        }
        return sign(v) + mantissa(m) + expo(exp);
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
