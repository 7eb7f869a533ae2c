package dev.whittle.cli;

import dev.whittle.cli.format.DockerTypes;
import dev.whittle.cli.format.GoStruct;
import dev.whittle.cli.format.GoTime;
import dev.whittle.cli.format.GoValue;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The values docker's templates see, built from stored images with docker 20.10's Go types ({@link DockerTypes}):
 * {@code docker inspect}'s types.ImageInspect, {@code docker images}' and {@code docker history}'s row contexts,
 * and a table's header map; so {@code --format} prints what docker prints.
 */
final class ImageViews {
    private ImageViews() {}

    /** docker's image inspect object. */
    static GoValue inspect(StoredImage img) {
        ImageConfig c = img.config();
        List<Object> tags = new ArrayList<>();
        for (ImageRef r : img.names()) tags.add(r.familiar());
        List<Object> digests = new ArrayList<>();
        for (String d : img.repoDigests()) digests.add(familiarDigestRef(d));
        List<Object> layers = new ArrayList<>();
        for (Digest d : c.diffIds()) layers.add(d.toString());
        Object comment = c.json().get("comment");
        return new GoStruct(DockerTypes.IMAGE_INSPECT)
                .set("ID", img.id().toString())
                .set("RepoTags", tags)
                .set("RepoDigests", digests)
                .set("Comment", comment instanceof String cs ? cs : "")
                .set("Created", rfc3339Nano(c.created()))
                .set("Container", c.json().get("container") instanceof String cn ? cn : "")
                .set(
                        "ContainerConfig",
                        containerConfig(c.json().get("container_config") instanceof Map<?, ?> cc ? cast(cc) : Map.of())
                                .pointer())
                .set("DockerVersion", c.json().get("docker_version") instanceof String dv ? dv : "")
                .set("Author", c.author())
                .set("Config", containerConfig(c.config()).pointer())
                .set("Architecture", c.architecture())
                .set("Variant", c.variant())
                .set("Os", c.os())
                .set("OsVersion", c.json().get("os.version") instanceof String ov ? ov : "")
                .set("Size", img.size())
                .set("VirtualSize", img.size())
                .set(
                        "GraphDriver",
                        new GoStruct(DockerTypes.GRAPH_DRIVER)
                                .set("Data", null)
                                .set("Name", "whittle")
                                .data())
                .set(
                        "RootFS",
                        new GoStruct(DockerTypes.ROOT_FS)
                                .set("Type", "layers")
                                .set("Layers", layers.isEmpty() ? null : layers)
                                .data())
                .set(
                        "Metadata",
                        new GoStruct(DockerTypes.METADATA)
                                .set("LastTagTime", DockerTypes.time(GoTime.ZERO))
                                .data())
                .value();
    }

    /** container.Config as docker 20.10 holds it: nil slices and maps where the config has none. */
    static GoStruct containerConfig(Map<String, Object> cfg) {
        Map<Object, Object> ports = set(cfg.get("ExposedPorts"));
        Map<Object, Object> vols = set(cfg.get("Volumes"));
        Map<Object, Object> labels = null;
        if (cfg.get("Labels") instanceof Map<?, ?> l) {
            labels = new TreeMap<>();
            for (Map.Entry<?, ?> e : l.entrySet())
                labels.put(String.valueOf(e.getKey()), e.getValue() == null ? "" : String.valueOf(e.getValue()));
        }
        return new GoStruct(DockerTypes.CONFIG)
                .set("Hostname", str(cfg.get("Hostname")))
                .set("Domainname", str(cfg.get("Domainname")))
                .set("User", str(cfg.get("User")))
                .set("AttachStdin", bool(cfg.get("AttachStdin")))
                .set("AttachStdout", bool(cfg.get("AttachStdout")))
                .set("AttachStderr", bool(cfg.get("AttachStderr")))
                .set("ExposedPorts", ports == null || ports.isEmpty() ? null : ports)
                .set("Tty", bool(cfg.get("Tty")))
                .set("OpenStdin", bool(cfg.get("OpenStdin")))
                .set("StdinOnce", bool(cfg.get("StdinOnce")))
                .set("Env", list(cfg.get("Env")))
                .set("Cmd", list(cfg.get("Cmd")))
                .set("Healthcheck", cfg.get("Healthcheck") instanceof Map<?, ?> hc ? healthcheck(hc) : null)
                .set("ArgsEscaped", bool(cfg.get("ArgsEscaped")))
                .set("Image", str(cfg.get("Image")))
                .set("Volumes", vols)
                .set("WorkingDir", str(cfg.get("WorkingDir")))
                .set("Entrypoint", list(cfg.get("Entrypoint")))
                .set("NetworkDisabled", bool(cfg.get("NetworkDisabled")))
                .set("MacAddress", str(cfg.get("MacAddress")))
                .set("OnBuild", list(cfg.get("OnBuild")))
                .set("Labels", labels)
                .set("StopSignal", str(cfg.get("StopSignal")))
                .set("StopTimeout", cfg.get("StopTimeout") instanceof Number n ? new GoValue.Ptr(n.longValue()) : null)
                .set("Shell", cfg.get("Shell") instanceof List<?> sh && !sh.isEmpty() ? list(sh) : null);
    }

