package dev.whittle.cli.format;

import static dev.whittle.cli.format.GoType.field;
import static dev.whittle.cli.format.GoType.omitEmpty;

import dev.whittle.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Go types docker 20.10's templates see, declared as moby and docker/cli declare them: {@code types.ImageInspect}
 * and the structs in it for {@code inspect}, the row types of {@code images} and {@code history} (their values are
 * methods), the header map of a table, and {@code map[string]interface{}} for inspect's second try over raw JSON.
 */
public final class DockerTypes {
    private DockerTypes() {}

    public static final GoType STRINGS = GoType.sliceOf(GoType.STRING);
    public static final GoType STRING_MAP = GoType.mapOf(GoType.STRING, GoType.STRING);
    static final GoType EMPTY_STRUCT = GoType.struct(null);
    public static final GoType STRSLICE = GoType.named("strslice.StrSlice", STRINGS);
    public static final GoType PORT = GoType.named("nat.Port", GoType.STRING);
    public static final GoType PORT_SET = GoType.named("nat.PortSet", GoType.mapOf(PORT, EMPTY_STRUCT));
    public static final GoType VOLUMES = GoType.mapOf(GoType.STRING, EMPTY_STRUCT);
    /** struct{}{}: the value of a port or volume set. */
    public static final Object EMPTY = new Object[0];

    private static final GoType STRING_METHOD = GoType.func(List.of(), false, GoType.STRING, false);

    /** time.Duration: an int64 of nanoseconds that prints as {@code 1m30s}. */
    public static final GoType DURATION = GoType.named("time.Duration", GoType.INT64)
            .method(
                    "String",
                    false,
                    GoFunc.of(
                            STRING_METHOD,
                            a -> GoValue.string(
                                    GoTime.durationString(a.getFirst().longValue()))));

    /** time.Time, in UTC: prints as {@code 2021-03-04 03:24:42.5 +0000 UTC}, encodes as RFC 3339. */
    public static final GoType TIME = GoType.struct(
                    "time.Time",
                    new GoType.Field("wall", GoType.UINT64, null, false),
                    new GoType.Field("ext", GoType.INT64, null, false),
                    new GoType.Field("loc", GoType.pointerTo(GoType.struct("time.Location")), null, false))
            .method(
                    "String",
                    false,
                    GoFunc.of(STRING_METHOD, a -> GoValue.string(GoTime.stringUtc(instant(a.getFirst())))))
            .method(
                    "IsZero",
                    false,
                    GoFunc.of(
                            GoType.func(List.of(), false, GoType.BOOL, false),
                            a -> GoValue.bool(instant(a.getFirst()).equals(GoTime.ZERO))))
            .method(
                    "Unix",
                    false,
                    GoFunc.of(
                            GoType.func(List.of(), false, GoType.INT64, false),
                            a -> GoValue.int64(instant(a.getFirst()).getEpochSecond())))
            .method(
                    "GoString",
                    false,
                    GoFunc.of(STRING_METHOD, a -> GoValue.string(GoTime.goString(instant(a.getFirst())))))
            .marshalJson(d -> GoTime.rfc3339Nano((Instant) ((Object[]) d)[3]));

    /** A time.Time value; the Instant rides in a slot past the struct's fields, where printing does not look. */
    public static Object time(Instant t) {
        return new Object[] {0L, 0L, null, t};
    }

    private static Instant instant(GoValue v) {
        return (Instant) ((Object[]) v.data())[3];
    }

    public static final GoType HEALTH_CONFIG = GoType.struct(
            "container.HealthConfig",
            omitEmpty("Test", STRINGS),
            omitEmpty("Interval", DURATION),
            omitEmpty("Timeout", DURATION),
            omitEmpty("StartPeriod", DURATION),
            omitEmpty("Retries", GoType.INT));

