package dev.whittle.cli.format;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A Go type as reflect sees it, for the few types docker's templates meet (and the ones Go's own template tests
 * use): its kind, its name when it is a named type, its parts (element, key, fields, parameters) and its methods.
 * text/template's behaviour hangs on types (what a missing map key gives, which comparisons are allowed, what
 * {@code %T} and errors name), so values carry one; see {@link GoValue}.
 */
public final class GoType {
    public enum Kind {
        BOOL,
        INT,
        INT8,
        INT16,
        INT32,
        INT64,
        UINT,
        UINT8,
        UINT16,
        UINT32,
        UINT64,
        UINTPTR,
        FLOAT32,
        FLOAT64,
        COMPLEX64,
        COMPLEX128,
        STRING,
        ARRAY,
        SLICE,
        MAP,
        STRUCT,
        POINTER,
        INTERFACE,
        FUNC,
        CHAN;

        boolean isInt() {
            return this == INT || this == INT8 || this == INT16 || this == INT32 || this == INT64;
        }

        boolean isUint() {
            return this.ordinal() >= UINT.ordinal() && this.ordinal() <= UINTPTR.ordinal();
        }

        boolean isFloat() {
            return this == FLOAT32 || this == FLOAT64;
        }

        boolean isComplex() {
            return this == COMPLEX64 || this == COMPLEX128;
        }
    }

    /** A struct field; {@code json} is its encoding/json name, null when tagged "-". */
    public record Field(String name, GoType type, String json, boolean omitEmpty) {
        public boolean exported() {
            return !name.isEmpty() && Character.isUpperCase(name.codePointAt(0));
        }
    }

    /**
     * A method: called with the receiver first. {@code pointer} says it has a pointer receiver, so a value
     * reached through no pointer has it only when addressable (which this model does not track: it has it).
     */
    public record Method(String name, GoFunc func, boolean pointer) {}

    private final Kind kind;
    private final String name;
    private GoType elem, key;
    private int len;
    private List<Field> fields = List.of();
    private List<GoType> in = List.of();
    private GoType out;
    private boolean variadic, returnsError;
    private List<String> interfaceMethods = List.of();
    private final Map<String, Method> methods = new HashMap<>(4);
    /** What encoding/json writes for a value of this type, when the type has its own MarshalJSON. */
    private Function<Object, Object> marshalJson;

    private GoType(Kind kind, String name) {
        this.kind = kind;
        this.name = name;
    }

    public static final GoType BOOL = new GoType(Kind.BOOL, "bool");
    public static final GoType INT = new GoType(Kind.INT, "int");
    public static final GoType INT8 = new GoType(Kind.INT8, "int8");
    public static final GoType INT16 = new GoType(Kind.INT16, "int16");
    public static final GoType INT32 = new GoType(Kind.INT32, "int32");
    public static final GoType INT64 = new GoType(Kind.INT64, "int64");
    public static final GoType UINT = new GoType(Kind.UINT, "uint");
    public static final GoType UINT8 = new GoType(Kind.UINT8, "uint8");
    public static final GoType UINT16 = new GoType(Kind.UINT16, "uint16");
    public static final GoType UINT32 = new GoType(Kind.UINT32, "uint32");
    public static final GoType UINT64 = new GoType(Kind.UINT64, "uint64");
    public static final GoType UINTPTR = new GoType(Kind.UINTPTR, "uintptr");
    public static final GoType FLOAT32 = new GoType(Kind.FLOAT32, "float32");
    public static final GoType FLOAT64 = new GoType(Kind.FLOAT64, "float64");
    public static final GoType COMPLEX64 = new GoType(Kind.COMPLEX64, "complex64");
    public static final GoType COMPLEX128 = new GoType(Kind.COMPLEX128, "complex128");
    public static final GoType STRING = new GoType(Kind.STRING, "string");
    /** {@code interface {}}. */
    public static final GoType ANY = interfaceOf(null);
    /** Builtins take and return reflect.Value: the argument as it is, unconverted. */
    static final GoType REFLECT_VALUE = new GoType(Kind.STRUCT, "reflect.Value");

    /** The predeclared type of a kind, as reflect names it. */
    public static GoType basic(Kind k) {
        return switch (k) {
            case BOOL -> BOOL;
            case INT -> INT;
            case INT8 -> INT8;
            case INT16 -> INT16;
            case INT32 -> INT32;
            case INT64 -> INT64;
            case UINT -> UINT;
            case UINT8 -> UINT8;
            case UINT16 -> UINT16;
            case UINT32 -> UINT32;
            case UINT64 -> UINT64;
            case UINTPTR -> UINTPTR;
            case FLOAT32 -> FLOAT32;
            case FLOAT64 -> FLOAT64;
            case COMPLEX64 -> COMPLEX64;
            case COMPLEX128 -> COMPLEX128;
            case STRING -> STRING;
            default -> throw new IllegalArgumentException("not a basic kind: " + k);
        };
    }

