package dev.whittle.cli.format;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A value with its Go type: reflect.Value for the template engine. An invalid reflect.Value (a nil interface, a
 * missing map key) is Java null. The data is held by kind:
 * <ul>
 * <li>bool: Boolean; every integer kind: Long (unsigned kinds as the bits of a uint64); floats: Double;
 * complex: {@link Complex}; string: String (its UTF-8 bytes are what Go counts);
 * <li>slice and array: a List of element data, a nil slice null; map: a Map from key data to element data, a nil map
 * null; struct: an Object[] of field data in field order;
 * <li>pointer: a {@link Ptr} (identity is the address), nil null; interface: the dynamic {@link GoValue}, nil null;
 * func: a {@link GoFunc}, nil null.
 * </ul>
 */
public final class GoValue {
    private final GoType type;
    private final Object data;

    private GoValue(GoType type, Object data) {
        this.type = type;
        this.data = data;
    }

    public static GoValue of(GoType type, Object data) {
        return new GoValue(type, data);
    }

    public static GoValue string(String s) {
        return new GoValue(GoType.STRING, s);
    }

    public static GoValue bool(boolean b) {
        return new GoValue(GoType.BOOL, b);
    }

    /** A Go {@code int}: what template number literals and len give. */
    public static GoValue integer(long n) {
        return new GoValue(GoType.INT, n);
    }

    public static GoValue int64(long n) {
        return new GoValue(GoType.INT64, n);
    }

    public static GoValue float64(double d) {
        return new GoValue(GoType.FLOAT64, d);
    }

    /** A pointer to a new variable holding {@code target} (data of the pointer's element type). */
    public static GoValue pointer(GoType pointerType, Object target) {
        return new GoValue(pointerType, new Ptr(target));
    }

    public GoType type() {
        return type;
    }

    public GoType.Kind kind() {
        return type.kind();
    }

    public Object data() {
        return data;
    }

    /** A complex number. */
    public record Complex(double re, double im) {}

    /** A non-nil pointer: the variable it points to. Pointers are equal when they are the same object. */
    public static final class Ptr {
        private final Object target;

        public Ptr(Object target) {
            this.target = target;
        }

        public Object target() {
            return target;
        }
    }

    // ------------------------------------------------------------------------------------------ reflect

    /** reflect's IsNil, for the kinds that can be nil. */
    public boolean isNil() {
        return data == null;
    }

    public boolean canBeNil() {
        return switch (type.kind()) {
            case CHAN, FUNC, INTERFACE, MAP, POINTER, SLICE -> true;
            default -> false;
        };
    }

    /** Length of a string (in UTF-8 bytes), slice, array or map. */
    public int len() {
        return switch (type.kind()) {
            case STRING -> GoStrings.utf8Length((String) data);
            case SLICE, ARRAY -> data == null ? 0 : ((List<?>) data).size();
            case MAP -> data == null ? 0 : ((Map<?, ?>) data).size();
            default -> throw new IllegalStateException("len of " + type);
        };
    }

    /** Element i of a slice or array; byte i of a string. */
    public GoValue index(int i) {
        if (type.kind() == GoType.Kind.STRING)
            return new GoValue(GoType.UINT8, (long) (GoStrings.utf8((String) data)[i] & 0xFF));
        return new GoValue(type.elem(), ((List<?>) data).get(i));
    }

    /** The element for a key (of the map's key type), or null when absent. */
    public GoValue mapIndex(GoValue key) {
        if (data == null) return null;
        Map<?, ?> m = (Map<?, ?>) data;
        Object k = key.data;
        if (type.key().kind() == GoType.Kind.INTERFACE) k = key.kind() == GoType.Kind.INTERFACE ? key.data : key;
        if (!m.containsKey(k)) return null;
        return new GoValue(type.elem(), m.get(k));
    }

    /** The map's keys and elements, sorted as Go's fmt and text/template sort them (internal/fmtsort). */
    public List<GoValue[]> sortedEntries() {
        List<GoValue[]> out = new ArrayList<>();
        if (data == null) return out;
        for (Map.Entry<?, ?> e : ((Map<?, ?>) data).entrySet()) {
            out.add(new GoValue[] {new GoValue(type.key(), e.getKey()), new GoValue(type.elem(), e.getValue())});
        }
        if (out.size() > 1) out.sort((a, b) -> GoSort.compare(a[0], b[0]));
        return out;
    }

    public GoValue field(int i) {
        return new GoValue(type.fields().get(i).type(), ((Object[]) data)[i]);
    }

    /** What a pointer points to or an interface holds; null (invalid) for nil. */
    public GoValue elem() {
        if (type.kind() == GoType.Kind.POINTER)
            return data == null ? null : new GoValue(type.elem(), ((Ptr) data).target);
        if (type.kind() == GoType.Kind.INTERFACE) return (GoValue) data;
        throw new IllegalStateException("elem of " + type);
    }

    public boolean boolValue() {
        return (Boolean) data;
    }

    public long longValue() {
        return (Long) data;
    }

    public double doubleValue() {
        return (Double) data;
    }

    public Complex complexValue() {
        return (Complex) data;
    }

    public String stringValue() {
        return (String) data;
    }

    /** The list of a slice or array, empty for a nil slice. */
    public List<?> list() {
        return data == null ? List.of() : Collections.unmodifiableList((List<?>) data);
    }

    /** The zero value of a type. */
    public static GoValue zero(GoType t) {
        return new GoValue(t, zeroData(t));
    }

    static Object zeroData(GoType t) {
        return switch (t.kind()) {
            case BOOL -> Boolean.FALSE;
            case INT, INT8, INT16, INT32, INT64, UINT, UINT8, UINT16, UINT32, UINT64, UINTPTR -> 0L;
            case FLOAT32, FLOAT64 -> 0.0;
            case COMPLEX64, COMPLEX128 -> new Complex(0, 0);
            case STRING -> "";
            case ARRAY -> {
                List<Object> l = new ArrayList<>(t.len());
                for (int i = 0; i < t.len(); i++) l.add(zeroData(t.elem()));
                yield l;
            }
            case STRUCT -> {
                Object[] f = new Object[t.fields().size()];
                for (int i = 0; i < f.length; i++)
                    f[i] = zeroData(t.fields().get(i).type());
                yield f;
            }
            default -> null;
        };
    }

    /** Go's == on values of one type (used for interface-typed map keys). */
    @Override
    public boolean equals(Object o) {
        return o instanceof GoValue v && GoType.identical(type, v.type) && Objects.deepEquals(data, v.data);
    }

    @Override
    public int hashCode() {
        return data instanceof Object[] a ? Arrays.deepHashCode(a) : Objects.hashCode(data);
    }

    @Override
    public String toString() {
        return Printf.sprint(List.of(this));
    }
}
