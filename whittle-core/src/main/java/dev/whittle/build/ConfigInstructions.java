package dev.whittle.build;

import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.DockerfileException;
import dev.whittle.dockerfile.Instruction;
import dev.whittle.dockerfile.Planner;
import dev.whittle.dockerfile.Scope;
import dev.whittle.dockerfile.ShellLex;
import dev.whittle.dockerfile.Word;
import dev.whittle.image.ImageConfig;
import dev.whittle.json.JsonObjects;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The instructions that change only the image config (ENV, LABEL, EXPOSE, USER, VOLUME, CMD, ENTRYPOINT, SHELL,
 * HEALTHCHECK, STOPSIGNAL, ONBUILD, ARG, MAINTAINER), with the history text BuildKit writes for each. Used by the
 * builder and by {@code whittle import --change}.
 */
public final class ConfigInstructions {
    private final Dockerfile df;
    private final ShellLex lex;
    private final Map<String, String> globalArgs;
    private final Map<String, String> buildArgs;
    private final boolean withHistory;

    public ConfigInstructions(
            Dockerfile df,
            ShellLex lex,
            Map<String, String> globalArgs,
            Map<String, String> buildArgs,
            boolean withHistory) {
        this.df = df;
        this.lex = lex;
        this.globalArgs = globalArgs;
        this.buildArgs = buildArgs;
        this.withHistory = withHistory;
    }

    /**
     * An ARG's default as the history shows it (Engine 20.10: expanded). A default that cannot be expanded
     * (${X:?message}) is not evaluated when a build arg gives the value, as in BuildKit; the history then shows that.
     */
    private String historyDefault(Instruction.ArgDef d, Scope before) {
        try {
            return expand(d.defaultValue(), before);
        } catch (DockerfileException e) {
            String given = buildArgs.get(d.name().text());
            if (given == null) throw e;
            return given;
        }
    }

    private String expand(Word w, Scope scope) {
        try {
            return lex.processWord(w.text(), scope.lookup());
        } catch (ShellLex.ExpansionException e) {
            throw df.error(w.pos(), e.getMessage());
        }
    }

    /** A word expanded, then split into words as the shell would (BuildKit's ProcessWords: EXPOSE $PORTS). */
    private List<String> expandWords(Word w, Scope scope) {
        try {
            return lex.processWords(w.text(), scope.lookup());
        } catch (ShellLex.ExpansionException e) {
            throw df.error(w.pos(), e.getMessage());
        }
    }

    /** Whether an instruction changes only the config (what {@link #apply} and {@link Draft#apply} take). */
    public static boolean handles(Instruction i) {
        return !(i instanceof Instruction.Run
                || i instanceof Instruction.Copy
                || i instanceof Instruction.Workdir
                || i instanceof Instruction.From);
    }

    /** One config instruction applied to a state. */
    public State apply(State s, Instruction i) {
        return draft(s).apply(i).state();
    }

    /** A draft starting from a state, for a run of config instructions. */
    public Draft draft(State s) {
        return new Draft(s);
    }

    /**
     * Config instructions applied one after another to one copy of the config, made into a state (serialised and
     * hashed) only when asked. Copying and serialising the config for each instruction made a Dockerfile of many ENV
     * or LABEL lines quadratic: 4 000 ENV lines took 11 s, 10 MB of LABEL lines minutes and gigabytes. Not thread-safe.
     */
    public final class Draft {
        private final State base;
        private final ImageConfig.Builder c;
        private Scope scope;
        private boolean cmdSet;
        private final List<String> argNames;

        private Draft(State s) {
            this.base = s;
            this.c = s.config().toBuilder();
            this.scope = s.scope();
            this.cmdSet = s.cmdSet();
            this.argNames = new ArrayList<>(s.buildArgNames());
        }

        /** The state after the instructions applied so far. */
        public State state() {
            return new State(c.build(), base.layers(), scope, base.cacheKey(), base.created(), cmdSet, argNames);
        }

        /** Applies one config instruction, with BuildKit's history text. */
        public Draft apply(Instruction i) {
            String history = switch (i) {
                case Instruction.Arg a -> arg(a);
                case Instruction.Env e -> env(e);
                case Instruction.Label l -> label(l);
                case Instruction.Maintainer m -> {
                    c.field("author", m.maintainer().text());
                    yield "MAINTAINER " + m.maintainer().text();
                }
                case Instruction.Expose x -> expose(x);
                case Instruction.Volume v -> volume(v);
                case Instruction.User u -> {
                    String user = expand(u.user(), scope);
                    c.configField("User", user);
                    yield "USER " + user;
                }
                case Instruction.StopSignal st -> stopSignal(st);
                case Instruction.Healthcheck h -> {
                    HealthcheckConfig hc = HealthcheckConfig.of(df, h);
                    c.configField("Healthcheck", hc.config());
                    yield hc.history();
                }
                case Instruction.Shell sh -> {
                    List<String> shell = sh.shell().stream().map(Word::text).toList();
                    c.configField("Shell", shell);
                    yield "SHELL " + GoText.plainSlice(shell);
                }
                case Instruction.Cmd cmd -> cmd(cmd);
                case Instruction.Entrypoint ep -> entrypoint(ep);
                case Instruction.Onbuild ob -> {
                    List<String> before = JsonObjects.strings(c.config(), "OnBuild");
                    List<String> triggers = new ArrayList<>(before == null ? List.of() : before);
                    triggers.add(ob.expression());
                    c.configField("OnBuild", triggers);
                    yield null; // BuildKit records a trigger in the config only, with no history entry
                }
                default -> throw df.error(i.pos(), i.name() + " cannot appear here");
            };
            if (withHistory && history != null)
                c.addHistory(new ImageConfig.History(base.created(), history, null, State.HISTORY_COMMENT, true));
            return this;
        }

