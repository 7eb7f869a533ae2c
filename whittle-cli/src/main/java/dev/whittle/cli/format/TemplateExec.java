package dev.whittle.cli.format;

import dev.whittle.cli.format.GoType.Kind;
import dev.whittle.cli.format.Node.BranchNode;
import dev.whittle.cli.format.Node.ChainNode;
import dev.whittle.cli.format.Node.CommandNode;
import dev.whittle.cli.format.Node.FieldNode;
import dev.whittle.cli.format.Node.IdentifierNode;
import dev.whittle.cli.format.Node.ListNode;
import dev.whittle.cli.format.Node.NumberNode;
import dev.whittle.cli.format.Node.PipeNode;
import dev.whittle.cli.format.Node.Tree;
import dev.whittle.cli.format.Node.VariableNode;
import dev.whittle.gotext.Strconv;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * text/template's exec.go: walks a tree over a {@link GoValue}, evaluating fields, methods, functions and
 * variables with reflect's rules (what a missing map key gives, which argument fits which parameter, when a value
 * is true) and Go's error messages, {@code template: :LINE:COL: executing "NAME" at <NODE>: ...}. An invalid
 * reflect.Value is null here.
 */
final class TemplateExec {
    /** The executing template's name and tree. */
    record Template(String name, Tree tree) {}

    /**
     * How deep bodies (if, with, range) and template calls may nest while executing. Go stops template recursion at
     * 100000 calls on its growable stacks; here a level is a few Java frames, and a thread's default 1 MiB stack
     * holds about 1200 of the costliest (measured under C1), so the limit (and the number in the message) is
     * whittle's own, a quarter of that.
     */
    static final int MAX_EXEC_DEPTH = 300;

    private static final GoValue MISSING = GoValue.of(GoType.struct("template.missingValType"), new Object[0]);

    /** Signals {{break}} and {{continue}} to the range that runs the body. */
    private static final class Jump extends RuntimeException {
        final boolean isBreak;

        Jump(boolean isBreak) {
            super(null, null, false, false);
            this.isBreak = isBreak;
        }
    }

    private static final Jump BREAK = new Jump(true), CONTINUE = new Jump(false);

    private final Map<String, Tree> templates;
    private final Map<String, GoFunc> funcs;
    private final boolean missingKeyError;
    private final StringBuilder out;
    private final Budget budget;
    private Template tmpl;
    private Node node;
    private final List<String> varNames = new ArrayList<>();
    private final List<GoValue> varValues = new ArrayList<>();
    private int depth;

    TemplateExec(
            Map<String, Tree> templates,
            Map<String, GoFunc> funcs,
            boolean missingKeyError,
            StringBuilder out,
            Budget budget) {
        this.templates = templates;
        this.funcs = funcs;
        this.missingKeyError = missingKeyError;
        this.out = out;
        this.budget = budget;
    }

