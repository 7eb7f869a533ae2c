package dev.whittle.cli.format;

import dev.whittle.cli.format.GoType.Kind;
import dev.whittle.gotext.Strconv;
import dev.whittle.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The functions docker's templates can call: Go's builtins (funcs.go: and, call, html, index, slice, js, len, not,
 * or, print, printf, println, urlquery, eq, ge, gt, le, lt, ne) and docker's (templates.go: json, split, join,
 * title, lower, upper, pad, truncate), each with its Go signature, so arguments are checked and converted as
 * text/template checks them; and docker's header variants, which return their first argument. One class, a switch
 * on the function: no class per function on the start-up path.
 */
final class Funcs implements GoFunc {
    /** Every name a docker template may call; the parser refuses others. */
    static final Set<String> NAMES = Set.of(
            "and",
            "call",
            "html",
            "index",
            "slice",
            "js",
            "len",
            "not",
            "or",
            "print",
            "printf",
            "println",
            "urlquery",
            "eq",
            "ge",
            "gt",
            "le",
            "lt",
            "ne",
            "json",
            "split",
            "join",
            "title",
            "lower",
            "upper",
            "pad",
            "truncate");

    private static final GoType V = GoType.REFLECT_VALUE, S = GoType.STRING, I = GoType.INT;
    private static final GoType VALUES = GoType.sliceOf(V),
            ANYS = GoType.sliceOf(GoType.ANY),
            STRINGS = GoType.sliceOf(S);
    private static final GoType AND_OR = GoType.func(List.of(V, VALUES), true, V, false);
    private static final GoType INDEX = GoType.func(List.of(V, VALUES), true, V, true);
    private static final GoType ESCAPER = GoType.func(List.of(ANYS), true, S, false);
    private static final GoType LEN = GoType.func(List.of(V), false, I, true);
    private static final GoType NOT = GoType.func(List.of(V), false, GoType.BOOL, false);
    private static final GoType PRINTF = GoType.func(List.of(S, ANYS), true, S, false);
    private static final GoType EQ = GoType.func(List.of(V, VALUES), true, GoType.BOOL, true);
    private static final GoType COMPARE = GoType.func(List.of(V, V), false, GoType.BOOL, true);
    private static final GoType JSON = GoType.func(List.of(GoType.ANY), false, S, false);
    private static final GoType SPLIT = GoType.func(List.of(S, S), false, STRINGS, false);
    private static final GoType JOIN = GoType.func(List.of(STRINGS, S), false, S, false);
    private static final GoType STRING_FUNC = GoType.func(List.of(S), false, S, false);
    private static final GoType PAD = GoType.func(List.of(S, I, I), false, S, false);
    private static final GoType TRUNCATE = GoType.func(List.of(S, I), false, S, false);
    private static final GoType HEADER_SPLIT = GoType.func(List.of(S, S), false, S, false);

    private final String name;
    private final GoType type;
    private final boolean builtin, header;
    private final Budget budget;

    private Funcs(String name, GoType type, boolean builtin, boolean header, Budget budget) {
        this.name = name;
        this.type = type;
        this.builtin = builtin;
        this.header = header;
        this.budget = budget;
    }

