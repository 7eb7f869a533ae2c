package dev.whittle.cli.format;

import dev.whittle.gotext.Strconv;
import java.util.ArrayList;
import java.util.List;

/**
 * text/template/parse's nodes (node.go): each knows its byte position and its tree, and prints itself as Go does,
 * which is the text error messages quote ({@code executing "" at <index .RepoTags 5>}).
 */
abstract class Node {
    static final int TEXT = 0,
            ACTION = 1,
            BOOL = 2,
            CHAIN = 3,
            COMMAND = 4,
            DOT = 5,
            ELSE = 6,
            END = 7,
            FIELD = 8,
            IDENTIFIER = 9,
            IF = 10,
            LIST = 11,
            NIL = 12,
            NUMBER = 13,
            PIPE = 14,
            RANGE = 15,
            STRING = 16,
            TEMPLATE = 17,
            VARIABLE = 18,
            WITH = 19,
            COMMENT = 20,
            BREAK = 21,
            CONTINUE = 22;

    final int type;
    final int pos;
    final Tree tree;

    Node(int type, int pos, Tree tree) {
        this.type = type;
        this.pos = pos;
        this.tree = tree;
    }

    abstract void writeTo(StringBuilder sb);

    @Override
    public final String toString() {
        StringBuilder sb = new StringBuilder();
        writeTo(sb);
        return sb.toString();
    }

    /** A parsed template: its name, the name of the text it came from (for errors), its nodes and that text. */
    static final class Tree {
        String name;
        final String parseName;
        final byte[] text;
        ListNode root;

        Tree(String name, String parseName, byte[] text) {
            this.name = name;
            this.parseName = parseName;
            this.text = text;
        }

        /** Go's ErrorContext: {@code :line:byteColumn} of the node, and the node as text. */
        String location(Node n) {
            int p = Math.min(n.pos, text.length);
            int lastNewline = -1, line = 1;
            for (int i = 0; i < p; i++) {
                if (text[i] == '\n') {
                    lastNewline = i;
                    line++;
                }
            }
            int col = lastNewline < 0 ? p : p - (lastNewline + 1);
            return parseName + ":" + line + ":" + col;
        }
    }

    static final class ListNode extends Node {
        final List<Node> nodes = new ArrayList<>();

        ListNode(int pos, Tree t) {
            super(LIST, pos, t);
        }

        @Override
        void writeTo(StringBuilder sb) {
            for (Node n : nodes) n.writeTo(sb);
        }
    }

    static final class TextNode extends Node {
        final String text;

        TextNode(int pos, Tree t, String text) {
            super(TEXT, pos, t);
            this.text = text;
        }

        @Override
        void writeTo(StringBuilder sb) {
            sb.append(text);
        }
    }

    static final class CommentNode extends Node {
        final String text;

        CommentNode(int pos, Tree t, String text) {
            super(COMMENT, pos, t);
            this.text = text;
        }

        @Override
        void writeTo(StringBuilder sb) {
            sb.append("{{").append(text).append("}}");
        }
    }

    static final class PipeNode extends Node {
        final int line;
        boolean isAssign;
        final List<VariableNode> decl = new ArrayList<>(2);
        final List<CommandNode> cmds = new ArrayList<>(2);

        PipeNode(int pos, Tree t, int line) {
            super(PIPE, pos, t);
            this.line = line;
        }

        @Override
        void writeTo(StringBuilder sb) {
            if (!decl.isEmpty()) {
                for (int i = 0; i < decl.size(); i++) {
                    if (i > 0) sb.append(", ");
                    decl.get(i).writeTo(sb);
                }
                sb.append(" := ");
            }
            for (int i = 0; i < cmds.size(); i++) {
                if (i > 0) sb.append(" | ");
                cmds.get(i).writeTo(sb);
            }
        }
    }

    static final class ActionNode extends Node {
        final int line;
        final PipeNode pipe;

        ActionNode(int pos, Tree t, int line, PipeNode pipe) {
            super(ACTION, pos, t);
            this.line = line;
            this.pipe = pipe;
        }

        @Override
        void writeTo(StringBuilder sb) {
            sb.append("{{");
            pipe.writeTo(sb);
            sb.append("}}");
        }
    }

    static final class CommandNode extends Node {
        final List<Node> args = new ArrayList<>(4);

        CommandNode(int pos, Tree t) {
            super(COMMAND, pos, t);
        }

        @Override
        void writeTo(StringBuilder sb) {
            for (int i = 0; i < args.size(); i++) {
                if (i > 0) sb.append(' ');
                Node a = args.get(i);
                if (a instanceof PipeNode) {
                    sb.append('(');
                    a.writeTo(sb);
                    sb.append(')');
                } else {
                    a.writeTo(sb);
                }
            }
        }
    }

    static final class IdentifierNode extends Node {
        final String ident;

        IdentifierNode(int pos, Tree t, String ident) {
            super(IDENTIFIER, pos, t);
            this.ident = ident;
        }

        @Override
        void writeTo(StringBuilder sb) {
            sb.append(ident);
        }
    }

    /** {@code $x.A.B}: the variable and the fields after it. */
    static final class VariableNode extends Node {
        final List<String> ident;

        VariableNode(int pos, Tree t, String ident) {
            super(VARIABLE, pos, t);
            this.ident = split(ident);
        }

