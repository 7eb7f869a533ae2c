package dev.whittle.cli.format;

import static dev.whittle.cli.format.TemplateLexer.*;

import dev.whittle.cli.format.Node.BranchNode;
import dev.whittle.cli.format.Node.ChainNode;
import dev.whittle.cli.format.Node.CommandNode;
import dev.whittle.cli.format.Node.ListNode;
import dev.whittle.cli.format.Node.NumberNode;
import dev.whittle.cli.format.Node.PipeNode;
import dev.whittle.cli.format.Node.Tree;
import dev.whittle.cli.format.Node.VariableNode;
import dev.whittle.cli.format.TemplateLexer.Item;
import dev.whittle.gotext.Strconv;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * text/template/parse's parser (parse.go), function for function: the same grammar, the same checks (undefined
 * variables and functions, break and continue outside range, non-executable pipeline stages) and the same error
 * messages, {@code template: NAME:LINE: ...}. {@code {{define}}} and {@code {{block}}} add trees to the set.
 * One extension, from Go 1.23: {@code {{else with}}}, as {@code {{else if}}}.
 */
final class TemplateParser {
    /**
     * How deep parentheses and if, with, range and block may nest, together. Go 1.19 parses and executes recursively
     * on goroutine stacks that grow to a gigabyte; here a thread's default stack holds about a thousand levels, so
     * past 100 (ten times what any --format needs) parsing stops with Go's later wording for its own limit.
     */
    static final int MAX_DEPTH = 100;

    private final TemplateLexer lex;
    private final Set<String> funcs;
    private final Map<String, Tree> treeSet;
    private final String parseName;
    private Tree t;
    private final Item[] token = new Item[3];
    private int peekCount;
    private List<String> vars = new ArrayList<>();
    private int actionLine, rangeDepth, depth;

    private TemplateParser(TemplateLexer lex, Set<String> funcs, Map<String, Tree> treeSet, String parseName) {
        this.lex = lex;
        this.funcs = funcs;
        this.treeSet = treeSet;
        this.parseName = parseName;
    }

    /** Parses {@code text} as the template {@code name}, adding it and the templates it defines to {@code treeSet}. */
    static void parse(String name, String text, Set<String> funcs, Map<String, Tree> treeSet) {
        TemplateLexer lex = new TemplateLexer(text, !funcs.contains("break"), !funcs.contains("continue"));
        TemplateParser p = new TemplateParser(lex, funcs, treeSet, name);
        p.t = new Tree(name, name, lex.input());
        p.vars.add("$");
        p.parse();
        p.add();
    }

    // ------------------------------------------------------------------------------------------ tokens

    private Item next() {
        if (peekCount > 0) peekCount--;
        else token[0] = lex.nextItem();
        return token[peekCount];
    }

    private void backup() {
        peekCount++;
    }

    private void backup2(Item t1) {
        token[1] = t1;
        peekCount = 2;
    }

    private void backup3(Item t2, Item t1) {
        token[1] = t1;
        token[2] = t2;
        peekCount = 3;
    }

    private Item peek() {
        if (peekCount > 0) return token[peekCount - 1];
        peekCount = 1;
        token[0] = lex.nextItem();
        return token[0];
    }

    private Item nextNonSpace() {
        Item i;
        do {
            i = next();
        } while (i.type() == SPACE);
        return i;
    }

    private Item peekNonSpace() {
        Item i = nextNonSpace();
        backup();
        return i;
    }

    // ------------------------------------------------------------------------------------------ errors

    private TemplateException errorf(String msg) {
        return TemplateException.parse("template: " + parseName + ":" + token[0].line() + ": " + msg);
    }

    private Item expect(int expected, String context) {
        Item token = nextNonSpace();
        if (token.type() != expected) throw unexpected(token, context);
        return token;
    }

    private Item expectOneOf(int e1, int e2, String context) {
        Item token = nextNonSpace();
        if (token.type() != e1 && token.type() != e2) throw unexpected(token, context);
        return token;
    }

