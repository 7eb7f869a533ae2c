package dev.whittle.dockerfile;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

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
                    result.append(tmp);
                    words.addString(tmp);
                } else if (ch == '\'') {
                    String tmp = processSingleQuote();
                    result.append(tmp);
                    words.addRawString(tmp);
                } else if (ch == '"') {
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
                throw new ExpansionException("unexpected end of statement while looking for matching " + new String(Character.toChars(stops[0])));
            }
            return new Out(result.toString(), words.get());
        }

        String processSingleQuote() {
            StringBuilder r = new StringBuilder();
            int ch = sc.next();
            if (rawQuotes) r.appendCodePoint(ch);
            while (true) {
                ch = sc.next();
                if (ch == EOF) throw new ExpansionException("unexpected end of statement while looking for matching single-quote");
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
                if (p == EOF) throw new ExpansionException("unexpected end of statement while looking for matching double-quote");
                if (p == '"') {
                    ch = sc.next();
                    if (rawQuotes) r.appendCodePoint(ch);
                    return r.toString();
                }
                if (p == '$') {
                    r.append(processDollar());
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
                case '+': case '-': case '?': case '#': case '%': {
                    boolean rawEsc = ch == '#' || ch == '%';
                    if (nullIsUnset && rawEsc) throw new ExpansionException("unsupported modifier (" + chs + ") in substitution");
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
                            if (!set[0]) throw new ExpansionException(name + ": " + (word.isEmpty() ? "is not allowed to be unset" : word));
                            if (nullIsUnset && value.isEmpty()) {
                                throw new ExpansionException(name + ": " + (word.isEmpty() ? "is not allowed to be empty" : word));
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
                            replacement = processStopOnAny(new int[] {'}'}, true).result();
                        } catch (ExpansionException e) {
                            if (sc.peek() == EOF) throw new ExpansionException("syntax error: missing '}'");
                            throw e;
                        }
                    }
                    String value = getEnv(name, set);
                    if (skipUnsetEnv && !set[0]) return "${" + name + "/" + (all ? "/" : "") + pattern + "/" + replacement + "}";
                    Pattern re = shellPattern(pattern, true, false);
                    Matcher m = re.matcher(value);
                    if (all) return m.replaceAll(Matcher.quoteReplacement(replacement));
                    if (m.find()) return value.substring(0, m.start()) + replacement + value.substring(m.end());
                    return value;
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

    /** A shell glob as a regex: {@code *} (lazy unless greedy), {@code ?}, backslash escapes. */
    static Pattern shellPattern(String pattern, boolean greedy, boolean anchored) {
        StringBuilder out = new StringBuilder();
        if (anchored) out.append('^');
        String star = greedy ? ".*" : ".*?";
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            switch (c) {
                case '*' -> out.append(star);
                case '?' -> out.append('.');
                case '\\' -> {
                    if (i + 1 < pattern.length() && (pattern.charAt(i + 1) == '}' || pattern.charAt(i + 1) == '/')) continue;
                    if (i + 1 >= pattern.length()) throw new ExpansionException("invalid pattern (" + pattern + ") in substitution");
                    char n = pattern.charAt(++i);
                    if (n != '*' && n != '?' && n != '\\') {
                        throw new ExpansionException("invalid pattern (" + pattern + ") in substitution: invalid escape '\\" + n + "'");
                    }
                    out.append('\\').append(n);
                }
                case '[', ']', '{', '}', '.', '+', '(', ')', '|', '^', '$' -> out.append('\\').append(c);
                default -> out.append(c);
            }
        }
        try {
            return Pattern.compile(out.toString(), Pattern.DOTALL);
        } catch (PatternSyntaxException e) {
            throw new ExpansionException("invalid pattern (" + pattern + ") in substitution");
        }
    }

    static String trimPrefix(String pattern, String value, boolean greedy) {
        Matcher m = shellPattern(pattern, greedy, true).matcher(value);
        return m.find() ? value.substring(m.end()) : value;
    }

    static String trimSuffix(String pattern, String value, boolean greedy) {
        // shortest rightmost match: reverse both and match leftmost, as BuildKit does
        return reverse(trimPrefix(reversePattern(pattern), reverse(value), greedy));
    }

    private static String reverse(String s) {
        return new StringBuilder(s).reverse().toString();
    }

    /** Reverses a pattern keeping each escape before the character it escapes. */
    private static String reversePattern(String p) {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < p.length(); i++) {
            if (p.charAt(i) == '\\' && i + 1 < p.length()) {
                tokens.add(p.substring(i, i + 2));
                i++;
            } else {
                tokens.add(String.valueOf(p.charAt(i)));
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = tokens.size() - 1; i >= 0; i--) sb.append(tokens.get(i));
        return sb.toString();
    }
}
