package dev.whittle.cli;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Binds a command line to a command's picocli-annotated fields without starting picocli, whose set-up costs about
 * 200 ms on every run — more than everything else {@code whittle images} does. It handles what whittle's commands
 * use: long and short options with separate or attached values, clustered boolean flags, repeated options into
 * lists, option defaults, positional parameters by index, {@code --}. Anything else — help, a subcommand, an unknown
 * or malformed option, a missing parameter, an optional value that could be the next word — returns empty, and the
 * caller lets picocli parse (and word the error) as before, so behaviour and messages do not change.
 */
final class FastArgs {
    /** Where the launcher keeps the option tables recorded with the AOT cache (read), or where to record them. */
    static final String TABLE = "whittle.args.table";

    static final String TABLE_OUT = "whittle.args.table.out";

    private FastArgs() {}

    /** An option: its field, names, arity, default and fallback value (null when none). */
    record Opt(String field, List<String> names, String arity, String defaultValue, String fallback, boolean flag) {}

    /** A positional parameter: its field and index range ({@code to} -1 for "to the end"). */
    record Param(String field, int from, int to, boolean optional) {}

    /** What FastArgs needs to know about a command class; null when the class needs picocli. */
    record Spec(List<Opt> opts, List<Param> params) {}

    private static volatile Map<String, Spec> recorded;

    /** Binds {@code args} to {@code command}; empty when picocli must handle this command line. */
    static Optional<Object> bind(Object command, String[] args, boolean stopAtPositional) {
        Spec spec = spec(command.getClass());
        if (spec == null) return Optional.empty();
        try {
            return bind(spec, command, args, stopAtPositional) ? Optional.of(command) : Optional.empty();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The spec from the table recorded at AOT training time when there is one (reading annotations costs ~50 ms:
     * the JVM generates a proxy class per annotation type), else from the annotations.
     */
    static Spec spec(Class<?> type) {
        String file = System.getProperty(TABLE);
        if (file != null) {
            Map<String, Spec> t = recorded;
            if (t == null) recorded = t = readTable(Path.of(file));
            Spec s = t.get(type.getName());
            if (s != null) return s;
        }
        return fromAnnotations(type);
    }

    static Spec fromAnnotations(Class<?> type) {
        Command cmd = type.getAnnotation(Command.class);
        if (cmd == null || cmd.subcommands().length > 0) return null;
        List<Opt> opts = new ArrayList<>();
        List<Param> params = new ArrayList<>();
        for (Field f : type.getDeclaredFields()) {
            Option o = f.getAnnotation(Option.class);
            Parameters p = f.getAnnotation(Parameters.class);
            if (o != null) {
                if (!supported(f)) return null;
                String dflt = o.defaultValue().equals(Option.NULL_VALUE)
                                || o.defaultValue().startsWith("__no_default")
                        ? null
                        : o.defaultValue();
                boolean flag = f.getType() == boolean.class || f.getType() == Boolean.class;
                opts.add(new Opt(f.getName(), List.of(o.names()), o.arity(), dflt, o.fallbackValue(), flag));
            } else if (p != null) {
                int[] range = indexRange(p.index());
                if (range == null || !supported(f)) return null;
                // without an index a single-valued parameter takes one word, a list all of them
                if (p.index().isEmpty() && !List.class.isAssignableFrom(f.getType())) range = new int[] {0, 0};
                params.add(new Param(f.getName(), range[0], range[1], p.arity().startsWith("0")));
            }
        }
        return new Spec(List.copyOf(opts), List.copyOf(params));
    }

    /** Records the specs of the given command classes, one line per option or parameter, tab-separated. */
    static void writeTable(Path file, List<Class<?>> types) throws IOException {
        StringBuilder b = new StringBuilder();
        for (Class<?> t : types) {
            Spec s = fromAnnotations(t);
            if (s == null) continue;
            b.append("C\t").append(t.getName()).append('\n');
            for (Opt o : s.opts()) {
                String line = String.join(
                        "\t",
                        "O",
                        o.field(),
                        String.join(",", o.names()),
                        o.arity(),
                        o.defaultValue() == null ? "\u0000" : o.defaultValue(),
                        o.fallback(),
                        Boolean.toString(o.flag()));
                if (line.contains("\n")) return;
                b.append(line).append('\n');
            }
            for (Param p : s.params()) {
                b.append(String.join(
                                "\t",
                                "P",
                                p.field(),
                                Integer.toString(p.from()),
                                Integer.toString(p.to()),
                                Boolean.toString(p.optional())))
                        .append('\n');
            }
        }
        Files.writeString(file, b);
    }

    private static Map<String, Spec> readTable(Path file) {
        Map<String, Spec> out = new HashMap<>();
        try {
            String cls = null;
            List<Opt> opts = new ArrayList<>();
            List<Param> params = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                String[] f = line.split("\t", -1);
                switch (f[0]) {
                    case "C" -> {
                        if (cls != null) out.put(cls, new Spec(List.copyOf(opts), List.copyOf(params)));
                        cls = f[1];
                        opts = new ArrayList<>();
                        params = new ArrayList<>();
                    }
                    case "O" ->
                        opts.add(new Opt(
                                f[1],
                                List.of(f[2].split(",")),
                                f[3],
                                f[4].equals("\u0000") ? null : f[4],
                                f[5],
                                Boolean.parseBoolean(f[6])));
                    case "P" ->
                        params.add(new Param(
                                f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]), Boolean.parseBoolean(f[4])));
                    default -> throw new IllegalArgumentException(line);
                }
            }
            if (cls != null) out.put(cls, new Spec(List.copyOf(opts), List.copyOf(params)));
            return out;
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
    }

