package dev.whittle.dockerfile;

import dev.whittle.image.ImageRef;
import dev.whittle.json.Json;
import dev.whittle.json.JsonException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses Dockerfile text as BuildKit's frontend does: parser directives only at the top, line continuations with the
 * escape character, comment lines dropped (also inside continued instructions), exec form only when the text is a
 * valid JSON array of strings, heredocs for RUN, COPY and ADD. No I/O. Every instruction, flag and argument keeps
 * its line and column; errors show the offending line with a caret.
 */
public final class Parser {
    private static final Pattern DIRECTIVE = Pattern.compile("^#\\s*([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.+?)\\s*$");
    private static final Pattern HEREDOC = Pattern.compile("^(\\d*)<<(-?)([^<]*)$");
    private static final Set<String> DIRECTIVES = Set.of("syntax", "escape", "check");
    static final List<String> INSTRUCTIONS = List.of(
            "ADD",
            "ARG",
            "CMD",
            "COPY",
            "ENTRYPOINT",
            "ENV",
            "EXPOSE",
            "FROM",
            "HEALTHCHECK",
            "LABEL",
            "MAINTAINER",
            "ONBUILD",
            "RUN",
            "SHELL",
            "STOPSIGNAL",
            "USER",
            "VOLUME",
            "WORKDIR");

    /**
     * The largest Dockerfile whittle reads. BuildKit's frontend gets the Dockerfile in one gRPC message, and BuildKit
     * and containerd cap those at 16 MiB (DefaultMaxRecvMsgSize): a larger one cannot be built by docker either.
     */
    public static final int MAX_BYTES = 16 << 20;
    /** BuildKit reads lines with Go's bufio.Scanner, whose tokens are under 64 KiB: a longer line fails there. */
    static final int MAX_LINE_BYTES = 65_535;

    private final String file;
    private final List<String> lines;
    private char escape = '\\';
    private final Map<String, String> directives = new LinkedHashMap<>();
    private final List<Dockerfile.Warning> warnings = new ArrayList<>();
    private final List<Dockerfile.Comment> comments = new ArrayList<>();

    private Parser(String file, String text) {
        this.file = file;
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        List<String> l = new ArrayList<>(List.of(text.split("\n", -1)));
        if (!l.isEmpty() && l.getLast().isEmpty()) l.removeLast();
        for (int i = 0; i < l.size(); i++) {
            String s = l.get(i);
            if (s.endsWith("\r")) l.set(i, s.substring(0, s.length() - 1));
        }
        this.lines = l;
    }

    /** Parses a Dockerfile's text; {@code file} names it in errors. */
    public static Dockerfile parse(String file, String text) {
        return new Parser(file, text).run();
    }

