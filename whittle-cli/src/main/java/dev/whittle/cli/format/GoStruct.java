package dev.whittle.cli.format;

/** Builds a struct's data field by field, starting from its zero value. */
public final class GoStruct {
    private final GoType type;
    private final Object[] data;

    public GoStruct(GoType type) {
        this.type = type;
        this.data = (Object[]) GoValue.zeroData(type);
    }

    /** Sets a field to data of its type (a List for a slice, null for a nil one, and so on; see {@link GoValue}). */
    public GoStruct set(String field, Object value) {
        int i = type.fieldIndex(field);
        if (i < 0) throw new IllegalArgumentException(type + " has no field " + field);
        data[i] = value;
        return this;
    }

    public Object[] data() {
        return data;
    }

    public GoValue value() {
        return GoValue.of(type, data);
    }

    /** A pointer to the struct, as docker's *container.Config. */
    public GoValue.Ptr pointer() {
        return new GoValue.Ptr(data);
    }
}