        private String arg(Instruction.Arg a) {
            Scope before = scope;
            scope = Planner.step(df, lex, scope, a, globalArgs, buildArgs);
            List<String> parts = new ArrayList<>();
            for (Instruction.ArgDef d : a.args()) {
                // BuildKit's history shows the default as expanded, quotes removed (not a --build-arg's value)
                parts.add(d.name().text() + (d.hasDefault() ? "=" + historyDefault(d, before) : ""));
                argNames.add(d.name().text()); // BuildKit (Engine 20.10) lists a re-declared ARG once per declaration
            }
            return "ARG " + String.join(" ", parts);
        }

        private String env(Instruction.Env e) {
            Scope before = scope;
            List<String> parts = new ArrayList<>();
            for (Instruction.KeyValue kv : e.pairs()) {
                String k = expand(kv.key(), before), v = expand(kv.value(), before);
                c.setEnv(k, v);
                parts.add(k + "=" + v);
            }
            scope = Planner.step(df, lex, scope, e, globalArgs, buildArgs);
            return "ENV " + String.join(" ", parts);
        }

        private String label(Instruction.Label l) {
            List<String> parts = new ArrayList<>();
            for (Instruction.KeyValue kv : l.pairs()) {
                String k = expand(kv.key(), scope), v = expand(kv.value(), scope);
                c.putMapEntry("Labels", k, v);
                parts.add(k + "=" + v);
            }
            return "LABEL " + String.join(" ", parts);
        }

        private String expose(Instruction.Expose x) {
            List<String> ports = new ArrayList<>();
            for (Word w : x.ports()) for (String p : expandWords(w, scope)) ports.addAll(exposePorts(df, w, p));
            for (String p : ports) c.putMapEntry("ExposedPorts", p, new LinkedHashMap<>());
            return "EXPOSE " + GoText.structSet(ports);
        }

        private String volume(Instruction.Volume v) {
            List<String> paths = new ArrayList<>();
            for (Word w : v.paths()) {
                String p = expand(w, scope);
                if (p.isBlank()) throw df.error(w.pos(), "VOLUME specified can not be an empty string");
                paths.add(p);
                c.putMapEntry("Volumes", p, new LinkedHashMap<>());
            }
            return "VOLUME " + GoText.plainSlice(paths);
        }

        private String stopSignal(Instruction.StopSignal st) {
            String sig = expand(st.signal(), scope);
            if (!Signals.valid(sig)) throw df.error(st.signal().pos(), "invalid signal: " + sig);
            c.configField("StopSignal", sig);
            return "STOPSIGNAL " + sig;
        }

        private String cmd(Instruction.Cmd cmd) {
            List<String> args = commandArgs(shell(), cmd.command());
            // an empty list is no list: BuildKit's config omits it (omitempty), so CMD [] leaves none
            c.configField("Cmd", args.isEmpty() ? null : args);
            c.configField("ArgsEscaped", true);
            cmdSet = true;
            return "CMD " + GoText.quotedSlice(args);
        }

        private String entrypoint(Instruction.Entrypoint ep) {
            List<String> args = commandArgs(shell(), ep.command());
            c.configField("Entrypoint", args.isEmpty() ? null : args);
            if (!cmdSet) c.configField("Cmd", null);
            c.configField("ArgsEscaped", true);
            return "ENTRYPOINT " + GoText.quotedSlice(args);
        }

        /** The SHELL set so far (null: the default). */
        private List<String> shell() {
            return JsonObjects.strings(c.config(), "Shell");
        }
    }

    /** Exec form as given; shell form as the stage's SHELL (default /bin/sh -c) plus the text. */
    static List<String> commandArgs(List<String> shell, Instruction.Command cmd) {
        if (cmd.exec()) return cmd.argStrings();
        List<String> out = new ArrayList<>(shell == null || shell.isEmpty() ? List.of("/bin/sh", "-c") : shell);
        out.add(cmd.shell().text());
        return out;
    }

    /** EXPOSE values: {@code 80}, {@code 80/udp}, {@code 8000-8010/tcp} (one key per port, protocol lower-cased). */
    static List<String> exposePorts(Dockerfile df, Word w, String v) {
        String proto = "tcp";
        String ports = v;
        int slash = v.indexOf('/');
        if (slash >= 0) {
            proto = v.substring(slash + 1).toLowerCase(Locale.ROOT);
            ports = v.substring(0, slash);
        }
        int colon = ports.lastIndexOf(':');
        if (colon >= 0) ports = ports.substring(colon + 1); // ip:host:container forms keep the container port
        if (!proto.equals("tcp") && !proto.equals("udp") && !proto.equals("sctp")) {
            throw df.error(w.pos(), "invalid proto: " + proto);
        }
        List<String> out = new ArrayList<>();
        try {
            int dash = ports.indexOf('-');
            int lo = Integer.parseInt(dash < 0 ? ports : ports.substring(0, dash));
            int hi = dash < 0 ? lo : Integer.parseInt(ports.substring(dash + 1));
            if (lo < 0 || hi > 65535 || hi < lo) throw new NumberFormatException();
            for (int p = lo; p <= hi; p++) out.add(p + "/" + proto);
        } catch (NumberFormatException e) {
            throw df.error(w.pos(), "invalid containerPort: " + v);
        }
        return out;
    }
}
