package dev.whittle.cli;

import dev.whittle.cli.format.GoValues;
import dev.whittle.cli.format.GoValues.Struct;
import dev.whittle.cli.format.GoTime;
import dev.whittle.cli.format.Units;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageConfig;
import dev.whittle.image.ImageRef;
import dev.whittle.store.LayerInfo;
import dev.whittle.store.Store;
import dev.whittle.store.StoredImage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The objects docker's templates see, built from stored images: {@code docker inspect}'s ImageInspect (Engine 20.10
 * shape), {@code docker images}' rows and {@code docker history}'s rows, with Go's types emulated (typed nils,
 * empty structs, sorted maps) so {@code --format} prints what docker prints.
 */
final class ImageViews {
    private ImageViews() {}

    /** docker's image inspect object. */
    static Struct inspect(StoredImage img) {
        ImageConfig c = img.config();
        Struct s = new Struct();
        s.put("Id", img.id().toString());
        s.alias("ID", "Id");
        List<Object> tags = new ArrayList<>();
        for (ImageRef r : img.names()) tags.add(r.familiar());
        s.put("RepoTags", tags);
        List<Object> digests = new ArrayList<>();
        for (String d : img.repoDigests()) digests.add(familiarDigestRef(d));
        s.put("RepoDigests", digests);
        s.put("Parent", "");
        Object comment = c.json().get("comment");
        s.put("Comment", comment instanceof String cs ? cs : "");
        s.put("Created", rfc3339Nano(c.created()));
        s.put("Container", c.json().get("container") instanceof String cn ? cn : "");
        s.put("ContainerConfig", containerConfig(c.json().get("container_config") instanceof Map<?, ?> cc ? cast(cc) : Map.of()));
        s.put("DockerVersion", c.json().get("docker_version") instanceof String dv ? dv : "");
        s.put("Author", c.author());
        s.put("Config", containerConfig(c.config()));
        s.put("Architecture", c.architecture());
        s.put("Variant", c.variant());
        s.put("Os", c.os());
        s.put("OsVersion", c.json().get("os.version") instanceof String ov ? ov : "");
        s.put("Size", img.size());
        s.put("VirtualSize", img.size());
        Struct gd = new Struct();
        gd.put("Data", GoValues.NIL_MAP);
        gd.put("Name", "whittle");
        s.put("GraphDriver", gd);
        Struct rootfs = new Struct();
        rootfs.put("Type", "layers");
        List<Object> layers = new ArrayList<>();
        for (Digest d : c.diffIds()) layers.add(d.toString());
        rootfs.put("Layers", layers.isEmpty() ? GoValues.NIL_SLICE : layers);
        rootfs.omitEmpty("Layers");
        s.put("RootFS", rootfs);
        s.omitEmpty("Variant", "OsVersion");
        Struct meta = new Struct();
        meta.put("LastTagTime", "0001-01-01T00:00:00Z");
        s.put("Metadata", meta);
        return s;
    }

