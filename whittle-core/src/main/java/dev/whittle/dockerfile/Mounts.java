package dev.whittle.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/** {@code RUN --mount=type=...,target=...} parsed and validated as BuildKit's instructions package does. */
public final class Mounts {
    private Mounts() {}

    public enum Type {
        BIND,
        CACHE,
        TMPFS,
        SECRET,
        SSH
    }

    public enum Sharing {
        SHARED,
        PRIVATE,
        LOCKED
    }

    /** The keys a mount takes, BuildKit's spellings. */
    private static final List<String> KEYS = List.of(
            "type",
            "from",
            "source",
            "target",
            "readonly",
            "id",
            "sharing",
            "required",
            "size",
            "mode",
            "uid",
            "gid",
            "src",
            "dst",
            "destination",
            "ro",
            "rw",
            "readwrite",
            "env");

    private static final List<String> TYPES = List.of("bind", "cache", "tmpfs", "secret", "ssh");
    /** Keys whose value is a text used as it is (a path, an id), which may wait for the step's variables unexpanded. */
    private static final Set<String> KEEPS_TEXT = Set.of("target", "dst", "destination", "source", "src", "id", "env");

    /** One mount, values unexpanded where BuildKit expands them (from, source, target, id). */
    public record Spec(
            Type type,
            Word target,
            Word source,
            Word from,
            boolean readOnly,
            String id,
            Sharing sharing,
            Integer mode,
            Integer uid,
            Integer gid,
            boolean required,
            String size,
            String env,
            Pos pos) {}

    /** The mount as written, for a look at the Dockerfile before the build (see {@link #parse(Dockerfile, Flag, Function)}). */
    public static Spec parse(Dockerfile df, Flag f) {
        return parse(df, f, null);
    }

    /**
     * Parses one {@code --mount} flag as BuildKit's parseMount does: the value is split as CSV, then each field's value
     * is expanded on its own with the step's variables ({@code expand}; null leaves values as written, and a value
     * with a variable in a field whose meaning it decides — type, mode, uid, gid, size, ro, required — is then taken
     * as absent). {@code from} may hold no variable at all: a stage is named, not computed.
     */
    public static Spec parse(Dockerfile df, Flag f, Function<String, String> expand) {
        if (f.value() == null || f.value().isEmpty())
            throw df.error(f.pos(), "--mount requires a value, e.g. --mount=type=cache,target=/root/.cache");
        Pos vpos = f.valueWord().pos();
        List<String[]> fields = new ArrayList<>(); // key (lower case), value (expanded; null for a bare key)
        for (String field : csv(df, f)) {
            int eq = field.indexOf('=');
            String key = (eq < 0 ? field : field.substring(0, eq))
                    .toLowerCase(Locale.ROOT)
                    .trim();
            String value = eq < 0 ? null : field.substring(eq + 1);
            if (value != null && key.equals("from")) {
                int dollar = value.indexOf('$');
                if (dollar >= 0 && dollar != value.length() - 1) {
                    throw df.error(vpos, "'from' doesn't support variable expansion, define alias stage instead");
                }
            } else if (value != null && expand != null) {
                value = expand.apply(value);
            } else if (value != null && value.contains("$") && !KEEPS_TEXT.contains(key)) {
                continue; // decided only when the step's variables are known
            }
            if (!KEYS.contains(key)) {
                String hint = Parser.closest(key, KEYS);
                throw df.error(
                        vpos,
                        "unexpected key '" + key + "' in '" + field + "'"
                                + (hint == null ? "" : " (did you mean " + hint + "?)"));
            }
            fields.add(new String[] {key, value});
        }
        Type type = Type.BIND;
        for (String[] kv : fields) {
            if (!kv[0].equals("type")) continue;
            if (kv[1] == null) throw df.error(vpos, "invalid mount: type needs a value");
            try {
                type = Type.valueOf(kv[1].toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                String hint = Parser.closest(kv[1], TYPES);
                throw df.error(
                        vpos,
                        "unsupported mount type \"" + kv[1] + "\""
                                + (hint == null
                                        ? " (bind, cache, tmpfs, secret or ssh)"
                                        : " (did you mean " + hint + "?)"));
            }
        }
        Word target = null, source = null, from = null;
        Boolean ro = null;
        String id = null, env = null;
        Sharing sharing = Sharing.SHARED;
        Integer mode = null, uid = null, gid = null;
        boolean required = false;
        String size = null;
        for (String[] kv : fields) {
            String key = kv[0], value = kv[1];
            switch (key) {
                case "type" -> {}
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
                        String hint = Parser.closest(value, List.of("shared", "private", "locked"));
                        throw df.error(
                                vpos,
                                "unsupported sharing value \"" + value + "\""
                                        + (hint == null
                                                ? " (shared, private or locked)"
                                                : " (did you mean " + hint + "?)"));
                    }
                }
                case "mode" -> mode = octal(df, vpos, need(df, vpos, key, value));
                case "uid" -> uid = integer(df, vpos, key, need(df, vpos, key, value));
                case "gid" -> gid = integer(df, vpos, key, need(df, vpos, key, value));
                case "required" -> required = value == null || bool(df, vpos, key, value);
                case "size" -> {
                    // a size with docker's units (128m); read where the tmpfs is mounted (RunStep)
                    if (type != Type.TMPFS)
                        throw df.error(
                                vpos,
                                "unexpected key 'size' for mount type '"
                                        + type.name().toLowerCase(Locale.ROOT) + "'");
                    size = need(df, vpos, key, value);
                }
                case "env" -> env = need(df, vpos, key, value);
                default -> throw new IllegalStateException(key); // refused above
            }
        }
        if (type == Type.SECRET || type == Type.SSH) {
            if (id == null && target != null)
                id = target.text().substring(target.text().lastIndexOf('/') + 1);
            if (type == Type.SSH && id == null) id = "default";
            if (type == Type.SECRET && id == null) throw df.error(vpos, "secret mount needs id or target");
            if (target == null && env == null) {
                target = new Word(type == Type.SECRET ? "/run/secrets/" + id : "/run/buildkit/ssh_agent.0", vpos);
            }
        } else if (target == null) {
            throw df.error(
                    vpos, "mount type " + type.name().toLowerCase(Locale.ROOT) + " requires a target (target=/path)");
        }
        boolean readOnly = ro != null ? ro : type == Type.BIND;
        if (type == Type.CACHE && id == null) id = target.text();
        return new Spec(
                type, target, source, from, readOnly, id, sharing, mode, uid, gid, required, size, env, f.pos());
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
