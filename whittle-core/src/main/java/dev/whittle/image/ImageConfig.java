package dev.whittle.image;

import dev.whittle.json.Json;
import dev.whittle.json.JsonException;
import dev.whittle.json.JsonObjects;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.Year;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An image configuration: its exact bytes (whose digest is the image ID) and a read-only view of the parsed JSON.
 * Changes are made with {@link #toBuilder()}, which yields a new config.
 */
public final class ImageConfig {
    private final byte[] raw;
    private final Digest digest;
    private final Map<String, Object> json;

    private ImageConfig(byte[] raw, Map<String, Object> json) {
        this.raw = raw;
        this.digest = Digest.sha256(raw);
        this.json = json;
    }

    public static ImageConfig parse(byte[] raw) {
        Map<String, Object> m = Json.parseObject(raw);
        Map<String, Object> rootfs = JsonObjects.object(m, "rootfs");
        if (rootfs != null) {
            String type = JsonObjects.string(rootfs, "type");
            if (type != null && !type.equals("layers")) throw new JsonException("unknown rootfs type \"" + type + "\"");
            List<String> ids = JsonObjects.strings(rootfs, "diff_ids");
            if (ids != null)
                for (String id : ids) {
                    try {
                        Digest.parse(id);
                    } catch (IllegalArgumentException e) {
                        throw new JsonException("invalid diff_id in config: " + e.getMessage());
                    }
                }
        }
        return new ImageConfig(raw.clone(), m);
    }

    public byte[] raw() {
        return raw.clone();
    }

    public int size() {
        return raw.length;
    }

    /** The image ID. */
    public Digest digest() {
        return digest;
    }

    /** The parsed document; do not modify. */
    public Map<String, Object> json() {
        return Collections.unmodifiableMap(json);
    }

    public String architecture() {
        return orEmpty(JsonObjects.string(json, "architecture"));
    }

    public String os() {
        return orEmpty(JsonObjects.string(json, "os"));
    }

    public String variant() {
        return orEmpty(JsonObjects.string(json, "variant"));
    }

    public Platform platform() {
        return new Platform(os(), architecture(), variant());
    }

    public String author() {
        return orEmpty(JsonObjects.string(json, "author"));
    }

    public String createdText() {
        return JsonObjects.string(json, "created");
    }

    /** The creation time, or null when absent or unreadable. */
    public Instant created() {
        return parseTime(createdText());
    }

    public static Instant parseTime(String s) {
        if (s == null || s.isEmpty()) return null;
        try {
            Instant quick = rfc3339(s);
            return quick != null ? quick : OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeException e) {
            return null;
        }
    }

    /**
     * The usual shape, {@code 2020-06-11T23:02:15.123456789Z} or with an offset, read by hand: the JDK's formatter
     * takes ~10 ms to set up in a young JVM, and listing images reads one of these per image. The year may have a
     * sign and more than four digits, as Go's time.Format writes a year outside 0-9999 ({@code -5000000}) and the
     * JDK's {@code +10000}: such a date is read as far as an Instant reaches (a billion years), so one image that
     * claims one is listed with it rather than breaking the listing. Null for other shapes.
     */
    private static Instant rfc3339(String s) {
        int n = s.length();
        int yearFrom = s.startsWith("-") || s.startsWith("+") ? 1 : 0;
        int dash = yearFrom;
        while (dash < n && dash - yearFrom <= 10 && s.charAt(dash) >= '0' && s.charAt(dash) <= '9') dash++;
        if (dash - yearFrom < 4 || dash - yearFrom > 10) return null;
        // from here on the fixed shape, shifted by the year's length
        int shift = dash - 4;
        if (n < 20 + shift
                || s.charAt(4 + shift) != '-'
                || s.charAt(7 + shift) != '-'
                || s.charAt(10 + shift) != 'T'
                || s.charAt(13 + shift) != ':'
                || s.charAt(16 + shift) != ':') return null;
        int at = 19 + shift, nanos = 0;
        if (s.charAt(at) == '.') {
            int start = ++at;
            while (at < n && Character.isDigit(s.charAt(at))) at++;
            int digits = at - start;
            if (digits == 0 || digits > 9) return null;
            nanos = digits(s, start, at);
            for (int i = digits; i < 9; i++) nanos *= 10;
        }
        int offsetSeconds;
        if (at == n - 1 && s.charAt(at) == 'Z') {
            offsetSeconds = 0;
        } else if (at == n - 6 && (s.charAt(at) == '+' || s.charAt(at) == '-') && s.charAt(at + 3) == ':') {
            int hh = digits(s, at + 1, at + 3), mm = digits(s, at + 4, at + 6);
            if (hh < 0 || mm < 0 || hh > 18 || mm > 59) return null;
            offsetSeconds = (s.charAt(at) == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
        } else {
            return null;
        }
        long year = Long.parseLong(s, yearFrom, dash, 10) * (s.charAt(0) == '-' ? -1 : 1);
        int month = digits(s, 5 + shift, 7 + shift), day = digits(s, 8 + shift, 10 + shift);
        int hour = digits(s, 11 + shift, 13 + shift),
                minute = digits(s, 14 + shift, 16 + shift),
                second = digits(s, 17 + shift, 19 + shift);
        if (month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || nanos < 0) return null;
        if (year < Year.MIN_VALUE || year > Year.MAX_VALUE) return null;
        long epochSecond =
                LocalDateTime.of((int) year, month, day, hour, minute, second).toEpochSecond(ZoneOffset.UTC);
        return Instant.ofEpochSecond(epochSecond - offsetSeconds, nanos);
    }

    /** The decimal number in s[from, to), or -1 when anything there is not a digit. */
    private static int digits(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** The runtime config ({@code Env}, {@code Cmd}...), empty when absent. */
    public Map<String, Object> config() {
        Map<String, Object> c = JsonObjects.object(json, "config");
        return c == null ? Map.of() : Collections.unmodifiableMap(c);
    }

    public List<String> env() {
        List<String> e = JsonObjects.strings(config(), "Env");
        return e == null ? List.of() : e;
    }

    /** Env as a map, in order; a variable given twice has its later value, as Go's map of it does. */
    public Map<String, String> envMap() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String e : env()) {
            int eq = e.indexOf('=');
            if (eq > 0) m.put(e.substring(0, eq), e.substring(eq + 1));
        }
        return m;
    }

    /** The value of one variable of the config's Env, or null. */
    public String envValue(String name) {
        for (String e : env()) {
            int i = e.indexOf('=');
            if (i > 0 && e.substring(0, i).equals(name)) return e.substring(i + 1);
        }
        return null;
    }

    public List<String> entrypoint() {
        return JsonObjects.strings(config(), "Entrypoint");
    }

    public List<String> cmd() {
        return JsonObjects.strings(config(), "Cmd");
    }

    public String workingDir() {
        return orEmpty(JsonObjects.string(config(), "WorkingDir"));
    }

    /** Where the container's process starts: WorkingDir, or / when the config has none (as runc and docker do). */
    public String workingDirOrRoot() {
        String wd = workingDir();
        return wd.isEmpty() ? "/" : wd;
    }

    public String user() {
        return orEmpty(JsonObjects.string(config(), "User"));
    }

    public List<String> shell() {
        return JsonObjects.strings(config(), "Shell");
    }

    public List<String> onBuild() {
        List<String> l = JsonObjects.strings(config(), "OnBuild");
        return l == null ? List.of() : l;
    }

    public List<Digest> diffIds() {
        Map<String, Object> rootfs = JsonObjects.object(json, "rootfs");
        List<Digest> out = new ArrayList<>();
        if (rootfs == null) return out;
        List<String> ids = JsonObjects.strings(rootfs, "diff_ids");
        if (ids != null) for (String s : ids) out.add(Digest.parse(s));
        return out;
    }

    public List<History> history() {
        List<Object> h = JsonObjects.array(json, "history");
        List<History> out = new ArrayList<>();
        if (h != null) for (Object o : h) if (o instanceof Map<?, ?> m) out.add(History.fromJson(cast(m)));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    public Builder toBuilder() {
        return new Builder(deepCopy(json));
    }

    public static Builder builder(Platform platform) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architecture", platform.architecture());
        if (!platform.variant().isEmpty()) m.put("variant", platform.variant());
        m.put("os", platform.os());
        m.put("config", new LinkedHashMap<>());
        Map<String, Object> rootfs = new LinkedHashMap<>();
        rootfs.put("type", "layers");
        rootfs.put("diff_ids", new ArrayList<>());
        m.put("rootfs", rootfs);
        m.put("history", new ArrayList<>());
        return new Builder(m);
    }

    @SuppressWarnings("unchecked")
    static Object deepCopyValue(Object v) {
        if (v instanceof Map<?, ?> m) return deepCopy((Map<String, Object>) m);
        if (v instanceof List<?> l) {
            List<Object> c = new ArrayList<>(l.size());
            for (Object o : l) c.add(deepCopyValue(o));
            return c;
        }
        return v;
    }

    static Map<String, Object> deepCopy(Map<String, Object> m) {
        Map<String, Object> c = new LinkedHashMap<>();
        m.forEach((k, v) -> c.put(k, deepCopyValue(v)));
        return c;
    }

    /** One entry of the config's history. */
    public record History(String created, String createdBy, String author, String comment, boolean emptyLayer) {
        static History fromJson(Map<String, Object> m) {
            return new History(
                    JsonObjects.string(m, "created"),
                    JsonObjects.string(m, "created_by"),
                    JsonObjects.string(m, "author"),
                    JsonObjects.string(m, "comment"),
                    JsonObjects.bool(m, "empty_layer"));
        }

        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            if (created != null) m.put("created", created);
            if (author != null && !author.isEmpty()) m.put("author", author);
            if (createdBy != null) m.put("created_by", createdBy);
            if (comment != null && !comment.isEmpty()) m.put("comment", comment);
            if (emptyLayer) m.put("empty_layer", true);
            return m;
        }
    }

    /** A config being changed; {@link #build()} serialises it. Not thread-safe. */
    public static final class Builder {
        private final Map<String, Object> json;

        private Builder(Map<String, Object> json) {
            this.json = json;
            if (!(json.get("config") instanceof Map)) json.put("config", new LinkedHashMap<>());
        }

        @SuppressWarnings("unchecked")
        public Map<String, Object> config() {
            return (Map<String, Object>) json.get("config");
        }

        /** Sets a field of the runtime config; null removes it. */
        public Builder configField(String key, Object value) {
            if (value == null) config().remove(key);
            else config().put(key, deepCopyValue(value));
            return this;
        }

        public Builder field(String key, Object value) {
            if (value == null) json.remove(key);
            else json.put(key, value);
            return this;
        }

        public Object field(String key) {
            return json.get(key);
        }

        @SuppressWarnings("unchecked")
        public List<String> env() {
            Object e = config().get("Env");
            if (e instanceof List<?> l) return (List<String>) l;
            return List.of();
        }

        /** The Env list {@link #envIndex} indexes (the list in the config, unless replaced since). */
        private List<String> indexedEnv;
        /** Position in Env of each variable's first entry: a Dockerfile of thousands of ENV lines would scan it each time. */
        private Map<String, Integer> envIndex;

        /** Sets (or replaces) one variable in Env, keeping its position. */
        public Builder setEnv(String name, String value) {
            if (indexedEnv == null || config().get("Env") != indexedEnv) {
                indexedEnv = new ArrayList<>(env());
                envIndex = new HashMap<>();
                for (int i = 0; i < indexedEnv.size(); i++) {
                    String e = indexedEnv.get(i);
                    int eq = e.indexOf('=');
                    envIndex.putIfAbsent(eq < 0 ? e : e.substring(0, eq), i);
                }
                config().put("Env", indexedEnv);
            }
            String entry = name + "=" + value;
            Integer at = envIndex.get(name);
            if (at != null) {
                indexedEnv.set(at, entry);
            } else {
                envIndex.put(name, indexedEnv.size());
                indexedEnv.add(entry);
            }
            return this;
        }

        @SuppressWarnings("unchecked")
        public Builder putMapEntry(String configKey, String key, Object value) {
            Object cur = config().get(configKey);
            Map<String, Object> m = cur instanceof Map<?, ?> mm ? (Map<String, Object>) mm : new LinkedHashMap<>();
            m.put(key, value);
            config().put(configKey, m);
            return this;
        }

        @SuppressWarnings("unchecked")
        private List<Object> list(String key) {
            Object v = json.get(key);
            if (v instanceof List<?> l) return (List<Object>) l;
            List<Object> l = new ArrayList<>();
            json.put(key, l);
            return l;
        }

        @SuppressWarnings("unchecked")
        public Builder addLayer(Digest diffId, History history) {
            Object r = json.get("rootfs");
            Map<String, Object> rootfs = r instanceof Map<?, ?> m ? (Map<String, Object>) m : new LinkedHashMap<>();
            rootfs.putIfAbsent("type", "layers");
            Object ids = rootfs.get("diff_ids");
            List<Object> l = ids instanceof List<?> li ? (List<Object>) li : new ArrayList<>();
            l.add(diffId.toString());
            rootfs.put("diff_ids", l);
            json.put("rootfs", rootfs);
            list("history").add(history.toJson());
            return this;
        }

        public Builder addHistory(History history) {
            list("history").add(history.toJson());
            return this;
        }

        public Builder created(String rfc3339) {
            json.put("created", rfc3339);
            return this;
        }

        /** Serialises: top-level fields in a fixed order so equal configs give equal bytes. */
        public ImageConfig build() {
            Map<String, Object> out = new LinkedHashMap<>();
            for (String k : List.of(
                    "architecture", "variant", "os", "os.version", "os.features", "author", "created", "config")) {
                if (json.containsKey(k)) out.put(k, json.get(k));
            }
            if (out.get("config") instanceof Map<?, ?> c && c.isEmpty()) out.remove("config");
            for (String k : List.of("rootfs", "history")) if (json.containsKey(k)) out.put(k, json.get(k));
            json.forEach(out::putIfAbsent);
            return new ImageConfig(Json.write(out), deepCopy(out));
        }
    }
}