    private static boolean bool(Object v) {
        return Boolean.TRUE.equals(v);
    }

    private static GoValue.Ptr healthcheck(Map<?, ?> hc) {
        GoStruct s = new GoStruct(DockerTypes.HEALTH_CONFIG);
        if (hc.get("Test") instanceof List<?> t) s.set("Test", list(t));
        // docker 20.10's HealthConfig has no StartInterval (a later API's): its inspect shows none, nor does whittle's
        for (String k : List.of("Interval", "Timeout", "StartPeriod", "Retries")) {
            if (hc.get(k) instanceof Number n) s.set(k, n.longValue());
        }
        return s.pointer();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    /** A []string: the strings of a JSON array, or nil. */
    private static List<Object> list(Object v) {
        if (!(v instanceof List<?> l)) return null;
        List<Object> out = new ArrayList<>(l.size());
        for (Object x : l) out.add(x == null ? "" : String.valueOf(x));
        return out;
    }

    private static String str(Object v) {
        return v instanceof String s ? s : "";
    }

    /** A set (map to struct{}) of a JSON object's keys, or nil. */
    private static Map<Object, Object> set(Object v) {
        if (!(v instanceof Map<?, ?> m)) return null;
        Map<Object, Object> out = new TreeMap<>();
        for (Object k : m.keySet()) out.put(String.valueOf(k), DockerTypes.EMPTY);
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

    /**
     * docker's CreatedSince: empty for Go's zero time, which is what an image without a (readable) date has; counted
     * from the whole second, as docker's API gives creation times ({@code time.Unix(created, 0)}).
     */
    static String createdSince(Instant created, Instant now) {
        if (created == null || created.equals(GoTime.ZERO)) return "";
        return Units.humanDuration(Duration.between(Instant.ofEpochSecond(created.getEpochSecond()), now)) + " ago";
    }

    static String truncateId(String id) {
        int i = id.indexOf(':');
        String hex = i >= 0 ? id.substring(i + 1) : id;
        return hex.length() > 12 ? hex.substring(0, 12) : hex;
    }

    /** One row of {@code docker images}: a *formatter.imageContext. */
    static GoValue imageRow(StoredImage img, String repo, String tag, String digest, boolean trunc, Instant now) {
        return imageRow(img, repo, tag, digest, trunc, now, Map.of());
    }

    /** The row with some columns' values given ({@code system df -v}: the sizes as the store holds them). */
    static GoValue imageRow(
            StoredImage img,
            String repo,
            String tag,
            String digest,
            boolean trunc,
            Instant now,
            Map<String, String> columns) {
        Instant created = img.created();
        Instant c = created == null ? GoTime.ZERO : created;
        String id = img.id().toString();
        Map<String, String> cols = new HashMap<>();
        cols.put("Containers", "N/A");
        // no date at all is Go's zero time (year 1), which docker shows as no CreatedSince; 1970 is a date like any
        // other
        cols.put("CreatedAt", goTimeString(c));
        cols.put("CreatedSince", created == null ? "" : createdSince(created, now));
        cols.put("Digest", digest);
        cols.put("ID", trunc ? truncateId(id) : id);
        cols.put("Repository", repo);
        cols.put("SharedSize", "N/A");
        cols.put("Size", Units.humanSize(img.size()));
        cols.put("Tag", tag);
        cols.put("UniqueSize", "N/A");
        cols.put("VirtualSize", Units.humanSize(img.size(), 4)); // units.HumanSize: four digits, where Size has three
        cols.putAll(columns);
        List<Object> tags = new ArrayList<>();
        for (ImageRef r : img.names()) tags.add(r.familiar());
        List<Object> digests = new ArrayList<>();
        for (String d : img.repoDigests()) digests.add(familiarDigestRef(d));
        Object labels = img.config().config().get("Labels") instanceof Map<?, ?> l ? labelMap(l) : null;
        Object[] summary = new GoStruct(DockerTypes.IMAGE_SUMMARY)
                .set("Containers", -1L)
                .set("Created", c.getEpochSecond())
                .set("ID", id)
                .set("Labels", labels)
                .set("RepoDigests", digests.isEmpty() ? null : digests)
                .set("RepoTags", tags.isEmpty() ? null : tags)
                .set("SharedSize", -1L)
                .set("Size", img.size())
                .set("VirtualSize", img.size())
                .data();
        return DockerTypes.row(
                DockerTypes.IMAGE_CONTEXT, List.of(trunc, summary, repo, tag, digest), cols, DockerTypes.IMAGE_COLUMNS);
    }

    private static Map<Object, Object> labelMap(Map<?, ?> l) {
        Map<Object, Object> out = new TreeMap<>();
        for (Map.Entry<?, ?> e : l.entrySet())
            out.put(String.valueOf(e.getKey()), e.getValue() == null ? "" : String.valueOf(e.getValue()));
        return out;
    }

    /** The column titles of {@code docker images}. */
    static final GoValue IMAGE_HEADERS = headers(Map.ofEntries(
            Map.entry("Containers", "CONTAINERS"),
            Map.entry("CreatedAt", "CREATED AT"),
            Map.entry("CreatedSince", "CREATED"),
            Map.entry("Digest", "DIGEST"),
            Map.entry("ID", "IMAGE ID"),
            Map.entry("Repository", "REPOSITORY"),
            Map.entry("SharedSize", "SHARED SIZE"),
            Map.entry("Size", "SIZE"),
            Map.entry("Tag", "TAG"),
            Map.entry("UniqueSize", "UNIQUE SIZE"),
            Map.entry("VirtualSize", "SIZE"))); // docker 20.10 heads it SIZE too

    /** A table's header map (formatter.SubHeaderContext). */
    static GoValue headers(Map<String, String> m) {
        return GoValue.of(DockerTypes.SUB_HEADER, new TreeMap<Object, Object>(m));
    }

    /**
     * A row of string columns as a template sees a row type whose values are methods; {@code json .} marshals it as a
     * map, keys sorted, as docker's rows marshal their methods.
     */
    static GoValue plainRow(Map<String, ?> columns) {
        return DockerTypes.fromJson(new TreeMap<>(columns));
    }

    /** Rows of {@code docker history}, newest first: *image.historyContext values. */
    static List<GoValue> historyRows(StoredImage img, Store store, boolean human, boolean trunc, Instant now) {
        List<ImageConfig.History> hist = img.config().history();
        List<Digest> diffIds = img.config().diffIds();
        List<GoValue> rows = new ArrayList<>();
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
            boolean top = i == forward.size() - 1;
            String id = top ? img.id().toString() : "<missing>";
            Instant created = ImageConfig.parseTime(h.created());
            String createdAt = created == null ? "0001-01-01T00:00:00Z" : GoTime.rfc3339(created);
            // docker: HumanDuration(now - created); no date is Go's zero time, which saturates Go's Duration (292
            // years)
            String since = !human ? createdAt : created == null ? "292 years ago" : createdSince(created, now);
            String by = h.createdBy() == null ? "" : h.createdBy().replace('\t', ' ');
            Map<String, String> cols = new HashMap<>();
            cols.put("Comment", h.comment() == null ? "" : h.comment());
            cols.put("CreatedAt", createdAt);
            cols.put("CreatedBy", trunc ? ellipsis(by, 45) : by);
            cols.put("CreatedSince", since);
            cols.put("ID", trunc && !id.equals("<missing>") ? truncateId(id) : id);
            cols.put("Size", human ? Units.humanSize(size) : Long.toString(size));
            List<Object> tags = null;
            if (top && !img.names().isEmpty()) {
                tags = new ArrayList<>();
                for (ImageRef r : img.names()) tags.add(r.familiar());
            }
            Object[] item = new GoStruct(DockerTypes.HISTORY_ITEM)
                    .set("Comment", h.comment() == null ? "" : h.comment())
                    .set("Created", created == null ? GoTime.ZERO.getEpochSecond() : created.getEpochSecond())
                    .set("CreatedBy", h.createdBy() == null ? "" : h.createdBy())
                    .set("ID", id)
                    .set("Size", size)
                    .set("Tags", tags)
                    .data();
            rows.add(DockerTypes.row(
                    DockerTypes.HISTORY_CONTEXT, List.of(trunc, human, item), cols, DockerTypes.HISTORY_COLUMNS));
        }
        return rows;
    }

    static final GoValue HISTORY_HEADERS = headers(Map.of(
            "ID",
            "IMAGE",
            "CreatedSince",
            "CREATED",
            "CreatedAt",
            "CREATED AT",
            "CreatedBy",
            "CREATED BY",
            "Size",
            "SIZE",
            "Comment",
            "COMMENT"));

    /** docker's formatter.Ellipsis for strings of single-width characters. */
    static String ellipsis(String s, int max) {
        int n = s.codePointCount(0, s.length());
        if (n <= max) return s;
        int end = s.offsetByCodePoints(0, max - 1);
        return s.substring(0, end) + "…";
    }
}
