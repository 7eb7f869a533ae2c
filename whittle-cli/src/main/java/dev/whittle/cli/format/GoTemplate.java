package dev.whittle.cli.format;

import dev.whittle.json.Json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The part of Go's text/template that docker users write in {@code --format}: field chains, variables,
 * pipelines, parenthesised commands, {@code if/else if/else}, {@code range} (with {@code $i, $v :=}),
 * {@code with}, trim markers, comments, and docker's function set ({@code json join split lower upper title pad
 * truncate}) beside Go's built-ins ({@code print printf println len index slice eq ne lt le gt ge and or not}).
 * Values are plain Java maps, lists, strings, numbers and booleans; see {@link GoValues} for how they print.
 */
public final class GoTemplate {
    private final List<Node> root;
    private final boolean header;

    private GoTemplate(List<Node> root, boolean header) {
        this.root = root;
        this.header = header;
    }

    /** Parses a template; errors are {@link TemplateException}s worded as Go's. */
    public static GoTemplate parse(String text) {
        return new GoTemplate(new Parser(text).parseTemplate(), false);
    }

    /** The same template with docker's header functions: every function returns its argument unchanged. */
    public GoTemplate forHeader() {
        return new GoTemplate(root, true);
    }

    /**
     * Executes over {@code data}; errors are {@link TemplateException}s worded as Go's, and one more Go does not have:
     * an execution that makes more text or takes more steps than {@link Budget} allows.
     */
    public String execute(Object data) {
        return execute(data, new Budget());
    }

    String execute(Object data, Budget budget) {
        StringBuilder out = new StringBuilder();
        Exec ex = new Exec(out, data, header, budget);
        try {
            ex.run(root, data);
        } catch (Budget.Exceeded e) {
            throw ex.err(e.getMessage());
        }
        return out.toString();
    }

    // ------------------------------------------------------------------------------------------ syntax tree

    private sealed interface Node permits Text, Action, Branch, Range {}

    private record Text(String text) implements Node {}

    private record Action(Pipe pipe, String where, String source) implements Node {}

    /** if and with. */
    private record Branch(boolean isWith, Pipe pipe, List<Node> then, List<Node> otherwise, String where, String source) implements Node {}

    private record Range(Pipe pipe, List<Node> body, List<Node> otherwise, String where, String source) implements Node {}

    /** @param assign whether the variables are assigned ({@code $x = ...}), not declared ({@code $x := ...}) */
    private record Pipe(List<String> decl, boolean assign, List<Cmd> cmds) {}

    private record Cmd(List<Arg> args) {}

    private sealed interface Arg permits Dot, Field, Var, Ident, Literal, Sub {}

    private record Dot() implements Arg {}

    /** {@code .A.B}, or a chain applied to another operand ({@code (x).A}). */
    private record Field(Arg base, List<String> chain) implements Arg {}

    private record Var(String name, List<String> chain) implements Arg {}

    private record Ident(String name) implements Arg {}

    private record Literal(Object value) implements Arg {}

    private record Sub(Pipe pipe) implements Arg {}

    // ------------------------------------------------------------------------------------------------ lexer

    private enum T { TEXT, LEFT, RIGHT, FIELD, VAR, IDENT, STRING, NUMBER, CHAR, LPAREN, RPAREN, PIPE, COMMA, DECLARE, ASSIGN, DOT, SPACE, EOF }

    private record Tok(T type, String text, int line, int col) {}

    private static final class Lexer {
        final String s;
        final List<Tok> toks = new ArrayList<>();
        int pos;

        Lexer(String s) {
            this.s = s;
        }

        // the line and byte column of position seenTo, carried forward as tokens are added in order, so lexing a
        // long template is not quadratic
        int seenTo, seenLine = 1, seenCol;

        private void seek(int p) {
            p = Math.min(p, s.length());
            if (p < seenTo) { // an error that points back: count again from the start
                seenTo = seenCol = 0;
                seenLine = 1;
            }
            for (; seenTo < p; seenTo++) {
                char c = s.charAt(seenTo);
                if (c == '\n') {
                    seenLine++;
                    seenCol = 0;
                } else {
                    seenCol += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3; // Go counts UTF-8 bytes
                }
            }
        }

        int lineOf(int p) {
            seek(p);
            return seenLine;
        }

        int colOf(int p) {
            seek(p);
            return seenCol;
        }

        TemplateException err(int p, String msg) {
            return new TemplateException("template: :" + lineOf(p) + ": " + msg);
        }