    /** Executes the template {@code name} over {@code data}, writing to the output as it goes. */
    void execute(String name, GoValue data) {
        Tree t = templates.get(name);
        tmpl = new Template(name, t);
        push("$", data);
        if (t == null || t.root == null)
            throw errorf(Strconv.quote(name, false) + " is an incomplete or empty template");
        try {
            walk(data, t.root);
        } catch (Budget.Exceeded e) {
            throw errorf(e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------ state

    private void push(String name, GoValue v) {
        varNames.add(name);
        varValues.add(v);
    }

    private int mark() {
        return varNames.size();
    }

    private void pop(int mark) {
        while (varNames.size() > mark) {
            varNames.removeLast();
            varValues.removeLast();
        }
    }

    private void setVar(String name, GoValue v) {
        for (int i = mark() - 1; i >= 0; i--) {
            if (varNames.get(i).equals(name)) {
                varValues.set(i, v);
                return;
            }
        }
        throw errorf("undefined variable: " + name);
    }

    private void setTopVar(int n, GoValue v) {
        varValues.set(varValues.size() - n, v);
    }

    private GoValue varValue(String name) {
        for (int i = mark() - 1; i >= 0; i--) if (varNames.get(i).equals(name)) return varValues.get(i);
        throw errorf("undefined variable: " + name);
    }

    private void at(Node n) {
        node = n;
    }

    TemplateException errorf(String msg) {
        String name = Strconv.quote(tmpl.name(), false);
        if (node == null) return TemplateException.execution("template: " + tmpl.name() + ": " + msg);
        return TemplateException.execution(
                "template: " + node.tree.location(node) + ": executing " + name + " at <" + node + ">: " + msg);
    }

    private void enter() {
        if (++depth > MAX_EXEC_DEPTH) throw errorf("exceeded maximum template depth (" + MAX_EXEC_DEPTH + ")");
    }

    private void write(String s) {
        budget.text(s.length());
        out.append(s);
    }

    // ------------------------------------------------------------------------------------------ walk

    private void walk(GoValue dot, Node n) {
        at(n);
        budget.step();
        switch (n.type) {
            case Node.ACTION -> {
                Node.ActionNode a = (Node.ActionNode) n;
                // variables declared here persist to the next {{end}}; a declaration prints nothing
                GoValue val = evalPipeline(dot, a.pipe);
                if (a.pipe.decl.isEmpty()) printValue(n, val);
            }
            case Node.BREAK -> throw BREAK;
            case Node.CONTINUE -> throw CONTINUE;
            case Node.COMMENT -> {}
            case Node.IF, Node.WITH -> walkIfOrWith((BranchNode) n, dot);
            case Node.LIST -> {
                for (Node c : ((ListNode) n).nodes) walk(dot, c);
            }
            case Node.RANGE -> walkRange(dot, (BranchNode) n);
            case Node.TEMPLATE -> walkTemplate(dot, (Node.TemplateNode) n);
            case Node.TEXT -> write(((Node.TextNode) n).text);
            default -> throw errorf("unknown node: " + n);
        }
    }

    private void walkIfOrWith(BranchNode b, GoValue dot) {
        int mark = mark();
        try {
            GoValue val = evalPipeline(dot, b.pipe);
            int truth = isTrue(indirectInterface(val));
            if (truth < 0) throw errorf("if/with can't use " + Printf.sprint(listOf(val)));
            enter();
            try {
                if (truth > 0) walk(b.type == Node.WITH ? val : dot, b.list);
                else if (b.elseList != null) walk(dot, b.elseList);
            } finally {
                depth--;
            }
        } finally {
            pop(mark);
        }
    }

    private static List<GoValue> listOf(GoValue v) {
        List<GoValue> l = new ArrayList<>(1);
        l.add(v);
        return l;
    }

    /** reflect truth as templates take it: 1 true, 0 false, -1 for a value that has none (a struct is always true). */
    static int isTrue(GoValue v) {
        if (v == null) return 0; // a nil interface: a form of nil
        Kind k = v.kind();
        if (k.isInt() || k.isUint()) return v.longValue() != 0 ? 1 : 0;
        return switch (k) {
            case ARRAY, MAP, SLICE, STRING -> v.len() > 0 ? 1 : 0;
            case BOOL -> v.boolValue() ? 1 : 0;
            case COMPLEX64, COMPLEX128 ->
                v.complexValue().re() != 0 || v.complexValue().im() != 0 ? 1 : 0;
            case CHAN, FUNC, POINTER, INTERFACE -> v.isNil() ? 0 : 1;
            case FLOAT32, FLOAT64 -> v.doubleValue() != 0 ? 1 : 0;
            case STRUCT -> 1;
            default -> -1;
        };
    }

    static boolean truth(GoValue v) {
        return isTrue(indirectInterface(v)) > 0;
    }

    private void walkRange(GoValue dot, BranchNode r) {
        at(r);
        int outer = mark();
        try {
            GoValue val = indirect(evalPipeline(dot, r.pipe));
            int mark = mark();
            enter();
            boolean ran = false;
            try {
                if (val != null && (val.kind() == Kind.ARRAY || val.kind() == Kind.SLICE)) {
                    int n = val.list().size();
                    for (int i = 0; i < n; i++) {
                        ran = true;
                        if (oneIteration(r, mark, GoValue.integer(i), val.index(i))) break;
                    }
                } else if (val != null && val.kind() == Kind.MAP) {
                    for (GoValue[] e : val.sortedEntries()) {
                        ran = true;
                        if (oneIteration(r, mark, e[0], e[1])) break;
                    }
                } else if (val != null) { // an invalid value (a nil map, say) acts as an empty one
                    throw errorf("range can't iterate over " + Printf.sprint(listOf(val)));
                }
            } finally {
                depth--;
            }
            if (!ran && r.elseList != null) walk(dot, r.elseList);
        } finally {
            pop(outer);
        }
    }

    /** One pass of a range body; true when it ended in {{break}}. */
    private boolean oneIteration(BranchNode r, int mark, GoValue index, GoValue elem) {
        budget.step();
        if (!r.pipe.decl.isEmpty()) setTopVar(1, elem);
        if (r.pipe.decl.size() > 1) setTopVar(2, index);
        try {
            walk(elem, r.list);
        } catch (Jump j) {
            if (j.isBreak) return true;
        } finally {
            pop(mark);
        }
        return false;
    }

    private void walkTemplate(GoValue dot, Node.TemplateNode t) {
        at(t);
        Tree target = templates.get(t.name);
        if (target == null || target.root == null)
            throw errorf("template " + Strconv.quote(t.name, false) + " not defined");
        enter();
        GoValue newDot = evalPipeline(dot, t.pipe);
        Template savedTmpl = tmpl;
        List<String> savedNames = new ArrayList<>(varNames);
        List<GoValue> savedValues = new ArrayList<>(varValues);
        // no dynamic scoping: the template sees $ and nothing else
        varNames.clear();
        varValues.clear();
        push("$", newDot);
        tmpl = new Template(t.name, target);
        try {
            walk(newDot, target.root);
        } finally {
            tmpl = savedTmpl;
            varNames.clear();
            varValues.clear();
            varNames.addAll(savedNames);
            varValues.addAll(savedValues);
            depth--;
        }
    }

    // ------------------------------------------------------------------------------------------ evaluation

    private GoValue evalPipeline(GoValue dot, PipeNode pipe) {
        if (pipe == null) return null;
        at(pipe);
        GoValue value = MISSING;
        for (CommandNode cmd : pipe.cmds) {
            value = evalCommand(dot, cmd, value);
            // an interface{} value: dig down to what is inside
            if (value != null && value.kind() == Kind.INTERFACE && value.type().isEmptyInterface())
                value = value.elem();
        }
        for (VariableNode v : pipe.decl) {
            if (pipe.isAssign) setVar(v.ident.getFirst(), value);
            else push(v.ident.getFirst(), value);
        }
        return value;
    }

    private void notAFunction(List<Node> args, GoValue fin) {
        if ((args != null && args.size() > 1) || fin != MISSING)
            throw errorf("can't give argument to non-function " + args.getFirst());
    }

    private GoValue evalCommand(GoValue dot, CommandNode cmd, GoValue fin) {
        budget.step();
        Node first = cmd.args.getFirst();
        switch (first.type) {
            case Node.FIELD:
                return evalFieldNode(dot, (FieldNode) first, cmd.args, fin);
            case Node.CHAIN:
                return evalChainNode(dot, (ChainNode) first, cmd.args, fin);
            case Node.IDENTIFIER:
                return evalFunction(dot, (IdentifierNode) first, cmd, cmd.args, fin);
            case Node.PIPE:
                notAFunction(cmd.args, fin);
                return evalPipeline(dot, (PipeNode) first);
            case Node.VARIABLE:
                return evalVariableNode(dot, (VariableNode) first, cmd.args, fin);
            default:
                break;
        }
        at(first);
        notAFunction(cmd.args, fin);
        return switch (first.type) {
            case Node.BOOL -> GoValue.bool(((Node.BoolNode) first).value);
            case Node.DOT -> dot;
            case Node.NIL -> throw errorf("nil is not a command");
            case Node.NUMBER -> idealConstant((NumberNode) first);
            case Node.STRING -> GoValue.string(((Node.StringNode) first).text);
            default -> throw errorf("can't evaluate command " + Strconv.quote(first.toString(), false));
        };
    }

    /** A number in a place that gives it no type: its syntax decides, as for Go's untyped constants. */
    private GoValue idealConstant(NumberNode c) {
        at(c);
        if (c.isComplex) return GoValue.of(GoType.COMPLEX128, c.complex);
        if (c.isFloat && !isHexInt(c.text) && !c.text.startsWith("'") && containsAny(c.text, ".eEpP"))
            return GoValue.float64(c.float64);
        if (c.isInt) return GoValue.integer(c.int64);
        if (c.isUint) throw errorf(c.text + " overflows int");
        return null;
    }

    private static boolean isHexInt(String s) {
        return s.length() > 2
                && s.charAt(0) == '0'
                && (s.charAt(1) == 'x' || s.charAt(1) == 'X')
                && !containsAny(s, "pP");
    }

    private static boolean containsAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) if (chars.indexOf(s.charAt(i)) >= 0) return true;
        return false;
    }

    private GoValue evalFieldNode(GoValue dot, FieldNode field, List<Node> args, GoValue fin) {
        at(field);
        return evalFieldChain(dot, dot, field, field.ident, args, fin);
    }

    private GoValue evalChainNode(GoValue dot, ChainNode chain, List<Node> args, GoValue fin) {
        at(chain);
        if (chain.field.isEmpty()) throw errorf("internal error: no fields in evalChainNode");
        if (chain.node.type == Node.NIL) throw errorf("indirection through explicit nil in " + chain);
        GoValue pipe = evalArg(dot, null, chain.node);
        return evalFieldChain(dot, pipe, chain, chain.field, args, fin);
    }

    private GoValue evalVariableNode(GoValue dot, VariableNode v, List<Node> args, GoValue fin) {
        at(v);
        GoValue value = varValue(v.ident.getFirst());
        if (v.ident.size() == 1) {
            notAFunction(args, fin);
            return value;
        }
        return evalFieldChain(dot, value, v, v.ident.subList(1, v.ident.size()), args, fin);
    }

    private GoValue evalFieldChain(
            GoValue dot, GoValue receiver, Node n, List<String> ident, List<Node> args, GoValue fin) {
        int last = ident.size() - 1;
        for (int i = 0; i < last; i++) receiver = evalField(dot, ident.get(i), n, null, MISSING, receiver);
        return evalField(dot, ident.get(last), n, args, fin, receiver);
    }

    private GoValue evalFunction(GoValue dot, IdentifierNode n, Node cmd, List<Node> args, GoValue fin) {
        at(n);
        GoFunc f = funcs.get(n.ident);
        if (f == null) throw errorf(Strconv.quote(n.ident, false) + " is not a defined function");
        return evalCall(dot, f, Funcs.isBuiltin(f), cmd, n.ident, args, fin);
    }

    /** .Field on a struct, a map key, or a method (with arguments). */
    private GoValue evalField(GoValue dot, String fieldName, Node n, List<Node> args, GoValue fin, GoValue receiver) {
        if (receiver == null) {
            if (missingKeyError) throw errorf("nil data; no entry for key " + Strconv.quote(fieldName, false));
            return null;
        }
        GoType typ = receiver.type();
        GoValue r = indirect(receiver);
        boolean isNil = r.canBeNil() && r.isNil() && (r.kind() == Kind.POINTER || r.kind() == Kind.INTERFACE);
        if (r.kind() == Kind.INTERFACE && isNil) throw errorf("nil pointer evaluating " + typ + "." + fieldName);
        GoType.Method m = r.type().methodByName(fieldName);
        if (m != null) {
            return evalCall(dot, Funcs.bind(r, m), false, n, fieldName, args, fin);
        }
        boolean hasArgs = (args != null && args.size() > 1) || fin != MISSING;
        switch (r.kind()) {
            case STRUCT -> {
                int i = r.type().fieldIndex(fieldName);
                if (i >= 0) {
                    if (!r.type().fields().get(i).exported()) {
                        throw errorf(fieldName + " is an unexported field of struct type " + typ);
                    }
                    if (hasArgs) throw errorf(fieldName + " has arguments but cannot be invoked as function");
                    return r.field(i);
                }
            }
            case MAP -> {
                if (GoType.STRING.assignableTo(r.type().key())) {
                    if (hasArgs) throw errorf(fieldName + " is not a method but has arguments");
                    GoValue result = r.mapIndex(GoValue.string(fieldName));
                    if (result == null && missingKeyError)
                        throw errorf("map has no entry for key " + Strconv.quote(fieldName, false));
                    return result;
                }
            }
            case POINTER -> {
                GoType etyp = r.type().elem();
                if (!(etyp.kind() == Kind.STRUCT && etyp.fieldIndex(fieldName) < 0) && isNil) {
                    throw errorf("nil pointer evaluating " + typ + "." + fieldName);
                }
            }
            default -> {}
        }
        throw errorf("can't evaluate field " + fieldName + " in type " + typ);
    }

    /** Calls a function or bound method with the command's arguments (after the first) and the pipeline's value. */
    private GoValue evalCall(
            GoValue dot, GoFunc fun, boolean isBuiltin, Node n, String name, List<Node> args, GoValue fin) {
        if (args != null) args = args.subList(1, args.size());
        else args = List.of();
        GoType typ = fun.type();
        int numIn = args.size() + (fin != MISSING ? 1 : 0);
        int numFixed = args.size();
        int nin = typ.in().size();
        if (typ.variadic()) {
            numFixed = nin - 1;
            if (numIn < numFixed)
                throw errorf(
                        "wrong number of args for " + name + ": want at least " + (nin - 1) + " got " + args.size());
        } else if (numIn != nin) {
            throw errorf("wrong number of args for " + name + ": want " + nin + " got " + numIn);
        }
        if (typ.out() == null)
            throw errorf("can't call method/function " + Strconv.quote(name, false) + " with 0 results");

        // and, or: short-circuit
        if (isBuiltin && (name.equals("and") || name.equals("or"))) {
            GoType argType = typ.in().getFirst();
            GoValue v = null;
            for (Node a : args) {
                v = evalArg(dot, argType, a);
                if (truth(v) == name.equals("or")) return v;
            }
            if (fin != MISSING) v = validateType(fin, argType);
            return v;
        }

        List<GoValue> argv = new ArrayList<>(numIn);
        int i = 0;
        for (; i < numFixed && i < args.size(); i++)
            argv.add(evalArg(dot, typ.in().get(i), args.get(i)));
        if (typ.variadic()) {
            GoType argType = typ.in().get(nin - 1).elem();
            for (; i < args.size(); i++) argv.add(evalArg(dot, argType, args.get(i)));
        }
        if (fin != MISSING) {
            GoType t = typ.in().get(nin - 1);
            if (typ.variadic()) t = numIn - 1 < numFixed ? typ.in().get(numIn - 1) : t.elem();
            argv.add(validateType(fin, t));
        }
        try {
            return fun.call(argv);
        } catch (GoFunc.Failure e) {
            at(n);
            throw errorf("error calling " + name + ": " + e.getMessage());
        }
    }

    /** Whether an untyped nil can be assigned to the type. */
    static boolean canBeNil(GoType t) {
        return switch (t.kind()) {
            case CHAN, FUNC, INTERFACE, MAP, POINTER, SLICE -> true;
            case STRUCT -> t == GoType.REFLECT_VALUE;
            default -> false;
        };
    }

    /** Checks that the value can be passed as {@code typ} (null: anything), dereferencing a pointer once if that helps. */
    private GoValue validateType(GoValue value, GoType typ) {
        if (value == null) {
            if (typ == null) return null;
            if (typ == GoType.REFLECT_VALUE) return null;
            if (canBeNil(typ)) return GoValue.zero(typ);
            throw errorf("invalid value; expected " + typ);
        }
        if (typ == GoType.REFLECT_VALUE) return value;
        if (typ != null && !value.type().assignableTo(typ)) {
            if (value.kind() == Kind.INTERFACE && !value.isNil()) {
                value = value.elem();
                if (value.type().assignableTo(typ)) return value;
            }
            if (value.kind() == Kind.POINTER && value.type().elem().assignableTo(typ)) {
                value = value.elem();
                if (value == null) throw errorf("dereference of nil pointer of type " + typ);
            } else {
                throw errorf("wrong type for value; expected " + typ + "; got " + value.type());
            }
        }
        return value;
    }

    private GoValue evalArg(GoValue dot, GoType typ, Node n) {
        at(n);
        switch (n.type) {
            case Node.DOT:
                return validateType(dot, typ);
            case Node.NIL:
                if (typ != null && canBeNil(typ)) return typ == GoType.REFLECT_VALUE ? null : GoValue.zero(typ);
                throw errorf("cannot assign nil to " + typ);
            case Node.FIELD:
                return validateType(evalFieldNode(dot, (FieldNode) n, List.of(n), MISSING), typ);
            case Node.VARIABLE:
                return validateType(evalVariableNode(dot, (VariableNode) n, null, MISSING), typ);
            case Node.PIPE:
                return validateType(evalPipeline(dot, (PipeNode) n), typ);
            case Node.IDENTIFIER:
                return validateType(evalFunction(dot, (IdentifierNode) n, n, null, MISSING), typ);
            case Node.CHAIN:
                return validateType(evalChainNode(dot, (ChainNode) n, null, MISSING), typ);
            default:
                break;
        }
        if (typ == null) throw errorf("can't handle " + n + " for arg of type <nil>");
        Kind k = typ.kind();
        if (k == Kind.BOOL) return evalBool(typ, n);
        if (k.isComplex()) return evalComplex(typ, n);
        if (k.isFloat()) return evalFloat(typ, n);
        if (k.isInt()) return evalInteger(typ, n);
        if (k.isUint()) return evalUnsignedInteger(typ, n);
        if (k == Kind.INTERFACE && typ.isEmptyInterface()) return evalEmptyInterface(dot, n);
        if (typ == GoType.REFLECT_VALUE) return evalEmptyInterface(dot, n);
        if (k == Kind.STRING) return evalString(typ, n);
        throw errorf("can't handle " + n + " for arg of type " + typ);
    }

    private GoValue evalBool(GoType typ, Node n) {
        at(n);
        if (n.type == Node.BOOL) return GoValue.of(typ, ((Node.BoolNode) n).value);
        throw errorf("expected bool; found " + n);
    }

    private GoValue evalString(GoType typ, Node n) {
        at(n);
        if (n.type == Node.STRING) return GoValue.of(typ, ((Node.StringNode) n).text);
        throw errorf("expected string; found " + n);
    }

    private GoValue evalInteger(GoType typ, Node n) {
        at(n);
        if (n.type == Node.NUMBER && ((NumberNode) n).isInt)
            return GoValue.of(typ, truncate(((NumberNode) n).int64, typ.kind()));
        throw errorf("expected integer; found " + n);
    }

    private GoValue evalUnsignedInteger(GoType typ, Node n) {
        at(n);
        if (n.type == Node.NUMBER && ((NumberNode) n).isUint)
            return GoValue.of(typ, truncate(((NumberNode) n).uint64, typ.kind()));
        throw errorf("expected unsigned integer; found " + n);
    }

    /** reflect's SetInt and SetUint keep the bits the kind has. */
    static long truncate(long v, Kind k) {
        return switch (k) {
            case INT8 -> (byte) v;
            case INT16 -> (short) v;
            case INT32 -> (int) v;
            case UINT8 -> v & 0xFF;
            case UINT16 -> v & 0xFFFF;
            case UINT32 -> v & 0xFFFFFFFFL;
            default -> v;
        };
    }

    private GoValue evalFloat(GoType typ, Node n) {
        at(n);
        if (n.type == Node.NUMBER && ((NumberNode) n).isFloat) {
            double f = ((NumberNode) n).float64;
            return GoValue.of(typ, typ.kind() == Kind.FLOAT32 ? (double) (float) f : f);
        }
        throw errorf("expected float; found " + n);
    }

    private GoValue evalComplex(GoType typ, Node n) {
        if (n.type == Node.NUMBER && ((NumberNode) n).isComplex) return GoValue.of(typ, ((NumberNode) n).complex);
        throw errorf("expected complex; found " + n);
    }

    private GoValue evalEmptyInterface(GoValue dot, Node n) {
        at(n);
        return switch (n.type) {
            case Node.BOOL -> GoValue.bool(((Node.BoolNode) n).value);
            case Node.DOT -> dot;
            case Node.FIELD -> evalFieldNode(dot, (FieldNode) n, null, MISSING);
            case Node.IDENTIFIER -> evalFunction(dot, (IdentifierNode) n, n, null, MISSING);
            case Node.NIL -> throw errorf("evalEmptyInterface: nil (can't happen)");
            case Node.NUMBER -> idealConstant((NumberNode) n);
            case Node.STRING -> GoValue.string(((Node.StringNode) n).text);
            case Node.VARIABLE -> evalVariableNode(dot, (VariableNode) n, null, MISSING);
            case Node.PIPE -> evalPipeline(dot, (PipeNode) n);
            default -> throw errorf("can't handle assignment of " + n + " to empty interface argument");
        };
    }

    /** Follows pointers and interfaces to the value at the end; stops at a nil one, which it returns. */
    static GoValue indirect(GoValue v) {
        while (v != null && (v.kind() == Kind.POINTER || v.kind() == Kind.INTERFACE)) {
            if (v.isNil()) return v;
            v = v.elem();
        }
        return v;
    }

    /** The value inside an interface, or the value itself; null for a nil interface. */
    static GoValue indirectInterface(GoValue v) {
        if (v == null || v.kind() != Kind.INTERFACE) return v;
        return v.elem();
    }

    private static boolean hasMethod(GoValue v, String name, boolean pointer) {
        GoType.Method m = v.type().methodByName(name);
        return m != null && m.pointer() == pointer;
    }

    /** Prints an action's value: pointers followed, an invalid value as {@code <no value>}, the rest as fmt.Print does. */
    private void printValue(Node n, GoValue v) {
        at(n);
        if (v != null && v.kind() == Kind.POINTER) v = indirect(v); // fmt prints a nil pointer
        if (v == null) {
            write("<no value>");
            return;
        }
        if ((v.kind() == Kind.CHAN || v.kind() == Kind.FUNC)
                && v.type().methodByName("String") == null
                && v.type().methodByName("Error") == null) {
            throw errorf("can't print " + n + " of type " + v.type());
        }
        // an interface-typed value prints as what it holds
        if (v.kind() == Kind.INTERFACE) v = v.elem();
        // an addressable value whose pointer has String or Error prints through it (the value is taken to be
        // addressable: this model does not track where a value came from)
        if (v != null
                && v.kind() != Kind.POINTER
                && !hasMethod(v, "Error", false)
                && !hasMethod(v, "String", false)
                && (hasMethod(v, "Error", true) || hasMethod(v, "String", true))) {
            v = GoValue.of(GoType.pointerTo(v.type()), new GoValue.Ptr(v.data()));
        }
        write(Printf.sprint(listOf(v), budget));
    }
}