    /** A named type ({@code type Port string}) over an underlying type. */
    public static GoType named(String name, GoType underlying) {
        GoType t = new GoType(underlying.kind, name);
        t.elem = underlying.elem;
        t.key = underlying.key;
        t.len = underlying.len;
        t.fields = underlying.fields;
        t.in = underlying.in;
        t.out = underlying.out;
        t.variadic = underlying.variadic;
        t.returnsError = underlying.returnsError;
        t.interfaceMethods = underlying.interfaceMethods;
        return t;
    }

    public static GoType sliceOf(GoType elem) {
        GoType t = new GoType(Kind.SLICE, null);
        t.elem = elem;
        return t;
    }

    public static GoType arrayOf(int len, GoType elem) {
        GoType t = new GoType(Kind.ARRAY, null);
        t.elem = elem;
        t.len = len;
        return t;
    }

    public static GoType mapOf(GoType key, GoType elem) {
        GoType t = new GoType(Kind.MAP, null);
        t.key = key;
        t.elem = elem;
        return t;
    }

    public static GoType pointerTo(GoType elem) {
        GoType t = new GoType(Kind.POINTER, null);
        t.elem = elem;
        return t;
    }

    public static GoType chanOf(GoType elem) {
        GoType t = new GoType(Kind.CHAN, null);
        t.elem = elem;
        return t;
    }

    /** A struct type, named ({@code types.RootFS}) or not (name null); fields may be set later, for recursive types. */
    public static GoType struct(String name, Field... fields) {
        GoType t = new GoType(Kind.STRUCT, name);
        t.fields = List.of(fields);
        return t;
    }

    /** Sets the fields of a struct type made before the types it refers to. */
    public GoType fields(List<Field> fs) {
        this.fields = List.copyOf(fs);
        return this;
    }

    /** An exported field whose JSON name is its own and that JSON always writes. */
    public static Field field(String name, GoType type) {
        return new Field(name, type, name, false);
    }

    public static Field omitEmpty(String name, GoType type) {
        return new Field(name, type, name, true);
    }

    public static GoType interfaceOf(String name, String... methodNames) {
        GoType t = new GoType(Kind.INTERFACE, name);
        t.interfaceMethods = List.of(methodNames);
        return t;
    }

    /** {@code func(in...) out} or {@code func(in...) (out, error)}; a variadic one's last parameter is a slice. */
    public static GoType func(List<GoType> in, boolean variadic, GoType out, boolean returnsError) {
        GoType t = new GoType(Kind.FUNC, null);
        t.in = List.copyOf(in);
        t.variadic = variadic;
        t.out = out;
        t.returnsError = returnsError;
        return t;
    }

    /** Adds a method to this (named) type. */
    public GoType method(String methodName, boolean pointerReceiver, GoFunc f) {
        methods.put(methodName, new Method(methodName, f, pointerReceiver));
        return this;
    }

    /** Gives the type its own JSON encoding: the function maps a value's data to a JSON tree ({@code Json.RawJson} allowed). */
    public GoType marshalJson(Function<Object, Object> f) {
        this.marshalJson = f;
        return this;
    }

    Function<Object, Object> marshalJson() {
        return marshalJson;
    }

    public Kind kind() {
        return kind;
    }

    /** The type's name ({@code int}, {@code time.Duration}), null for unnamed types ({@code []string}). */
    public String name() {
        return name;
    }

    public GoType elem() {
        return elem;
    }

    public GoType key() {
        return key;
    }

    public int len() {
        return len;
    }

    public List<Field> fields() {
        return fields;
    }

    public List<GoType> in() {
        return in;
    }

    public GoType out() {
        return out;
    }

    public boolean variadic() {
        return variadic;
    }

    public boolean returnsError() {
        return returnsError;
    }

    /** The index of the named field, or -1. */
    public int fieldIndex(String fieldName) {
        for (int i = 0; i < fields.size(); i++) if (fields.get(i).name().equals(fieldName)) return i;
        return -1;
    }

    /**
     * The method a value of this type answers to: its own, or for a pointer its element's (Go's method set of *T
     * holds T's methods too).
     */
    public Method methodByName(String methodName) {
        Method m = methods.get(methodName);
        if (m == null && kind == Kind.POINTER && name == null && elem != null) m = elem.methods.get(methodName);
        return m;
    }

    /** Whether values of this type have all of the interface's methods. */
    public boolean implementsInterface(GoType iface) {
        for (String m : iface.interfaceMethods) {
            if (kind == Kind.INTERFACE ? !interfaceMethods.contains(m) : methodByName(m) == null) return false;
        }
        return true;
    }