        @Override
        void writeTo(StringBuilder sb) {
            sb.append(String.join(".", ident));
        }
    }

    static List<String> split(String s) {
        List<String> out = new ArrayList<>(2);
        int from = 0;
        for (int i = 0; i <= s.length(); i++) {
            if (i == s.length() || s.charAt(i) == '.') {
                out.add(s.substring(from, i));
                from = i + 1;
            }
        }
        return out;
    }

    static final class DotNode extends Node {
        DotNode(int pos, Tree t) {
            super(DOT, pos, t);
        }

        @Override
        void writeTo(StringBuilder sb) {
            sb.append('.');
        }
    }

    static final class NilNode extends Node {
        NilNode(int pos, Tree t) {
            super(NIL, pos, t);
        }

        @Override
        void writeTo(StringBuilder sb) {
            sb.append("nil");
        }
    }

    /** {@code .A.B}: the field names, without their dots. */
    static final class FieldNode extends Node {
        final List<String> ident;

        FieldNode(int pos, Tree t, String ident) {
            super(FIELD, pos, t);
            this.ident = split(ident.substring(1));
        }

        @Override
        void writeTo(StringBuilder sb) {
            for (String id : ident) sb.append('.').append(id);
        }
    }

    /** A term followed by fields: {@code (pipeline).A.B}. */
    static final class ChainNode extends Node {
        final Node node;
        final List<String> field = new ArrayList<>(2);

        ChainNode(int pos, Tree t, Node node) {
            super(CHAIN, pos, t);
            this.node = node;
        }

        @Override
        void writeTo(StringBuilder sb) {
            if (node instanceof PipeNode) {
                sb.append('(');
                node.writeTo(sb);
                sb.append(')');
            } else {
                node.writeTo(sb);
            }
            for (String f : field) sb.append('.').append(f);
        }
    }

    static final class BoolNode extends Node {
        final boolean value;

        BoolNode(int pos, Tree t, boolean value) {
            super(BOOL, pos, t);
            this.value = value;
        }

        @Override
        void writeTo(StringBuilder sb) {
            sb.append(value);
        }
    }

    /** A number constant, held as every kind that can represent it (Go's ideal constants). */
    static final class NumberNode extends Node {
        boolean isInt, isUint, isFloat, isComplex;
        long int64, uint64;
        double float64;
        GoValue.Complex complex;
        final String text;

        NumberNode(int pos, Tree t, String text) {
            super(NUMBER, pos, t);
            this.text = text;
        }

        @Override
        void writeTo(StringBuilder sb) {
            sb.append(text);
        }
    }

    static final class StringNode extends Node {
        final String quoted, text;

        StringNode(int pos, Tree t, String quoted, String text) {
            super(STRING, pos, t);
            this.quoted = quoted;
            this.text = text;
        }

        @Override
        void writeTo(StringBuilder sb) {
            sb.append(quoted);
        }
    }

    static final class EndNode extends Node {
        EndNode(int pos, Tree t) {
            super(END, pos, t);
        }

        @Override
        void writeTo(StringBuilder sb) {
            sb.append("{{end}}");
        }
    }

    static final class ElseNode extends Node {
        final int line;

        ElseNode(int pos, Tree t, int line) {
            super(ELSE, pos, t);
            this.line = line;
        }

        @Override
        void writeTo(StringBuilder sb) {
            sb.append("{{else}}");
        }
    }

    /** if, range and with. */
    static final class BranchNode extends Node {
        final int line;
        final PipeNode pipe;
        final ListNode list, elseList;

        BranchNode(int type, int pos, Tree t, int line, PipeNode pipe, ListNode list, ListNode elseList) {
            super(type, pos, t);
            this.line = line;
            this.pipe = pipe;
            this.list = list;
            this.elseList = elseList;
        }

        @Override
        void writeTo(StringBuilder sb) {
            sb.append("{{")
                    .append(type == IF ? "if" : type == RANGE ? "range" : "with")
                    .append(' ');
            pipe.writeTo(sb);
            sb.append("}}");
            list.writeTo(sb);
            if (elseList != null) {
                sb.append("{{else}}");
                elseList.writeTo(sb);
            }
            sb.append("{{end}}");
        }
    }

    static final class BreakNode extends Node {
        BreakNode(int pos, Tree t) {
            super(BREAK, pos, t);
        }

        @Override
        void writeTo(StringBuilder sb) {
            sb.append("{{break}}");
        }
    }

    static final class ContinueNode extends Node {
        ContinueNode(int pos, Tree t) {
            super(CONTINUE, pos, t);
        }

        @Override
        void writeTo(StringBuilder sb) {
            sb.append("{{continue}}");
        }
    }

    /** {@code {{template "name" pipeline}}}. */
    static final class TemplateNode extends Node {
        final int line;
        final String name;
        final PipeNode pipe;

        TemplateNode(int pos, Tree t, int line, String name, PipeNode pipe) {
            super(TEMPLATE, pos, t);
            this.line = line;
            this.name = name;
            this.pipe = pipe;
        }

        @Override
        void writeTo(StringBuilder sb) {
            sb.append("{{template ").append(Strconv.quote(name, false));
            if (pipe != null) {
                sb.append(' ');
                pipe.writeTo(sb);
            }
            sb.append("}}");
        }
    }
}