        List<Tok> lex() {
            while (pos < s.length()) {
                int open = s.indexOf("{{", pos);
                if (open < 0) {
                    toks.add(new Tok(T.TEXT, s.substring(pos), lineOf(pos), colOf(pos)));
                    pos = s.length();
                    break;
                }
                String text = s.substring(pos, open);
                int p = open + 2;
                boolean trimLeft = p + 1 < s.length() && s.charAt(p) == '-' && isSpace(s.charAt(p + 1));
                if (trimLeft) {
                    text = stripTrailing(text);
                    p += 2;
                }
                if (!text.isEmpty()) toks.add(new Tok(T.TEXT, text, lineOf(pos), colOf(pos)));
                // comment
                int q = p;
                while (q < s.length() && isSpace(s.charAt(q))) q++;
                if (s.startsWith("/*", q)) {
                    int end = s.indexOf("*/", q + 2);
                    if (end < 0) throw err(q, "unclosed comment");
                    int r = end + 2;
                    while (r < s.length() && isSpace(s.charAt(r))) r++;
                    boolean trimRight = false;
                    if (s.startsWith("-}}", r)) {
                        trimRight = true;
                        r += 3;
                    } else if (s.startsWith("}}", r)) {
                        r += 2;
                    } else {
                        throw err(end, "comment ends before closing delimiter");
                    }
                    pos = r;
                    if (trimRight) pos = skipSpace(pos);
                    continue;
                }
                toks.add(new Tok(T.LEFT, "{{", lineOf(open), colOf(open)));
                pos = p;
                lexAction();
            }
            toks.add(new Tok(T.EOF, "", lineOf(pos), colOf(pos)));
            return toks;
        }

        int skipSpace(int p) {
            while (p < s.length() && isSpace(s.charAt(p))) p++;
            return p;
        }

        static String stripTrailing(String t) {
            int e = t.length();
            while (e > 0 && isSpace(t.charAt(e - 1))) e--;
            return t.substring(0, e);
        }

        static boolean isSpace(char c) {
            return c == ' ' || c == '\t' || c == '\r' || c == '\n';
        }

        void lexAction() {
            while (true) {
                if (pos >= s.length()) throw err(pos, "unclosed action");
                char c = s.charAt(pos);
                if (isSpace(c)) {
                    int start = pos;
                    while (pos < s.length() && isSpace(s.charAt(pos))) pos++;
                    if (s.startsWith("-}}", pos)) {
                        pos += 3;
                        toks.add(new Tok(T.RIGHT, "}}", lineOf(pos), colOf(pos)));
                        pos = skipSpace(pos);
                        return;
                    }
                    toks.add(new Tok(T.SPACE, " ", lineOf(start), colOf(start)));
                    continue;
                }
                if (s.startsWith("}}", pos)) {
                    toks.add(new Tok(T.RIGHT, "}}", lineOf(pos), colOf(pos)));
                    pos += 2;
                    return;
                }
                int start = pos;
                switch (c) {
                    case '(' -> add(T.LPAREN, pos, ++pos);
                    case ')' -> add(T.RPAREN, pos, ++pos);
                    case '|' -> add(T.PIPE, pos, ++pos);
                    case ',' -> add(T.COMMA, pos, ++pos);
                    case ':' -> {
                        if (pos + 1 < s.length() && s.charAt(pos + 1) == '=') {
                            pos += 2;
                            add(T.DECLARE, start, pos);
                        } else {
                            throw err(pos, "expected :=");
                        }
                    }
                    case '=' -> add(T.ASSIGN, pos, ++pos);
                    case '"' -> {
                        pos++;
                        while (pos < s.length() && s.charAt(pos) != '"') {
                            if (s.charAt(pos) == '\\') pos++;
                            if (pos < s.length() && s.charAt(pos) == '\n') throw err(pos, "unterminated quoted string");
                            pos++;
                        }
                        if (pos >= s.length()) throw err(start, "unterminated quoted string");
                        pos++;
                        add(T.STRING, start, pos);
                    }
                    case '`' -> {
                        int end = s.indexOf('`', pos + 1);
                        if (end < 0) throw err(start, "unterminated raw quoted string");
                        pos = end + 1;
                        add(T.STRING, start, pos);
                    }
                    case '\'' -> {
                        pos++;
                        while (pos < s.length() && s.charAt(pos) != '\'') {
                            if (s.charAt(pos) == '\\') pos++;
                            pos++;
                        }
                        if (pos >= s.length()) throw err(start, "unterminated character constant");
                        pos++;
                        add(T.CHAR, start, pos);
                    }
                    case '.' -> {
                        if (pos + 1 < s.length() && Character.isDigit(s.charAt(pos + 1))) {
                            number();
                        } else {
                            pos++;
                            if (pos < s.length() && isIdentChar(s.charAt(pos))) {
                                while (pos < s.length() && isIdentChar(s.charAt(pos))) pos++;
                                add(T.FIELD, start, pos);
                            } else {
                                add(T.DOT, start, pos);
                            }
                        }
                    }
                    case '$' -> {
                        pos++;
                        while (pos < s.length() && isIdentChar(s.charAt(pos))) pos++;
                        add(T.VAR, start, pos);
                    }
                    default -> {
                        if (c == '-' || c == '+' || Character.isDigit(c)) {
                            number();
                        } else if (isIdentChar(c)) {
                            while (pos < s.length() && isIdentChar(s.charAt(pos))) pos++;
                            add(T.IDENT, start, pos);
                        } else {
                            throw err(pos, "unexpected \"" + c + "\" in command");
                        }
                    }
                }
            }
        }

