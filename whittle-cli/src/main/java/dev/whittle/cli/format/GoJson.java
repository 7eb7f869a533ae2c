package dev.whittle.cli.format;

import dev.whittle.json.Json;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * encoding/json's Marshal of a typed value, as a tree of plain Java values for {@link Json} to write: struct fields by
 * their JSON names (empty {@code omitempty} ones left out), maps sorted by key, nil slices, maps and pointers as null,
 * types with their own MarshalJSON through it, floats as Go writes them.
 */
public final class GoJson {
    private GoJson() {}

    /** What Go's Marshal refuses (NaN, a func, a complex number): docker's {@code json} then prints nothing. */
    public static final class Unsupported extends RuntimeException {
        Unsupported(String message) {
            super(message, null, false, false);
        }
    }

    /** The value as a JSON tree: Map, List, String, Long, Boolean, null, or {@link Json.RawJson} for numbers Go spells its own way. */
    public static Object tree(GoValue v) {
        if (v == null) return null;
        GoType t = v.type();
        if (t.marshalJson() != null && !(t.kind() == GoType.Kind.POINTER && v.isNil()))
            return t.marshalJson().apply(v.data());
        if (t.kind() == GoType.Kind.POINTER && !v.isNil() && t.elem().marshalJson() != null) return tree(v.elem());
        GoType.Kind k = t.kind();
        if (k.isInt()) return v.longValue();
        if (k.isUint()) return new Json.RawJson(Long.toUnsignedString(v.longValue()));
        switch (k) {
            case BOOL:
                return v.boolValue();
            case FLOAT32, FLOAT64:
                return new Json.RawJson(number(v.doubleValue(), k == GoType.Kind.FLOAT32 ? 32 : 64));
            case STRING:
                if ("json.Number".equals(t.name()))
                    return new Json.RawJson(v.stringValue().isEmpty() ? "0" : v.stringValue());
                return v.stringValue();
            case STRUCT: {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = 0; i < t.fields().size(); i++) {
                    GoType.Field f = t.fields().get(i);
                    if (!f.exported() || f.json() == null) continue;
                    GoValue fv = v.field(i);
                    if (f.omitEmpty() && isEmpty(fv)) continue;
                    m.put(f.json(), tree(fv));
                }
                return m;
            }
            case MAP: {
                if (v.isNil()) return null;
                Map<String, Object> m = new TreeMap<>(GoStrings::compare);
                for (GoValue[] e : v.sortedEntries()) m.put(key(e[0]), tree(e[1]));
                return m;
            }
            case SLICE, ARRAY: {
                if (v.isNil()) return null;
                if (t.kind() == GoType.Kind.SLICE && t.elem().kind() == GoType.Kind.UINT8) return base64(v);
                List<Object> l = new ArrayList<>();
                for (int i = 0; i < v.list().size(); i++) l.add(tree(v.index(i)));
                return l;
            }
            case POINTER, INTERFACE:
                return v.isNil() ? null : tree(v.elem());
            default:
                throw new Unsupported("json: unsupported type: " + t);
        }
    }

    private static String key(GoValue k) {
        if (k.kind() == GoType.Kind.STRING) return k.stringValue();
        if (k.kind().isInt()) return Long.toString(k.longValue());
        if (k.kind().isUint()) return Long.toUnsignedString(k.longValue());
        throw new Unsupported("json: unsupported type: " + k.type());
    }

    private static String base64(GoValue v) {
        byte[] b = new byte[v.list().size()];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (long) (Long) v.list().get(i);
        return Base64.getEncoder().encodeToString(b);
    }

    /** encoding/json's isEmptyValue, for omitempty. */
    static boolean isEmpty(GoValue v) {
        GoType.Kind k = v.kind();
        if (k.isInt() || k.isUint()) return v.longValue() == 0;
        return switch (k) {
            case BOOL -> !v.boolValue();
            case FLOAT32, FLOAT64 -> v.doubleValue() == 0;
            case STRING, ARRAY, SLICE, MAP -> v.len() == 0;
            case POINTER, INTERFACE -> v.isNil();
            default -> false;
        };
    }

    /** encoding/json's float encoding: %f digits, or %e beyond [1e-6, 1e21), with e-07 written e-7. */
    static String number(double f, int bits) {
        if (Double.isNaN(f) || Double.isInfinite(f))
            throw new Unsupported("json: unsupported value: " + GoFloat.formatFloat(f, 'g', -1));
        double abs = Math.abs(f);
        char fmt = 'f';
        if (abs != 0) {
            float a32 = (float) abs;
            if (bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (a32 < 1e-6f || a32 >= 1e21f)) fmt = 'e';
        }
        String s = GoFloat.formatFloat(f, fmt, -1, bits);
        if (fmt == 'e') {
            int n = s.length();
            if (n >= 4 && s.charAt(n - 4) == 'e' && s.charAt(n - 3) == '-' && s.charAt(n - 2) == '0') {
                s = s.substring(0, n - 2) + s.charAt(n - 1);
            }
        }
        return s;
    }
}
