package dev.whittle.dockerfile;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Variable substitution and word splitting exactly as BuildKit's {@code shell.Lex} does them: single and double
 * quotes, the escape character, {@code $v ${v} ${v:-w} ${v-w} ${v:+w} ${v+w} ${v:?m} ${v?m} ${v#p} ${v##p} ${v%p}
 * ${v%%p} ${v/p/r} ${v//p/r}}. Names looked up are recorded, so callers can report undefined variables.
 */
public final class ShellLex {
    private final char escape;
    private boolean rawQuotes;
    private boolean rawEscapes;
    private boolean skipUnsetEnv;
    private boolean skipProcessQuotes;

    public ShellLex(char escape) {
        this.escape = escape;
    }

    public ShellLex rawQuotes(boolean v) {
        rawQuotes = v;
        return this;
    }

    public ShellLex rawEscapes(boolean v) {
        rawEscapes = v;
        return this;
    }

    public ShellLex skipUnsetEnv(boolean v) {
        skipUnsetEnv = v;
        return this;
    }

    /** Quotes are plain characters (BuildKit's SkipProcessQuotes): a heredoc's text is no shell word. */
    public ShellLex skipProcessQuotes(boolean v) {
        skipProcessQuotes = v;
        return this;
    }

    /** The result of processing: the single word, the split words, and the variable names seen. */
    public record Result(String word, List<String> words, Set<String> matched, Set<String> unmatched) {}

    /** Expands a word: quotes removed, variables substituted, no splitting. */
    public String processWord(String word, Function<String, String> env) {
        return process(word, env).word();
    }

    /** Expands and splits into words on unquoted whitespace. */
    public List<String> processWords(String word, Function<String, String> env) {
        return process(word, env).words();
    }

    public Result process(String source, Function<String, String> env) {
        Scanner sc = new Scanner(source);
        Run r = new Run(sc, env == null ? k -> null : env);
        try {
            Out o = r.processStopOn(EOF, rawEscapes);
            return new Result(o.result, o.words, r.matched, r.unmatched);
        } catch (ExpansionException e) {
            throw new ExpansionException("failed to process \"" + source + "\": " + e.getMessage());
        }
    }

    /** Substitution failed; the message is BuildKit's. */
    public static final class ExpansionException extends RuntimeException {
        public ExpansionException(String message) {
            super(message);
        }
    }

    private static final int EOF = -1;

    /**
     * The longest text one word may expand to (the largest Dockerfile): each {@code ENV A=$A$A} doubles a value, and
     * a few dozen of them would fill any memory.
     */
    static final int MAX_EXPANSION = Parser.MAX_BYTES;

    private static void bounded(StringBuilder sb) {
        if (sb.length() > MAX_EXPANSION) {
            throw new ExpansionException("the expansion is longer than " + (MAX_EXPANSION >> 20) + " Mi characters");
        }
    }

    private static final class Scanner {
        final String s;
        int i;

        Scanner(String s) {
            this.s = s;
        }

        int peek() {
            return i < s.length() ? s.codePointAt(i) : EOF;
        }

        int next() {
            if (i >= s.length()) return EOF;
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            return c;
        }
    }

    private record Out(String result, List<String> words) {}

    /** Word accumulation as BuildKit's wordsStruct. */
    private static final class Words {
        final StringBuilder word = new StringBuilder();
        final List<String> words = new ArrayList<>();
        boolean inWord;

        void addChar(int ch) {
            if (Character.isWhitespace(ch) && inWord) {
                if (!word.isEmpty()) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else if (!Character.isWhitespace(ch)) {
                addRawChar(ch);
            }
        }

        void addRawChar(int ch) {
            word.appendCodePoint(ch);
            inWord = true;
        }

        void addString(String s) {
            s.codePoints().forEach(this::addChar);
        }

        void addRawString(String s) {
            word.append(s);
            inWord = true;
        }

        List<String> get() {
            if (!word.isEmpty()) {
                words.add(word.toString());
                word.setLength(0);
                inWord = false;
            }
            return words;
        }
    }

    private final class Run {
        final Scanner sc;
        final Function<String, String> env;
        final Set<String> matched = new HashSet<>();
        final Set<String> unmatched = new HashSet<>();

        Run(Scanner sc, Function<String, String> env) {
            this.sc = sc;
            this.env = env;
        }

        Out processStopOn(int stop, boolean rawEsc) {
            return processStopOnAny(new int[] {stop}, rawEsc);
        }

        int lastStop;

        Out processStopOnAny(int[] stops, boolean rawEsc) {
            StringBuilder result = new StringBuilder();
            Words words = new Words();
            boolean stopAtEof = stops.length == 1 && stops[0] == EOF;
            while (sc.peek() != EOF) {
                int ch = sc.peek();
                for (int s : stops) {
                    if (s != EOF && ch == s) {
                        sc.next();
                        lastStop = s;
                        return new Out(result.toString(), words.get());
                    }
                }
                if (ch == '$') {
                    String tmp = processDollar();
                    bounded(result.append(tmp));
                    words.addString(tmp);
                } else if (ch == '\'' && !skipProcessQuotes) {
                    String tmp = processSingleQuote();
                    result.append(tmp);
                    words.addRawString(tmp);
                } else if (ch == '"' && !skipProcessQuotes) {
                    String tmp = processDoubleQuote();
                    result.append(tmp);
                    words.addRawString(tmp);
                } else {
                    ch = sc.next();
                    if (ch == escape) {
                        if (rawEsc) {
                            words.addRawChar(ch);
                            result.appendCodePoint(ch);
                        }
                        ch = sc.next();
                        if (ch == EOF) break;
                        words.addRawChar(ch);
                    } else {
                        words.addChar(ch);
                    }
                    result.appendCodePoint(ch);
                }
            }
            if (!stopAtEof) {
                throw new ExpansionException("unexpected end of statement while looking for matching "
                        + new String(Character.toChars(stops[0])));
            }
            return new Out(result.toString(), words.get());
        }

        String processSingleQuote() {
            StringBuilder r = new StringBuilder();
            int ch = sc.next();
            if (rawQuotes) r.appendCodePoint(ch);
            while (true) {
                ch = sc.next();
                if (ch == EOF)
                    throw new ExpansionException("unexpected end of statement while looking for matching single-quote");
                if (ch == '\'') {
                    if (rawQuotes) r.appendCodePoint(ch);
                    return r.toString();
                }
                r.appendCodePoint(ch);
            }
        }

        String processDoubleQuote() {
            StringBuilder r = new StringBuilder();
            int ch = sc.next();
            if (rawQuotes) r.appendCodePoint(ch);
            while (true) {
                int p = sc.peek();
                if (p == EOF)
                    throw new ExpansionException("unexpected end of statement while looking for matching double-quote");
                if (p == '"') {
                    ch = sc.next();
                    if (rawQuotes) r.appendCodePoint(ch);
                    return r.toString();
                }
                if (p == '$') {
                    bounded(r.append(processDollar()));
                    continue;
                }
                ch = sc.next();
                if (ch == escape) {
                    if (rawEscapes) r.appendCodePoint(ch);
                    int n = sc.peek();
                    if (n == EOF) continue;
                    if (n == '"' || n == '$' || n == escape) ch = sc.next();
                }
                r.appendCodePoint(ch);
            }
        }

        String getEnv(String name, boolean[] set) {
            String v = env.apply(name);
            set[0] = v != null;
            if (v != null) matched.add(name);
            else unmatched.add(name);
            return v == null ? "" : v;
        }

        @SuppressWarnings("fallthrough") // ":" then falls into the operator cases, as BuildKit's switch does
        String processDollar() {
            sc.next();
            boolean[] set = new boolean[1];
            if (sc.peek() != '{') {
                String name = processName();
                if (name.isEmpty()) return "$";
                String v = getEnv(name, set);
                if (!set[0] && skipUnsetEnv) return "$" + name;
                return v;
            }
            sc.next();
            int p = sc.peek();
            if (p == EOF) throw new ExpansionException("syntax error: missing '}'");
            if (p == '{' || p == '}' || p == ':') throw new ExpansionException("syntax error: bad substitution");
            String name = processName();
            int ch = sc.next();
            String chs = ch == EOF ? "" : new String(Character.toChars(ch));
            boolean nullIsUnset = false;
            switch (ch) {
                case '}': {
                    String v = getEnv(name, set);
                    if (!set[0] && skipUnsetEnv) return "${" + name + "}";
                    return v;
                }
                case ':':
                    nullIsUnset = true;
                    ch = sc.next();
                    chs += ch == EOF ? "" : new String(Character.toChars(ch));
                // fall through
                case '+':
                case '-':
                case '?':
                case '#':
                case '%': {
                    boolean rawEsc = ch == '#' || ch == '%';
                    if (nullIsUnset && rawEsc)
                        throw new ExpansionException("unsupported modifier (" + chs + ") in substitution");
                    if (ch != '+' && ch != '-' && ch != '?' && ch != '#' && ch != '%') {
                        throw new ExpansionException("unsupported modifier (" + chs + ") in substitution");
                    }
                    String word;
                    try {
                        word = processStopOnAny(new int[] {'}'}, rawEsc).result();
                    } catch (ExpansionException e) {
                        if (sc.peek() == EOF) throw new ExpansionException("syntax error: missing '}'");
                        throw e;
                    }
                    String value = getEnv(name, set);
                    if (skipUnsetEnv && !set[0]) return "${" + name + chs + word + "}";
                    switch (ch) {
                        case '-':
                            return !set[0] || (nullIsUnset && value.isEmpty()) ? word : value;
                        case '+':
                            return !set[0] || (nullIsUnset && value.isEmpty()) ? "" : word;
                        case '?':
                            if (!set[0])
                                throw new ExpansionException(
                                        name + ": " + (word.isEmpty() ? "is not allowed to be unset" : word));
                            if (nullIsUnset && value.isEmpty()) {
                                throw new ExpansionException(
                                        name + ": " + (word.isEmpty() ? "is not allowed to be empty" : word));
                            }
                            return value;
                        default: {
                            boolean greedy = false;
                            if (!word.isEmpty() && word.charAt(0) == ch) {
                                greedy = true;
                                word = word.substring(1);
                            }
                            return ch == '%' ? trimSuffix(word, value, greedy) : trimPrefix(word, value, greedy);
                        }
                    }
                }
                case '/': {
                    boolean all = sc.peek() == '/';
                    if (all) sc.next();
                    String pattern;
                    try {
                        pattern = processStopOnAny(new int[] {'/', '}'}, true).result();
                    } catch (ExpansionException e) {
                        if (sc.peek() == EOF) throw new ExpansionException("syntax error: missing '}'");
                        throw e;
                    }
                    String replacement = "";
                    if (lastStop == '/') {
                        try {
                            replacement =
                                    processStopOnAny(new int[] {'}'}, true).result();
                        } catch (ExpansionException e) {
                            if (sc.peek() == EOF) throw new ExpansionException("syntax error: missing '}'");
                            throw e;
                        }
                    }
                    String value = getEnv(name, set);
                    if (skipUnsetEnv && !set[0])
                        return "${" + name + "/" + (all ? "/" : "") + pattern + "/" + replacement + "}";
                    ShellPattern re = ShellPattern.compile(pattern, true);
                    int[] v = value.codePoints().toArray();
                    if (all) return replaceAll(re, v, replacement);
                    int[] m = re.find(v, 0);
                    return m == null ? value : text(v, 0, m[0]) + replacement + text(v, m[1], v.length);
                }
                default:
                    if (ch == EOF) throw new ExpansionException("syntax error: missing '}'");
                    throw new ExpansionException("unsupported modifier (" + chs + ") in substitution");
            }
        }

        String processName() {
            StringBuilder name = new StringBuilder();
            while (sc.peek() != EOF) {
                int ch = sc.peek();
                if (name.isEmpty() && Character.isDigit(ch)) {
                    while (sc.peek() != EOF && Character.isDigit(sc.peek())) name.appendCodePoint(sc.next());
                    return name.toString();
                }
                if (name.isEmpty() && "@*#?-$!0".indexOf(ch) >= 0) {
                    return new String(Character.toChars(sc.next()));
                }
                if (!(Character.isLetterOrDigit(ch) || ch == '_')) break;
                name.appendCodePoint(sc.next());
            }
            return name.toString();
        }
    }

    static String trimPrefix(String pattern, String value, boolean greedy) {
        int[] v = value.codePoints().toArray();
        int end = ShellPattern.compile(pattern, greedy).matchAt(v, 0);
        return end < 0 ? value : text(v, end, v.length);
    }

    static String trimSuffix(String pattern, String value, boolean greedy) {
        // shortest rightmost match: reverse both and match leftmost, as BuildKit does
        return reverse(trimPrefix(reversePattern(pattern), reverse(value), greedy));
    }

    /**
     * Every match replaced, as Go's Regexp.ReplaceAllString does it: an empty match right after a match is not
     * replaced, and the search always moves on by at least one character.
     */
    private static String replaceAll(ShellPattern re, int[] v, String replacement) {
        StringBuilder out = new StringBuilder();
        int lastEnd = 0, search = 0;
        while (search <= v.length) {
            int[] m = re.find(v, search);
            if (m == null) break;
            out.append(text(v, lastEnd, m[0]));
            if (m[1] > lastEnd || m[0] == 0) bounded(out.append(replacement));
            lastEnd = m[1];
            search = m[1] > search ? m[1] : search + 1;
        }
        return out.append(text(v, lastEnd, v.length)).toString();
    }

    private static String text(int[] codePoints, int from, int to) {
        return new String(codePoints, from, to - from);
    }

    private static String reverse(String s) {
        return new StringBuilder(s).reverse().toString();
    }

    /** Reverses a pattern keeping each escape before the character it escapes (by code point). */
    private static String reversePattern(String p) {
        int[] cps = p.codePoints().toArray();
        List<int[]> tokens = new ArrayList<>();
        for (int i = 0; i < cps.length; i++) {
            if (cps[i] == '\\' && i + 1 < cps.length) {
                tokens.add(new int[] {cps[i], cps[i + 1]});
                i++;
            } else {
                tokens.add(new int[] {cps[i]});
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = tokens.size() - 1; i >= 0; i--) for (int c : tokens.get(i)) sb.appendCodePoint(c);
        return sb.toString();
    }
}