        void number() {
            int start = pos;
            if (s.charAt(pos) == '-' || s.charAt(pos) == '+') pos++;
            while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '.' || s.charAt(pos) == '_'
                    || ((s.charAt(pos) == '-' || s.charAt(pos) == '+') && (s.charAt(pos - 1) == 'e' || s.charAt(pos - 1) == 'E')))) {
                pos++;
            }
            add(T.NUMBER, start, pos);
        }

        void add(T t, int from, int to) {
            toks.add(new Tok(t, s.substring(from, to), lineOf(from), colOf(from)));
        }

        static boolean isIdentChar(char c) {
            return Character.isLetterOrDigit(c) || c == '_';
        }
    }

    // ----------------------------------------------------------------------------------------------- parser

    /**
     * How deep parentheses and if, with and range blocks may nest, together. Go refuses parentheses nested deeper
     * than 10000 ("max expression depth exceeded") and leaves blocks to its growable stacks; parsing and executing
     * recurse here, and a JVM's default 1 MiB stack holds about a thousand levels, so whittle says the same words
     * past 100: ten times what any --format needs, ten times below a stack overflow.
     */
    static final int MAX_DEPTH = 100;

    private static final class Parser {
        final String src;
        final List<Tok> toks;
        int i;
        int depth;

        Parser(String src) {
            this.src = src;
            this.toks = new Lexer(src).lex();
        }

        TemplateException err(Tok t, String msg) {
            return new TemplateException("template: :" + t.line() + ": " + msg);
        }

        Tok peek() {
            return toks.get(i);
        }

        Tok next() {
            return toks.get(i++);
        }

        Tok peekNonSpace() {
            int j = i;
            while (toks.get(j).type() == T.SPACE) j++;
            return toks.get(j);
        }

        Tok nextNonSpace() {
            while (peek().type() == T.SPACE) i++;
            return next();
        }

        List<Node> parseTemplate() {
            List<Node> nodes = new ArrayList<>();
            String end = parseList(nodes, false);
            if (end != null) throw err(toks.get(i - 1), "unexpected {{" + end + "}}");
            return nodes;
        }

        /** Parses nodes until {{end}} or {{else}} (returned) or EOF (null). */
        String parseList(List<Node> out, boolean inner) {
            while (true) {
                Tok t = next();
                switch (t.type()) {
                    case EOF -> {
                        if (inner) throw err(t, "unexpected EOF");
                        return null;
                    }
                    case TEXT -> out.add(new Text(t.text()));
                    case LEFT -> {
                        Tok k = peekNonSpace();
                        if (k.type() == T.IDENT) {
                            switch (k.text()) {
                                case "end" -> {
                                    nextNonSpace();
                                    expectRight();
                                    if (!inner) throw err(k, "unexpected {{end}}");
                                    return "end";
                                }
                                case "else" -> {
                                    nextNonSpace();
                                    if (!inner) throw err(k, "unexpected {{else}}");
                                    return "else";
                                }
                                case "if", "with" -> {
                                    nextNonSpace();
                                    out.add(parseBranch(k.text().equals("with"), k));
                                    continue;
                                }
                                case "range" -> {
                                    nextNonSpace();
                                    out.add(parseRange(k));
                                    continue;
                                }
                                case "define", "template", "block", "break", "continue" ->
                                        throw err(k, "{{" + k.text() + "}} is not supported in --format");
                                default -> { }
                            }
                        }
                        int start = i;
                        Pipe p = parsePipe(true);
                        out.add(new Action(p, position(start), source(start)));
                    }
                    default -> throw err(t, "unexpected " + t.text());
                }
            }
        }

        /** Where the pipeline from token {@code from} starts, as Go's errors give it: line and byte column. */
        String position(int from) {
            int j = from;
            while (toks.get(j).type() == T.SPACE) j++;
            return toks.get(j).line() + ":" + toks.get(j).col();
        }

        String source(int from) {
            StringBuilder sb = new StringBuilder();
            for (int j = from; j < i - 1; j++) sb.append(toks.get(j).text());
            return sb.toString().trim();
        }

        void expectRight() {
            Tok t = nextNonSpace();
            if (t.type() != T.RIGHT) throw err(t, "unexpected \"" + t.text() + "\" in end");
        }

        void enter(Tok t) {
            if (++depth > MAX_DEPTH) throw err(t, "max expression depth exceeded");
        }

        Branch parseBranch(boolean isWith, Tok kw) {
            enter(kw);
            int start = i;
            Pipe p = parsePipe(false);
            String where = position(start), source = source(start);
            List<Node> then = new ArrayList<>();
            String end = parseList(then, true);
            List<Node> otherwise = new ArrayList<>();
            if ("else".equals(end)) {
                Tok k = peekNonSpace();
                if (k.type() == T.IDENT && (k.text().equals("if") || k.text().equals("with"))) {
                    nextNonSpace();
                    // {{else if}} ends with the outer {{end}}
                    otherwise.add(parseBranch(k.text().equals("with"), k));
                } else {
                    expectRight();
                    String e2 = parseList(otherwise, true);
                    if (!"end".equals(e2)) throw err(kw, "expected end; found {{else}}");
                }
            }
            depth--;
            return new Branch(isWith, p, then, otherwise, where, source);
        }

        Range parseRange(Tok kw) {
            enter(kw);
            int start = i;
            Pipe p = parsePipe(false);
            String where = position(start), source = source(start);
            List<Node> body = new ArrayList<>();
            String end = parseList(body, true);
            List<Node> otherwise = new ArrayList<>();
            if ("else".equals(end)) {
                expectRight();
                String e2 = parseList(otherwise, true);
                if (!"end".equals(e2)) throw err(kw, "expected end; found {{else}}");
            }
            depth--;
            return new Range(p, body, otherwise, where, source);
        }

        /** Parses a pipeline up to the closing }} (or ')' when nested). */
        Pipe parsePipe(boolean allowDeclOnly) {
            List<String> decl = new ArrayList<>();
            boolean assign = false;
            // declarations: $x := or $i, $e :=, and assignments $x =
            int save = i;
            Tok a = nextNonSpace();
            if (a.type() == T.VAR) {
                Tok b = nextNonSpace();
                if (b.type() == T.DECLARE || b.type() == T.ASSIGN) {
                    decl.add(a.text());
                    assign = b.type() == T.ASSIGN;
                } else if (b.type() == T.COMMA) {
                    Tok c = nextNonSpace();
                    Tok d = nextNonSpace();
                    if (c.type() == T.VAR && (d.type() == T.DECLARE || d.type() == T.ASSIGN)) {
                        decl.add(a.text());
                        decl.add(c.text());
                        assign = d.type() == T.ASSIGN;
                    } else {
                        i = save;
                    }
                } else {
                    i = save;
                }
            } else {
                i = save;
            }
            List<Cmd> cmds = new ArrayList<>();
            while (true) {
                Cmd c = parseCommand();
                cmds.add(c);
                Tok t = nextNonSpace();
                if (t.type() == T.PIPE) continue;
                if (t.type() == T.RIGHT || t.type() == T.RPAREN) {
                    if (t.type() == T.RPAREN) i--;
                    break;
                }
                throw err(t, "unexpected \"" + t.text() + "\" in command");
            }
            return new Pipe(decl, assign, cmds);
        }

        Cmd parseCommand() {
            List<Arg> args = new ArrayList<>();
            while (true) {
                Tok t = peekNonSpace();
                if (t.type() == T.RIGHT || t.type() == T.PIPE || t.type() == T.RPAREN || t.type() == T.EOF) break;
                args.add(parseOperand());
                // operands must be separated by spaces
                Tok n = peek();
                if (n.type() != T.SPACE && n.type() != T.RIGHT && n.type() != T.PIPE && n.type() != T.RPAREN) {
                    throw err(n, "unexpected \"" + n.text() + "\" in operand");
                }
            }
            if (args.isEmpty()) throw err(peek(), "missing value for command");
            return new Cmd(args);
        }

        Arg parseOperand() {
            Tok t = nextNonSpace();
            Arg a = switch (t.type()) {
                case DOT -> new Dot();
                case FIELD -> new Field(new Dot(), new ArrayList<>(List.of(t.text().substring(1))));
                case VAR -> new Var(t.text(), new ArrayList<>());
                case STRING -> new Literal(unquote(t));
                case CHAR -> new Literal(charConstant(t));
                case NUMBER -> new Literal(number(t));
                case IDENT -> switch (t.text()) {
                    case "true" -> new Literal(Boolean.TRUE);
                    case "false" -> new Literal(Boolean.FALSE);
                    case "nil" -> new Literal(null);
                    default -> {
                        if (!Exec.isFunction(t.text())) throw err(t, "function \"" + t.text() + "\" not defined");
                        yield new Ident(t.text());
                    }
                };
                case LPAREN -> {
                    enter(t);
                    Pipe p = parsePipe(false);
                    Tok r = nextNonSpace();
                    if (r.type() != T.RPAREN) throw err(r, "unclosed left paren");
                    depth--;
                    yield new Sub(p);
                }
                default -> throw err(t, "unexpected \"" + t.text() + "\" in operand");
            };
            // field chains: .A.B, $x.A, (pipe).A
            while (peek().type() == T.FIELD) {
                String f = next().text().substring(1);
                if (a instanceof Field fl) fl.chain().add(f);
                else if (a instanceof Var v) v.chain().add(f);
                else a = new Field(a, new ArrayList<>(List.of(f)));
            }
            return a;
        }

        Object number(Tok t) {
            String s = t.text().replace("_", "");
            try {
                if (s.startsWith("0x") || s.startsWith("0X")) return Long.parseLong(s.substring(2), 16);
                if (s.matches("[-+]?\\d+")) return Long.parseLong(s);
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw err(t, "bad number syntax: \"" + t.text() + "\"");
            }
        }

        /** Go's strconv.Unquote of a string literal; anything it refuses is "invalid syntax", as in Go. */
        String unquote(Tok t) {
            String q = t.text();
            String body = q.substring(1, q.length() - 1);
            if (q.startsWith("`")) return body.replace("\r", "");
            StringBuilder sb = new StringBuilder();
            int[] at = {0};
            while (at[0] < body.length()) sb.appendCodePoint(unquoteChar(t, body, at, '"'));
            return sb.toString();
        }

        /** A character constant ({@code 'a'}, {@code '\n'}, {@code '\x41'}) as Go's parser reads it: its code point. */
        long charConstant(Tok t) {
            String q = t.text();
            int[] at = {1};
            int r = unquoteChar(t, q, at, '\'');
            if (at[0] != q.length() - 1) throw err(t, "malformed character constant: " + q);
            return r;
        }

        static int hexDigit(char c) {
            return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        }

        /** strconv.UnquoteChar: the character at {@code at[0]} (which it moves past), escapes decoded. */
        int unquoteChar(Tok t, String s, int[] at, char quote) {
            int i = at[0];
            if (i >= s.length()) throw err(t, "invalid syntax");
            char c = s.charAt(i);
            if (c == quote) throw err(t, "invalid syntax");
            if (c != '\\') {
                int cp = s.codePointAt(i);
                at[0] = i + Character.charCount(cp);
                return cp;
            }
            if (i + 1 >= s.length()) throw err(t, "invalid syntax");
            char e = s.charAt(i + 1);
            at[0] = i + 2;
            int value = switch (e) {
                case 'a' -> 7;
                case 'b' -> '\b';
                case 'f' -> '\f';
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                case 'v' -> 11;
                case '\\' -> '\\';
                case '\'', '"' -> {
                    if (e != quote) throw err(t, "invalid syntax");
                    yield e;
                }
                case 'x', 'u', 'U' -> {
                    int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    int v = 0;
                    for (int j = 0; j < n; j++) {
                        int x = at[0] + j < s.length() ? hexDigit(s.charAt(at[0] + j)) : -1;
                        if (x < 0) throw err(t, "invalid syntax");
                        v = v << 4 | x;
                    }
                    at[0] += n;
                    // x gives a byte; u and U a code point, which must be valid (no surrogates)
                    if (e != 'x' && (v < 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))) throw err(t, "invalid syntax");
                    yield v;
                }
                case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                    int v = e - '0';
                    for (int j = 0; j < 2; j++) {
                        int x = at[0] + j < s.length() ? s.charAt(at[0] + j) - '0' : -1;
                        if (x < 0 || x > 7) throw err(t, "invalid syntax");
                        v = v << 3 | x;
                    }
                    at[0] += 2;
                    if (v > 255) throw err(t, "invalid syntax");
                    yield v;
                }
                default -> throw err(t, "invalid syntax");
            };
            return value;
        }
    }

    // -------------------------------------------------------------------------------------------- execution

    private static final class Exec {
        private static final java.util.Set<String> FUNCTIONS = java.util.Set.of("and", "or", "not", "len", "index", "slice",
                "print", "printf", "println", "eq", "ne", "lt", "le", "gt", "ge", "json", "join", "split", "lower", "upper",
                "title", "pad", "truncate", "html", "js", "urlquery");

        final StringBuilder out;
        final boolean header;
        final Budget budget;
        final List<Object[]> vars = new ArrayList<>();
        String where = "";
        String at = "";

        Exec(StringBuilder out, Object data, boolean header, Budget budget) {
            this.out = out;
            this.header = header;
            this.budget = budget;
            vars.add(new Object[] {"$", data});
        }

        static boolean isFunction(String name) {
            return FUNCTIONS.contains(name);
        }

        TemplateException err(String msg) {
            return new TemplateException("template: :" + where + ": executing \"\" at <" + at + ">: " + msg);
        }

        void run(List<Node> nodes, Object dot) {
            for (Node n : nodes) {
                budget.step();
                switch (n) {
                    case Text t -> write(t.text());
                    case Action a -> {
                        where = a.where();
                        at = a.source();
                        Object v = evalPipe(a.pipe(), dot);
                        if (a.pipe().decl().isEmpty()) write(GoValues.format(v));
                    }
                    case Branch b -> {
                        where = b.where();
                        at = b.source();
                        int mark = vars.size();
                        Object v = evalPipe(b.pipe(), dot);
                        if (GoValues.truthy(v)) run(b.then(), b.isWith() ? v : dot);
                        else run(b.otherwise(), dot);
                        truncate(mark);
                    }
                    case Range r -> {
                        where = r.where();
                        at = r.source();
                        int mark = vars.size();
                        List<String> decl = r.pipe().decl();
                        Object v = evalPipe(new Pipe(List.of(), false, r.pipe().cmds()), dot);
                        boolean any = false;
                        if (v instanceof List<?> l) {
                            for (int k = 0; k < l.size(); k++) {
                                budget.step();
                                any = true;
                                bindRange(decl, (long) k, l.get(k));
                                run(r.body(), l.get(k));
                                truncate(mark);
                            }
                        } else if (v instanceof Map<?, ?> m && !(v instanceof GoValues.Struct)) {
                            for (Map.Entry<?, ?> e : GoValues.sorted(m).entrySet()) {
                                budget.step();
                                any = true;
                                bindRange(decl, e.getKey(), e.getValue());
                                run(r.body(), e.getValue());
                                truncate(mark);
                            }
                        } else if (v != null && !(v instanceof GoValues.TypedNil)) {
                            throw err("range can't iterate over " + GoValues.format(v));
                        }
                        if (!any) run(r.otherwise(), dot);
                        truncate(mark);
                    }
                }
            }
        }

        void bindRange(List<String> decl, Object key, Object value) {
            if (decl.size() == 1) vars.add(new Object[] {decl.get(0), value});
            if (decl.size() == 2) {
                vars.add(new Object[] {decl.get(0), key});
                vars.add(new Object[] {decl.get(1), value});
            }
        }

        void truncate(int mark) {
            while (vars.size() > mark) vars.removeLast();
        }

        void write(String s) {
            budget.text(s.length());
            out.append(s);
        }

        /** {@code $x = v}: the variable in scope takes the value, so it outlives the range or if that set it. */
        void assignVar(String name, Object v) {
            for (int k = vars.size() - 1; k >= 0; k--) {
                if (vars.get(k)[0].equals(name)) {
                    vars.get(k)[1] = v;
                    return;
                }
            }
            throw err("undefined variable: " + name);
        }

        Object lookupVar(String name) {
            for (int k = vars.size() - 1; k >= 0; k--) if (vars.get(k)[0].equals(name)) return vars.get(k)[1];
            throw err("undefined variable: " + name);
        }

        Object evalPipe(Pipe p, Object dot) {
            Object v = null;
            boolean first = true;
            for (Cmd c : p.cmds()) {
                v = evalCmd(c, dot, first ? NO_ARG : v);
                first = false;
            }
            if (p.assign()) {
                for (String d : p.decl()) assignVar(d, v);
            } else {
                for (String d : p.decl()) vars.add(new Object[] {d, v});
            }
            return v;
        }

        static final Object NO_ARG = new Object();

        Object evalCmd(Cmd c, Object dot, Object fin) {
            budget.step();
            Arg head = c.args().getFirst();
            if (head instanceof Ident id) {
                List<Arg> rest = c.args().subList(1, c.args().size());
                return call(id.name(), rest, dot, fin);
            }
            if (c.args().size() > 1 || fin != NO_ARG) {
                throw err("can't give argument to non-function " + describe(head));
            }
            return evalArg(head, dot);
        }

        String describe(Arg a) {
            return switch (a) {
                case Field f -> "." + String.join(".", f.chain());
                case Var v -> v.name();
                case Literal l -> GoValues.format(l.value());
                default -> ".";
            };
        }

        Object evalArg(Arg a, Object dot) {
            return switch (a) {
                case Dot d -> dot;
                case Literal l -> l.value();
                case Var v -> chain(lookupVar(v.name()), v.chain());
                case Field f -> chain(evalArg(f.base(), dot), f.chain());
                case Sub s -> evalPipe(s.pipe(), dot);
                case Ident id -> call(id.name(), List.of(), dot, NO_ARG);
            };
        }

        Object chain(Object v, List<String> names) {
            for (String n : names) v = field(v, n);
            return v;
        }

        Object field(Object v, String name) {
            if (v instanceof GoValues.Struct s) {
                if (s.containsKey(name)) return s.get(name);
                String alias = s.aliasOf(name);
                if (alias != null) return s.get(alias);
                throw err("can't evaluate field " + name + " in type struct");
            }
            if (v instanceof Map<?, ?> m) {
                if (m.containsKey(name)) return m.get(name);
                throw err("map has no entry for key \"" + name + "\"");
            }
            if (v == null || v instanceof GoValues.TypedNil) throw err("nil pointer evaluating interface {}." + name);
            throw err("can't evaluate field " + name + " in type " + GoValues.typeName(v));
        }

        Object call(String fn, List<Arg> argNodes, Object dot, Object fin) {
            if (fn.equals("and") || fn.equals("or")) {
                List<Arg> all = new ArrayList<>(argNodes);
                if (all.isEmpty() && fin == NO_ARG) throw argCount(fn, "at least 1", 0);
                Object v = null;
                for (Arg a : all) {
                    v = evalArg(a, dot);
                    if (fn.equals("and") != GoValues.truthy(v)) return v;
                }
                if (fin != NO_ARG) v = fin;
                return v;
            }
            List<Object> args = new ArrayList<>();
            for (Arg a : argNodes) args.add(evalArg(a, dot));
            if (fin != NO_ARG) args.add(fin);
            if (header && (fn.equals("json") || fn.equals("lower") || fn.equals("upper") || fn.equals("title")
                    || fn.equals("split") || fn.equals("join") || fn.equals("pad") || fn.equals("truncate"))) {
                return args.isEmpty() ? "" : args.getFirst();
            }
            Object r = apply(fn, args);
            // what a function makes is spent before anything can keep it: a variable, a range, printf's arguments
            switch (fn) {
                case "print", "println", "printf", "json", "join", "lower", "upper", "title", "pad", "truncate", "slice" -> {
                    if (r instanceof String t) budget.text(t.length());
                }
                default -> { }
            }
            return r;
        }

        /** The function's result; Go's panics in it (a bad index, a negative count) are its "error calling" errors. */
        Object apply(String fn, List<Object> args) {
            return switch (fn) {
                case "not" -> {
                    want(fn, args, 1);
                    yield !GoValues.truthy(args.get(0));
                }
                case "len" -> {
                    want(fn, args, 1);
                    Object v = args.get(0);
                    if (v instanceof String s) yield (long) utf8(s).length;
                    if (v instanceof List<?> l) yield (long) l.size();
                    if (v instanceof Map<?, ?> m) yield (long) m.size();
                    if (v instanceof GoValues.TypedNil) yield 0L;
                    throw err("error calling len: len of type " + GoValues.typeName(v));
                }
                case "index" -> index(args);
                case "slice" -> slice(args);
                case "print" -> Printf.sprint(args);
                case "println" -> Printf.sprintln(args);
                case "printf" -> {
                    if (args.isEmpty() || !(args.get(0) instanceof String f)) throw err("wrong type for printf format");
                    yield Printf.sprintf(f, args.subList(1, args.size()), budget);
                }
                case "eq" -> {
                    if (args.size() < 2) throw argCount(fn, "at least 2", args.size());
                    boolean r = false;
                    for (int k = 1; k < args.size(); k++) r |= compare(args.get(0), args.get(k), true) == 0;
                    yield r;
                }
                case "ne" -> {
                    want(fn, args, 2);
                    yield compare(args.get(0), args.get(1), true) != 0;
                }
                case "lt" -> cmp(fn, args) < 0;
                case "le" -> cmp(fn, args) <= 0;
                case "gt" -> cmp(fn, args) > 0;
                case "ge" -> cmp(fn, args) >= 0;
                case "json" -> {
                    want(fn, args, 1);
                    Object v = args.get(0);
                    boolean escaped = v instanceof GoValues.Struct s && s.isHtmlEscaped();
                    yield Json.writeString(GoValues.toJson(v), escaped ? Json.Style.GO : Json.Style.COMPACT);
                }
                case "join" -> {
                    want(fn, args, 2);
                    if (!(args.get(0) instanceof List<?> l) || !l.stream().allMatch(o -> o instanceof String)) {
                        throw err("wrong type for value; expected []string; got " + GoValues.typeName(args.get(0)));
                    }
                    @SuppressWarnings("unchecked") List<String> ls = (List<String>) l;
                    String sep = str(args.get(1));
                    long total = (long) sep.length() * Math.max(ls.size() - 1, 0);
                    for (String x : ls) total += x.length();
                    budget.ensure(total);
                    yield String.join(sep, ls);
                }
                case "split" -> {
                    want(fn, args, 2);
                    String sep = str(args.get(1));
                    String s = str(args.get(0));
                    List<Object> parts = new ArrayList<>();
                    if (sep.isEmpty()) {
                        s.codePoints().forEach(cp -> {
                            budget.text(Budget.ITEM + 2);
                            parts.add(new String(Character.toChars(cp)));
                        });
                    } else {
                        int from = 0;
                        while (true) {
                            int k = s.indexOf(sep, from);
                            String part = s.substring(from, k < 0 ? s.length() : k);
                            budget.text(Budget.ITEM + part.length());
                            parts.add(part);
                            if (k < 0) break;
                            from = k + sep.length();
                        }
                    }
                    yield parts;
                }
                case "lower" -> str(one(fn, args)).toLowerCase(java.util.Locale.ROOT);
                case "upper" -> str(one(fn, args)).toUpperCase(java.util.Locale.ROOT);
                case "title" -> title(str(one(fn, args)));
                case "pad" -> {
                    // docker's padWithSpace: strings.Repeat(" ", prefix) + source + strings.Repeat(" ", suffix)
                    want(fn, args, 3);
                    String s = str(args.get(0));
                    long prefix = num(args.get(1)), suffix = num(args.get(2));
                    if (s.isEmpty()) yield s;
                    if (prefix < 0 || suffix < 0) throw callErr(fn, "strings: negative Repeat count");
                    budget.ensure(prefix + s.length() + suffix);
                    yield " ".repeat((int) prefix) + s + " ".repeat((int) suffix);
                }
                case "truncate" -> {
                    // docker's truncateWithLength: source[:length] unless len(source) < length, in bytes
                    want(fn, args, 2);
                    byte[] b = utf8(str(args.get(0)));
                    long n = num(args.get(1));
                    if (b.length < n) yield args.get(0);
                    if (n < 0) throw callErr(fn, "runtime error: slice bounds out of range [:" + n + "]");
                    yield new String(b, 0, (int) n, StandardCharsets.UTF_8);
                }
                default -> throw err("function \"" + fn + "\" is not supported");
            };
        }

        Object one(String fn, List<Object> args) {
            want(fn, args, 1);
            return args.get(0);
        }

        void want(String fn, List<Object> args, int n) {
            if (args.size() != n) throw argCount(fn, Integer.toString(n), args.size());
        }

        /** A string as Go holds it, its UTF-8 bytes: Go's len, index and slicing count them. */
        byte[] utf8(String s) {
            budget.scan(s.length());
            return s.getBytes(StandardCharsets.UTF_8);
        }

        /** Go's complaint names the function alone. */
        TemplateException argCount(String fn, String want, int got) {
            at = fn;
            return err("wrong number of args for " + fn + ": want " + want + " got " + got);
        }

        String str(Object o) {
            if (o instanceof String s) return s;
            throw err("wrong type for value; expected string; got " + GoValues.typeName(o));
        }

        long num(Object o) {
            if (o instanceof Long || o instanceof Integer) return ((Number) o).longValue();
            throw err("wrong type for value; expected int; got " + GoValues.typeName(o));
        }

        static String title(String s) {
            StringBuilder sb = new StringBuilder();
            boolean start = true;
            for (int k = 0; k < s.length(); k++) {
                char c = s.charAt(k);
                sb.append(start ? Character.toTitleCase(c) : c);
                start = !Character.isLetterOrDigit(c) && c != '_' && c != '\'';
            }
            return sb.toString();
        }

        TemplateException callErr(String fn, String msg) {
            return err("error calling " + fn + ": " + msg);
        }

        /** Go's index: lists and strings by position (a string's bytes), maps by key, each index checked as Go's are. */
        Object index(List<Object> args) {
            if (args.isEmpty()) throw argCount("index", "at least 1", 0);
            Object v = args.get(0);
            if (v == null) throw callErr("index", "index of untyped nil");
            for (Object k : args.subList(1, args.size())) {
                if (v == GoValues.NIL_POINTER) throw callErr("index", "index of nil pointer");
                if (v instanceof List<?> || v == GoValues.NIL_SLICE) {
                    List<?> l = v instanceof List<?> x ? x : List.of();
                    int n = indexArg("index", k, l.size());
                    if (n == l.size()) throw callErr("index", "reflect: slice index out of range");
                    v = l.get(n);
                } else if (v instanceof String s) {
                    byte[] b = utf8(s);
                    int n = indexArg("index", k, b.length);
                    if (n == b.length) throw callErr("index", "reflect: string index out of range");
                    v = (long) (b[n] & 0xFF);
                } else if ((v instanceof Map<?, ?> && !(v instanceof GoValues.Struct)) || v == GoValues.NIL_MAP) {
                    Map<?, ?> m = v instanceof Map<?, ?> x ? x : Map.of();
                    if (k == null) throw callErr("index", "value is nil; should be of type string");
                    if (!(k instanceof String)) throw callErr("index", "value has type " + GoValues.typeName(k) + "; should be string");
                    v = m.containsKey(k) ? m.get(k) : zeroValue(m);
                } else {
                    throw callErr("index", "can't index item of type " + (v instanceof GoValues.Struct ? "struct" : GoValues.typeName(v)));
                }
            }
            return v;
        }

        /** What a missing key gives: the zero value of the map's value type, as far as its other values show it. */
        static Object zeroValue(Map<?, ?> m) {
            for (Object x : m.values()) {
                if (x instanceof String) return "";
                if (x instanceof GoValues.EmptyStruct) return GoValues.EMPTY_STRUCT;
                break;
            }
            return null;
        }

        /** Go's indexArg: an integer in [0, size]. */
        int indexArg(String fn, Object index, int size) {
            if (index == null) throw callErr(fn, "cannot index slice/array with nil");
            if (!(index instanceof Long || index instanceof Integer)) {
                throw callErr(fn, "cannot index slice/array with type " + GoValues.typeName(index));
            }
            long x = ((Number) index).longValue();
            if (x < 0 || x > size) throw callErr(fn, "index out of range: " + x);
            return (int) x;
        }

        /** Go's slice: item[i], item[i:j] or (lists only) item[i:j:k]; a string is sliced by bytes, as in Go. */
        Object slice(List<Object> args) {
            if (args.isEmpty()) throw argCount("slice", "at least 1", 0);
            Object v = args.get(0);
            if (v == null) throw callErr("slice", "slice of untyped nil");
            List<Object> indexes = args.subList(1, args.size());
            if (indexes.size() > 3) throw callErr("slice", "too many slice indexes: " + indexes.size());
            byte[] bytes = null;
            int len;
            if (v instanceof String s) {
                if (indexes.size() == 3) throw callErr("slice", "cannot 3-index slice a string");
                bytes = utf8(s);
                len = bytes.length;
            } else if (v instanceof List<?> l) {
                len = l.size();
            } else if (v == GoValues.NIL_SLICE) {
                len = 0;
            } else {
                throw callErr("slice", "can't slice item of type " + GoValues.typeName(v));
            }
            int[] idx = {0, len, len};
            for (int k = 0; k < indexes.size(); k++) idx[k] = indexArg("slice", indexes.get(k), len);
            if (idx[0] > idx[1]) throw callErr("slice", "invalid slice index: " + idx[0] + " > " + idx[1]);
            if (indexes.size() == 3 && idx[1] > idx[2]) throw callErr("slice", "invalid slice index: " + idx[1] + " > " + idx[2]);
            if (bytes != null) return new String(bytes, idx[0], idx[1] - idx[0], StandardCharsets.UTF_8);
            if (v == GoValues.NIL_SLICE) return v;
            return ((List<?>) v).subList(idx[0], idx[1]);
        }

        long cmp(String fn, List<Object> args) {
            want(fn, args, 2);
            return compare(args.get(0), args.get(1), false);
        }

        int compare(Object a, Object b, boolean equality) {
            if (a instanceof Number x && b instanceof Number y) {
                if (x instanceof Double || y instanceof Double) return Double.compare(x.doubleValue(), y.doubleValue());
                return Long.compare(x.longValue(), y.longValue());
            }
            if (a instanceof String x && b instanceof String y) {
                budget.scan(Math.min(x.length(), y.length()));
                return x.compareTo(y);
            }
            if (equality) {
                if (a instanceof Boolean x && b instanceof Boolean y) return x.equals(y) ? 0 : 1;
                if ((a == null || a instanceof GoValues.TypedNil) && (b == null || b instanceof GoValues.TypedNil)) return 0;
            }
            throw err("error calling " + (equality ? "eq" : "lt") + ": incompatible types for comparison");
        }
    }

}