    private static boolean bind(Spec spec, Object command, String[] args, boolean stopAtPositional)
            throws ReflectiveOperationException {
        Class<?> type = command.getClass();
        List<Opt> opts = spec.opts();
        for (Opt o : opts) if (o.defaultValue() != null) set(command, field(type, o.field()), o.defaultValue());
        List<String> positional = new ArrayList<>();
        boolean onlyPositional = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (onlyPositional || !a.startsWith("-") || a.equals("-")) {
                positional.add(a);
                if (stopAtPositional) onlyPositional = true;
                continue;
            }
            if (a.equals("--")) {
                onlyPositional = true;
                continue;
            }
            if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) return false;
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            Opt o = find(opts, name);
            if (o == null && !a.startsWith("--") && eq < 0 && a.length() > 2) {
                // clustered short flags (-qa) or a short option with its value attached (-tname)
                Opt first = find(opts, a.substring(0, 2));
                if (first == null) return false;
                if (first.flag()) {
                    for (int k = 1; k < a.length(); k++) {
                        Opt f = find(opts, "-" + a.charAt(k));
                        if (f == null || !f.flag()) return false;
                        set(command, field(type, f.field()), "true");
                    }
                    continue;
                }
                o = first;
                value = a.substring(2);
            }
            if (o == null) return false;
            String arity = o.arity();
            if (o.flag()) {
                // a boolean takes a value attached (-H=false) when its arity allows one, never the next word unless "1"
                if (value != null && !arity.equals("1") && !arity.equals("0..1")) return false;
                if (arity.equals("1") && value == null) {
                    if (i + 1 >= args.length) return false;
                    value = args[++i];
                }
                if (value != null && !value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) return false;
                set(command, field(type, o.field()), value == null ? "true" : value);
                continue;
            }
            if (value == null) {
                if (arity.equals("0..1")) {
                    // "--pull ." could be a value or the context: only picocli decides that the same way every time
                    if (i + 1 < args.length && !args[i + 1].startsWith("-")) return false;
                    value = o.fallback();
                } else {
                    if (i + 1 >= args.length) return false;
                    value = args[++i];
                }
            }
            set(command, field(type, o.field()), value);
        }
        int consumed = 0;
        for (Param p : spec.params()) {
            Field f = field(type, p.field());
            boolean list = List.class.isAssignableFrom(f.getType());
            int to = p.to() < 0 ? positional.size() - 1 : p.to();
            consumed = Math.max(consumed, p.to() < 0 ? positional.size() : p.to() + 1);
            if (p.from() >= positional.size()) {
                if (!p.optional()) return false;
                continue;
            }
            if (list) {
                for (int k = p.from(); k <= Math.min(to, positional.size() - 1); k++)
                    set(command, f, positional.get(k));
            } else {
                set(command, f, positional.get(p.from()));
            }
        }
        return positional.size() <= consumed;
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        return type.getDeclaredField(name);
    }

    private static boolean supported(Field f) {
        Class<?> t = f.getType();
        if (List.class.isAssignableFrom(t)) {
            return f.getGenericType() instanceof ParameterizedType pt && pt.getActualTypeArguments()[0] == String.class;
        }
        return t == String.class
                || t == boolean.class
                || t == Boolean.class
                || t == Path.class
                || t == Double.class
                || t == double.class
                || t == int.class
                || t == Integer.class;
    }

    private static Opt find(List<Opt> opts, String name) {
        for (Opt o : opts) if (o.names().contains(name)) return o;
        return null;
    }

    /** "0" → [0,0], "1..*" → [1,-1], "" → [0,-1]; null for what is not handled. */
    private static int[] indexRange(String index) {
        try {
            if (index.isEmpty()) return new int[] {0, -1};
            int dots = index.indexOf("..");
            if (dots < 0) {
                int n = Integer.parseInt(index);
                return new int[] {n, n};
            }
            int from = Integer.parseInt(index.substring(0, dots));
            String end = index.substring(dots + 2);
            return new int[] {from, end.equals("*") ? -1 : Integer.parseInt(end)};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * Sets a field through a VarHandle, invoked with Object (or, for primitive fields, the primitive) at the call
     * site: core reflection's first Field.set builds its accessor from method handles at ~8 ms in a young JVM (and
     * ~3 ms more for the first boolean), where these call shapes come linked from the AOT cache.
     */
    @SuppressWarnings("unchecked")
    private static void set(Object target, Field f, String value) throws IllegalAccessException {
        Class<?> t = f.getType();
        VarHandle vh;
        try {
            vh = MethodHandles.privateLookupIn(f.getDeclaringClass(), MethodHandles.lookup())
                    .findVarHandle(f.getDeclaringClass(), f.getName(), t);
        } catch (NoSuchFieldException e) {
            throw new IllegalAccessException(e.getMessage());
        }
        if (List.class.isAssignableFrom(t)) {
            List<String> l = (List<String>) vh.get(target);
            if (l == null) {
                l = new ArrayList<>();
                vh.set(target, (Object) l);
            }
            l.add(value);
        } else if (t == String.class) {
            vh.set(target, (Object) value);
        } else if (t == boolean.class) {
            vh.set(target, Boolean.parseBoolean(value));
        } else if (t == Boolean.class) {
            vh.set(target, (Object) Boolean.valueOf(value));
        } else if (t == Path.class) {
            vh.set(target, (Object) Path.of(value));
        } else if (t == double.class) {
            vh.set(target, Double.parseDouble(value));
        } else if (t == Double.class) {
            vh.set(target, (Object) Double.valueOf(value));
        } else if (t == int.class) {
            vh.set(target, Integer.parseInt(value));
        } else {
            vh.set(target, (Object) Integer.valueOf(value));
        }
    }
}
