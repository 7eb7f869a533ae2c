package dev.whittle.dockerfile;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The variables visible at one point of a stage: the ARGs declared so far (with their values) and the environment
 * (the base image's Env plus ENV instructions). ENV wins over an ARG of the same name, as in BuildKit. Immutable:
 * each ARG or ENV gives a new scope.
 *
 * <p>Scopes derived one from another share one {@link Versions} record of every value each name has had, stamped
 * with the version that set it; a scope is that record and a version. So deriving a scope adds one entry instead of
 * copying every variable (a Dockerfile of 40 000 ENV lines took a minute to plan), and a lookup is a binary search.
 * Deriving from a scope that is not its record's newest (two stages built FROM one stage) copies the variables
 * visible there into a new record, once.
 */
public final class Scope {
    /** An ARG declared without a value: visible (so {@code ${X-default}} applies) but unset. */
    private static final String UNSET = new String("");

    private final Versions versions;
    private final int version;

    private Scope(Versions versions, int version) {
        this.versions = versions;
        this.version = version;
    }

    public static Scope of(Map<String, String> args, Map<String, String> env) {
        Versions v = new Versions();
        args.forEach((k, val) -> v.args.computeIfAbsent(k, x -> new History()).add(0, val == null ? UNSET : val));
        env.forEach((k, val) -> v.env.computeIfAbsent(k, x -> new History()).add(0, val));
        return new Scope(v, 0);
    }

    public static Scope empty() {
        return of(Map.of(), Map.of());
    }

    /** This scope with an ARG declared; a null value declares it unset. */
    public Scope withArg(String name, String value) {
        return with(true, name, value == null ? UNSET : value);
    }

    public Scope withEnv(String name, String value) {
        return with(false, name, value);
    }

    private Scope with(boolean arg, String name, String value) {
        synchronized (versions) {
            Versions into = version == versions.latest ? versions : versions.copyAt(version);
            into.latest++;
            (arg ? into.args : into.env)
                    .computeIfAbsent(name, x -> new History())
                    .add(into.latest, value);
            return new Scope(into, into.latest);
        }
    }

    /** A variable's value for expansion, or null if it is neither an ARG nor in the environment. */
    public String lookup(String name) {
        synchronized (versions) {
            String v = at(versions.env, name);
            if (v != null) return v;
            v = at(versions.args, name);
            return v == UNSET ? null : v;
        }
    }

    public Function<String, String> lookup() {
        return this::lookup;
    }

    /** Whether an ARG (set or not) or an environment variable of this name is visible. */
    public boolean declares(String name) {
        synchronized (versions) {
            return at(versions.env, name) != null || at(versions.args, name) != null;
        }
    }

    /** The ARGs in order of first declaration; a declared but unset ARG has a null value. Costs a copy. */
    public Map<String, String> args() {
        synchronized (versions) {
            Map<String, String> out = visible(versions.args);
            out.replaceAll((k, v) -> v == UNSET ? null : v);
            return Collections.unmodifiableMap(out);
        }
    }

    /** The environment in order of first setting. Costs a copy. */
    public Map<String, String> env() {
        synchronized (versions) {
            return Collections.unmodifiableMap(visible(versions.env));
        }
    }

    private String at(Map<String, History> names, String name) {
        History h = names.get(name);
        return h == null ? null : h.at(version);
    }

    private Map<String, String> visible(Map<String, History> names) {
        Map<String, String> out = new LinkedHashMap<>();
        names.forEach((k, h) -> {
            String v = h.at(version);
            if (v != null) out.put(k, v);
        });
        return out;
    }

    /** Every value of every name in a line of scopes, by the version that set it. Guarded by its own monitor. */
    private static final class Versions {
        final Map<String, History> args = new LinkedHashMap<>();
        final Map<String, History> env = new LinkedHashMap<>();
        int latest;

        /** A new record holding, at version 0, what a scope of this one at {@code version} sees. */
        Versions copyAt(int version) {
            Versions c = new Versions();
            copy(args, c.args, version);
            copy(env, c.env, version);
            return c;
        }

        private static void copy(Map<String, History> from, Map<String, History> to, int version) {
            from.forEach((k, h) -> {
                String v = h.at(version);
                if (v != null) to.computeIfAbsent(k, x -> new History()).add(0, v);
            });
        }
    }

    /** One name's values in the order set, each with its version (increasing). */
    private static final class History {
        int[] versions = new int[1];
        String[] values = new String[1];
        int size;

        void add(int version, String value) {
            if (size > 0 && versions[size - 1] == version) {
                values[size - 1] = value; // set twice at one version (Scope.of): the last wins
                return;
            }
            if (size == versions.length) {
                versions = Arrays.copyOf(versions, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            versions[size] = version;
            values[size] = value;
            size++;
        }

        /** The value set last at or before a version, or null. */
        String at(int version) {
            int i = Arrays.binarySearch(versions, 0, size, version);
            if (i < 0) i = -i - 2;
            return i < 0 ? null : values[i];
        }
    }
}