    /** docker's function map over Go's builtins; with {@code header}, docker's HeaderFunctions in place of its own. */
    static Map<String, GoFunc> docker(boolean header, Budget budget) {
        Map<String, GoFunc> m = new HashMap<>(48);
        add(m, "and", AND_OR, true, false, budget);
        add(m, "or", AND_OR, true, false, budget);
        add(m, "call", INDEX, true, false, budget);
        add(m, "html", ESCAPER, true, false, budget);
        add(m, "js", ESCAPER, true, false, budget);
        add(m, "urlquery", ESCAPER, true, false, budget);
        add(m, "index", INDEX, true, false, budget);
        add(m, "slice", INDEX, true, false, budget);
        add(m, "len", LEN, true, false, budget);
        add(m, "not", NOT, true, false, budget);
        add(m, "print", ESCAPER, true, false, budget);
        add(m, "println", ESCAPER, true, false, budget);
        add(m, "printf", PRINTF, true, false, budget);
        add(m, "eq", EQ, true, false, budget);
        for (String c : List.of("ne", "lt", "le", "gt", "ge")) add(m, c, COMPARE, true, false, budget);
        add(m, "json", header ? STRING_FUNC : JSON, false, header, budget);
        add(m, "split", header ? HEADER_SPLIT : SPLIT, false, header, budget);
        add(m, "join", header ? HEADER_SPLIT : JOIN, false, header, budget);
        for (String f : List.of("title", "lower", "upper")) add(m, f, STRING_FUNC, false, header, budget);
        add(m, "pad", PAD, false, header, budget);
        add(m, "truncate", TRUNCATE, false, header, budget);
        return m;
    }

    private static void add(Map<String, GoFunc> m, String name, GoType t, boolean builtin, boolean header, Budget b) {
        m.put(name, new Funcs(name, t, builtin, header, b));
    }

    static boolean isBuiltin(GoFunc f) {
        return f instanceof Funcs fn && fn.builtin;
    }

    @Override
    public GoType type() {
        return type;
    }

    @Override
    public GoValue call(List<GoValue> a) {
        if (header) return a.getFirst(); // docker's header functions give their first argument back
        GoValue r = switch (name) {
            case "call" -> callFunction(a);
            case "html" -> GoValue.string(htmlEscape(evalArgs(a)));
            case "js" -> GoValue.string(jsEscape(evalArgs(a)));
            case "urlquery" -> GoValue.string(queryEscape(evalArgs(a)));
            case "index" -> index(a);
            case "slice" -> slice(a);
            case "len" -> GoValue.integer(length(a.getFirst()));
            case "not" -> GoValue.bool(!TemplateExec.truth(a.getFirst()));
            case "print" -> GoValue.string(Printf.sprint(interfaces(a, 0), budget));
            case "println" -> GoValue.string(Printf.sprintln(interfaces(a, 0), budget));
            case "printf" -> GoValue.string(Printf.sprintf(a.getFirst().stringValue(), interfaces(a, 1), budget));
            case "eq" -> GoValue.bool(eq(a.getFirst(), a.subList(1, a.size())));
            case "ne" -> GoValue.bool(!eq(a.get(0), a.subList(1, 2)));
            case "lt" -> GoValue.bool(lt(a.get(0), a.get(1)));
            case "le" -> GoValue.bool(le(a.get(0), a.get(1)));
            case "gt" -> GoValue.bool(!le(a.get(0), a.get(1)));
            case "ge" -> GoValue.bool(!lt(a.get(0), a.get(1)));
            case "json" -> GoValue.string(json(a.getFirst()));
            case "split" -> split(a.get(0).stringValue(), a.get(1).stringValue());
            case "join" -> GoValue.string(join(a.get(0), a.get(1).stringValue()));
            case "title" -> GoValue.string(title(a.getFirst().stringValue()));
            case "lower" -> GoValue.string(mapCase(a.getFirst().stringValue(), false));
            case "upper" -> GoValue.string(mapCase(a.getFirst().stringValue(), true));
            case "pad" ->
                GoValue.string(pad(
                        a.get(0).stringValue(), a.get(1).longValue(), a.get(2).longValue()));
            case "truncate" ->
                GoValue.string(truncate(a.get(0).stringValue(), a.get(1).longValue()));
            default -> throw new IllegalStateException("not a function: " + name);
        };
        // what a function makes is spent before anything can keep it: a variable, a range, printf's arguments
        if (r != null && r.kind() == Kind.STRING) budget.text(r.stringValue().length());
        return r;
    }

    /** Arguments passed as interface{}: the dynamic values, null for nil. */
    private static List<GoValue> interfaces(List<GoValue> a, int from) {
        List<GoValue> out = new ArrayList<>(a.size());
        for (int i = from; i < a.size(); i++) out.add(TemplateExec.indirectInterface(a.get(i)));
        return out;
    }