    private TemplateException unexpected(Item token, String context) {
        if (token.type() == ERROR) {
            String extra = "";
            if (actionLine != 0 && actionLine != token.line()) {
                extra = " in action started at " + parseName + ":" + actionLine;
                if (token.val().endsWith(" action")) extra = extra.substring(" in action".length());
            }
            return errorf(token + extra);
        }
        return errorf("unexpected " + token + " in " + context);
    }

    private void enter() {
        if (++depth > MAX_DEPTH) throw errorf("max expression depth exceeded");
    }

    // ------------------------------------------------------------------------------------------ trees

    private void add() {
        Tree tree = treeSet.get(t.name);
        if (tree == null || isEmptyTree(tree.root)) {
            treeSet.put(t.name, t);
            return;
        }
        if (!isEmptyTree(t.root))
            throw errorf("template: multiple definition of template " + Strconv.quote(t.name, false));
    }

    /** Whether a tree holds nothing but spaces and comments. */
    static boolean isEmptyTree(Node n) {
        if (n == null) return true;
        return switch (n.type) {
            case Node.COMMENT -> true;
            case Node.LIST -> {
                for (Node c : ((ListNode) n).nodes) if (!isEmptyTree(c)) yield false;
                yield true;
            }
            case Node.TEXT -> isSpace(((Node.TextNode) n).text);
            default -> false;
        };
    }