    public static final GoType CONFIG = GoType.struct(
            "container.Config",
            field("Hostname", GoType.STRING),
            field("Domainname", GoType.STRING),
            field("User", GoType.STRING),
            field("AttachStdin", GoType.BOOL),
            field("AttachStdout", GoType.BOOL),
            field("AttachStderr", GoType.BOOL),
            omitEmpty("ExposedPorts", PORT_SET),
            field("Tty", GoType.BOOL),
            field("OpenStdin", GoType.BOOL),
            field("StdinOnce", GoType.BOOL),
            field("Env", STRINGS),
            field("Cmd", STRSLICE),
            omitEmpty("Healthcheck", GoType.pointerTo(HEALTH_CONFIG)),
            omitEmpty("ArgsEscaped", GoType.BOOL),
            field("Image", GoType.STRING),
            field("Volumes", VOLUMES),
            field("WorkingDir", GoType.STRING),
            field("Entrypoint", STRSLICE),
            omitEmpty("NetworkDisabled", GoType.BOOL),
            omitEmpty("MacAddress", GoType.STRING),
            field("OnBuild", STRINGS),
            field("Labels", STRING_MAP),
            omitEmpty("StopSignal", GoType.STRING),
            omitEmpty("StopTimeout", GoType.pointerTo(GoType.INT)),
            omitEmpty("Shell", STRSLICE));
    public static final GoType CONFIG_POINTER = GoType.pointerTo(CONFIG);

    public static final GoType GRAPH_DRIVER =
            GoType.struct("types.GraphDriverData", field("Data", STRING_MAP), field("Name", GoType.STRING));
    public static final GoType ROOT_FS = GoType.struct(
            "types.RootFS",
            field("Type", GoType.STRING),
            omitEmpty("Layers", STRINGS),
            omitEmpty("BaseLayer", GoType.STRING));
    public static final GoType METADATA = GoType.struct("types.ImageMetadata", omitEmpty("LastTagTime", TIME));

    public static final GoType IMAGE_INSPECT = GoType.struct(
            "types.ImageInspect",
            new GoType.Field("ID", GoType.STRING, "Id", false),
            field("RepoTags", STRINGS),
            field("RepoDigests", STRINGS),
            field("Parent", GoType.STRING),
            field("Comment", GoType.STRING),
            field("Created", GoType.STRING),
            field("Container", GoType.STRING),
            field("ContainerConfig", CONFIG_POINTER),
            field("DockerVersion", GoType.STRING),
            field("Author", GoType.STRING),
            field("Config", CONFIG_POINTER),
            field("Architecture", GoType.STRING),
            omitEmpty("Variant", GoType.STRING),
            field("Os", GoType.STRING),
            omitEmpty("OsVersion", GoType.STRING),
            field("Size", GoType.INT64),
            field("VirtualSize", GoType.INT64),
            field("GraphDriver", GRAPH_DRIVER),
            field("RootFS", ROOT_FS),
            field("Metadata", METADATA));

    // ------------------------------------------------------------------------------------------ list rows

    /** formatter.HeaderContext: {@code {Header interface {}}}, nil in every row. */
    private static final GoType HEADER_CONTEXT = GoType.struct("formatter.HeaderContext", field("Header", GoType.ANY));

    public static final GoType IMAGE_SUMMARY = GoType.struct(
            "types.ImageSummary",
            field("Containers", GoType.INT64),
            field("Created", GoType.INT64),
            field("ID", GoType.STRING),
            field("Labels", STRING_MAP),
            field("ParentID", GoType.STRING),
            field("RepoDigests", STRINGS),
            field("RepoTags", STRINGS),
            field("SharedSize", GoType.INT64),
            field("Size", GoType.INT64),
            field("VirtualSize", GoType.INT64));

    /** The names docker's row types answer to, in reflect's (sorted) order: their values are methods. */
    public static final List<String> IMAGE_COLUMNS = List.of(
            "Containers",
            "CreatedAt",
            "CreatedSince",
            "Digest",
            "ID",
            "Repository",
            "SharedSize",
            "Size",
            "Tag",
            "UniqueSize",
            "VirtualSize");

    public static final List<String> HISTORY_COLUMNS =
            List.of("Comment", "CreatedAt", "CreatedBy", "CreatedSince", "ID", "Size");

    /** {@code *formatter.imageContext}: {@code {HeaderContext, trunc, i types.ImageSummary, repo, tag, digest}}. */
    public static final GoType IMAGE_CONTEXT = GoType.pointerTo(rowType(
            "formatter.imageContext",
            IMAGE_COLUMNS,
            new GoType.Field("trunc", GoType.BOOL, null, false),
            new GoType.Field("i", IMAGE_SUMMARY, null, false),
            new GoType.Field("repo", GoType.STRING, null, false),
            new GoType.Field("tag", GoType.STRING, null, false),
            new GoType.Field("digest", GoType.STRING, null, false)));

    public static final GoType HISTORY_ITEM = GoType.struct(
            "image.HistoryResponseItem",
            field("Comment", GoType.STRING),
            field("Created", GoType.INT64),
            field("CreatedBy", GoType.STRING),
            new GoType.Field("ID", GoType.STRING, "Id", false),
            field("Size", GoType.INT64),
            field("Tags", STRINGS));