    // ------------------------------------------------------------------------------------------ escapers

    /** funcs.go's evalArgs: one string as is, anything else as Sprint of its printable values. */
    private String evalArgs(List<GoValue> a) {
        List<GoValue> args = interfaces(a, 0);
        if (args.size() == 1 && args.getFirst() != null && args.getFirst().type() == GoType.STRING)
            return args.getFirst().stringValue();
        for (int i = 0; i < args.size(); i++) {
            GoValue v = args.get(i);
            if (v == null) {
                args.set(i, GoValue.string("<no value>"));
            } else if (v.kind() == Kind.POINTER) {
                GoValue e = TemplateExec.indirect(v);
                args.set(i, e);
            }
        }
        return Printf.sprint(args, budget);
    }

    static String htmlEscape(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String r = switch (c) {
                case 0 -> "\uFFFD";
                case '"' -> "&#34;";
                case '\'' -> "&#39;";
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                default -> null;
            };
            if (r == null && b == null) continue;
            if (b == null) b = new StringBuilder(s.length() + 16).append(s, 0, i);
            if (r == null) b.append(c);
            else b.append(r);
        }
        return b == null ? s : b.toString();
    }

    static String jsEscape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int r = s.codePointAt(i);
            i += Character.charCount(r);
            switch (r) {
                case '\\' -> b.append("\\\\");
                case '\'' -> b.append("\\'");
                case '"' -> b.append("\\\"");
                case '<' -> b.append("\\u003C");
                case '>' -> b.append("\\u003E");
                case '&' -> b.append("\\u0026");
                case '=' -> b.append("\\u003D");
                default -> {
                    if (r < ' ') {
                        b.append("\\u00").append(HEX.charAt(r >> 4)).append(HEX.charAt(r & 15));
                    } else if (r < 0x80 || Strconv.isPrint(r)) {
                        b.appendCodePoint(r);
                    } else {
                        String h = Integer.toHexString(r).toUpperCase(Locale.ROOT);
                        b.append("\\u")
                                .append("0000", 0, Math.max(0, 4 - h.length()))
                                .append(h);
                    }
                }
            }
        }
        return b.toString();
    }

    private static final String HEX = "0123456789ABCDEF";

    /** url.QueryEscape: unreserved characters kept, space as +, every other byte %XX. */
    static String queryEscape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xFF;
            if ('a' <= c && c <= 'z'
                    || 'A' <= c && c <= 'Z'
                    || '0' <= c && c <= '9'
                    || c == '-'
                    || c == '_'
                    || c == '.'
                    || c == '~') {
                b.append((char) c);
            } else if (c == ' ') {
                b.append('+');
            } else {
                b.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 15));
            }
        }
        return b.toString();
    }

    // ------------------------------------------------------------------------------------------ index, slice, len,
    // call

    /** indexArg: an integer index in [0, cap]. */
    private static int indexArg(GoValue index, int cap) {
        long x;
        if (index == null) throw new Failure("cannot index slice/array with nil");
        if (index.kind().isInt()) x = index.longValue();
        else if (index.kind().isUint()) x = index.longValue();
        else throw new Failure("cannot index slice/array with type " + index.type());
        if (x < 0 || x > cap) throw new Failure("index out of range: " + x);
        return (int) x;
    }

    private GoValue index(List<GoValue> a) {
        GoValue item = TemplateExec.indirectInterface(a.getFirst());
        if (item == null) throw new Failure("index of untyped nil");
        for (GoValue index : a.subList(1, a.size())) {
            index = TemplateExec.indirectInterface(index);
            item = TemplateExec.indirect(item);
            if ((item.kind() == Kind.POINTER || item.kind() == Kind.INTERFACE) && item.isNil())
                throw new Failure("index of nil pointer");
            switch (item.kind()) {
                case ARRAY, SLICE, STRING -> {
                    int len = item.len();
                    if (item.kind() == Kind.STRING)
                        budget.scan(item.stringValue().length());
                    int x = indexArg(index, len);
                    if (x == len) {
                        throw new Failure("reflect: "
                                + (item.kind() == Kind.STRING
                                        ? "string"
                                        : item.kind() == Kind.ARRAY ? "array" : "slice")
                                + " index out of range");
                    }
                    item = item.index(x);
                }
                case MAP -> {
                    GoValue key = prepareArg(index, item.type().key());
                    GoValue x = item.mapIndex(key);
                    item = x != null ? x : GoValue.zero(item.type().elem());
                }
                default -> throw new Failure("can't index item of type " + item.type());
            }
        }
        return item;
    }

    /** prepareArg: a value for a parameter (here a map key): nil as the type's zero, integers converted. */
    private static GoValue prepareArg(GoValue value, GoType argType) {
        if (value == null) {
            if (!TemplateExec.canBeNil(argType)) throw new Failure("value is nil; should be of type " + argType);
            return GoValue.zero(argType);
        }
        if (value.type().assignableTo(argType)) return value;
        if ((value.kind().isInt() || value.kind().isUint())
                && (argType.kind().isInt() || argType.kind().isUint())) {
            return GoValue.of(argType, TemplateExec.truncate(value.longValue(), argType.kind()));
        }
        throw new Failure("value has type " + value.type() + "; should be " + argType);
    }

    private GoValue slice(List<GoValue> a) {
        GoValue item = TemplateExec.indirectInterface(a.getFirst());
        if (item == null) throw new Failure("slice of untyped nil");
        List<GoValue> indexes = a.subList(1, a.size());
        if (indexes.size() > 3) throw new Failure("too many slice indexes: " + indexes.size());
        int cap;
        switch (item.kind()) {
            case STRING -> {
                if (indexes.size() == 3) throw new Failure("cannot 3-index slice a string");
                budget.scan(item.stringValue().length());
                cap = item.len();
            }
            case ARRAY, SLICE -> cap = item.len();
            default -> throw new Failure("can't slice item of type " + item.type());
        }
        int[] idx = {0, item.len(), 0};
        for (int i = 0; i < indexes.size(); i++) idx[i] = indexArg(indexes.get(i), cap);
        if (idx[0] > idx[1]) throw new Failure("invalid slice index: " + idx[0] + " > " + idx[1]);
        if (indexes.size() == 3 && idx[1] > idx[2])
            throw new Failure("invalid slice index: " + idx[1] + " > " + idx[2]);
        if (item.kind() == Kind.STRING)
            return GoValue.of(item.type(), GoStrings.slice(item.stringValue(), idx[0], idx[1]));
        GoType t = item.kind() == Kind.ARRAY ? GoType.sliceOf(item.type().elem()) : item.type();
        if (item.isNil()) return GoValue.of(t, null);
        return GoValue.of(t, new ArrayList<>(item.list().subList(idx[0], idx[1])));
    }

    private int length(GoValue item) {
        GoValue v = TemplateExec.indirect(item);
        if (v != null && (v.kind() == Kind.POINTER || v.kind() == Kind.INTERFACE) && v.isNil())
            throw new Failure("len of nil pointer");
        if (v == null) throw new Failure("reflect: call of reflect.Value.Type on zero Value");
        return switch (v.kind()) {
            case ARRAY, MAP, SLICE, STRING -> {
                if (v.kind() == Kind.STRING) budget.scan(v.stringValue().length());
                yield v.len();
            }
            default -> throw new Failure("len of type " + v.type());
        };
    }

    private GoValue callFunction(List<GoValue> a) {
        GoValue fn = TemplateExec.indirectInterface(a.getFirst());
        if (fn == null) throw new Failure("call of nil");
        GoType typ = fn.type();
        if (typ.kind() != Kind.FUNC) throw new Failure("non-function of type " + typ);
        List<GoValue> args = a.subList(1, a.size());
        int numIn = typ.in().size();
        GoType ddd = null;
        if (typ.variadic()) {
            if (args.size() < numIn - 1)
                throw new Failure("wrong number of args: got " + args.size() + " want at least " + (numIn - 1));
            ddd = typ.in().get(numIn - 1).elem();
        } else if (args.size() != numIn) {
            throw new Failure("wrong number of args: got " + args.size() + " want " + numIn);
        }
        List<GoValue> argv = new ArrayList<>(args.size());
        for (int i = 0; i < args.size(); i++) {
            GoType argType = !typ.variadic() || i < numIn - 1 ? typ.in().get(i) : ddd;
            try {
                argv.add(prepareArg(TemplateExec.indirectInterface(args.get(i)), argType));
            } catch (Failure f) {
                throw new Failure("arg " + i + ": " + f.getMessage());
            }
        }
        if (fn.isNil()) throw new Failure("reflect: call of nil function");
        return ((GoFunc) fn.data()).call(argv);
    }

    // ------------------------------------------------------------------------------------------ comparison

    private static final int INVALID = 0,
            BOOL_KIND = 1,
            COMPLEX_KIND = 2,
            INT_KIND = 3,
            FLOAT_KIND = 4,
            STRING_KIND = 5,
            UINT_KIND = 6;

    private static int basicKind(GoValue v) {
        if (v == null) return INVALID;
        Kind k = v.kind();
        if (k == Kind.BOOL) return BOOL_KIND;
        if (k.isInt()) return INT_KIND;
        if (k.isUint()) return UINT_KIND;
        if (k.isFloat()) return FLOAT_KIND;
        if (k.isComplex()) return COMPLEX_KIND;
        if (k == Kind.STRING) return STRING_KIND;
        return INVALID;
    }

    private static boolean isNil(GoValue v) {
        return v == null || (v.canBeNil() && v.isNil());
    }

    private boolean eq(GoValue arg1, List<GoValue> rest) {
        arg1 = TemplateExec.indirectInterface(arg1);
        if (rest.isEmpty()) throw new Failure("missing argument for comparison");
        int k1 = basicKind(arg1);
        for (GoValue arg : rest) {
            arg = TemplateExec.indirectInterface(arg);
            int k2 = basicKind(arg);
            boolean truth = false;
            if (k1 != k2) {
                if (k1 == INT_KIND && k2 == UINT_KIND)
                    truth = arg1.longValue() >= 0 && arg1.longValue() == arg.longValue();
                else if (k1 == UINT_KIND && k2 == INT_KIND)
                    truth = arg.longValue() >= 0 && arg1.longValue() == arg.longValue();
                else if (arg1 != null && arg != null) throw new Failure("incompatible types for comparison");
            } else {
                switch (k1) {
                    case BOOL_KIND -> truth = arg1.boolValue() == arg.boolValue();
                    case COMPLEX_KIND ->
                        truth = arg1.complexValue().re() == arg.complexValue().re()
                                && arg1.complexValue().im()
                                        == arg.complexValue().im();
                    case FLOAT_KIND -> truth = arg1.doubleValue() == arg.doubleValue();
                    case INT_KIND, UINT_KIND -> truth = arg1.longValue() == arg.longValue();
                    case STRING_KIND -> {
                        budget.scan(Math.min(
                                arg1.stringValue().length(), arg.stringValue().length()));
                        truth = arg1.stringValue().equals(arg.stringValue());
                    }
                    default -> {
                        boolean canCompare = arg1 == null || arg == null || arg1.kind() == arg.kind();
                        if (!canCompare) {
                            throw new Failure("non-comparable types " + Printf.sprintf("%s", list(arg1), budget) + ": "
                                    + arg1.type() + ", " + arg.type() + ": " + Printf.sprintf("%v", list(arg), budget));
                        }
                        if (isNil(arg1) || isNil(arg)) {
                            truth = isNil(arg) == isNil(arg1);
                        } else {
                            if (!arg.type().comparable()) {
                                throw new Failure("non-comparable type " + Printf.sprintf("%s", list(arg), budget)
                                        + ": " + arg.type());
                            }
                            truth = equal(arg1, arg);
                        }
                    }
                }
            }
            if (truth) return true;
        }
        return false;
    }

    private static List<GoValue> list(GoValue v) {
        List<GoValue> l = new ArrayList<>(1);
        l.add(v);
        return l;
    }

    /** Go's == on two interface values: the same dynamic type and equal values. */
    static boolean equal(GoValue a, GoValue b) {
        if (!GoType.identical(a.type(), b.type())) return false;
        if (!a.type().comparable()) throw new Failure("runtime error: comparing uncomparable type " + a.type());
        Kind k = a.kind();
        if (k == Kind.POINTER || k == Kind.CHAN) return a.data() == b.data();
        if (k == Kind.INTERFACE) {
            GoValue x = a.elem(), y = b.elem();
            return x == null || y == null ? x == y : equal(x, y);
        }
        if (k == Kind.STRUCT) {
            for (int i = 0; i < a.type().fields().size(); i++) if (!equal(a.field(i), b.field(i))) return false;
            return true;
        }
        if (k == Kind.ARRAY) {
            for (int i = 0; i < a.list().size(); i++) if (!equal(a.index(i), b.index(i))) return false;
            return true;
        }
        if (k.isFloat()) return a.doubleValue() == b.doubleValue();
        if (k.isComplex())
            return a.complexValue().re() == b.complexValue().re()
                    && a.complexValue().im() == b.complexValue().im();
        return a.data().equals(b.data());
    }

    private boolean lt(GoValue arg1, GoValue arg2) {
        arg1 = TemplateExec.indirectInterface(arg1);
        int k1 = basicKind(arg1);
        if (k1 == INVALID) throw new Failure("invalid type for comparison");
        arg2 = TemplateExec.indirectInterface(arg2);
        int k2 = basicKind(arg2);
        if (k2 == INVALID) throw new Failure("invalid type for comparison");
        if (k1 != k2) {
            if (k1 == INT_KIND && k2 == UINT_KIND)
                return arg1.longValue() < 0 || Long.compareUnsigned(arg1.longValue(), arg2.longValue()) < 0;
            if (k1 == UINT_KIND && k2 == INT_KIND)
                return arg2.longValue() >= 0 && Long.compareUnsigned(arg1.longValue(), arg2.longValue()) < 0;
            throw new Failure("incompatible types for comparison");
        }
        return switch (k1) {
            case BOOL_KIND, COMPLEX_KIND -> throw new Failure("invalid type for comparison");
            case FLOAT_KIND -> arg1.doubleValue() < arg2.doubleValue();
            case INT_KIND -> arg1.longValue() < arg2.longValue();
            case UINT_KIND -> Long.compareUnsigned(arg1.longValue(), arg2.longValue()) < 0;
            default -> {
                budget.scan(
                        Math.min(arg1.stringValue().length(), arg2.stringValue().length()));
                yield GoStrings.compare(arg1.stringValue(), arg2.stringValue()) < 0;
            }
        };
    }

    private boolean le(GoValue arg1, GoValue arg2) {
        return lt(arg1, arg2) || eq(arg1, list(arg2));
    }

    // ------------------------------------------------------------------------------------------ docker's

    /** docker's json: encoding/json without HTML escaping, trimmed; a value Go cannot encode prints nothing. */
    private String json(GoValue v) {
        try {
            Object tree = GoJson.tree(TemplateExec.indirectInterface(v));
            String s = Json.writeString(tree, Json.Style.COMPACT);
            budget.text(s.length());
            return s;
        } catch (GoJson.Unsupported e) {
            return "";
        }
    }

    /** strings.Split: around each separator; with an empty one, into characters. */
    private GoValue split(String s, String sep) {
        List<Object> parts = new ArrayList<>();
        budget.scan(s.length());
        if (sep.isEmpty()) {
            for (int i = 0; i < s.length(); ) {
                int cp = s.codePointAt(i);
                int n = Character.charCount(cp);
                budget.text(Budget.ITEM + n);
                parts.add(s.substring(i, i + n));
                i += n;
            }
        } else {
            int from = 0;
            while (true) {
                int k = s.indexOf(sep, from);
                String part = s.substring(from, k < 0 ? s.length() : k);
                budget.text(Budget.ITEM + part.length());
                parts.add(part);
                if (k < 0) break;
                from = k + sep.length();
            }
        }
        return GoValue.of(STRINGS, parts);
    }

    private String join(GoValue elems, String sep) {
        List<?> l = elems.list();
        long total = (long) sep.length() * Math.max(l.size() - 1, 0);
        for (Object x : l) total += ((String) x).length();
        budget.ensure(total);
        StringBuilder b = new StringBuilder((int) total);
        for (int i = 0; i < l.size(); i++) {
            if (i > 0) b.append(sep);
            b.append((String) l.get(i));
        }
        return b.toString();
    }

    /** strings.Title: the first letter of each word in title case; a word starts after anything but a letter, digit or _. */
    static String title(String s) {
        StringBuilder b = new StringBuilder(s.length());
        int prev = ' ';
        for (int i = 0; i < s.length(); ) {
            int r = s.codePointAt(i);
            i += Character.charCount(r);
            b.appendCodePoint(isSeparator(prev) ? Character.toTitleCase(r) : r);
            prev = r;
        }
        return b.toString();
    }

    private static boolean isSeparator(int r) {
        if (r <= 0x7F) return !('0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || r == '_');
        if (Character.isLetter(r) || Character.getType(r) == Character.DECIMAL_DIGIT_NUMBER) return false;
        int t = Character.getType(r);
        return r == 0x85
                || t == Character.SPACE_SEPARATOR
                || t == Character.LINE_SEPARATOR
                || t == Character.PARAGRAPH_SEPARATOR;
    }

    /** strings.ToLower and ToUpper: each character's simple case mapping (no "ß" to "SS"). */
    static String mapCase(String s, boolean upper) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int r = s.codePointAt(i);
            i += Character.charCount(r);
            b.appendCodePoint(upper ? Character.toUpperCase(r) : Character.toLowerCase(r));
        }
        return b.toString();
    }

    /** docker's padWithSpace. */
    private String pad(String s, long prefix, long suffix) {
        if (s.isEmpty()) return s;
        if (prefix < 0 || suffix < 0) throw new Failure("strings: negative Repeat count");
        budget.ensure(prefix + s.length() + suffix);
        return " ".repeat((int) prefix) + s + " ".repeat((int) suffix);
    }

    /** docker's truncateWithLength: {@code source[:length]} in bytes unless shorter. */
    private String truncate(String s, long length) {
        budget.scan(s.length());
        int len = GoStrings.utf8Length(s);
        if (len < length) return s;
        if (length < 0) throw new Failure("runtime error: slice bounds out of range [:" + length + "]");
        return GoStrings.slice(s, 0, (int) length);
    }

    // ------------------------------------------------------------------------------------------ methods

    /** A method with its receiver: what {@code .Method} evaluates to before its arguments. */
    static GoFunc bind(GoValue receiver, GoType.Method m) {
        return new GoFunc() {
            @Override
            public GoType type() {
                return m.func().type();
            }

            @Override
            public GoValue call(List<GoValue> args) {
                return callMethod(receiver, m, args);
            }
        };
    }

    /** Calls a method: a value receiver gets the value a pointer points to (a nil one panics, as in Go). */
    static GoValue callMethod(GoValue receiver, GoType.Method m, List<GoValue> args) {
        GoValue r = receiver;
        if (!m.pointer() && r.kind() == Kind.POINTER) {
            if (r.isNil()) throw new Failure("runtime error: invalid memory address or nil pointer dereference");
            r = r.elem();
        }
        List<GoValue> all = new ArrayList<>(args.size() + 1);
        all.add(r);
        all.addAll(args);
        return m.func().call(all);
    }
}