    /** Whether bytes.TrimSpace leaves nothing: all of it is white space as unicode.IsSpace defines it. */
    private static boolean isSpace(String s) {
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            int type = Character.getType(c);
            boolean space = (c >= '\t' && c <= '\r')
                    || c == ' '
                    || c == 0x85
                    || type == Character.SPACE_SEPARATOR
                    || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR;
            if (!space) return false;
            i += Character.charCount(c);
        }
        return true;
    }

    private void parse() {
        t.root = new ListNode(peek().pos(), t);
        while (peek().type() != EOF) {
            if (peek().type() == LEFT_DELIM) {
                Item delim = next();
                if (nextNonSpace().type() == DEFINE) {
                    Tree saved = t;
                    List<String> savedVars = vars;
                    t = new Tree("definition", parseName, saved.text);
                    vars = new ArrayList<>(List.of("$"));
                    parseDefinition();
                    t = saved;
                    vars = savedVars;
                    continue;
                }
                backup2(delim);
            }
            Node n = textOrAction();
            if (n.type == Node.END || n.type == Node.ELSE) throw errorf("unexpected " + n);
            t.root.nodes.add(n);
        }
    }

    private void parseDefinition() {
        String context = "define clause";
        Item name = expectOneOf(STRING, RAW_STRING, context);
        t.name = unquote(name);
        expect(RIGHT_DELIM, context);
        Node[] end = new Node[1];
        t.root = itemList(end);
        if (end[0].type != Node.END) throw errorf("unexpected " + end[0] + " in " + context);
        add();
    }

    private String unquote(Item token) {
        try {
            return GoLiterals.unquote(token.val());
        } catch (GoLiterals.Invalid e) {
            throw errorf(e.getMessage());
        }
    }

    /** Nodes up to {{end}} or {{else}}, which is returned in {@code next[0]}. */
    private ListNode itemList(Node[] next) {
        ListNode list = new ListNode(peekNonSpace().pos(), t);
        while (peekNonSpace().type() != EOF) {
            Node n = textOrAction();
            if (n.type == Node.END || n.type == Node.ELSE) {
                next[0] = n;
                return list;
            }
            list.nodes.add(n);
        }
        throw errorf("unexpected EOF");
    }

    private Node textOrAction() {
        Item token = nextNonSpace();
        switch (token.type()) {
            case TEXT:
                return new Node.TextNode(token.pos(), t, token.val());
            case LEFT_DELIM:
                actionLine = token.line();
                try {
                    return action();
                } finally {
                    actionLine = 0;
                }
            case COMMENT:
                return new Node.CommentNode(token.pos(), t, token.val());
            default:
                throw unexpected(token, "input");
        }
    }

    private Node action() {
        Item token = nextNonSpace();
        switch (token.type()) {
            case BLOCK:
                return blockControl();
            case BREAK:
                return breakControl(token, "{{break}}");
            case CONTINUE:
                return breakControl(token, "{{continue}}");
            case ELSE:
                return elseControl();
            case END:
                return new Node.EndNode(expect(RIGHT_DELIM, "end").pos(), t);
            case IF:
                return control(Node.IF, "if");
            case RANGE:
                return control(Node.RANGE, "range");
            case TEMPLATE:
                return templateControl();
            case WITH:
                return control(Node.WITH, "with");
            default:
                break;
        }
        backup();
        Item first = peek();
        // variables declared here persist until the enclosing {{end}}
        return new Node.ActionNode(first.pos(), t, first.line(), pipeline("command", RIGHT_DELIM));
    }

    private Node breakControl(Item keyword, String what) {
        Item token = nextNonSpace();
        if (token.type() != RIGHT_DELIM) throw unexpected(token, what);
        if (rangeDepth == 0) throw errorf(what + " outside {{range}}");
        return keyword.type() == BREAK ? new Node.BreakNode(keyword.pos(), t) : new Node.ContinueNode(keyword.pos(), t);
    }

    private PipeNode pipeline(String context, int end) {
        Item token = peekNonSpace();
        PipeNode pipe = new PipeNode(token.pos(), t, token.line());
        decls:
        while (true) {
            Item v = peekNonSpace();
            if (v.type() != VARIABLE) break;
            next();
            // "$x foo": after the variable comes a space, then foo, not ":=": three items of look-ahead
            Item tokenAfterVariable = peek();
            Item nxt = peekNonSpace();
            if (nxt.type() == ASSIGN || nxt.type() == DECLARE) {
                pipe.isAssign = nxt.type() == ASSIGN;
                nextNonSpace();
                pipe.decl.add(new VariableNode(v.pos(), t, v.val()));
                vars.add(v.val());
            } else if (nxt.type() == CHAR && nxt.val().equals(",")) {
                nextNonSpace();
                pipe.decl.add(new VariableNode(v.pos(), t, v.val()));
                vars.add(v.val());
                if (context.equals("range") && pipe.decl.size() < 2) {
                    int pt = peekNonSpace().type();
                    if (pt == VARIABLE || pt == RIGHT_DELIM || pt == RIGHT_PAREN) continue decls; // the second variable
                    throw errorf("range can only initialize variables");
                }
                throw errorf("too many declarations in " + context);
            } else if (tokenAfterVariable.type() == SPACE) {
                backup3(v, tokenAfterVariable);
            } else {
                backup2(v);
            }
            break;
        }
        while (true) {
            Item tok = nextNonSpace();
            if (tok.type() == end) {
                checkPipeline(pipe, context);
                return pipe;
            }
            switch (tok.type()) {
                case BOOL,
                        CHAR_CONSTANT,
                        COMPLEX,
                        DOT,
                        FIELD,
                        IDENTIFIER,
                        NUMBER,
                        NIL,
                        RAW_STRING,
                        STRING,
                        VARIABLE,
                        LEFT_PAREN -> {
                    backup();
                    pipe.cmds.add(command());
                }
                default -> throw unexpected(tok, context);
            }
        }
    }

    private void checkPipeline(PipeNode pipe, String context) {
        if (pipe.cmds.isEmpty()) throw errorf("missing value for " + context);
        for (int i = 1; i < pipe.cmds.size(); i++) {
            switch (pipe.cmds.get(i).args.getFirst().type) {
                case Node.BOOL, Node.DOT, Node.NIL, Node.NUMBER, Node.STRING ->
                    throw errorf("non executable command in pipeline stage " + (i + 1));
                default -> {}
            }
        }
    }

    /** if, range and with: the pipeline, the list, and an else list ({{else if}} and {{else with}} nest). */
    private Node control(int type, String context) {
        enter();
        int mark = vars.size();
        try {
            PipeNode pipe = pipeline(context, RIGHT_DELIM);
            if (type == Node.RANGE) rangeDepth++;
            Node[] next = new Node[1];
            ListNode list = itemList(next);
            if (type == Node.RANGE) rangeDepth--;
            ListNode elseList = null;
            if (next[0].type == Node.ELSE) {
                // {{if a}}_{{else if b}}_{{end}} is {{if a}}_{{else}}{{if b}}_{{end}}{{end}}; so for with (Go 1.23)
                if (type == Node.IF && peek().type() == IF) {
                    next();
                    elseList = new ListNode(next[0].pos, t);
                    elseList.nodes.add(control(Node.IF, "if"));
                } else if (type == Node.WITH && peek().type() == WITH) {
                    next();
                    elseList = new ListNode(next[0].pos, t);
                    elseList.nodes.add(control(Node.WITH, "with"));
                } else {
                    elseList = itemList(next);
                    if (next[0].type != Node.END) throw errorf("expected end; found " + next[0]);
                }
            }
            depth--;
            return new BranchNode(type, pipe.pos, t, pipe.line, pipe, list, elseList);
        } finally {
            while (vars.size() > mark) vars.removeLast();
        }
    }

    private Node elseControl() {
        Item peek = peekNonSpace();
        if (peek.type() == IF || peek.type() == WITH) return new Node.ElseNode(peek.pos(), t, peek.line());
        Item token = expect(RIGHT_DELIM, "else");
        return new Node.ElseNode(token.pos(), t, token.line());
    }

    private Node blockControl() {
        String context = "block clause";
        Item token = nextNonSpace();
        String name = templateName(token, context);
        PipeNode pipe = pipeline(context, RIGHT_DELIM);
        enter();
        Tree saved = t;
        List<String> savedVars = vars;
        int savedRange = rangeDepth;
        t = new Tree(name, parseName, saved.text);
        vars = new ArrayList<>(List.of("$"));
        rangeDepth = 0;
        Item outerToken = this.token[0];
        Node[] end = new Node[1];
        t.root = itemList(end);
        if (end[0].type != Node.END) {
            this.token[0] = outerToken; // Go reports this one at the line of the block's own token
            throw errorf("unexpected " + end[0] + " in " + context);
        }
        add();
        t = saved;
        vars = savedVars;
        rangeDepth = savedRange;
        depth--;
        return new Node.TemplateNode(token.pos(), t, token.line(), name, pipe);
    }

    private Node templateControl() {
        String context = "template clause";
        Item token = nextNonSpace();
        String name = templateName(token, context);
        PipeNode pipe = null;
        if (nextNonSpace().type() != RIGHT_DELIM) {
            backup();
            pipe = pipeline(context, RIGHT_DELIM);
        }
        return new Node.TemplateNode(token.pos(), t, token.line(), name, pipe);
    }

    private String templateName(Item token, String context) {
        if (token.type() == STRING || token.type() == RAW_STRING) return unquote(token);
        throw unexpected(token, context);
    }

    private CommandNode command() {
        CommandNode cmd = new CommandNode(peekNonSpace().pos(), t);
        while (true) {
            peekNonSpace();
            Node operand = operand();
            if (operand != null) cmd.args.add(operand);
            Item token = next();
            switch (token.type()) {
                case SPACE -> {
                    continue;
                }
                case RIGHT_DELIM, RIGHT_PAREN -> backup();
                case PIPE -> {}
                default -> throw unexpected(token, "operand");
            }
            break;
        }
        if (cmd.args.isEmpty()) throw errorf("empty command");
        return cmd;
    }

    private Node operand() {
        Node node = term();
        if (node == null) return null;
        if (peek().type() == FIELD) {
            ChainNode chain = new ChainNode(peek().pos(), t, node);
            while (peek().type() == FIELD) chain.field.add(next().val().substring(1));
            // a field or variable takes the fields itself; a literal cannot have any
            switch (node.type) {
                case Node.FIELD -> node = new Node.FieldNode(chain.pos, t, chain.toString());
                case Node.VARIABLE -> node = new VariableNode(chain.pos, t, chain.toString());
                case Node.BOOL, Node.STRING, Node.NUMBER, Node.NIL, Node.DOT ->
                    throw errorf("unexpected . after term " + Strconv.quote(node.toString(), false));
                default -> node = chain;
            }
        }
        return node;
    }

    private Node term() {
        Item token = nextNonSpace();
        switch (token.type()) {
            case IDENTIFIER:
                if (!funcs.contains(token.val()))
                    throw errorf("function " + Strconv.quote(token.val(), false) + " not defined");
                return new Node.IdentifierNode(token.pos(), t, token.val());
            case DOT:
                return new Node.DotNode(token.pos(), t);
            case NIL:
                return new Node.NilNode(token.pos(), t);
            case VARIABLE:
                return useVar(token);
            case FIELD:
                return new Node.FieldNode(token.pos(), t, token.val());
            case BOOL:
                return new Node.BoolNode(token.pos(), t, token.val().equals("true"));
            case CHAR_CONSTANT, COMPLEX, NUMBER:
                return number(token);
            case LEFT_PAREN:
                enter();
                PipeNode p = pipeline("parenthesized pipeline", RIGHT_PAREN);
                depth--;
                return p;
            case STRING, RAW_STRING:
                return new Node.StringNode(token.pos(), t, token.val(), unquote(token));
            default:
                backup();
                return null;
        }
    }

    private Node useVar(Item token) {
        VariableNode v = new VariableNode(token.pos(), t, token.val());
        if (vars.contains(v.ident.getFirst())) return v;
        throw errorf("undefined variable " + Strconv.quote(v.ident.getFirst(), false));
    }

    /** parse's newNumber: the constant as every kind that holds it exactly, as Go's ideal constants. */
    private NumberNode number(Item token) {
        String text = token.val();
        NumberNode n = new NumberNode(token.pos(), t, text);
        try {
            if (token.type() == CHAR_CONSTANT) {
                int[] at = {1};
                int r = GoLiterals.unquoteChar(text, at, '\'');
                if (!text.substring(at[0]).equals("'")) throw errorf("malformed character constant: " + text);
                n.int64 = n.uint64 = r;
                n.float64 = r;
                n.isInt = n.isUint = n.isFloat = true;
                return n;
            }
            if (token.type() == COMPLEX) {
                n.complex = parseComplex(text); // its errors are fmt's
                n.isComplex = true;
                simplifyComplex(n);
                return n;
            }
        } catch (GoLiterals.Invalid e) {
            throw errorf(e.getMessage());
        }
        if (text.endsWith("i")) {
            try {
                double f = GoLiterals.parseFloat(text.substring(0, text.length() - 1));
                n.isComplex = true;
                n.complex = new GoValue.Complex(0, f);
                simplifyComplex(n);
                return n;
            } catch (GoLiterals.Invalid e) {
                // not a float: the checks below refuse it
            }
        }
        long u = 0;
        try {
            u = GoLiterals.parseUint(text);
            n.isUint = true;
            n.uint64 = u;
        } catch (GoLiterals.Invalid e) {
            // not an unsigned integer
        }
        try {
            long i = GoLiterals.parseInt(text);
            n.isInt = true;
            n.int64 = i;
            if (i == 0) {
                n.isUint = true; // -0
                n.uint64 = u;
            }
        } catch (GoLiterals.Invalid e) {
            // not a signed integer
        }
        if (n.isInt) {
            n.isFloat = true;
            n.float64 = n.int64;
        } else if (n.isUint) {
            n.isFloat = true;
            n.float64 = unsignedToDouble(n.uint64);
        } else {
            try {
                double f = GoLiterals.parseFloat(text);
                if (!containsAny(text, ".eEpP")) throw errorf("integer overflow: " + Strconv.quote(text, false));
                n.isFloat = true;
                n.float64 = f;
                if (f == Math.rint(f) && f >= -0x1p63 && f < 0x1p63) {
                    n.isInt = true;
                    n.int64 = (long) f;
                }
                if (f == Math.rint(f) && f >= 0 && f < 0x1p64) {
                    n.isUint = true;
                    n.uint64 = f < 0x1p63 ? (long) f : (long) (f - 0x1p63) ^ Long.MIN_VALUE;
                }
            } catch (GoLiterals.Invalid e) {
                // not a float either
            }
        }
        if (!n.isInt && !n.isUint && !n.isFloat) throw errorf("illegal number syntax: " + Strconv.quote(text, false));
        return n;
    }

    static double unsignedToDouble(long u) {
        return u >= 0 ? (double) u : ((double) (u >>> 1 | (u & 1))) * 2.0;
    }

    private static boolean containsAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) if (chars.indexOf(s.charAt(i)) >= 0) return true;
        return false;
    }

    /**
     * fmt.Sscan of a complex constant ({@code 1+2i}, {@code (1-2e3i)}): fmt's complexTokens and convertFloat, with its
     * errors ("syntax error scanning complex number", strconv's for a part that is no float).
     */
    private GoValue.Complex parseComplex(String text) {
        int[] at = {0};
        boolean parens = acceptChar(text, at, "(");
        String real = floatToken(text, at);
        if (!acceptChar(text, at, "+-")) throw errorf("syntax error scanning complex number");
        String imagSign = text.substring(at[0] - 1, at[0]);
        String imag = floatToken(text, at);
        if (!acceptChar(text, at, "i")) throw errorf("syntax error scanning complex number");
        if (parens && !acceptChar(text, at, ")")) throw errorf("syntax error scanning complex number");
        return new GoValue.Complex(convertFloat(real), convertFloat(imagSign + imag));
    }

    private static boolean acceptChar(String s, int[] at, String chars) {
        if (at[0] < s.length() && chars.indexOf(s.charAt(at[0])) >= 0) {
            at[0]++;
            return true;
        }
        return false;
    }

    /** fmt's floatToken: the longest prefix that looks like a float, NaN or Inf. */
    private static String floatToken(String s, int[] at) {
        int start = at[0];
        if (acceptChar(s, at, "nN") && acceptChar(s, at, "aA") && acceptChar(s, at, "nN"))
            return s.substring(start, at[0]);
        acceptChar(s, at, "+-");
        if (acceptChar(s, at, "iI") && acceptChar(s, at, "nN") && acceptChar(s, at, "fF"))
            return s.substring(start, at[0]);
        String digits = "0123456789_", exp = "eEpP";
        if (acceptChar(s, at, "0") && acceptChar(s, at, "xX")) {
            digits = "0123456789aAbBcCdDeEfF_";
            exp = "pP";
        }
        while (acceptChar(s, at, digits)) {}
        if (acceptChar(s, at, ".")) while (acceptChar(s, at, digits)) {}
        if (acceptChar(s, at, exp)) {
            acceptChar(s, at, "+-");
            while (acceptChar(s, at, "0123456789_")) {}
        }
        return s.substring(start, at[0]);
    }

    /** fmt's convertFloat: strconv.ParseFloat, and a decimal mantissa with a binary exponent ({@code 1.5p3}; not hex). */
    private double convertFloat(String str) {
        int p = str.indexOf('p');
        try {
            if (p >= 0 && str.indexOf('x') < 0 && str.indexOf('X') < 0) {
                double f = GoLiterals.parseFloat(str.substring(0, p));
                return Math.scalb(f, Integer.parseInt(str.substring(p + 1)));
            }
            return GoLiterals.parseFloat(str);
        } catch (GoLiterals.Invalid e) {
            throw errorf("strconv.ParseFloat: parsing " + Strconv.quote(str, false) + ": " + e.getMessage());
        } catch (NumberFormatException e) {
            throw errorf("strconv.Atoi: parsing " + Strconv.quote(str, false) + ": invalid syntax");
        }
    }

    private static void simplifyComplex(NumberNode n) {
        n.isFloat = n.complex.im() == 0;
        if (n.isFloat) {
            double f = n.complex.re();
            n.float64 = f;
            n.isInt = f == Math.rint(f) && f >= -0x1p63 && f < 0x1p63;
            if (n.isInt) n.int64 = (long) f;
            n.isUint = f == Math.rint(f) && f >= 0 && f < 0x1p64;
            if (n.isUint) n.uint64 = f < 0x1p63 ? (long) f : (long) (f - 0x1p63) ^ Long.MIN_VALUE;
        }
    }
}
