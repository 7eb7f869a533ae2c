package dev.whittle.cli.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whittle.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Go's own text/template test tables, run as docker runs templates, against what Go 1.19 (docker 20.10's CLI)
 * printed for them. {@code go-template-golden.json} is made by {@code scripts/gotemplate-golden/gen.sh}: it copies
 * {@code exec_test.go}, {@code multi_test.go} and {@code parse/parse_test.go} from the Go installation, runs every
 * case with docker's functions as a template named "" over the case's data, and writes the output or error, the
 * data serialized with its Go types (methods and funcs by name, in {@link Methods}), and the cases it left out.
 * Cases that call the tests' own functions (typeOf, add, echo, ...) stay in: docker does not have them, so Go's
 * answer is the parse error a docker user gets. Ported: execTests, cmpTests, multiExecTests (their templates
 * prepended to each case, docker parsing one text), parseTests and errorTests (the error, or the tree as Go prints
 * it), and TestExecError, TestBlock, TestTree (with {{ }} for its delimiters), TestMissingMapKey, TestEvalFieldErrors,
 * TestInterfaceValues, TestExecutePanicDuringCall, TestIssue31810, TestAddrOfIndex, TestIssue19294, TestJSEscaping,
 * TestUnterminatedStringError, TestExecuteGivesExecError, TestFinalForPrintf. Left out (the file's "skipped" list):
 * <ul>
 * <li>execTests' four {@code .SICap} cases: a slice's capacity beyond its length is not modelled (docker's data
 * has no such slice), and "range count" / "range nil count": channels;
 * <li>TestDelims (docker's templates have the default delimiters), TestExecuteError and TestExecError_CustomError
 * (Go error values from functions), TestExecuteOnNewTemplate, TestMessageForExecuteEmpty, TestGoodFuncNames,
 * TestBadFuncNames (the Go API, not templates), TestIssue43065 (channels), TestIssue39807 (concurrency of the Go
 * API), TestIssue48215 (embedded pointer fields), TestMaxExecDepth (whittle's limit is its own: GoTemplateTest);
 * <li>multi_test.go's TestMultiParse, TestParseFiles, TestParseGlob, TestParseFS, TestClone, TestAddParseTree,
 * TestRedefinition, TestEmptyTemplate, TestNew, TestTemplateLookUp (several Parse calls or files into one set);
 * <li>parse_test.go's TestParseWithComments, TestSkipFuncCheck, TestIsEmpty, TestBlock, TestLineNum and numberTests
 * (parse modes and tree internals docker does not use; number syntax is covered by execTests and whittle's cases);
 * <li>the tests' {@code Tmpl} field (a *template.Template) is not serialized; no kept case reads it.
 * </ul>
 * whittle's own cases (table "whittle") run over docker's types: an image inspect object, the same as raw JSON
 * (inspect's second try), an images row and a table header; table "legacy" holds the cases of whittle's earlier
 * template tests, now with Go's answers. {@link #KNOWN_DIFFERENCES} lists the cases whittle answers otherwise on
 * purpose. Nothing here needs Go at run time.
 */
class GoTemplateGoldenTest {
    private static final Map<String, Object> GOLDEN = load();

    @SuppressWarnings("unchecked")
    private static Map<String, Object> load() {
        try (InputStream in = GoTemplateGoldenTest.class.getResourceAsStream("go-template-golden.json")) {
            return (Map<String, Object>) Json.parse(in.readAllBytes());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        return (List<Map<String, Object>>) o;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    /**
     * Cases where whittle answers differently on purpose, each listed in docs/differences.md: the key is the case's
     * table and name.
     */
    static final Map<String, String> KNOWN_DIFFERENCES = Map.of(
            "TestJSEscaping: unprintable \uFDFF",
            "U+FDFF is a character in Java 25's Unicode 16, unassigned in Go 1.19's Unicode 13, "
                    + "so js prints it where Go escapes it");

    @TestFactory
    Stream<DynamicTest> goTemplateTables() {
        Decoder dec = new Decoder(list(GOLDEN.get("types")));
        Map<String, Object> data = map(GOLDEN.get("data"));
        Map<String, GoValue> values = new HashMap<>();
        return list(GOLDEN.get("cases")).stream()
                .map(c ->
                        DynamicTest.dynamicTest(c.get("table") + ": " + c.get("name") + " " + c.get("template"), () -> {
                            if (KNOWN_DIFFERENCES.containsKey(c.get("table") + ": " + c.get("name"))) return;
                            String key = (String) c.get("data");
                            GoValue d = values.computeIfAbsent(key, k -> dec.data(k, map(data.get(k))));
                            check(c, d);
                        }));
    }

    private static void check(Map<String, Object> c, GoValue data) {
        String template = (String) c.get("template");
        String mode = c.get("mode") == null ? "" : (String) c.get("mode");
        String error = (String) c.get("error");
        String output = (String) c.get("output");
        if (Boolean.TRUE.equals(c.get("parseError"))) {
            assertThatThrownBy(() -> GoTemplate.parse(template))
                    .isInstanceOf(TemplateException.class)
                    .hasMessage(error)
                    .satisfies(e ->
                            assertThat(((TemplateException) e).isParseError()).isTrue());
            return;
        }
        GoTemplate t = GoTemplate.parse(template);
        switch (mode) {
            case "parse" -> assertThat(t.tree()).isEqualTo(c.get("tree"));
            case "header" -> assertThat(t.executeHeader(data)).isEqualTo(output);
            default -> {
                if (error != null) {
                    assertThatThrownBy(() -> run(t, mode, data))
                            .isInstanceOf(TemplateException.class)
                            .hasMessage(error)
                            .satisfies(e -> assertThat(((TemplateException) e).isParseError())
                                    .isFalse());
                } else {
                    assertThat(run(t, mode, data)).isEqualTo(output);
                }
            }
        }
    }

    private static String run(GoTemplate t, String mode, GoValue data) {
        return mode.equals("raw") ? t.executeMissingKeyError(data) : t.execute(data);
    }

    /** The generator's list of left-out cases names each with a reason. */
    @Test
    void everyLeftOutCaseHasAReason() {
        List<Map<String, Object>> skipped = list(GOLDEN.get("skipped"));
        assertThat(skipped)
                .isNotEmpty()
                .allSatisfy(s -> assertThat((String) s.get("why")).isNotBlank());
        assertThat(list(GOLDEN.get("cases"))).hasSizeGreaterThan(800);
    }

    /**
     * docker's types as the generator declares them (moby's and docker/cli's, checked against docker 20.10's
     * {@code %#v}) and as {@link DockerTypes} declares them: the same fields, types, JSON names and omitempty.
     */
    @Test
    void dockerTypesAreDeclaredAsDockers() {
        List<Map<String, Object>> types = list(GOLDEN.get("types"));
        Map<String, GoType> ours = Map.of(
                "types.ImageInspect",
                DockerTypes.IMAGE_INSPECT,
                "container.Config",
                DockerTypes.CONFIG,
                "container.HealthConfig",
                DockerTypes.HEALTH_CONFIG,
                "types.RootFS",
                DockerTypes.ROOT_FS,
                "types.GraphDriverData",
                DockerTypes.GRAPH_DRIVER,
                "types.ImageMetadata",
                DockerTypes.METADATA,
                "types.ImageSummary",
                DockerTypes.IMAGE_SUMMARY,
                "formatter.imageContext",
                DockerTypes.IMAGE_CONTEXT.elem(),
                "formatter.HeaderContext",
                DockerTypes.IMAGE_CONTEXT.elem().fields().getFirst().type());
        int seen = 0;
        for (Map<String, Object> t : types) {
            GoType o = t.get("name") == null ? null : ours.get((String) t.get("name"));
            if (o == null || !"struct".equals(t.get("kind"))) continue;
            seen++;
            List<Map<String, Object>> fields = list(t.get("fields"));
            assertThat(o.fields()).as(o.toString()).hasSize(fields.size());
            for (int i = 0; i < fields.size(); i++) {
                Map<String, Object> f = fields.get(i);
                GoType.Field of = o.fields().get(i);
                assertThat(of.name()).isEqualTo(f.get("name"));
                assertThat(of.type().toString())
                        .as(o + "." + of.name())
                        .isEqualTo(typeString(types, ((Number) f.get("type")).intValue()));
                if (of.exported()) {
                    assertThat(of.json()).as(o + "." + of.name()).isEqualTo(f.get("json"));
                    assertThat(of.omitEmpty()).as(o + "." + of.name()).isEqualTo(f.get("omitempty"));
                }
            }
        }
        assertThat(seen).isEqualTo(ours.size());
    }

    /** reflect's Type.String() from the generator's description, to compare with {@link GoType#toString()}. */
    private static String typeString(List<Map<String, Object>> types, int i) {
        return new Decoder(types).type(i).toString();
    }

    // ------------------------------------------------------------------------------------------ decoding

    /** Builds GoType and GoValue objects from the generator's serialization of Go types and values. */
    static final class Decoder {
        private final List<Map<String, Object>> types;
        private final Map<Integer, GoType> built = new HashMap<>();
        private final Map<Long, GoValue.Ptr> pointers = new HashMap<>();

        Decoder(List<Map<String, Object>> types) {
            this.types = types;
        }

        GoValue data(String key, Map<String, Object> d) {
            pointers.clear();
            if (key.equals("row")) return row(d);
            int t = ((Number) d.get("type")).intValue();
            if (t < 0) return null;
            GoType type = type(t);
            return GoValue.of(type, value(d.get("value"), type, ""));
        }

        /** An images row: docker's fields from the generator, the column texts docker's methods return. */
        @SuppressWarnings("unchecked")
        private GoValue row(Map<String, Object> d) {
            GoType st = DockerTypes.IMAGE_CONTEXT.elem();
            List<Object> f = (List<Object>) d.get("fields");
            List<Object> fieldData = new ArrayList<>();
            for (int i = 1; i < st.fields().size(); i++)
                fieldData.add(value(f.get(i), st.fields().get(i).type(), ""));
            return DockerTypes.row(
                    DockerTypes.IMAGE_CONTEXT,
                    fieldData,
                    (Map<String, String>) (Map<?, ?>) d.get("columns"),
                    DockerTypes.IMAGE_COLUMNS);
        }

        GoType type(int i) {
            GoType t = built.get(i);
            if (t != null) return t;
            Map<String, Object> d = types.get(i);
            String kind = (String) d.get("kind");
            String name = (String) d.get("name");
            GoType docker = dockerType(name);
            if (docker != null) {
                built.put(i, docker);
                return docker;
            }
            switch (kind) {
                case "struct" -> {
                    t = GoType.struct(name);
                    built.put(i, t);
                    List<GoType.Field> fields = new ArrayList<>();
                    for (Map<String, Object> f :
                            d.get("fields") == null ? List.<Map<String, Object>>of() : list(d.get("fields"))) {
                        fields.add(new GoType.Field(
                                (String) f.get("name"),
                                type(((Number) f.get("type")).intValue()),
                                (String) f.get("json"),
                                (Boolean) f.get("omitempty")));
                    }
                    t.fields(fields);
                }
                case "ptr" -> {
                    // a pointer to a struct being built refers to the placeholder, so cycles end
                    t = GoType.pointerTo(type(idx(d, "elem")));
                    built.put(i, t);
                }
                default -> {
                    GoType u = switch (kind) {
                        case "slice" -> GoType.sliceOf(type(idx(d, "elem")));
                        case "array" -> GoType.arrayOf(idx(d, "len"), type(idx(d, "elem")));
                        case "map" -> GoType.mapOf(type(idx(d, "key")), type(idx(d, "elem")));
                        case "chan" -> GoType.chanOf(type(idx(d, "elem")));
                        case "interface" ->
                            GoType.interfaceOf(
                                    null,
                                    d.get("methods") == null
                                            ? new String[0]
                                            : ((List<?>) d.get("methods")).toArray(String[]::new));
                        case "func" -> func(d);
                        case "unsafe.Pointer" -> GoType.UINTPTR;
                        default -> GoType.basic(GoType.Kind.valueOf(kind.toUpperCase(Locale.ROOT)));
                    };
                    t = name == null || (u.kind().ordinal() <= GoType.Kind.STRING.ordinal() && name.equals(kind))
                            ? u
                            : u.kind() == GoType.Kind.INTERFACE
                                    ? GoType.interfaceOf(name, interfaceMethods(d))
                                    : GoType.named(name, u);
                    built.put(i, t);
                }
            }
            if (d.get("methodSet") != null) {
                for (Map<String, Object> m : list(d.get("methodSet"))) {
                    String mn = (String) m.get("name");
                    GoType mt = type(((Number) m.get("type")).intValue());
                    t.method(mn, (Boolean) m.get("ptr"), GoFunc.of(mt, Methods.of(name + "." + mn)));
                }
            }
            return t;
        }

        private static String[] interfaceMethods(Map<String, Object> d) {
            return d.get("methods") == null ? new String[0] : ((List<?>) d.get("methods")).toArray(String[]::new);
        }

        private GoType func(Map<String, Object> d) {
            List<GoType> in = new ArrayList<>();
            if (d.get("in") != null) for (Object x : (List<?>) d.get("in")) in.add(type(((Number) x).intValue()));
            int numOut = ((Number) d.get("numOut")).intValue();
            GoType out =
                    numOut >= 1 && numOut <= 2 && (numOut == 1 || (Boolean) d.get("err")) ? type(idx(d, "out")) : null;
            return GoType.func(in, (Boolean) d.get("variadic"), out, (Boolean) d.get("err"));
        }

        private static int idx(Map<String, Object> d, String k) {
            return ((Number) d.get(k)).intValue();
        }

        /** docker's types and the library types they use are whittle's own, so the tables test those. */
        private static GoType dockerType(String name) {
            if (name == null) return null;
            return switch (name) {
                case "time.Time" -> DockerTypes.TIME;
                case "time.Duration" -> DockerTypes.DURATION;
                case "json.Number" -> DockerTypes.JSON_NUMBER;
                case "types.ImageInspect" -> DockerTypes.IMAGE_INSPECT;
                case "container.Config" -> DockerTypes.CONFIG;
                case "container.HealthConfig" -> DockerTypes.HEALTH_CONFIG;
                case "strslice.StrSlice" -> DockerTypes.STRSLICE;
                case "nat.PortSet" -> DockerTypes.PORT_SET;
                case "nat.Port" -> DockerTypes.PORT;
                case "types.RootFS" -> DockerTypes.ROOT_FS;
                case "types.GraphDriverData" -> DockerTypes.GRAPH_DRIVER;
                case "types.ImageMetadata" -> DockerTypes.METADATA;
                case "formatter.SubHeaderContext" -> DockerTypes.SUB_HEADER;
                default -> null;
            };
        }

        /** A value's data from its JSON, by its static type. */
        @SuppressWarnings("unchecked")
        Object value(Object j, GoType t, String hint) {
            if (j instanceof Map<?, ?> m && m.containsKey("unsupported")) return null;
            if (t == DockerTypes.TIME) return DockerTypes.time(goTime((List<Object>) j));
            GoType.Kind k = t.kind();
            if (k.isInt() || k.isUint())
                return k.isUint() ? Long.parseUnsignedLong((String) j) : Long.parseLong((String) j);
            return switch (k) {
                case BOOL -> j;
                case FLOAT32, FLOAT64 -> parseFloat((String) j);
                case COMPLEX64, COMPLEX128 ->
                    new GoValue.Complex(
                            parseFloat((String) ((List<?>) j).get(0)), parseFloat((String) ((List<?>) j).get(1)));
                case STRING -> j;
                case SLICE, ARRAY -> {
                    if (j == null) yield null;
                    List<Object> l = new ArrayList<>();
                    for (Object x : (List<?>) j) l.add(value(x, t.elem(), hint));
                    yield l;
                }
                case MAP -> {
                    if (j == null) yield null;
                    Map<Object, Object> m = new LinkedHashMap<>();
                    for (Object e : (List<?>) j) {
                        List<?> kv = (List<?>) e;
                        Object key = value(kv.get(0), t.key(), hint);
                        m.put(
                                key,
                                value(kv.get(1), t.elem(), t.key().kind() == GoType.Kind.STRING ? (String) key : hint));
                    }
                    yield m;
                }
                case STRUCT -> {
                    List<?> l = (List<?>) j;
                    Object[] f = new Object[t.fields().size()];
                    for (int i = 0; i < f.length; i++)
                        f[i] = value(
                                l.get(i),
                                t.fields().get(i).type(),
                                t.fields().get(i).name());
                    yield f;
                }
                case POINTER -> {
                    if (j == null) yield null;
                    Map<String, Object> p = (Map<String, Object>) j;
                    if (p.containsKey("ref")) yield pointers.get(((Number) p.get("ref")).longValue());
                    GoValue.Ptr ptr = new GoValue.Ptr(new Object[1]);
                    // the target is filled in after registering, for pointers that refer back to themselves
                    Object target = value(p.get("v"), t.elem(), hint);
                    GoValue.Ptr real = new GoValue.Ptr(target);
                    pointers.put(((Number) p.get("id")).longValue(), real);
                    yield real;
                }
                case INTERFACE -> {
                    if (j == null) yield null;
                    Map<String, Object> v = (Map<String, Object>) j;
                    GoType dt = type(((Number) v.get("t")).intValue());
                    yield GoValue.of(dt, value(v.get("v"), dt, hint));
                }
                case FUNC ->
                    j == null ? null : GoFunc.of(t, Methods.of("func " + ((Map<String, Object>) j).get("func")));
                default -> throw new AssertionError("no data for " + t);
            };
        }

        private static double parseFloat(String s) {
            return switch (s) {
                case "NaN" -> Double.NaN;
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(s);
            };
        }

        /** time.Time's wall and ext without a monotonic reading: seconds since year 1 in ext, nanoseconds in wall. */
        private static Instant goTime(List<Object> f) {
            long wall = Long.parseUnsignedLong((String) f.get(0)), ext = Long.parseLong((String) f.get(1));
            if (wall < 0) throw new AssertionError("monotonic time");
            return Instant.ofEpochSecond(ext - 62135596800L, wall & ((1 << 30) - 1));
        }
    }

    // ------------------------------------------------------------------------------------------ methods and funcs

    /** exec_test.go's methods and functions, in Java: the data's behaviour beyond its fields. */
    static final class Methods {
        static Function<List<GoValue>, GoValue> of(String name) {
            return a -> switch (name) {
                case "main.T.Method0", "main.S.Method0" -> GoValue.string("M0");
                case "main.T.Method1" -> GoValue.integer(a.get(1).longValue());
                case "main.T.Method2" ->
                    GoValue.string("Method2: " + Long.toUnsignedString(a.get(1).longValue()) + " "
                            + a.get(2).stringValue());
                case "main.T.Method3" ->
                    GoValue.string(Printf.sprintf(
                            "Method3: %v", single(TemplateExec.indirectInterface(a.get(1))), new Budget()));
                case "main.T.Copy" -> {
                    Object[] d = structOf(a.getFirst());
                    yield GoValue.of(GoType.pointerTo(target(a.getFirst()).type()), new GoValue.Ptr(d.clone()));
                }
                case "main.T.MAdd" -> {
                    List<Object> out = new ArrayList<>();
                    for (Object x : a.get(2).list()) out.add((Long) x + a.get(1).longValue());
                    yield GoValue.of(a.get(2).type(), out);
                }
                case "main.T.MyError" -> {
                    if (a.get(1).boolValue()) throw new GoFunc.Failure("my error");
                    yield GoValue.bool(false);
                }
                case "main.T.GetU" -> {
                    GoValue t = target(a.getFirst());
                    yield t.field(t.type().fieldIndex("U"));
                }
                case "main.U.TrueFalse" -> GoValue.string(a.get(1).boolValue() ? "true" : "");
                case "main.V.String" ->
                    a.getFirst().kind() == GoType.Kind.POINTER && a.getFirst().isNil()
                            ? GoValue.string("nilV")
                            : GoValue.string("<" + structOf(a.getFirst())[0] + ">");
                case "main.W.Error" ->
                    a.getFirst().kind() == GoType.Kind.POINTER && a.getFirst().isNil()
                            ? GoValue.string("nilW")
                            : GoValue.string("[" + structOf(a.getFirst())[0] + "]");
                case "errors.errorString.Error" -> GoValue.string((String) structOf(a.getFirst())[0]);
                case "bytes.Buffer.String" -> {
                    if (a.getFirst().kind() == GoType.Kind.POINTER
                            && a.getFirst().isNil()) yield GoValue.string("<nil>");
                    Object[] b = structOf(a.getFirst());
                    List<?> bytes = b[0] == null ? List.of() : (List<?>) b[0];
                    byte[] raw = new byte[bytes.size() - (int) (long) (Long) b[1]];
                    for (int i = 0; i < raw.length; i++)
                        raw[i] = (byte) (long) (Long) bytes.get(i + (int) (long) (Long) b[1]);
                    yield GoValue.string(new String(raw, StandardCharsets.UTF_8));
                }
                case "func BinaryFunc" ->
                    GoValue.string("[" + a.get(0).stringValue() + "=" + a.get(1).stringValue() + "]");
                case "func VariadicFunc" -> GoValue.string("<" + join(a, 0) + ">");
                case "func VariadicFuncInt" -> GoValue.string(a.getFirst().longValue() + "=<" + join(a, 1) + ">");
                case "func NilOKFunc" -> GoValue.bool(a.getFirst().isNil());
                case "func ErrFunc" -> GoValue.string("bla");
                case "func PanicFunc" -> throw new GoFunc.Failure("test panic");
                case "func PlusOne" -> GoValue.integer(a.getFirst().longValue() + 1);
                case "func " -> GoValue.string("result");
                default -> throw new AssertionError(name + " is not ported to the test");
            };
        }

        private static List<GoValue> single(GoValue v) {
            List<GoValue> l = new ArrayList<>();
            l.add(v);
            return l;
        }

        private static String join(List<GoValue> a, int from) {
            StringBuilder b = new StringBuilder();
            for (int i = from; i < a.size(); i++)
                b.append(i > from ? "+" : "").append(a.get(i).stringValue());
            return b.toString();
        }

        private static GoValue target(GoValue r) {
            if (r.kind() != GoType.Kind.POINTER) return r;
            if (r.isNil()) throw new GoFunc.Failure("runtime error: invalid memory address or nil pointer dereference");
            return r.elem();
        }

        private static Object[] structOf(GoValue r) {
            return (Object[]) target(r).data();
        }
    }
}
