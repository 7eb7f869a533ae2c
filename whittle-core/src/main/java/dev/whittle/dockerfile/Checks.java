package dev.whittle.dockerfile;

import dev.whittle.image.ImageRef;
import dev.whittle.image.Platform;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * BuildKit's Dockerfile build checks ({@code docker build --check}), same rule names and messages. The
 * {@code # check=skip=...;error=true} directive is honoured. Base image environments (for UndefinedVar) come from a
 * lookup, so variables a base image defines are not reported.
 */
public final class Checks {
    private Checks() {}

    /** A rule: its name, what it checks, and its documentation page. */
    public record Rule(String name, String description, boolean experimental) {
        public Rule(String name, String description) {
            this(name, description, false);
        }

        public String url() {
            return "https://docs.docker.com/go/dockerfile/rule/"
                    + name.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT) + "/";
        }
    }

    public static final Rule STAGE_NAME_CASING = new Rule("StageNameCasing", "Stage names should be lowercase");
    public static final Rule FROM_AS_CASING =
            new Rule("FromAsCasing", "The 'as' keyword should match the case of the 'from' keyword");
    public static final Rule NO_EMPTY_CONTINUATION =
            new Rule("NoEmptyContinuation", "Empty continuation lines will become errors in a future release");
    public static final Rule CONSISTENT_CASING = new Rule(
            "ConsistentInstructionCasing",
            "All commands within the Dockerfile should use the same casing (either upper or lower)");
    public static final Rule DUPLICATE_STAGE_NAME = new Rule("DuplicateStageName", "Stage names should be unique");
    public static final Rule RESERVED_STAGE_NAME =
            new Rule("ReservedStageName", "Reserved words should not be used as stage names");
    public static final Rule JSON_ARGS = new Rule(
            "JSONArgsRecommended",
            "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals");
    public static final Rule MAINTAINER = new Rule(
            "MaintainerDeprecated",
            "The MAINTAINER instruction is deprecated, use a label instead to define an image author");
    public static final Rule UNDEFINED_ARG_IN_FROM =
            new Rule("UndefinedArgInFrom", "FROM command must use declared ARGs");
    public static final Rule WORKDIR_RELATIVE = new Rule(
            "WorkdirRelativePath",
            "Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes");
    public static final Rule UNDEFINED_VAR = new Rule("UndefinedVar", "Variables should be defined before their use");
    public static final Rule MULTIPLE_INSTRUCTIONS = new Rule(
            "MultipleInstructionsDisallowed",
            "Multiple instructions of the same type should not be used in the same stage");
    public static final Rule LEGACY_KEY_VALUE =
            new Rule("LegacyKeyValueFormat", "Legacy key/value format with whitespace separator should not be used");
    public static final Rule REDUNDANT_TARGET_PLATFORM = new Rule(
            "RedundantTargetPlatform",
            "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior");
    public static final Rule SECRETS_IN_ARG_OR_ENV =
            new Rule("SecretsUsedInArgOrEnv", "Sensitive data should not be used in the ARG or ENV commands");
    public static final Rule INVALID_DEFAULT_ARG_IN_FROM = new Rule(
            "InvalidDefaultArgInFrom", "Default value for global ARG results in an empty or invalid base image name");
    public static final Rule FROM_PLATFORM_CONST =
            new Rule("FromPlatformFlagConstDisallowed", "FROM --platform flag should not use a constant value");
    public static final Rule COPY_IGNORED_FILE =
            new Rule("CopyIgnoredFile", "Attempting to Copy file that is excluded by .dockerignore");
    public static final Rule INVALID_DEFINITION_DESCRIPTION = new Rule(
            "InvalidDefinitionDescription",
            "Comment for build stage or argument should follow the format: `# <arg/stage name> <description>`. If this is not intended to be "
                    + "a description comment, add an empty line or comment between the instruction and the comment.",
            true);
    public static final Rule EXPOSE_PROTO_CASING =
            new Rule("ExposeProtoCasing", "Protocol in EXPOSE instruction should be lowercase");
    public static final Rule EXPOSE_INVALID_FORMAT = new Rule(
            "ExposeInvalidFormat",
            "IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error in a future release");

    public static final List<Rule> ALL = List.of(
            STAGE_NAME_CASING,
            FROM_AS_CASING,
            NO_EMPTY_CONTINUATION,
            CONSISTENT_CASING,
            DUPLICATE_STAGE_NAME,
            RESERVED_STAGE_NAME,
            JSON_ARGS,
            MAINTAINER,
            UNDEFINED_ARG_IN_FROM,
            WORKDIR_RELATIVE,
            UNDEFINED_VAR,
            MULTIPLE_INSTRUCTIONS,
            LEGACY_KEY_VALUE,
            REDUNDANT_TARGET_PLATFORM,
            SECRETS_IN_ARG_OR_ENV,
            INVALID_DEFAULT_ARG_IN_FROM,
            FROM_PLATFORM_CONST,
            COPY_IGNORED_FILE,
            INVALID_DEFINITION_DESCRIPTION,
            EXPOSE_PROTO_CASING,
            EXPOSE_INVALID_FORMAT);

    /** One violation. */
    public record Violation(Rule rule, String message, Pos pos) {}

    /** The result: violations in file order, and whether the check directive makes them errors. */
    public record Report(List<Violation> violations, boolean errors) {}

    /** BuildKit's: a secret word as the whole name, or as its first or last _-separated part; not when an allowed one is. */
    private static final Pattern SECRET_WORDS = Pattern.compile(
            "(?i)(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)");

    private static final Pattern SECRET_ALLOW = Pattern.compile("(?i)(?:_|^)(?:public|file|version)(?:_|$)");

    /**
     * Runs every rule.
     *
     * @param baseEnv the Env of a base image by reference, or null when unknown (UndefinedVar then stays quiet
     *                for that stage rather than guess)
     */
    public static Report run(Dockerfile df, Planner.Options opt, Function<String, Map<String, String>> baseEnv) {
        return run(df, opt, baseEnv, DockerIgnore.none());
    }

    /** As above, with the build context's .dockerignore (for CopyIgnoredFile). */
    public static Report run(
            Dockerfile df, Planner.Options opt, Function<String, Map<String, String>> baseEnv, DockerIgnore ignore) {
        List<Violation> out = new ArrayList<>();
        // the BUILDKIT_DOCKERFILE_CHECK build arg stands in for the file's check directive, as in BuildKit
        String arg = opt.buildArgs().get("BUILDKIT_DOCKERFILE_CHECK");
        Config config = Config.parse(df, arg != null ? arg : df.directives().get("check"));
        for (Dockerfile.Warning w : df.warnings()) {
            if (w.rule().equals("NoEmptyContinuation"))
                out.add(new Violation(NO_EMPTY_CONTINUATION, "Empty continuation line", w.pos()));
        }
        casing(df, out);
        Map<String, String> auto = Planner.automaticArgs(opt);
        Set<String> globalDeclared = new HashSet<>();
        Map<String, String> globalDefaults = new LinkedHashMap<>(auto);
        Map<String, String> defaultsOnly = new LinkedHashMap<>(auto); // the global ARGs without build args
        ShellLex lex = new ShellLex(df.escape());
        Map<String, Integer> names = new HashMap<>();
        int stageIndex = -1;
        Scope scope = Scope.empty();
        boolean knownBase = false;
        // per stage: whether a WORKDIR was set, whether SHELL was (a stage built FROM another starts with its facts)
        boolean workdirSet = false, shellSet = false;
        Map<Integer, boolean[]> stageFacts = new HashMap<>();
        Map<String, List<Instruction>> multiples = new LinkedHashMap<>();
        Suggester suggester = new Suggester();
        // experimental, so looked at only when the directive enables it (it reads every instruction's comments)
        boolean descriptions = config.reports(INVALID_DEFINITION_DESCRIPTION);
        int prevEnd = 0;
        for (Instruction i : df.instructions()) {
            if (descriptions) definitionDescription(df, i, prevEnd, out);
            prevEnd = i.common().endLine();
            if (i instanceof Instruction.From f) {
                flushMultiples(multiples, out);
                stageIndex++;
                fromChecks(
                        df,
                        f,
                        lex,
                        globalDeclared,
                        globalDefaults,
                        defaultsOnly,
                        auto,
                        names,
                        stageIndex,
                        suggester,
                        out);
                String base = safeExpand(lex, f.image().text(), globalDefaults::get);
                Integer parent = base == null ? null : names.get(base.toLowerCase(Locale.ROOT));
                boolean[] inherited = parent != null && parent < stageIndex ? stageFacts.get(parent) : null;
                workdirSet = inherited != null && inherited[0];
                shellSet = inherited != null && inherited[1];
                stageFacts.put(stageIndex, new boolean[] {workdirSet, shellSet});
                Map<String, String> env = null;
                String lower = base == null ? null : base.toLowerCase(Locale.ROOT);
                if (lower != null && names.containsKey(lower) && names.get(lower) < stageIndex) {
                    env = Map.of(); // a previous stage: its variables are not tracked here; stay quiet
                    knownBase = false;
                } else if ("scratch".equalsIgnoreCase(base)) {
                    env = Map.of();
                    knownBase = true;
                } else if (base != null && baseEnv != null) {
                    env = baseEnv.apply(base);
                    knownBase = env != null;
                } else {
                    knownBase = false;
                }
                scope = Scope.of(Map.of(), env == null ? Map.of() : env);
                continue;
            }
            if (stageIndex < 0) {
                if (i instanceof Instruction.Arg a) {
                    for (Instruction.ArgDef d : a.args()) {
                        globalDeclared.add(d.name().text());
                        String v = opt.buildArgs().get(d.name().text());
                        if (v == null && d.hasDefault())
                            v = safeExpand(lex, d.defaultValue().text(), globalDefaults::get);
                        if (v != null) globalDefaults.put(d.name().text(), v);
                        String dv = d.hasDefault()
                                ? safeExpand(lex, d.defaultValue().text(), defaultsOnly::get)
                                : null;
                        if (dv != null) defaultsOnly.put(d.name().text(), dv);
                        else defaultsOnly.remove(d.name().text());
                        secret(d.name(), "ARG", out);
                    }
                }
                continue;
            }
            switch (i) {
                case Instruction.Cmd c -> {
                    if (!c.command().exec() && !shellSet)
                        out.add(new Violation(JSON_ARGS, jsonMessage("CMD"), c.pos()));
                    multiples.computeIfAbsent("CMD", k -> new ArrayList<>()).add(c);
                }
                case Instruction.Entrypoint e -> {
                    if (!e.command().exec() && !shellSet)
                        out.add(new Violation(JSON_ARGS, jsonMessage("ENTRYPOINT"), e.pos()));
                    multiples
                            .computeIfAbsent("ENTRYPOINT", k -> new ArrayList<>())
                            .add(e);
                }
                case Instruction.Healthcheck h ->
                    multiples
                            .computeIfAbsent("HEALTHCHECK", k -> new ArrayList<>())
                            .add(h);
                case Instruction.Maintainer m ->
                    out.add(new Violation(
                            MAINTAINER, "Maintainer instruction is deprecated in favor of using label", m.pos()));
                case Instruction.Workdir w -> {
                    // only a stage's (or its parent stage's) first WORKDIR: fixing it fixes those after it
                    String p = safeExpand(lex, w.path().text(), scope.lookup());
                    if (!workdirSet && p != null && !p.startsWith("/")) {
                        out.add(new Violation(
                                WORKDIR_RELATIVE,
                                "Relative workdir \"" + p + "\" can have unexpected results if the base image changes",
                                w.pos()));
                    }
                    workdirSet = true;
                    stageFacts.put(stageIndex, new boolean[] {workdirSet, shellSet});
                }
                case Instruction.Shell sh -> {
                    shellSet = true;
                    stageFacts.put(stageIndex, new boolean[] {workdirSet, shellSet});
                }
                case Instruction.Env e -> {
                    if (e.legacyForm()) out.add(new Violation(LEGACY_KEY_VALUE, legacy("ENV"), e.pos()));
                    for (Instruction.KeyValue kv : e.pairs()) secret(kv.key(), "ENV", out);
                }
                case Instruction.Copy c -> copyIgnored(lex, c, scope, ignore, out);
                case Instruction.Label l -> {
                    if (l.legacyForm()) out.add(new Violation(LEGACY_KEY_VALUE, legacy("LABEL"), l.pos()));
                }
                case Instruction.Arg a -> {
                    for (Instruction.ArgDef d : a.args()) secret(d.name(), "ARG", out);
                }
                case Instruction.Expose x -> {
                    for (Word p : x.ports()) {
                        String t = p.text();
                        if (t.chars().filter(ch -> ch == ':').count() > 0) {
                            out.add(new Violation(
                                    EXPOSE_INVALID_FORMAT,
                                    "EXPOSE instruction should not define an IP address or host-port mapping, found '"
                                            + t + "'",
                                    p.pos()));
                        }
                        int slash = t.indexOf('/');
                        if (slash >= 0
                                && !t.substring(slash + 1)
                                        .equals(t.substring(slash + 1).toLowerCase(Locale.ROOT))) {
                            out.add(new Violation(
                                    EXPOSE_PROTO_CASING,
                                    "Defined protocol '" + t + "' in EXPOSE instruction should be lowercase",
                                    p.pos()));
                        }
                    }
                }
                default -> {}
            }
            if (knownBase) undefinedVars(lex, i, scope, suggester, out);
            try {
                scope = Planner.step(df, lex, scope, i, globalDefaults, opt.buildArgs());
            } catch (DockerfileException e) {
                // an expansion error: the build reports it; checks go on
            }
        }
        flushMultiples(multiples, out);
        var own = config.perInstruction(df);
        out.removeIf(v -> !config.at(own, v.pos().line()).reports(v.rule()));
        out.sort(Comparator.comparingInt((Violation v) -> v.pos().line())
                .thenComparingInt(v -> v.pos().column()));
        return new Report(out, config.error());
    }

    /**
     * What the check directive (or BUILDKIT_DOCKERFILE_CHECK) says: rules skipped, experimental rules on, and whether
     * violations fail a build. BuildKit's linter.Config and ParseLintOptions.
     */
    record Config(Set<String> skip, boolean skipAll, Set<String> experimental, boolean experimentalAll, boolean error) {
        static Config parse(Dockerfile df, String text) {
            Set<String> skip = new HashSet<>(), experimental = new HashSet<>();
            boolean skipAll = false, experimentalAll = false, error = false;
            if (text != null && !text.isBlank()) {
                for (String part : text.trim().split(";", 3)) {
                    int eq = part.indexOf('=');
                    if (eq < 0) continue; // BuildKit refuses the options; the build says so, the checks go on
                    String k = part.substring(0, eq).trim(),
                            v = part.substring(eq + 1).trim();
                    switch (k) {
                        case "skip" -> {
                            if (v.equals("all")) skipAll = true;
                            else for (String r : v.split(",")) skip.add(r.trim());
                        }
                        case "experimental" -> {
                            if (v.equals("all")) experimentalAll = true;
                            else for (String r : v.split(",")) experimental.add(r.trim());
                        }
                        case "error" -> error = Boolean.parseBoolean(v) || v.equals("1") || v.equalsIgnoreCase("t");
                        default -> {}
                    }
                }
            }
            return new Config(Set.copyOf(skip), skipAll, Set.copyOf(experimental), experimentalAll, error);
        }

        /**
         * The config for each instruction with its own {@code # check=...} comment (skips and experimental rules
         * added: BuildKit's WithMergedConfigFromComments), by the instruction's first line; with its last line.
         */
        NavigableMap<Integer, Map.Entry<Integer, Config>> perInstruction(Dockerfile df) {
            NavigableMap<Integer, Map.Entry<Integer, Config>> out = new TreeMap<>();
            List<Dockerfile.Comment> cs = df.comments();
            List<String> pending =
                    new ArrayList<>(); // the comments since the previous instruction (BuildKit's PrevComment)
            int ci = 0;
            for (Instruction i : df.instructions()) {
                for (; ci < cs.size() && cs.get(ci).line() < i.pos().line(); ci++) {
                    if (cs.get(ci).text().isEmpty()) pending.clear(); // an empty # starts them afresh
                    else pending.add(cs.get(ci).text());
                }
                for (String c : pending) {
                    Matcher m = CHECK_COMMENT.matcher(c);
                    if (!m.matches()) continue;
                    Config own = parse(df, m.group(1).split(" ", 2)[0]);
                    Set<String> sk = new HashSet<>(skip);
                    sk.addAll(own.skip);
                    Set<String> ex = new HashSet<>(experimental);
                    ex.addAll(own.experimental);
                    out.put(
                            i.pos().line(),
                            Map.entry(
                                    i.common().endLine(),
                                    new Config(
                                            Set.copyOf(sk),
                                            skipAll || own.skipAll,
                                            Set.copyOf(ex),
                                            experimentalAll || own.experimentalAll,
                                            error)));
                    break;
                }
                pending.clear();
                while (ci < cs.size() && cs.get(ci).line() <= i.common().endLine())
                    ci++; // comments inside a continued line
            }
            return out;
        }

        /** The config that applies at a line: its instruction's own, else this. */
        Config at(NavigableMap<Integer, Map.Entry<Integer, Config>> own, int line) {
            Map.Entry<Integer, Map.Entry<Integer, Config>> e = own.floorEntry(line);
            return e != null && line <= e.getValue().getKey() ? e.getValue().getValue() : this;
        }

        /** Whether a violation of the rule is reported: an experimental rule when enabled, another unless skipped. */
        boolean reports(Rule r) {
            if (r.experimental()) return experimentalAll || experimental.contains(r.name());
            return !skipAll && !skip.contains(r.name());
        }
    }

    private static final Pattern CHECK_COMMENT = Pattern.compile("(?i)\\s*check\\s*=\\s*(.+?)\\s*");

    private static String jsonMessage(String name) {
        return "JSON arguments recommended for " + name + " to prevent unintended behavior related to OS signals";
    }

    private static String legacy(String cmd) {
        return "\"" + cmd + " key=value\" should be used instead of legacy \"" + cmd + " key value\" format";
    }

    private static void flushMultiples(Map<String, List<Instruction>> m, List<Violation> out) {
        for (Map.Entry<String, List<Instruction>> e : m.entrySet()) {
            List<Instruction> l = e.getValue();
            for (int k = 0; k < l.size() - 1; k++) {
                out.add(new Violation(
                        MULTIPLE_INSTRUCTIONS,
                        "Multiple " + e.getKey()
                                + " instructions should not be used in the same stage because only the last one will be used",
                        l.get(k).pos()));
            }
        }
        m.clear();
    }

    private static void casing(Dockerfile df, List<Violation> out) {
        int upper = 0, lower = 0;
        List<Instruction> all = new ArrayList<>();
        for (Instruction i : df.instructions()) {
            all.add(i);
            if (i instanceof Instruction.Onbuild o) all.add(o.trigger());
        }
        for (Instruction i : all) {
            String k = i.keyword();
            if (k.equals(k.toUpperCase(Locale.ROOT))) upper++;
            else if (k.equals(k.toLowerCase(Locale.ROOT))) lower++;
        }
        boolean majorityUpper = upper >= lower;
        for (Instruction i : all) {
            String k = i.keyword();
            boolean ok = majorityUpper ? k.equals(k.toUpperCase(Locale.ROOT)) : k.equals(k.toLowerCase(Locale.ROOT));
            if (!ok) {
                out.add(new Violation(
                        CONSISTENT_CASING,
                        "Command '" + k + "' should match the case of the command majority ("
                                + (majorityUpper ? "uppercase" : "lowercase") + ")",
                        i.pos()));
            }
        }
    }

    private static void fromChecks(
            Dockerfile df,
            Instruction.From f,
            ShellLex lex,
            Set<String> globalDeclared,
            Map<String, String> globalDefaults,
            Map<String, String> defaultsOnly,
            Map<String, String> auto,
            Map<String, Integer> names,
            int stageIndex,
            Suggester suggester,
            List<Violation> out) {
        if (f.asKeyword() != null) {
            String from = f.keyword(), as = f.asKeyword().text();
            boolean fromUpper = from.equals(from.toUpperCase(Locale.ROOT));
            boolean asUpper = as.equals(as.toUpperCase(Locale.ROOT));
            if (fromUpper != asUpper) {
                out.add(new Violation(
                        FROM_AS_CASING, "'" + as + "' and '" + from + "' keywords' casing do not match", f.pos()));
            }
        }
        if (f.stageName() != null) {
            String n = f.stageName().text();
            if (!n.equals(n.toLowerCase(Locale.ROOT))) {
                out.add(new Violation(
                        STAGE_NAME_CASING,
                        "Stage name '" + n + "' should be lowercase",
                        f.stageName().pos()));
            }
            String lower = n.toLowerCase(Locale.ROOT);
            if (lower.equals("scratch") || lower.equals("context")) {
                out.add(new Violation(
                        RESERVED_STAGE_NAME,
                        "Stage name should not use the same name as reserved stage \"" + lower + "\"",
                        f.stageName().pos()));
            }
            if (names.putIfAbsent(lower, stageIndex) != null) {
                out.add(new Violation(
                        DUPLICATE_STAGE_NAME,
                        "Duplicate stage name \"" + lower + "\", stage names should be unique",
                        f.stageName().pos()));
            }
        }
        // FROM (its image and --platform) uses only global ARGs and the automatic platform ARGs
        List<Word> words = new ArrayList<>();
        f.flag("platform").ifPresent(p -> words.add(p.valueWord()));
        words.add(f.image());
        for (Word w : words) {
            ShellLex.Result r;
            try {
                r = lex.process(
                        w.text(),
                        k -> globalDeclared.contains(k) || auto.containsKey(k)
                                ? globalDefaults.getOrDefault(k, "")
                                : null);
            } catch (ShellLex.ExpansionException e) {
                return;
            }
            for (String missing : new TreeSet<>(r.unmatched())) {
                String suggest = suggester.closest(missing, globalDeclared, auto.keySet());
                out.add(new Violation(
                        UNDEFINED_ARG_IN_FROM,
                        "FROM argument '" + missing + "' is not declared"
                                + (suggest == null ? "" : " (did you mean " + suggest + "?)"),
                        f.image().pos()));
            }
        }
        // the base name as the global ARGs' defaults make it, whatever build args give: BuildKit's
        // validateBaseImagesWithDefaultArgs (a build arg fixing a bad default still leaves the Dockerfile wrong)
        String base;
        try {
            base = lex.processWord(f.image().text(), k -> defaultsOnly.get(k));
        } catch (ShellLex.ExpansionException e) {
            return;
        }
        boolean valid = !base.isEmpty();
        if (valid && !base.equalsIgnoreCase("scratch")) {
            try {
                ImageRef.parse(base);
            } catch (IllegalArgumentException e) {
                valid = names.containsKey(base.toLowerCase(Locale.ROOT));
            }
        }
        if (!valid) {
            out.add(new Violation(
                    INVALID_DEFAULT_ARG_IN_FROM,
                    "Default value for ARG " + f.image().text() + " results in empty or invalid base image name",
                    f.image().pos()));
        }
        f.flag("platform").ifPresent(p -> {
            String v = p.value();
            if (v.equals("$TARGETPLATFORM") || v.equals("${TARGETPLATFORM}")) {
                out.add(new Violation(
                        REDUNDANT_TARGET_PLATFORM,
                        "Setting platform to predefined " + v + " in FROM is redundant as this is the default behavior",
                        p.pos()));
            } else if (!v.contains("$") && Platform.specifierError(v) == null) {
                // a stage named for its platform's OS or architecture (AS linux, AS my_amd64_stage) is meant to be
                // fixed
                String stage = f.stageName() == null ? "" : f.stageName().text();
                Platform pl = Platform.parse(v);
                boolean named = stage.contains(pl.os()) || stage.contains(pl.architecture());
                if (!named)
                    out.add(new Violation(
                            FROM_PLATFORM_CONST,
                            "FROM --platform flag should not use constant value \"" + v + "\"",
                            p.pos()));
            }
        });
    }

    /**
     * CopyIgnoredFile: a COPY or ADD source from the context that .dockerignore excludes (BuildKit's
     * validateCopySourcePath). Not judged when a pattern re-includes (an excluded directory may hold what one brings
     * back); the context's root only when a pattern excludes all of it.
     */
    private static void copyIgnored(
            ShellLex lex, Instruction.Copy c, Scope scope, DockerIgnore ignore, List<Violation> out) {
        if (ignore.isEmpty() || ignore.hasExclusions() || c.flag("from").isPresent()) return;
        for (Word w : c.sources()) {
            String src = safeExpand(lex, w.text(), scope.lookup());
            if (src == null || src.contains("://")) continue;
            String clean = DockerIgnore.goClean(src);
            boolean root = clean.equals(".") || clean.equals("/");
            String rel = clean.startsWith("/") ? clean.substring(1) : clean;
            if (root ? ignore.excludesRoot() : ignore.excluded(rel)) {
                out.add(new Violation(
                        COPY_IGNORED_FILE,
                        "Attempting to " + (c.add() ? "Add" : "Copy") + " file \"" + clean
                                + "\" that is excluded by .dockerignore",
                        c.pos()));
            }
        }
    }

    /**
     * InvalidDefinitionDescription: the last comment above an ARG, or a named stage's FROM, starts with what it
     * defines, so tools can show it as the description (BuildKit's validateDefinitionDescription).
     */
    private static void definitionDescription(Dockerfile df, Instruction i, int prevEnd, List<Violation> out) {
        List<String> keys = new ArrayList<>();
        String what;
        if (i instanceof Instruction.Arg a) {
            what = "ARG";
            for (Instruction.ArgDef d : a.args()) keys.add(d.name().text());
        } else if (i instanceof Instruction.From f && f.stageName() != null) {
            what = "FROM";
            keys.add(f.stageName().text().toLowerCase(Locale.ROOT));
        } else {
            return;
        }
        List<String> comments = df.commentsBefore(i.pos().line(), prevEnd);
        if (comments.isEmpty()
                || keys.isEmpty()
                || keys.contains(comments.getLast().split(" ", 2)[0])) return;
        String example = keys.size() > 1 ? "<arg_key>" : keys.getFirst();
        out.add(new Violation(
                INVALID_DEFINITION_DESCRIPTION,
                "Comment for " + what + " should follow the format: `# " + example + " <description>`",
                i.pos()));
    }

    private static void secret(Word name, String instruction, List<Violation> out) {
        if (SECRET_WORDS.matcher(name.text()).find()
                && !SECRET_ALLOW.matcher(name.text()).find()) {
            out.add(new Violation(
                    SECRETS_IN_ARG_OR_ENV,
                    "Do not use ARG or ENV instructions for sensitive data (" + instruction + " \"" + name.text()
                            + "\")",
                    name.pos()));
        }
    }

    /** UndefinedVar over the instructions the builder expands. */
    private static void undefinedVars(
            ShellLex lex, Instruction i, Scope scope, Suggester suggester, List<Violation> out) {
        List<Word> words = new ArrayList<>();
        switch (i) {
            case Instruction.Copy c -> {
                words.addAll(c.sources());
                words.add(c.dest());
                for (Flag f : c.flags()) if (f.value() != null) words.add(f.valueWord());
            }
            case Instruction.Env e -> e.pairs().forEach(kv -> words.add(kv.value()));
            case Instruction.Label l ->
                l.pairs().forEach(kv -> {
                    words.add(kv.key());
                    words.add(kv.value());
                });
            case Instruction.Arg a ->
                a.args().forEach(d -> {
                    if (d.hasDefault()) words.add(d.defaultValue());
                });
            case Instruction.Expose x -> words.addAll(x.ports());
            case Instruction.Volume v -> words.addAll(v.paths());
            case Instruction.User u -> words.add(u.user());
            case Instruction.Workdir w -> words.add(w.path());
            case Instruction.StopSignal s -> words.add(s.signal());
            default -> {}
        }
        for (Word w : words) {
            ShellLex.Result r;
            try {
                r = lex.process(w.text(), k -> scope.declares(k) ? "" : null);
            } catch (ShellLex.ExpansionException e) {
                continue;
            }
            for (String u : new TreeSet<>(r.unmatched())) {
                if (Planner.PROXY_ARGS.contains(u)) continue;
                String suggest = suggester.open()
                        ? suggester.closest(
                                u, scope.args().keySet(), scope.env().keySet())
                        : null;
                out.add(new Violation(
                        UNDEFINED_VAR,
                        "Usage of undefined variable '$" + u + "'"
                                + (suggest == null ? "" : " (did you mean $" + suggest + "?)"),
                        w.pos()));
            }
        }
    }

    /**
     * Did-you-mean lookups with a bound on their total work. Each compares a name with every candidate (as BuildKit's
     * do), so thousands of misspelt variables against thousands of defined ones were quadratic, and two names cost the
     * product of their lengths (two 60 000-character names: a 14 GB table). Past the bound, and for names longer than
     * {@link #MAX_NAME}, violations come without a suggestion.
     */
    private static final class Suggester {
        static final int MAX_NAME = 64;
        private long budget = 50_000_000;

        /** Whether a lookup may still be made (so callers need not gather candidates when it may not). */
        boolean open() {
            return budget > 0;
        }

        /** The candidate nearest to a misspelt name, within a third of its length, or null. */
        @SafeVarargs
        final String closest(String name, Set<String>... candidateSets) {
            if (name.length() > MAX_NAME || budget <= 0) return null;
            String best = null;
            int bestD = Integer.MAX_VALUE;
            for (Set<String> candidates : candidateSets) {
                budget -= candidates.size();
                for (String c : candidates) {
                    int limit = Math.max(1, Math.min(name.length(), c.length()) / 3);
                    // the distance is at least the difference in length: most candidates need no comparison
                    if (c.length() > MAX_NAME || Math.abs(c.length() - name.length()) > limit) continue;
                    budget -= (long) name.length() * c.length();
                    int d = osa(name, c);
                    if (d <= limit && d < bestD) {
                        bestD = d;
                        best = c;
                    }
                }
            }
            return best;
        }
    }

    /** Edit distance counting an adjacent transposition as one edit ($PAHT is one typo away from $PATH). */
    static int osa(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static String safeExpand(ShellLex lex, String text, Function<String, String> env) {
        try {
            return lex.processWord(text, env);
        } catch (ShellLex.ExpansionException e) {
            return null;
        }
    }
}