    /** {@code *image.historyContext}: {@code {HeaderContext, trunc, human, h image.HistoryResponseItem}}. */
    public static final GoType HISTORY_CONTEXT = GoType.pointerTo(rowType(
            "image.historyContext",
            HISTORY_COLUMNS,
            new GoType.Field("trunc", GoType.BOOL, null, false),
            new GoType.Field("human", GoType.BOOL, null, false),
            new GoType.Field("h", HISTORY_ITEM, null, false)));

    /** A row struct: HeaderContext and the given fields, then (unseen) the column texts its methods return. */
    private static GoType rowType(String name, List<String> columns, GoType.Field... fields) {
        List<GoType.Field> all = new ArrayList<>();
        all.add(new GoType.Field("HeaderContext", HEADER_CONTEXT, "HeaderContext", false));
        all.addAll(List.of(fields));
        GoType t = GoType.struct(name).fields(all);
        int first = all.size();
        for (int i = 0; i < columns.size(); i++) {
            int slot = first + i;
            t.method(columns.get(i), true, GoFunc.of(STRING_METHOD, a -> {
                GoValue r = a.getFirst();
                Object[] d =
                        (Object[]) (r.kind() == GoType.Kind.POINTER ? ((GoValue.Ptr) r.data()).target() : r.data());
                return GoValue.string((String) d[slot]);
            }));
        }
        // MarshalJSON: each method's value by name, as json.Marshal writes a map (HTML escaped)
        t.marshalJson(d -> {
            Map<String, Object> m = new TreeMap<>();
            for (int i = 0; i < columns.size(); i++) m.put(columns.get(i), ((Object[]) d)[first + i]);
            return new Json.RawJson(Json.writeString(m, Json.Style.GO));
        });
        return t;
    }

    /**
     * A row: the struct's field data (after HeaderContext) and then the text of each column, in the order of
     * {@link #IMAGE_COLUMNS} or {@link #HISTORY_COLUMNS}.
     */
    public static GoValue row(GoType rowType, List<Object> fieldData, Map<String, String> columns, List<String> order) {
        List<Object> d = new ArrayList<>();
        d.add(new Object[] {null}); // HeaderContext{Header: nil}
        d.addAll(fieldData);
        for (String c : order) d.add(columns.get(c));
        return GoValue.pointer(rowType, d.toArray());
    }

    /** formatter.SubHeaderContext: a table's column titles by name. */
    public static final GoType SUB_HEADER = GoType.named("formatter.SubHeaderContext", STRING_MAP);

    // ------------------------------------------------------------------------------------------ raw JSON

    /** encoding/json's Number, which UseNumber decodes numbers into: a string that prints as itself. */
    public static final GoType JSON_NUMBER = GoType.named("json.Number", GoType.STRING)
            .method(
                    "String",
                    false,
                    GoFunc.of(STRING_METHOD, a -> GoValue.string(a.getFirst().stringValue())));

    public static final GoType RAW_OBJECT = GoType.mapOf(GoType.STRING, GoType.ANY);
    public static final GoType RAW_ARRAY = GoType.sliceOf(GoType.ANY);

    /**
     * A JSON tree as encoding/json decodes it into {@code interface{}} with UseNumber: objects as
     * {@code map[string]interface {}}, arrays as {@code []interface {}}, numbers as json.Number; null is nil (null).
     */
    public static GoValue fromJson(Object tree) {
        // instanceof, not a pattern switch: {{.Id}} takes this path, and a type switch is bootstrapped at run time
        if (tree == null) return null;
        if (tree instanceof Map<?, ?> m) {
            Map<Object, Object> d = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) d.put(String.valueOf(e.getKey()), fromJson(e.getValue()));
            return GoValue.of(RAW_OBJECT, d);
        }
        if (tree instanceof List<?> l) {
            List<Object> d = new ArrayList<>(l.size());
            for (Object x : l) d.add(fromJson(x));
            return GoValue.of(RAW_ARRAY, d);
        }
        if (tree instanceof String s) return GoValue.string(s);
        if (tree instanceof Boolean b) return GoValue.bool(b);
        if (tree instanceof Json.RawJson r) return GoValue.of(JSON_NUMBER, r.text());
        return GoValue.of(JSON_NUMBER, tree.toString());
    }
}
