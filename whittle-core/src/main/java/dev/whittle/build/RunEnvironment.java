package dev.whittle.build;

import dev.whittle.dockerfile.Planner;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The environment a RUN's process gets, and BuildKit's history text for a RUN. */
final class RunEnvironment {
    private RunEnvironment() {}

    /** The image's Env, then build args it does not already set, and a default PATH (the cache key sees these). */
    static List<String> of(State s) {
        Map<String, String> env = s.config().envMap();
        Map<String, String> args = s.scope().args();
        for (String name : s.buildArgNames()) {
            String v = args.get(name);
            if (v != null && !env.containsKey(name)) env.put(name, v);
        }
        if (!env.containsKey("PATH")) env.put("PATH", Builder.DEFAULT_PATH.substring(5));
        List<String> out = new ArrayList<>();
        env.forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }

    /** BuildKit's history text for RUN: {@code |N K=V ... args}. */
    static String commandString(State s, List<String> args) {
        Map<String, String> env = s.config().envMap();
        List<String> parts = new ArrayList<>();
        for (String name : s.buildArgNames()) {
            String v = env.containsKey(name) ? env.get(name) : s.scope().args().get(name);
            parts.add(name + "=" + (v == null ? "" : v));
        }
        List<String> out = new ArrayList<>();
        if (!parts.isEmpty()) {
            out.add("|" + parts.size());
            out.addAll(parts);
        }
        out.addAll(args);
        return String.join(" ", out);
    }

    /**
     * {@code env} plus the predefined proxy args given with --build-arg that no ARG declares: as in BuildKit they reach
     * the process without an ARG and stay out of the cache key, history and config (a proxy does not change what a
     * command makes, and its URL may hold credentials). A proxy given in either case reaches the process in both
     * ({@code http_proxy} and {@code HTTP_PROXY}: tools read one or the other), the lower-case value winning when
     * both are given, as BuildKit's ProxyEnv does.
     */
    static List<String> withProxies(State s, List<String> env, Map<String, String> buildArgs) {
        Map<String, String> proxies = new TreeMap<>(); // upper-case name → value
        for (Map.Entry<String, String> a : new TreeMap<>(buildArgs).entrySet()) {
            if (Planner.PROXY_ARGS.contains(a.getKey()) && a.getValue() != null)
                proxies.put(a.getKey().toUpperCase(Locale.ROOT), a.getValue());
        }
        List<String> out = null;
        for (Map.Entry<String, String> p : proxies.entrySet()) {
            for (String name : List.of(p.getKey(), p.getKey().toLowerCase(Locale.ROOT))) {
                if (s.buildArgNames().contains(name) || env.stream().anyMatch(e -> e.startsWith(name + "="))) continue;
                if (out == null) out = new ArrayList<>(env);
                out.add(name + "=" + p.getValue());
            }
        }
        return out == null ? env : out;
    }

    /**
     * {@code env} with the secrets given as variables ({@code RUN --mount=type=secret,env=NAME}) over the image's
     * variable of the same name (ENV SECRET=placeholder), for this process only.
     */
    static List<String> withSecrets(List<String> env, Map<String, String> secretEnv) {
        if (secretEnv.isEmpty()) return env;
        List<String> out = new ArrayList<>();
        for (String e : env) if (!secretEnv.containsKey(e.substring(0, Math.max(0, e.indexOf('='))))) out.add(e);
        secretEnv.forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }
}
