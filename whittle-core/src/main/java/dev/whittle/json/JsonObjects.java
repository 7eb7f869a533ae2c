package dev.whittle.json;

import java.util.List;
import java.util.Map;

/** Typed reads from parsed JSON with messages that name the field. */
public final class JsonObjects {
    private JsonObjects() {}

    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) return null;
        if (!(v instanceof Map))
            throw new JsonException("field \"" + key + "\" must be an object, not " + Json.typeName(v));
        return (Map<String, Object>) v;
    }

    @SuppressWarnings("unchecked")
    public static List<Object> array(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) return null;
        if (!(v instanceof List))
            throw new JsonException("field \"" + key + "\" must be an array, not " + Json.typeName(v));
        return (List<Object>) v;
    }

    public static String string(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) return null;
        if (!(v instanceof String s))
            throw new JsonException("field \"" + key + "\" must be a string, not " + Json.typeName(v));
        return s;
    }

    public static String requireString(Map<String, Object> m, String key) {
        String s = string(m, key);
        if (s == null) throw new JsonException("missing field \"" + key + "\"");
        return s;
    }

    public static long number(Map<String, Object> m, String key, long dflt) {
        Object v = m.get(key);
        if (v == null) return dflt;
        if (!(v instanceof Number n))
            throw new JsonException("field \"" + key + "\" must be a number, not " + Json.typeName(v));
        return n.longValue();
    }

    public static boolean bool(Map<String, Object> m, String key) {
        return Boolean.TRUE.equals(m.get(key));
    }

    @SuppressWarnings("unchecked")
    public static List<String> strings(Map<String, Object> m, String key) {
        List<Object> l = array(m, key);
        if (l == null) return null;
        for (Object o : l) {
            if (!(o instanceof String)) throw new JsonException("field \"" + key + "\" must hold strings only");
        }
        return (List<String>) (List<?>) l;
    }
}
