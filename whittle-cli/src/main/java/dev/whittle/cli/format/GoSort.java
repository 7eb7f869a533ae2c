package dev.whittle.cli.format;

import java.util.List;

/** Go's internal/fmtsort: the order in which fmt prints and text/template ranges over map keys. */
final class GoSort {
    private GoSort() {}

    static int compare(GoValue a, GoValue b) {
        if (!GoType.identical(a.type(), b.type())) return -1; // as Go: no good answer, but not "equal"
        GoType.Kind k = a.kind();
        if (k.isInt()) return Long.compare(a.longValue(), b.longValue());
        if (k.isUint()) return Long.compareUnsigned(a.longValue(), b.longValue());
        switch (k) {
            case STRING:
                return GoStrings.compare(a.stringValue(), b.stringValue());
            case FLOAT32, FLOAT64:
                return floatCompare(a.doubleValue(), b.doubleValue());
            case COMPLEX64, COMPLEX128: {
                int c = floatCompare(a.complexValue().re(), b.complexValue().re());
                return c != 0
                        ? c
                        : floatCompare(a.complexValue().im(), b.complexValue().im());
            }
            case BOOL:
                return Boolean.compare(a.boolValue(), b.boolValue());
            case POINTER, CHAN:
                return Long.compare(Printf.address(a), Printf.address(b));
            case STRUCT: {
                for (int i = 0; i < a.type().fields().size(); i++) {
                    int c = compare(a.field(i), b.field(i));
                    if (c != 0) return c;
                }
                return 0;
            }
            case ARRAY: {
                List<?> l = a.list();
                for (int i = 0; i < l.size(); i++) {
                    int c = compare(a.index(i), b.index(i));
                    if (c != 0) return c;
                }
                return 0;
            }
            case INTERFACE: {
                GoValue x = a.elem(), y = b.elem();
                if (x == null || y == null) return x == null ? (y == null ? 0 : -1) : 1;
                // Go orders different dynamic types by their type descriptors' addresses; names are stable
                int c = x.type().toString().compareTo(y.type().toString());
                return c != 0 ? c : compare(x, y);
            }
            default:
                throw new IllegalStateException("bad type in compare: " + a.type());
        }
    }

    /** NaN sorts before every other float, as in Go. */
    private static int floatCompare(double a, double b) {
        if (a < b) return -1;
        if (a > b) return 1;
        if (a == b) return 0;
        if (Double.isNaN(a) && !Double.isNaN(b)) return -1;
        if (!Double.isNaN(a) && Double.isNaN(b)) return 1;
        return 0;
    }
}