    /** container.Config as docker 20.10 serialises it: every field, typed nils for absent slices and maps. */
    static Struct containerConfig(Map<String, Object> cfg) {
        Struct s = new Struct();
        s.put("Hostname", str(cfg.get("Hostname")));
        s.put("Domainname", str(cfg.get("Domainname")));
        s.put("User", str(cfg.get("User")));
        s.put("AttachStdin", bool(cfg.get("AttachStdin")));
        s.put("AttachStdout", bool(cfg.get("AttachStdout")));
        s.put("AttachStderr", bool(cfg.get("AttachStderr")));
        Map<String, Object> ports = structSet(cfg.get("ExposedPorts"));
        s.put("ExposedPorts", ports == null || ports.isEmpty() ? GoValues.NIL_MAP : ports);
        s.put("Tty", bool(cfg.get("Tty")));
        s.put("OpenStdin", bool(cfg.get("OpenStdin")));
        s.put("StdinOnce", bool(cfg.get("StdinOnce")));
        s.put("Env", list(cfg.get("Env")));
        s.put("Cmd", list(cfg.get("Cmd")));
        s.put("Healthcheck", cfg.get("Healthcheck") instanceof Map<?, ?> hc ? healthcheck(hc) : GoValues.NIL_POINTER);
        s.put("ArgsEscaped", Boolean.TRUE.equals(cfg.get("ArgsEscaped")));
        s.put("Image", str(cfg.get("Image")));
        Map<String, Object> vols = structSet(cfg.get("Volumes"));
        s.put("Volumes", vols == null ? GoValues.NIL_MAP : vols);
        s.put("WorkingDir", str(cfg.get("WorkingDir")));
        s.put("Entrypoint", list(cfg.get("Entrypoint")));
        s.put("NetworkDisabled", Boolean.TRUE.equals(cfg.get("NetworkDisabled")));
        s.put("MacAddress", cfg.get("MacAddress") instanceof String mac ? mac : "");
        s.put("OnBuild", list(cfg.get("OnBuild")));
        if (cfg.get("Labels") instanceof Map<?, ?> l) {
            Map<String, Object> labels = new TreeMap<>();
            l.forEach((k, v) -> labels.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
            s.put("Labels", labels);
        } else {
            s.put("Labels", GoValues.NIL_MAP);
        }
        s.put("StopSignal", cfg.get("StopSignal") instanceof String ss ? ss : "");
        s.put("StopTimeout", cfg.get("StopTimeout") instanceof Number n ? (Object) n.longValue() : GoValues.NIL_POINTER);
        s.put("Shell", cfg.get("Shell") instanceof List<?> sh && !sh.isEmpty() ? new ArrayList<>(sh) : GoValues.NIL_SLICE);
        s.omitEmpty("ExposedPorts", "Healthcheck", "ArgsEscaped", "NetworkDisabled", "MacAddress", "StopSignal", "StopTimeout", "Shell");
        return s;
    }

    private static boolean bool(Object v) {
        return Boolean.TRUE.equals(v);
    }

    private static Struct healthcheck(Map<?, ?> hc) {
        Struct s = new Struct();
        if (hc.get("Test") instanceof List<?> t) s.put("Test", new ArrayList<>(t));
        for (String k : List.of("Interval", "Timeout", "StartPeriod", "StartInterval", "Retries")) {
            if (hc.get(k) instanceof Number n && n.longValue() != 0) s.put(k, n.longValue());
        }
        return s;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    private static Object list(Object v) {
        return v instanceof List<?> l ? new ArrayList<>(l) : GoValues.NIL_SLICE;
    }

    private static String str(Object v) {
        return v instanceof String s ? s : "";
    }

    private static Map<String, Object> structSet(Object v) {
        if (!(v instanceof Map<?, ?> m)) return null;
        Map<String, Object> out = new TreeMap<>();
        for (Object k : m.keySet()) out.put(String.valueOf(k), GoValues.EMPTY_STRUCT);
        return out;
    }

    static String familiarDigestRef(String full) {
        int at = full.indexOf('@');
        if (at < 0) return full;
        try {
            return ImageRef.parseNoDefault(full.substring(0, at)).familiarRepository() + full.substring(at);
        } catch (IllegalArgumentException e) {
            return full;
        }
    }

    /** Go's time.Format(time.RFC3339Nano) of an instant in UTC. */
    static String rfc3339Nano(Instant t) {
        return GoTime.rfc3339Nano(t);
    }

    /** Go's time.Time.String() in the local zone: {@code 2021-03-04 03:24:42 +0100 CET}. */
    static String goTimeString(Instant t) {
        return GoTime.string(t);
    }

    /** docker's CreatedSince: empty for Go's zero time, which is what an image without a (readable) date has. */
    static String createdSince(Instant created, Instant now) {
        if (created == null || created.equals(GoTime.ZERO)) return "";
        return Units.humanDuration(Duration.between(created, now)) + " ago";
    }

    static String truncateId(String id) {
        int i = id.indexOf(':');
        String hex = i >= 0 ? id.substring(i + 1) : id;
        return hex.length() > 12 ? hex.substring(0, 12) : hex;
    }

    /** One row of {@code docker images}. */
    static Struct imageRow(StoredImage img, String repo, String tag, String digest, boolean trunc, Instant now) {
        Struct r = new Struct().htmlEscaped();
        Instant created = img.created();
        // json . marshals the row's methods as a map: keys sorted
        r.put("Containers", "N/A");
        // no date at all is Go's zero time (year 1), which docker shows as no CreatedSince; 1970 is a date like any other
        r.put("CreatedAt", created == null ? "0001-01-01 00:00:00 +0000 UTC" : goTimeString(created));
        r.put("CreatedSince", created == null ? "" : createdSince(created, now));
        r.put("Digest", digest);
        r.put("ID", trunc ? truncateId(img.id().toString()) : img.id().toString());
        r.put("Repository", repo);
        r.put("SharedSize", "N/A");
        r.put("Size", Units.humanSize(img.size()));
        r.put("Tag", tag);
        r.put("UniqueSize", "N/A");
        r.put("VirtualSize", Units.humanSize(img.size(), 4)); // units.HumanSize: four digits where Size has three
        return r;
    }

    static final Map<String, Object> IMAGE_HEADERS = Map.ofEntries(
            Map.entry("Containers", "CONTAINERS"), Map.entry("CreatedAt", "CREATED AT"), Map.entry("CreatedSince", "CREATED"),
            Map.entry("Digest", "DIGEST"), Map.entry("ID", "IMAGE ID"), Map.entry("Repository", "REPOSITORY"),
            Map.entry("SharedSize", "SHARED SIZE"), Map.entry("Size", "SIZE"), Map.entry("Tag", "TAG"),
            Map.entry("UniqueSize", "UNIQUE SIZE"), Map.entry("VirtualSize", "SIZE"));

    /** Rows of {@code docker history}, newest first. */
    static List<Struct> historyRows(StoredImage img, Store store, boolean human, boolean trunc, Instant now) {
        List<ImageConfig.History> hist = img.config().history();
        List<Digest> diffIds = img.config().diffIds();
        List<Struct> rows = new ArrayList<>();
        int layer = 0;
        List<Object[]> forward = new ArrayList<>();
        for (ImageConfig.History h : hist) {
            long size = 0;
            if (!h.emptyLayer()) {
                if (layer < diffIds.size()) {
                    LayerInfo li = store.layer(diffIds.get(layer));
                    size = li == null ? 0 : li.contentSize();
                }
                layer++;
            }
            forward.add(new Object[] {h, size});
        }
        for (int i = forward.size() - 1; i >= 0; i--) {
            ImageConfig.History h = (ImageConfig.History) forward.get(i)[0];
            long size = (Long) forward.get(i)[1];
            Struct r = new Struct().htmlEscaped();
            String id = i == forward.size() - 1 ? img.id().toString() : "<missing>";
            Instant created = ImageConfig.parseTime(h.created());
            String createdAt = created == null ? "0001-01-01T00:00:00Z" : GoTime.rfc3339(created);
            // docker: HumanDuration(now - created); no date is Go's zero time, which saturates Go's Duration (292 years)
            String since = !human ? createdAt : created == null ? "292 years ago" : createdSince(created, now);
            String by = h.createdBy() == null ? "" : h.createdBy().replace('\t', ' ');
            r.put("Comment", h.comment() == null ? "" : h.comment());
            r.put("CreatedAt", createdAt);
            r.put("CreatedBy", trunc ? ellipsis(by, 45) : by);
            r.put("CreatedSince", since);
            r.put("ID", trunc && !id.equals("<missing>") ? truncateId(id) : id);
            r.put("Size", human ? Units.humanSize(size) : Long.toString(size));
            rows.add(r);
        }
        return rows;
    }

    static final Map<String, Object> HISTORY_HEADERS = Map.of("ID", "IMAGE", "CreatedSince", "CREATED", "CreatedAt", "CREATED AT",
            "CreatedBy", "CREATED BY", "Size", "SIZE", "Comment", "COMMENT");

    /** docker's formatter.Ellipsis for strings of single-width characters. */
    static String ellipsis(String s, int max) {
        int n = s.codePointCount(0, s.length());
        if (n <= max) return s;
        int end = s.offsetByCodePoints(0, max - 1);
        return s.substring(0, end) + "…";
    }
}