    /** Whether this is {@code interface {}} or another interface without methods. */
    public boolean isEmptyInterface() {
        return kind == Kind.INTERFACE && interfaceMethods.isEmpty();
    }

    /** reflect's Type.AssignableTo. */
    public boolean assignableTo(GoType t) {
        if (identical(this, t)) return true;
        if (t.kind == Kind.INTERFACE) return implementsInterface(t);
        // identical underlying types and one of them unnamed (composite types)
        if (name() != null && t.name() != null) return false;
        return kind == t.kind && identicalUnderlying(this, t);
    }

    /** Whether == works on values of this type (no slices, maps or funcs in it). */
    public boolean comparable() {
        return switch (kind) {
            case SLICE, MAP, FUNC -> false;
            case ARRAY -> elem.comparable();
            case STRUCT -> {
                for (Field f : fields) if (!f.type().comparable()) yield false;
                yield true;
            }
            default -> true;
        };
    }

    static boolean identical(GoType a, GoType b) {
        if (a == b) return true;
        if (a == null || b == null) return false;
        if (a.name() != null || b.name() != null)
            return a.name() != null && a.name().equals(b.name()) && a.kind == b.kind;
        return a.kind == b.kind && identicalUnderlying(a, b);
    }

    private static boolean identicalUnderlying(GoType a, GoType b) {
        switch (a.kind) {
            case ARRAY:
                if (a.len != b.len) return false;
                return identical(a.elem, b.elem);
            case SLICE, POINTER, CHAN:
                return identical(a.elem, b.elem);
            case MAP:
                return identical(a.key, b.key) && identical(a.elem, b.elem);
            case STRUCT:
                if (a.fields.size() != b.fields.size()) return false;
                for (int i = 0; i < a.fields.size(); i++) {
                    Field x = a.fields.get(i), y = b.fields.get(i);
                    if (!x.name().equals(y.name()) || !identical(x.type(), y.type())) return false;
                }
                return true;
            case INTERFACE:
                return a.interfaceMethods.equals(b.interfaceMethods);
            case FUNC:
                if (a.in.size() != b.in.size() || a.variadic != b.variadic || a.returnsError != b.returnsError)
                    return false;
                for (int i = 0; i < a.in.size(); i++) if (!identical(a.in.get(i), b.in.get(i))) return false;
                return identical(a.out, b.out);
            default:
                return a.kind == b.kind;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GoType t && identical(this, t);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + (name() == null ? 0 : name().hashCode());
    }

    /** reflect's Type.String(): {@code []string}, {@code map[string]interface {}}, {@code *container.Config}. */
    @Override
    public String toString() {
        if (name != null) return name;
        StringBuilder b = new StringBuilder();
        appendTo(b);
        return b.toString();
    }

    private void appendTo(StringBuilder b) {
        if (name != null) {
            b.append(name);
            return;
        }
        switch (kind) {
            case SLICE -> {
                b.append("[]");
                elem.appendTo(b);
            }
            case ARRAY -> {
                b.append('[').append(len).append(']');
                elem.appendTo(b);
            }
            case MAP -> {
                b.append("map[");
                key.appendTo(b);
                b.append(']');
                elem.appendTo(b);
            }
            case POINTER -> {
                b.append('*');
                elem.appendTo(b);
            }
            case CHAN -> {
                b.append("chan ");
                elem.appendTo(b);
            }
            case STRUCT -> {
                b.append("struct {");
                for (int i = 0; i < fields.size(); i++) {
                    b.append(i == 0 ? " " : "; ").append(fields.get(i).name()).append(' ');
                    fields.get(i).type().appendTo(b);
                }
                b.append(fields.isEmpty() ? "}" : " }");
            }
            case INTERFACE -> {
                b.append("interface {");
                for (int i = 0; i < interfaceMethods.size(); i++) {
                    b.append(i == 0 ? " " : "; ")
                            .append(interfaceMethods.get(i))
                            .append("()");
                }
                b.append(interfaceMethods.isEmpty() ? "}" : " }");
            }
            case FUNC -> {
                b.append("func(");
                for (int i = 0; i < in.size(); i++) {
                    if (i > 0) b.append(", ");
                    if (variadic && i == in.size() - 1) {
                        b.append("...");
                        in.get(i).elem.appendTo(b);
                    } else {
                        in.get(i).appendTo(b);
                    }
                }
                b.append(')');
                if (returnsError) {
                    b.append(" (");
                    out.appendTo(b);
                    b.append(", error)");
                } else if (out != null) {
                    b.append(' ');
                    out.appendTo(b);
                }
            }
            default -> b.append(kind.name().toLowerCase(Locale.ROOT));
        }
    }
}
