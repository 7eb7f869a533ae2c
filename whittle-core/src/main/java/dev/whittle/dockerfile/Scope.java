package dev.whittle.dockerfile;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The variables visible at one point of a stage: the ARGs declared so far (with their values) and the environment
 * (the base image's Env plus ENV instructions). ENV wins over an ARG of the same name, as in BuildKit. Immutable:
 * each ARG or ENV gives a new scope.
 */
public final class Scope {
    private final Map<String, String> args;
    private final Map<String, String> env;

    private Scope(Map<String, String> args, Map<String, String> env) {
        this.args = args;
        this.env = env;
    }

    public static Scope of(Map<String, String> args, Map<String, String> env) {
        return new Scope(Collections.unmodifiableMap(new LinkedHashMap<>(args)), Collections.unmodifiableMap(new LinkedHashMap<>(env)));
    }

    public static Scope empty() {
        return of(Map.of(), Map.of());
    }

    public Scope withArg(String name, String value) {
        Map<String, String> a = new LinkedHashMap<>(args);
        a.remove(name);
        a.put(name, value);
        return new Scope(Collections.unmodifiableMap(a), env);
    }

    public Scope withEnv(String name, String value) {
        Map<String, String> e = new LinkedHashMap<>(env);
        e.put(name, value);
        return new Scope(args, Collections.unmodifiableMap(e));
    }

    /** A variable's value for expansion, or null if it is neither an ARG nor in the environment. */
    public String lookup(String name) {
        String v = env.get(name);
        return v != null ? v : args.get(name);
    }

    public Function<String, String> lookup() {
        return this::lookup;
    }

    public Map<String, String> args() {
        return args;
    }

    public Map<String, String> env() {
        return env;
    }

    /** The environment a RUN sees: the ARGs, then the ENV variables over them. */
    public Map<String, String> runEnvironment() {
        Map<String, String> m = new LinkedHashMap<>();
        args.forEach((k, v) -> {
            if (v != null) m.put(k, v);
        });
        m.putAll(env);
        return m;
    }
}