    /**
     * A Dockerfile's (or .dockerignore's) bytes as text: refused when larger than {@link #MAX_BYTES}, or when not
     * UTF-8, at the line and column of the first byte that is not.
     */
    public static String decode(String file, byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            throw new DockerfileException(
                    file,
                    null,
                    "the file is larger than " + (MAX_BYTES >> 20) + " MiB, more than BuildKit "
                            + "reads (one gRPC message): keep data out of it (COPY it from the context)",
                    null);
        }
        CharsetDecoder d = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = d.decode(in, out, true);
        if (r.isError()) {
            int bad = in.position();
            int lineStart = bad;
            while (lineStart > 0 && bytes[lineStart - 1] != '\n') lineStart--;
            int line = 1;
            for (int i = 0; i < lineStart; i++) if (bytes[i] == '\n') line++;
            int column = new String(bytes, lineStart, bad - lineStart, StandardCharsets.UTF_8).length() + 1;
            throw new DockerfileException(
                    file,
                    new Pos(line, column),
                    String.format(
                            "not valid UTF-8 (byte 0x%02x): save the file "
                                    + "as UTF-8, e.g. with iconv -f latin1 -t utf-8",
                            bytes[bad] & 0xff),
                    null);
        }
        d.flush(out);
        return out.flip().toString();
    }

    private DockerfileException error(Pos pos, String reason) {
        return new DockerfileException(file, pos, reason, lines);
    }

    // ------------------------------------------------------------------------------------------ logical lines

    /** Text of one instruction with, for every character, the physical line and column it came from. */
    private static final class Logical {
        final StringBuilder text = new StringBuilder();
        int[] line = new int[64];
        int[] col = new int[64];

        void append(String s, int lineNo, int startCol) {
            for (int i = 0; i < s.length(); i++) {
                if (text.length() == line.length) {
                    line = Arrays.copyOf(line, line.length * 2);
                    col = Arrays.copyOf(col, col.length * 2);
                }
                line[text.length()] = lineNo;
                col[text.length()] = startCol + i;
                text.append(s.charAt(i));
            }
        }

        Pos pos(int offset) {
            if (text.isEmpty()) return new Pos(1, 1);
            int o = Math.max(0, Math.min(offset, text.length() - 1));
            if (offset >= text.length()) return new Pos(line[o], col[o] + 1 + (offset - o));
            return new Pos(line[o], col[o] + 1);
        }
    }

    private Dockerfile run() {
        for (int n = 0; n < lines.size(); n++) {
            if (utf8Length(lines.get(n)) > MAX_LINE_BYTES) {
                throw error(new Pos(n + 1, 1), "dockerfile line greater than max allowed size of " + MAX_LINE_BYTES);
            }
        }
        List<Instruction> out = new ArrayList<>();
        boolean directivesDone = false;
        int i = 0;
        while (i < lines.size()) {
            String raw = lines.get(i);
            int lineNo = i + 1;
            i++;
            if (!directivesDone) {
                Matcher m = DIRECTIVE.matcher(raw);
                if (m.matches() && DIRECTIVES.contains(m.group(1).toLowerCase(Locale.ROOT))) {
                    String k = m.group(1).toLowerCase(Locale.ROOT);
                    if (directives.containsKey(k))
                        throw error(new Pos(lineNo, 1), "only one " + k + " parser directive can be used");
                    String v = m.group(2);
                    if (k.equals("escape")) {
                        if (!v.equals("`") && !v.equals("\\")) {
                            throw error(
                                    new Pos(lineNo, raw.indexOf(v) + 1),
                                    "invalid escape token '" + v + "' does not match ` or \\");
                        }
                        escape = v.charAt(0);
                    }
                    if (k.equals("syntax")) checkSyntax(v, new Pos(lineNo, raw.indexOf(v) + 1));
                    directives.put(k, v);
                    continue;
                }
                directivesDone = true;
            }
            String trimmed = stripLeading(raw);
            if (trimmed.startsWith("#")) {
                comments.add(new Dockerfile.Comment(trimmed.substring(1).trim(), lineNo));
                continue;
            }
            if (trimmed.isEmpty()) continue;
            Logical logical = new Logical();
            int firstCol = raw.length() - trimmed.length();
            boolean[] cont = new boolean[1];
            String content = trimContinuation(trimmed, cont);
            logical.append(content, lineNo, firstCol);
            boolean emptyContinuation = false;
            while (cont[0] && i < lines.size()) {
                String next = lines.get(i);
                int nextNo = i + 1;
                i++;
                if (stripLeading(next).startsWith("#")) continue;
                if (stripLeading(next).isEmpty()) {
                    emptyContinuation = true;
                    continue;
                }
                String c = trimContinuation(next, cont);
                logical.append(c, nextNo, 0);
            }
            int endLine = i;
            if (emptyContinuation) {
                // at the instruction's last line, as BuildKit reports it
                warnings.add(new Dockerfile.Warning(
                        "NoEmptyContinuation",
                        "Empty continuation line found in: "
                                + logical.text.toString().trim(),
                        new Pos(endLine, 1)));
            }
            Instruction ins = instruction(logical, 0, endLine);
            // heredoc bodies follow the instruction's last line
            List<Heredoc> docs = heredocsOf(ins, logical);
            if (!docs.isEmpty()) {
                List<Heredoc> filled = new ArrayList<>();
                for (Heredoc h : docs) {
                    StringBuilder body = new StringBuilder();
                    boolean terminated = false;
                    while (i < lines.size()) {
                        String b = lines.get(i);
                        i++;
                        String candidate = h.chomp() ? b.replaceFirst("^\t+", "") : b;
                        if (candidate.equals(h.name())) {
                            terminated = true;
                            break;
                        }
                        body.append(b).append('\n');
                    }
                    if (!terminated)
                        throw error(h.pos(), "unterminated heredoc \"" + h.name() + "\" started at " + h.pos());
                    filled.add(
                            new Heredoc(h.name(), body.toString(), h.expand(), h.chomp(), h.fileDescriptor(), h.pos()));
                }
                ins = withHeredocs(ins, filled, i);
            }
            out.add(ins);
        }
        return new Dockerfile(file, lines, escape, directives, out, warnings, comments);
    }

    /** The frontends whose Dockerfiles whittle's own frontend builds: any version or digest of them. */
    private static final Set<String> DOCKERFILE_FRONTENDS =
            Set.of("docker.io/docker/dockerfile", "docker.io/docker/dockerfile-upstream");

    /**
     * {@code # syntax=}: BuildKit would run the image it names as the frontend. whittle has one frontend, its own,
     * which follows docker/dockerfile; another (a custom frontend, or a name BuildKit cannot resolve) would build
     * something else, or nothing, so it is refused rather than ignored.
     */
    private void checkSyntax(String v, Pos pos) {
        String ref = v.trim();
        boolean ours;
        try {
            ImageRef r = ImageRef.parse(ref);
            ours = DOCKERFILE_FRONTENDS.contains(r.domain() + "/" + r.path());
        } catch (IllegalArgumentException e) {
            ours = false;
        }
        if (!ours) {
            throw error(
                    pos,
                    "unsupported frontend \"" + ref
                            + "\" in # syntax=: whittle builds with its own Dockerfile frontend, "
                            + "so the directive may name only docker/dockerfile (any version), or be left out");
        }
    }

    /** The length of a line in UTF-8 bytes, as BuildKit's scanner counts it. */
    private static int utf8Length(String s) {
        if (s.length() <= MAX_LINE_BYTES / 3) return s.length(); // at most 3 bytes per char: short enough anyway
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return n;
    }

    private static String stripLeading(String s) {
        int k = 0;
        while (k < s.length() && (s.charAt(k) == ' ' || s.charAt(k) == '\t')) k++;
        return s.substring(k);
    }

    /**
     * Removes a trailing escape character (plus trailing blanks); sets cont[0] if the line continues. As BuildKit's
     * lineContinuationRegex: an escape character preceded by another one ({@code ENV C trailing\\}) is an escaped
     * escape, and the line ends there.
     */
    private String trimContinuation(String s, boolean[] cont) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) end--;
        if (end > 0 && s.charAt(end - 1) == escape && (end == 1 || s.charAt(end - 2) != escape)) {
            cont[0] = true;
            return s.substring(0, end - 1);
        }
        cont[0] = false;
        return s;
    }

    // ------------------------------------------------------------------------------------------- instructions

    private Instruction instruction(Logical l, int from, int endLine) {
        String text = l.text.toString();
        int k = from;
        while (k < text.length() && Character.isWhitespace(text.charAt(k))) k++;
        int kwEnd = k;
        while (kwEnd < text.length() && !Character.isWhitespace(text.charAt(kwEnd))) kwEnd++;
        String keyword = text.substring(k, kwEnd);
        Pos pos = l.pos(k);
        String upper = keyword.toUpperCase(Locale.ROOT);
        if (!INSTRUCTIONS.contains(upper)) {
            String hint = suggest(upper);
            throw error(pos, "unknown instruction: " + keyword + (hint == null ? "" : " (did you mean " + hint + "?)"));
        }
        int restStart = kwEnd;
        while (restStart < text.length() && Character.isWhitespace(text.charAt(restStart))) restStart++;
        List<Flag> flags = new ArrayList<>();
        int argsStart = extractFlags(l, text, restStart, flags);
        String args = text.substring(argsStart);
        Instruction.Common common = new Instruction.Common(
                keyword, pos, endLine, flags, text.substring(restStart).trim());
        checkFlags(upper, flags);
        return switch (upper) {
            case "FROM" -> from(common, l, argsStart, args);
            case "RUN" -> new Instruction.Run(common, command(l, argsStart, args, upper, pos), List.of());
            case "CMD" -> new Instruction.Cmd(common, command(l, argsStart, args, upper, pos));
            case "ENTRYPOINT" -> new Instruction.Entrypoint(common, command(l, argsStart, args, upper, pos));
            case "SHELL" -> {
                Instruction.Command c = command(l, argsStart, args, upper, pos);
                if (!c.exec()) throw error(pos, "SHELL requires the arguments to be in JSON form");
                if (c.args().isEmpty()) throw error(pos, "SHELL requires at least one argument");
                yield new Instruction.Shell(common, c.args());
            }
            case "COPY", "ADD" -> copy(common, l, argsStart, args, upper.equals("ADD"));
            case "ENV" -> {
                List<Instruction.KeyValue> kv = nameValues(l, argsStart, args, "ENV", pos);
                yield new Instruction.Env(common, kv, legacy);
            }
            case "LABEL" -> {
                List<Instruction.KeyValue> kv = nameValues(l, argsStart, args, "LABEL", pos);
                yield new Instruction.Label(common, kv, legacy);
            }
            case "ARG" -> arg(common, l, argsStart, args);
            case "MAINTAINER" -> new Instruction.Maintainer(common, requireOne(l, argsStart, args, upper, pos));
            case "EXPOSE" -> {
                List<Word> ports = whitespaceWords(l, argsStart, args);
                if (ports.isEmpty()) throw error(pos, "EXPOSE requires at least one argument");
                yield new Instruction.Expose(common, ports);
            }
            case "VOLUME" -> {
                List<Word> paths = maybeJsonList(l, argsStart, args);
                if (paths.isEmpty()) throw error(pos, "VOLUME requires at least one argument");
                for (Word w : paths)
                    if (w.text().isBlank()) throw error(w.pos(), "VOLUME specified can not be an empty string");
                yield new Instruction.Volume(common, paths, isJsonArray(args));
            }
            case "USER" -> new Instruction.User(common, requireOne(l, argsStart, args, upper, pos));
            case "WORKDIR" -> new Instruction.Workdir(common, requireOne(l, argsStart, args, upper, pos));
            case "STOPSIGNAL" -> new Instruction.StopSignal(common, requireOne(l, argsStart, args, upper, pos));
            case "HEALTHCHECK" -> healthcheck(common, l, argsStart, args, pos);
            case "ONBUILD" -> onbuild(common, l, argsStart, args, pos);
            default -> throw error(pos, "unknown instruction: " + keyword);
        };
    }

    private boolean legacy;

    private static String suggest(String upper) {
        return closest(upper, INSTRUCTIONS);
    }

    /**
     * The option nearest to a misspelt value (fewer than three edits), for "did you mean"; null when none is near or
     * the value is one of them. BuildKit's suggest.Search.
     */
    static String closest(String value, Iterable<String> options) {
        String best = null;
        int bestD = 3;
        for (String c : options) {
            if (c.equals(value)) return null;
            int d = levenshtein(value, c);
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        return best;
    }

    static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(
                        Math.min(cur[j - 1] + 1, prev[j] + 1),
                        prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static final Map<String, Set<String>> FLAGS = Map.ofEntries(
            Map.entry("FROM", Set.of("platform")),
            Map.entry("RUN", Set.of("mount", "network", "security")),
            Map.entry("COPY", Set.of("from", "chown", "chmod", "link", "parents", "exclude")),
            Map.entry(
                    "ADD",
                    Set.of("chown", "chmod", "link", "keep-git-dir", "checksum", "exclude", "unpack", "parents")),
            Map.entry("HEALTHCHECK", Set.of("interval", "timeout", "start-period", "start-interval", "retries")));
    private static final Set<String> BOOL_FLAGS = Set.of("link", "parents", "keep-git-dir", "unpack");
    private static final Set<String> REPEATABLE = Set.of("mount", "exclude");

    private void checkFlags(String instruction, List<Flag> flags) {
        Set<String> allowed = FLAGS.getOrDefault(instruction, Set.of());
        Set<String> seen = new HashSet<>();
        for (Flag f : flags) {
            if (!allowed.contains(f.name())) {
                String hint = closest(f.name(), allowed.stream().sorted().toList());
                throw error(
                        f.pos(),
                        "unknown flag: --" + f.name()
                                + (allowed.isEmpty()
                                        ? " (" + instruction + " takes no flags)"
                                        : hint != null
                                                ? " (did you mean " + hint + "?)"
                                                : " (" + instruction + " accepts "
                                                        + String.join(
                                                                ", ",
                                                                allowed.stream()
                                                                        .sorted()
                                                                        .map(s -> "--" + s)
                                                                        .toList())
                                                        + ")"));
            }
            if (!REPEATABLE.contains(f.name()) && !seen.add(f.name()))
                throw error(f.pos(), "duplicate flag specified: --" + f.name());
            if (BOOL_FLAGS.contains(f.name())) {
                if (f.value() != null
                        && !f.value().equalsIgnoreCase("true")
                        && !f.value().equalsIgnoreCase("false")) {
                    throw error(f.pos(), "expecting boolean value for flag --" + f.name() + ", not: " + f.value());
                }
            } else if (f.value() == null) {
                throw error(f.pos(), "missing a value on flag: --" + f.name());
            }
        }
    }

    /** BuildKit's extractBuilderFlags: leading {@code --name[=value]} words, quotes and escapes allowed in values. */
    private int extractFlags(Logical l, String text, int start, List<Flag> out) {
        int pos = start;
        while (true) {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) pos++;
            if (pos + 1 >= text.length() || text.charAt(pos) != '-' || text.charAt(pos + 1) != '-') return pos;
            int wordStart = pos;
            StringBuilder word = new StringBuilder();
            char quote = 0;
            while (pos < text.length()) {
                char ch = text.charAt(pos);
                if (quote == 0 && Character.isWhitespace(ch)) break;
                if (quote == 0 && (ch == '\'' || ch == '"')) {
                    quote = ch;
                    pos++;
                    continue;
                }
                if (quote != 0 && ch == quote) {
                    quote = 0;
                    pos++;
                    continue;
                }
                if (ch == '\\' && pos + 1 < text.length()) {
                    pos++;
                    ch = text.charAt(pos);
                }
                word.append(ch);
                pos++;
            }
            String w = word.toString();
            if (w.equals("--")) return pos;
            String body = w.substring(2);
            int eq = body.indexOf('=');
            String name = eq < 0 ? body : body.substring(0, eq);
            String value = eq < 0 ? null : body.substring(eq + 1);
            out.add(new Flag(name.toLowerCase(Locale.ROOT), value, l.pos(wordStart)));
        }
    }

    private Instruction.From from(Instruction.Common c, Logical l, int off, String args) {
        List<Word> w = whitespaceWords(l, off, args);
        if (w.size() != 1 && w.size() != 3) {
            throw error(c.pos(), "FROM requires either one or three arguments: FROM <image> [AS <name>]");
        }
        if (w.size() == 3 && !w.get(1).text().equalsIgnoreCase("as")) {
            throw error(
                    w.get(1).pos(),
                    "FROM's second argument must be AS, not \"" + w.get(1).text() + "\"");
        }
        return new Instruction.From(c, w.get(0), w.size() == 3 ? w.get(2) : null, w.size() == 3 ? w.get(1) : null);
    }

    private Instruction.Command command(Logical l, int off, String args, String name, Pos pos) {
        String trimmed = args.trim();
        if (trimmed.startsWith("[")) {
            List<Word> json = jsonStrings(l, off, args);
            if (json != null) return new Instruction.Command(true, json, null);
        }
        int lead = 0;
        while (lead < args.length() && Character.isWhitespace(args.charAt(lead))) lead++;
        if (trimmed.isEmpty() && !name.equals("CMD") && !name.equals("ENTRYPOINT")) {
            throw error(pos, name + " requires at least one argument");
        }
        return new Instruction.Command(false, List.of(), new Word(trimmed, l.pos(off + lead)));
    }

    /** A JSON array of strings, or null when the text is not valid JSON (BuildKit then takes it as shell form). */
    private List<Word> jsonStrings(Logical l, int off, String args) {
        Object v;
        try {
            v = Json.parse(args.trim());
        } catch (JsonException e) {
            return null;
        }
        if (!(v instanceof List<?> list)) return null;
        List<Word> out = new ArrayList<>();
        int search = 0;
        for (Object o : list) {
            if (!(o instanceof String s)) {
                throw error(l.pos(off), "dockerfile JSON arrays may hold strings only");
            }
            int at = args.indexOf('"', search);
            out.add(new Word(s, l.pos(off + Math.max(at, 0))));
            if (at >= 0) search = skipJsonString(args, at);
        }
        return out;
    }

    private static int skipJsonString(String s, int quoteAt) {
        int i = quoteAt + 1;
        while (i < s.length() && s.charAt(i) != '"') {
            if (s.charAt(i) == '\\') i++;
            i++;
        }
        return i + 1;
    }

    private boolean isJsonArray(String args) {
        String t = args.trim();
        if (!t.startsWith("[")) return false;
        try {
            return Json.parse(t) instanceof List<?>;
        } catch (JsonException e) {
            return false;
        }
    }

    private List<Word> maybeJsonList(Logical l, int off, String args) {
        if (args.trim().startsWith("[")) {
            List<Word> json = jsonStrings(l, off, args);
            if (json != null) return json;
        }
        return whitespaceWords(l, off, args);
    }

    private static List<Word> whitespaceWords(Logical l, int off, String args) {
        List<Word> out = new ArrayList<>();
        int i = 0;
        while (i < args.length()) {
            while (i < args.length() && Character.isWhitespace(args.charAt(i))) i++;
            if (i >= args.length()) break;
            int s = i;
            while (i < args.length() && !Character.isWhitespace(args.charAt(i))) i++;
            out.add(new Word(args.substring(s, i), l.pos(off + s)));
        }
        return out;
    }

    /** BuildKit's parseWords: whitespace-separated, quotes and escapes kept in the words (they are processed on expansion). */
    private List<Word> quotedWords(Logical l, int off, String rest) {
        List<Word> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        int wordStart = -1;
        int phase = 0; // 0 spaces, 1 word, 2 quote
        char quote = 0;
        boolean blankOk = false;
        for (int pos = 0; pos <= rest.length(); pos++) {
            char ch = pos < rest.length() ? rest.charAt(pos) : 0;
            if (phase == 0) {
                if (pos == rest.length()) break;
                if (Character.isWhitespace(ch)) continue;
                phase = 1;
                wordStart = pos;
            }
            if (pos == rest.length()) {
                if (blankOk || !word.isEmpty()) words.add(new Word(word.toString(), l.pos(off + wordStart)));
                break;
            }
            if (phase == 1) {
                if (Character.isWhitespace(ch)) {
                    phase = 0;
                    if (blankOk || !word.isEmpty()) words.add(new Word(word.toString(), l.pos(off + wordStart)));
                    word.setLength(0);
                    blankOk = false;
                    continue;
                }
                if (ch == '\'' || ch == '"') {
                    quote = ch;
                    blankOk = true;
                    phase = 2;
                }
                if (ch == escape) {
                    if (pos + 1 == rest.length()) continue;
                    word.append(ch);
                    pos++;
                    ch = rest.charAt(pos);
                }
                word.append(ch);
                continue;
            }
            // in quote
            if (ch == quote) phase = 1;
            if (ch == escape && quote != '\'') {
                if (pos + 1 == rest.length()) {
                    phase = 1;
                    continue;
                }
                pos++;
                word.append(ch);
                ch = rest.charAt(pos);
            }
            word.append(ch);
        }
        return words;
    }

    private List<Instruction.KeyValue> nameValues(Logical l, int off, String rest, String name, Pos pos) {
        List<Word> words = quotedWords(l, off, rest);
        if (words.isEmpty()) throw error(pos, name + " requires at least one argument");
        List<Instruction.KeyValue> out = new ArrayList<>();
        if (!words.getFirst().text().contains("=")) {
            // legacy form: NAME value with spaces
            legacy = true;
            String t = rest.trim();
            int lead = rest.indexOf(t);
            int sp = 0;
            while (sp < t.length() && !Character.isWhitespace(t.charAt(sp))) sp++;
            if (sp >= t.length()) throw error(pos, name + " must have two arguments");
            int vs = sp;
            while (vs < t.length() && Character.isWhitespace(t.charAt(vs))) vs++;
            out.add(new Instruction.KeyValue(
                    new Word(t.substring(0, sp), l.pos(off + lead)),
                    new Word(t.substring(vs), l.pos(off + lead + vs))));
            return out;
        }
        legacy = false;
        for (Word w : words) {
            int eq = w.text().indexOf('=');
            if (eq < 0) {
                throw error(
                        w.pos(),
                        "Syntax error - can't find = in \"" + w.text() + "\". Must be of the form: name=value");
            }
            if (eq == 0) throw error(w.pos(), name + " names can not be blank");
            out.add(new Instruction.KeyValue(
                    new Word(w.text().substring(0, eq), w.pos()),
                    new Word(
                            w.text().substring(eq + 1),
                            new Pos(w.pos().line(), w.pos().column() + eq + 1))));
        }
        return out;
    }

    private Instruction.Arg arg(Instruction.Common c, Logical l, int off, String rest) {
        List<Word> words = quotedWords(l, off, rest);
        if (words.isEmpty()) throw error(c.pos(), "ARG requires at least one argument");
        List<Instruction.ArgDef> defs = new ArrayList<>();
        for (Word w : words) {
            int eq = w.text().indexOf('=');
            if (eq == 0) throw error(w.pos(), "ARG names can not be blank");
            if (eq < 0) {
                defs.add(new Instruction.ArgDef(w, null));
            } else {
                defs.add(new Instruction.ArgDef(
                        new Word(w.text().substring(0, eq), w.pos()),
                        new Word(
                                w.text().substring(eq + 1),
                                new Pos(w.pos().line(), w.pos().column() + eq + 1))));
            }
        }
        return new Instruction.Arg(c, defs);
    }

    private Word requireOne(Logical l, int off, String args, String name, Pos pos) {
        String t = args.trim();
        if (t.isEmpty()) throw error(pos, name + " requires exactly one argument");
        return new Word(t, l.pos(off + args.indexOf(t)));
    }

    private Instruction.Copy copy(Instruction.Common c, Logical l, int off, String args, boolean add) {
        List<Word> words = maybeJsonList(l, off, args);
        boolean json = isJsonArray(args);
        String name = add ? "ADD" : "COPY";
        if (words.size() < 2 && !(words.size() == 1 && words.getFirst().text().contains("<<"))) {
            throw error(c.pos(), name + " requires at least two arguments, but only " + words.size() + " provided");
        }
        return new Instruction.Copy(c, add, words.subList(0, words.size() - 1), words.getLast(), List.of(), json);
    }

    private Instruction.Healthcheck healthcheck(Instruction.Common c, Logical l, int off, String args, Pos pos) {
        String t = args.trim();
        if (t.isEmpty()) throw error(pos, "HEALTHCHECK requires an argument: NONE or CMD");
        int sp = 0;
        while (sp < t.length() && !Character.isWhitespace(t.charAt(sp))) sp++;
        String type = t.substring(0, sp).toUpperCase(Locale.ROOT);
        int lead = args.indexOf(t);
        if (type.equals("NONE")) {
            if (sp < t.length()) throw error(pos, "HEALTHCHECK NONE takes no arguments");
            if (!c.flags().isEmpty()) throw error(c.flags().getFirst().pos(), "HEALTHCHECK NONE takes no flags");
            return new Instruction.Healthcheck(c, null);
        }
        if (!type.equals("CMD"))
            throw error(l.pos(off + lead), "unknown type \"" + t.substring(0, sp) + "\" in HEALTHCHECK (try CMD)");
        String rest = t.substring(sp);
        Instruction.Command cmd = command(l, off + lead + sp, rest, "HEALTHCHECK", pos);
        if (!cmd.exec() && cmd.shell().text().isEmpty()) throw error(pos, "Missing command after HEALTHCHECK CMD");
        return new Instruction.Healthcheck(c, cmd);
    }

    private Instruction.Onbuild onbuild(Instruction.Common c, Logical l, int off, String args, Pos pos) {
        String t = args.trim();
        if (t.isEmpty()) throw error(pos, "ONBUILD requires at least one argument");
        Instruction trigger = instruction(l, off + args.indexOf(t), c.endLine());
        switch (trigger.name()) {
            case "ONBUILD" -> throw error(trigger.pos(), "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
            case "FROM", "MAINTAINER" ->
                throw error(trigger.pos(), trigger.name() + " isn't allowed as an ONBUILD trigger");
            default -> {}
        }
        return new Instruction.Onbuild(c, trigger, t);
    }

    // ----------------------------------------------------------------------------------------------- heredocs

    private List<Heredoc> heredocsOf(Instruction ins, Logical l) {
        Instruction target = ins instanceof Instruction.Onbuild o ? o.trigger() : ins;
        boolean can = switch (target) {
            case Instruction.Run r -> !r.command().exec();
            case Instruction.Copy cp -> !cp.json();
            default -> false;
        };
        String text = l.text.toString();
        if (!can || !text.contains("<<")) return List.of();
        try {
            return heredocWords(text, l);
        } catch (ShellLex.ExpansionException e) {
            // BuildKit fails the same way: the line is split into words before heredocs are found
            throw error(ins.pos(), e.getMessage());
        }
    }

    private List<Heredoc> heredocWords(String text, Logical l) {
        List<String> words = new ShellLex('\\').rawQuotes(true).rawEscapes(true).processWords(text, k -> null);
        List<Heredoc> docs = new ArrayList<>();
        for (String w : words) {
            Matcher m = HEREDOC.matcher(w);
            if (!m.matches() || m.group(3).isEmpty()) continue;
            String rest = m.group(3);
            List<String> plain = new ShellLex('\\').skipUnsetEnv(true).processWords(rest, k -> null);
            if (plain.size() != 1) continue;
            List<String> raw =
                    new ShellLex('\\').skipUnsetEnv(true).rawQuotes(true).processWords(rest, k -> null);
            String name = plain.getFirst();
            long q1 = name.chars().filter(ch -> ch == '\'' || ch == '"').count();
            long q2 =
                    raw.getFirst().chars().filter(ch -> ch == '\'' || ch == '"').count();
            int at = text.indexOf("<<" + m.group(2) + rest);
            if (at < 0) at = text.indexOf("<<");
            int fd = m.group(1).isEmpty() ? 0 : descriptor(m.group(1), l.pos(Math.max(0, at)));
            docs.add(new Heredoc(name, "", q1 == q2, m.group(2).equals("-"), fd, l.pos(Math.max(0, at))));
        }
        return docs;
    }

    /** A heredoc's file descriptor ({@code 3<<EOF}); a number no descriptor can have is the user's error. */
    private int descriptor(String digits, Pos pos) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw error(pos, "invalid heredoc file descriptor " + digits);
        }
    }

    private Instruction withHeredocs(Instruction ins, List<Heredoc> docs, int endLine) {
        return switch (ins) {
            case Instruction.Run r -> new Instruction.Run(withEnd(r.common(), endLine), r.command(), docs);
            case Instruction.Copy c -> {
                // heredoc words are sources; they are replaced by the heredocs themselves
                List<Word> sources = c.sources().stream()
                        .filter(w -> !w.text().contains("<<"))
                        .toList();
                yield new Instruction.Copy(withEnd(c.common(), endLine), c.add(), sources, c.dest(), docs, c.json());
            }
            case Instruction.Onbuild o -> {
                // the trigger the image keeps carries its heredocs, as BuildKit writes it (the child parses it again)
                StringBuilder expression = new StringBuilder(o.expression());
                for (Heredoc h : docs)
                    expression.append('\n').append(h.content()).append(h.name());
                yield new Instruction.Onbuild(
                        withEnd(o.common(), endLine), withHeredocs(o.trigger(), docs, endLine), expression.toString());
            }
            default -> ins;
        };
    }

    private static Instruction.Common withEnd(Instruction.Common c, int endLine) {
        return new Instruction.Common(c.keyword(), c.pos(), endLine, c.flags(), c.text());
    }
}
