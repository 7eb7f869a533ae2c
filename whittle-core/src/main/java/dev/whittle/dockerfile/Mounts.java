package dev.whittle.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code RUN --mount=type=...,target=...} parsed and validated as BuildKit's instructions package does. */
public final class Mounts {
    private Mounts() {}

    public enum Type { BIND, CACHE, TMPFS, SECRET, SSH }

    public enum Sharing { SHARED, PRIVATE, LOCKED }

    /** One mount, values unexpanded where BuildKit expands them (from, source, target, id). */
    public record Spec(Type type, Word target, Word source, Word from, boolean readOnly, String id, Sharing sharing,
                       Integer mode, Integer uid, Integer gid, boolean required, Long size, String env, Pos pos) {}

    public static Spec parse(Dockerfile df, Flag f) {
        if (f.value() == null || f.value().isEmpty()) throw df.error(f.pos(), "--mount requires a value, e.g. --mount=type=cache,target=/root/.cache");
        List<String> fields = csv(df, f);
        Type type = Type.BIND;
        Word target = null, source = null, from = null;
        Boolean ro = null;
        String id = null, env = null;
        Sharing sharing = Sharing.SHARED;
        Integer mode = null, uid = null, gid = null;
        boolean required = false;
        Long size = null;
        Pos vpos = f.valueWord().pos();
        for (String field : fields) {
            int eq = field.indexOf('=');
            String key = (eq < 0 ? field : field.substring(0, eq)).toLowerCase(Locale.ROOT).trim();
            String value = eq < 0 ? null : field.substring(eq + 1);
            if (key.equals("type")) {
                if (value == null) throw df.error(vpos, "invalid mount: type needs a value");
                try {
                    type = Type.valueOf(value.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw df.error(vpos, "unsupported mount type \"" + value + "\" (bind, cache, tmpfs, secret or ssh)");
                }
            }
        }
        for (String field : fields) {
            int eq = field.indexOf('=');
            String key = (eq < 0 ? field : field.substring(0, eq)).toLowerCase(Locale.ROOT).trim();
            String value = eq < 0 ? null : field.substring(eq + 1);
            switch (key) {
                case "type" -> { }
                case "target", "dst", "destination" -> target = new Word(need(df, vpos, key, value), vpos);
                case "source", "src" -> source = new Word(need(df, vpos, key, value), vpos);
                case "from" -> from = new Word(need(df, vpos, key, value), vpos);
                case "readonly", "ro" -> ro = value == null || bool(df, vpos, key, value);
                case "readwrite", "rw" -> ro = !(value == null || bool(df, vpos, key, value));
                case "id" -> id = need(df, vpos, key, value);
                case "sharing" -> {
                    try {
                        sharing = Sharing.valueOf(need(df, vpos, key, value).toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw df.error(vpos, "unsupported sharing value \"" + value + "\" (shared, private or locked)");
                    }
                }
                case "mode" -> mode = octal(df, vpos, need(df, vpos, key, value));
                case "uid" -> uid = integer(df, vpos, key, need(df, vpos, key, value));
                case "gid" -> gid = integer(df, vpos, key, need(df, vpos, key, value));
                case "required" -> required = value == null || bool(df, vpos, key, value);
                case "size" -> size = (long) integer(df, vpos, key, need(df, vpos, key, value));
                case "env" -> env = need(df, vpos, key, value);
                default -> throw df.error(vpos, "unexpected key '" + key + "' in '" + field + "'");
            }
        }
        if (type == Type.SECRET || type == Type.SSH) {
            if (id == null && target != null) id = target.text().substring(target.text().lastIndexOf('/') + 1);
            if (type == Type.SSH && id == null) id = "default";
            if (type == Type.SECRET && id == null) throw df.error(vpos, "secret mount needs id or target");
            if (target == null && env == null) {
                target = new Word(type == Type.SECRET ? "/run/secrets/" + id : "/run/buildkit/ssh_agent.0", vpos);
            }
        } else if (target == null) {
            throw df.error(vpos, "mount type " + type.name().toLowerCase(Locale.ROOT) + " requires a target (target=/path)");
        }
        boolean readOnly = ro != null ? ro : type == Type.BIND;
        if (type == Type.CACHE && id == null) id = target.text();
        return new Spec(type, target, source, from, readOnly, id, sharing, mode, uid, gid, required, size, env, f.pos());
    }

    private static String need(Dockerfile df, Pos p, String key, String value) {
        if (value == null || value.isEmpty()) throw df.error(p, "mount option " + key + " needs a value");
        return value;
    }

    private static boolean bool(Dockerfile df, Pos p, String key, String v) {
        if (v.equalsIgnoreCase("true")) return true;
        if (v.equalsIgnoreCase("false")) return false;
        throw df.error(p, "invalid value for " + key + ": " + v);
    }

    private static int integer(Dockerfile df, Pos p, String key, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw df.error(p, "invalid value for " + key + ": " + v);
        }
    }

    private static int octal(Dockerfile df, Pos p, String v) {
        try {
            return Integer.parseInt(v, 8);
        } catch (NumberFormatException e) {
            throw df.error(p, "invalid mode " + v + " (octal expected)");
        }
    }

    /** Go's encoding/csv for one record: fields split on commas, double quotes allowed. */
    private static List<String> csv(Dockerfile df, Flag f) {
        List<String> out = new ArrayList<>();
        String s = f.value();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                        cur.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (quoted) throw df.error(f.pos(), "unterminated quote in --mount value");
        out.add(cur.toString());
        return out;
    }
}
