package dev.whittle.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code .dockerignore} with the semantics of moby/patternmatcher: lines starting with {@code #} (at column 1) are
 * comments, patterns are cleaned, {@code !} re-includes, the last matching pattern wins, and a pattern that
 * matches a parent directory matches everything below it.
 */
public final class DockerIgnore {
    private final List<Rule> rules;
    private final boolean exceptions;

    private DockerIgnore(List<Rule> rules) {
        this.rules = List.copyOf(rules);
        this.exceptions = rules.stream().anyMatch(Rule::exclusion);
    }

    public static DockerIgnore none() {
        return new DockerIgnore(List.of());
    }

    private enum Kind {
        EXACT,
        PREFIX,
        SUFFIX,
        REGEX
    }

    /**
     * One pattern. {@code literal} is its longest run of plain characters: a path that does not contain it cannot
     * match, nor can any of its parents, which settles most paths without running a regular expression.
     */
    private record Rule(String pattern, boolean exclusion, Kind kind, Pattern regex, String text, String literal) {
        /** Whether the first {@code end} characters of {@code path} match. */
        boolean matches(String path, int end) {
            return switch (kind) {
                case EXACT -> end == pattern.length() && path.startsWith(pattern);
                case PREFIX -> {
                    int len = pattern.length() - 2;
                    yield end >= len && path.startsWith(pattern.substring(0, len));
                }
                case SUFFIX -> {
                    String suffix = pattern.substring(2);
                    yield path.regionMatches(end - suffix.length(), suffix, 0, suffix.length())
                                    && end >= suffix.length()
                            || (suffix.startsWith("/")
                                    && end == suffix.length() - 1
                                    && path.regionMatches(0, suffix, 1, end));
                }
                case REGEX -> regex.matcher(path).region(0, end).matches();
            };
        }
    }

    /** The longest run of characters that every match must contain literally. */
    private static String literal(String pattern) {
        String best = "";
        StringBuilder cur = new StringBuilder();
        boolean inClass = false;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (inClass) {
                if (c == ']') inClass = false;
                continue;
            }
            if (c == '*' || c == '?' || c == '[' || c == '\\') {
                if (cur.length() > best.length()) best = cur.toString();
                cur.setLength(0);
                if (c == '[') inClass = true;
                if (c == '\\') i++;
                continue;
            }
            cur.append(c);
        }
        if (cur.length() > best.length()) best = cur.toString();
        return best;
    }

    /** Parses a .dockerignore file's text; a bad pattern is an error naming the line. */
    public static DockerIgnore parse(String text, String fileName) {
        List<Rule> rules = new ArrayList<>();
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
            if (line.startsWith("#")) continue;
            String p = line.strip();
            if (p.isEmpty()) continue;
            boolean invert = p.charAt(0) == '!';
            if (invert) {
                p = p.substring(1).strip();
                if (p.isEmpty())
                    throw new IllegalArgumentException(fileName + ":" + (n + 1) + ": illegal exclusion pattern: \"!\"");
            }
            p = goClean(p);
            if (p.length() > 1 && p.charAt(0) == '/') p = p.substring(1);
            try {
                rules.add(compile(p, invert, line));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        fileName + ":" + (n + 1) + ": syntax error in pattern \"" + line.strip() + "\"");
            }
        }
        return new DockerIgnore(rules);
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /** Whether a pattern re-includes something ({@code !pattern}). */
    public boolean hasExclusions() {
        return exceptions;
    }

    /** Whether a pattern excludes every entry of the context's root ({@code *}, {@code **} or {@code **}{@code /*}). */
    public boolean excludesRoot() {
        for (Rule r : rules) {
            if (!r.exclusion()
                    && (r.pattern().equals("*")
                            || r.pattern().equals("**")
                            || r.pattern().equals("**/*"))) return true;
        }
        return false;
    }

    /**
     * Whether an excluded directory is still walked for what a {@code !} pattern re-includes below it, and so kept
     * (with only those paths in it): Docker 20.10 (tonistiigi/fsutil's walker) does so when an exception pattern
     * starts with the directory's path, so {@code *} then {@code !sub/keep.txt} keeps sub/ and sub/keep.txt, while
     * {@code !*}{@code /keep.txt} re-includes nothing below an excluded directory.
     */
    public boolean mayReinclude(String dir) {
        if (!exceptions) return false;
        String prefix = dir + "/";
        for (Rule r : rules) {
            if (r.exclusion() && (r.pattern() + "/").startsWith(prefix)) return true;
        }
        return false;
    }

    /** Whether a context path (relative, '/'-separated) is excluded: last matching rule wins, parents count. */
    public boolean excluded(String path) {
        boolean matched = false;
        for (Rule r : rules) {
            if (r.exclusion() != matched) continue;
            if (!r.literal().isEmpty() && !path.contains(r.literal())) continue;
            // the path itself, then each parent directory (a/b/c: a, a/b), without making substrings
            boolean m = r.matches(path, path.length());
            for (int slash = path.indexOf('/'); !m && slash > 0; slash = path.indexOf('/', slash + 1)) {
                m = r.matches(path, slash);
            }
            if (m) matched = !r.exclusion();
        }
        return matched;
    }

    /** Go's path/filepath.Clean for '/'-separated paths. */
    static String goClean(String p) {
        boolean rooted = p.startsWith("/");
        List<String> out = new ArrayList<>();
        for (String c : p.split("/")) {
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) {
                if (!out.isEmpty() && !out.getLast().equals("..")) out.removeLast();
                else if (!rooted) out.add("..");
                continue;
            }
            out.add(c);
        }
        String s = String.join("/", out);
        if (rooted) return "/" + s;
        return s.isEmpty() ? "." : s;
    }

    /** patternmatcher's compile: exact, prefix ({@code a/**}), suffix ({@code **}{@code /a}) or regular expression. */
    private static Rule compile(String pattern, boolean exclusion, String text) {
        validateGoMatch(pattern);
        StringBuilder re = new StringBuilder("^");
        Kind kind = Kind.EXACT;
        int n = pattern.length();
        int pos = 0;
        for (int iteration = 0; pos < n; iteration++) {
            char ch = pattern.charAt(pos++);
            if (ch == '*') {
                if (pos < n && pattern.charAt(pos) == '*') {
                    pos++;
                    if (pos < n && pattern.charAt(pos) == '/') pos++;
                    if (pos >= n) {
                        if (kind == Kind.EXACT) {
                            kind = Kind.PREFIX;
                        } else {
                            re.append(".*");
                            kind = Kind.REGEX;
                        }
                    } else {
                        re.append("(.*/)?");
                        kind = Kind.REGEX;
                    }
                    if (iteration == 0) kind = Kind.SUFFIX;
                } else {
                    re.append("[^/]*");
                    kind = Kind.REGEX;
                }
            } else if (ch == '?') {
                re.append("[^/]");
                kind = Kind.REGEX;
            } else if (".+()|{}$".indexOf(ch) >= 0) {
                re.append('\\').append(ch);
            } else if (ch == '\\') {
                if (pos < n) {
                    re.append('\\').append(pattern.charAt(pos++));
                    kind = Kind.REGEX;
                } else {
                    re.append("\\\\");
                }
            } else if (ch == '[' || ch == ']') {
                re.append(ch);
                kind = Kind.REGEX;
            } else {
                re.append(ch);
            }
        }
        if (kind != Kind.REGEX) return new Rule(pattern, exclusion, kind, null, text, "");
        re.append('$');
        return new Rule(
                pattern, exclusion, Kind.REGEX, Pattern.compile(re.toString(), Pattern.DOTALL), text, literal(pattern));
    }

    /** Go's filepath.Match syntax check: brackets closed, ranges well formed, no trailing escape. */
    private static void validateGoMatch(String p) {
        int i = 0;
        while (i < p.length()) {
            char c = p.charAt(i);
            if (c == '\\') {
                if (i + 1 >= p.length()) throw new IllegalArgumentException("bad pattern");
                i += 2;
            } else if (c == '[') {
                i++;
                if (i < p.length() && p.charAt(i) == '^') i++;
                boolean any = false;
                while (true) {
                    if (i >= p.length()) throw new IllegalArgumentException("bad pattern");
                    char d = p.charAt(i);
                    if (d == ']' && any) {
                        i++;
                        break;
                    }
                    if (d == '\\') i++;
                    i++;
                    any = true;
                    if (i < p.length() && p.charAt(i) == '-') {
                        i++;
                        if (i >= p.length() || p.charAt(i) == ']') throw new IllegalArgumentException("bad pattern");
                        if (p.charAt(i) == '\\') i++;
                        i++;
                    }
                }
            } else {
                i++;
            }
        }
    }
}
