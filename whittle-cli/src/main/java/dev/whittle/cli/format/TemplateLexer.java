package dev.whittle.cli.format;

import dev.whittle.gotext.Strconv;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Locale;

/**
 * text/template/parse's lexer (lex.go), state for state. It reads the template's UTF-8 bytes, so positions are
 * Go's byte offsets, which its error messages count in. Go runs the lexer in a goroutine feeding a channel; here the
 * parser pulls items and the state functions run until one is emitted.
 */
final class TemplateLexer {
    // item types, in lex.go's order; keywords after KEYWORD
    static final int ERROR = 0,
            BOOL = 1,
            CHAR = 2,
            CHAR_CONSTANT = 3,
            COMMENT = 4,
            COMPLEX = 5,
            ASSIGN = 6,
            DECLARE = 7,
            EOF = 8,
            FIELD = 9,
            IDENTIFIER = 10,
            LEFT_DELIM = 11,
            LEFT_PAREN = 12,
            NUMBER = 13,
            PIPE = 14,
            RAW_STRING = 15,
            RIGHT_DELIM = 16,
            RIGHT_PAREN = 17,
            SPACE = 18,
            STRING = 19,
            TEXT = 20,
            VARIABLE = 21,
            KEYWORD = 22,
            BLOCK = 23,
            BREAK = 24,
            CONTINUE = 25,
            DOT = 26,
            DEFINE = 27,
            ELSE = 28,
            END = 29,
            IF = 30,
            NIL = 31,
            RANGE = 32,
            TEMPLATE = 33,
            WITH = 34;

    /** A token: its type, byte position, text and the line it starts on. */
    record Item(int type, int pos, String val, int line) {
        /** How parse errors quote an item (item.String in lex.go). */
        @Override
        public String toString() {
            if (type == EOF) return "EOF";
            if (type == ERROR) return val;
            if (type > KEYWORD) return "<" + val + ">";
            if (GoStrings.utf8Length(val) > 10) { // %.10q: ten runes, quoted
                String head = val.codePointCount(0, val.length()) > 10
                        ? val.substring(0, val.offsetByCodePoints(0, 10))
                        : val;
                return Strconv.quote(head, false) + "...";
            }
            return Strconv.quote(val, false);
        }
    }

    private static final int EOF_RUNE = -1;
    private static final byte[] LEFT = {'{', '{'},
            RIGHT = {'}', '}'},
            LEFT_COMMENT = {'/', '*'},
            RIGHT_COMMENT = {'*', '/'};

    private final byte[] input;
    private final boolean breakOK, continueOK;
    private final ArrayDeque<Item> items = new ArrayDeque<>(4);
    private int pos, start, parenDepth, line = 1, startLine = 1;
    private boolean atEOF;
    private int state = TEXT_STATE;

    private static final int TEXT_STATE = 0,
            LEFT_DELIM_STATE = 1,
            COMMENT_STATE = 2,
            RIGHT_DELIM_STATE = 3,
            INSIDE = 4,
            SPACE_STATE = 5,
            IDENTIFIER_STATE = 6,
            FIELD_STATE = 7,
            VARIABLE_STATE = 8,
            CHAR_STATE = 9,
            NUMBER_STATE = 10,
            QUOTE_STATE = 11,
            RAW_QUOTE_STATE = 12,
            DONE = -1;

    TemplateLexer(String text, boolean breakOK, boolean continueOK) {
        this.input = text.getBytes(StandardCharsets.UTF_8);
        this.breakOK = breakOK;
        this.continueOK = continueOK;
    }

    byte[] input() {
        return input;
    }

    /** The next item; after EOF or an error, EOF forever (Go's closed channel gives zero items, which parse as EOF). */
    Item nextItem() {
        while (items.isEmpty() && state != DONE) state = step(state);
        Item i = items.poll();
        return i != null ? i : new Item(EOF, pos, "", line);
    }

    private int step(int s) {
        return switch (s) {
            case TEXT_STATE -> lexText();
            case LEFT_DELIM_STATE -> lexLeftDelim();
            case COMMENT_STATE -> lexComment();
            case RIGHT_DELIM_STATE -> lexRightDelim();
            case INSIDE -> lexInsideAction();
            case SPACE_STATE -> lexSpace();
            case IDENTIFIER_STATE -> lexIdentifier();
            case FIELD_STATE -> lexFieldOrVariable(FIELD);
            case VARIABLE_STATE -> lexVariable();
            case CHAR_STATE -> lexChar();
            case NUMBER_STATE -> lexNumber();
            case QUOTE_STATE -> lexQuote();
            case RAW_QUOTE_STATE -> lexRawQuote();
            default -> DONE;
        };
    }

    // ------------------------------------------------------------------------------------------ runes

    private int width(int at) {
        int b = input[at] & 0xFF;
        if (b < 0x80) return 1;
        int n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
        return at + n <= input.length ? n : 1;
    }

    private int runeAt(int at) {
        int b = input[at] & 0xFF;
        int n = width(at);
        if (n == 1) return b < 0x80 ? b : 0xFFFD;
        int r = b & (0x7F >> n);
        for (int k = 1; k < n; k++) r = r << 6 | (input[at + k] & 0x3F);
        return r;
    }

    private int next() {
        if (pos >= input.length) {
            atEOF = true;
            return EOF_RUNE;
        }
        int r = runeAt(pos);
        pos += width(pos);
        if (r == '\n') line++;
        return r;
    }

    private int peek() {
        int r = next();
        backup();
        return r;
    }

    private void backup() {
        if (!atEOF && pos > 0) {
            int p = pos - 1;
            while (p > 0 && (input[p] & 0xC0) == 0x80 && pos - p < 4) p--;
            if (p + width(p) != pos) p = pos - 1; // not the start of the last rune: a stray byte
            pos = p;
            if (input[pos] == '\n') line--;
        }
    }

    private void emit(int t) {
        items.add(new Item(t, start, new String(input, start, pos - start, StandardCharsets.UTF_8), startLine));
        start = pos;
        startLine = line;
    }

    private void ignore() {
        line += countNewlines(start, pos);
        start = pos;
        startLine = line;
    }

    private int countNewlines(int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) if (input[i] == '\n') n++;
        return n;
    }

    private boolean accept(String valid) {
        int r = next();
        if (r >= 0 && valid.indexOf(r) >= 0) return true;
        backup();
        return false;
    }

    private void acceptRun(String valid) {
        int r;
        do {
            r = next();
        } while (r >= 0 && valid.indexOf(r) >= 0);
        backup();
    }

    private int errorf(String msg) {
        items.add(new Item(ERROR, start, msg, startLine));
        return DONE;
    }

    private boolean hasPrefix(int at, byte[] p) {
        if (at + p.length > input.length) return false;
        for (int i = 0; i < p.length; i++) if (input[at + i] != p[i]) return false;
        return true;
    }

    private int indexOf(int from, byte[] p) {
        for (int i = from; i + p.length <= input.length; i++) if (hasPrefix(i, p)) return i;
        return -1;
    }

    static boolean isSpace(int r) {
        return r == ' ' || r == '\t' || r == '\r' || r == '\n';
    }

    /** unicode.IsLetter, unicode.IsDigit or '_'. */
    static boolean isAlphaNumeric(int r) {
        return r == '_'
                || (r >= 0 && (Character.isLetter(r) || Character.getType(r) == Character.DECIMAL_DIGIT_NUMBER));
    }

    private boolean hasLeftTrimMarker(int at) {
        return at + 2 <= input.length && input[at] == '-' && isSpace(input[at + 1]);
    }

    private boolean hasRightTrimMarker(int at) {
        return at + 2 <= input.length && isSpace(input[at]) && input[at + 1] == '-';
    }

    // ------------------------------------------------------------------------------------------ states

    private int lexText() {
        int x = indexOf(pos, LEFT);
        if (x >= 0) {
            pos = x;
            int trimLength = 0;
            if (hasLeftTrimMarker(pos + LEFT.length)) {
                int e = pos;
                while (e > start && isSpace(input[e - 1])) e--;
                trimLength = pos - e;
            }
            pos -= trimLength;
            if (pos > start) {
                line += countNewlines(start, pos);
                emit(TEXT);
            }
            pos += trimLength;
            ignore();
            return LEFT_DELIM_STATE;
        }
        pos = input.length;
        if (pos > start) {
            line += countNewlines(start, pos);
            emit(TEXT);
        }
        emit(EOF);
        return DONE;
    }

    /** Whether the input is at a right delimiter, and whether a trim marker precedes it: {delim, trim}. */
    private boolean[] atRightDelim() {
        if (hasRightTrimMarker(pos) && hasPrefix(pos + 2, RIGHT)) return new boolean[] {true, true};
        if (hasPrefix(pos, RIGHT)) return new boolean[] {true, false};
        return new boolean[] {false, false};
    }

    private int lexLeftDelim() {
        pos += LEFT.length;
        boolean trimSpace = hasLeftTrimMarker(pos);
        int afterMarker = trimSpace ? 2 : 0;
        if (hasPrefix(pos + afterMarker, LEFT_COMMENT)) {
            pos += afterMarker;
            ignore();
            return COMMENT_STATE;
        }
        emit(LEFT_DELIM);
        pos += afterMarker;
        ignore();
        parenDepth = 0;
        return INSIDE;
    }

    private int lexComment() {
        pos += LEFT_COMMENT.length;
        int i = indexOf(pos, RIGHT_COMMENT);
        if (i < 0) return errorf("unclosed comment");
        pos = i + RIGHT_COMMENT.length;
        boolean[] d = atRightDelim();
        if (!d[0]) return errorf("comment ends before closing delimiter");
        if (d[1]) pos += 2;
        pos += RIGHT.length;
        if (d[1]) while (pos < input.length && isSpace(input[pos])) pos++;
        ignore();
        return TEXT_STATE;
    }

    private int lexRightDelim() {
        boolean trimSpace = hasRightTrimMarker(pos);
        if (trimSpace) {
            pos += 2;
            ignore();
        }
        pos += RIGHT.length;
        emit(RIGHT_DELIM);
        if (trimSpace) {
            while (pos < input.length && isSpace(input[pos])) pos++;
            ignore();
        }
        return TEXT_STATE;
    }

    private int lexInsideAction() {
        if (atRightDelim()[0]) {
            if (parenDepth == 0) return RIGHT_DELIM_STATE;
            return errorf("unclosed left paren");
        }
        int r = next();
        if (r == EOF_RUNE) return errorf("unclosed action");
        if (isSpace(r)) {
            backup();
            return SPACE_STATE;
        }
        switch (r) {
            case '=' -> emit(ASSIGN);
            case ':' -> {
                if (next() != '=') return errorf("expected :=");
                emit(DECLARE);
            }
            case '|' -> emit(PIPE);
            case '"' -> {
                return QUOTE_STATE;
            }
            case '`' -> {
                return RAW_QUOTE_STATE;
            }
            case '$' -> {
                return VARIABLE_STATE;
            }
            case '\'' -> {
                return CHAR_STATE;
            }
            case '(' -> {
                emit(LEFT_PAREN);
                parenDepth++;
            }
            case ')' -> {
                emit(RIGHT_PAREN);
                parenDepth--;
                if (parenDepth < 0) return errorf("unexpected right paren " + unicodeName(r));
            }
            default -> {
                if (r == '.') {
                    // ".field", or a number like .5
                    if (pos < input.length) {
                        int c = input[pos];
                        if (c < '0' || '9' < c) return FIELD_STATE;
                    }
                    backup();
                    return NUMBER_STATE;
                }
                if (r == '+' || r == '-' || ('0' <= r && r <= '9')) {
                    backup();
                    return NUMBER_STATE;
                }
                if (isAlphaNumeric(r)) {
                    backup();
                    return IDENTIFIER_STATE;
                }
                if (r <= 0x7F && Strconv.isPrint(r)) {
                    emit(CHAR);
                } else {
                    return errorf("unrecognized character in action: " + unicodeName(r));
                }
            }
        }
        return INSIDE;
    }

    /** Go's %#U: {@code U+0023 '#'}. */
    static String unicodeName(int r) {
        String hex = Integer.toHexString(r).toUpperCase(Locale.ROOT);
        String u = "U+" + "0000".substring(Math.min(4, hex.length())) + hex;
        return Strconv.isPrint(r) ? u + " '" + new String(Character.toChars(r)) + "'" : u;
    }

    private int lexSpace() {
        int numSpaces = 0;
        while (isSpace(peek())) {
            next();
            numSpaces++;
        }
        // a trim-marked right delimiter starts with a space: " -}}"
        if (hasRightTrimMarker(pos - 1) && hasPrefix(pos - 1 + 2, RIGHT)) {
            backup();
            if (numSpaces == 1) return RIGHT_DELIM_STATE;
        }
        emit(SPACE);
        return INSIDE;
    }

    private int lexIdentifier() {
        while (true) {
            int r = next();
            if (isAlphaNumeric(r)) continue;
            backup();
            String word = new String(input, start, pos - start, StandardCharsets.UTF_8);
            if (!atTerminator()) return errorf("bad character " + unicodeName(r));
            int k = keyword(word);
            if (k > KEYWORD) {
                if (k == BREAK && !breakOK || k == CONTINUE && !continueOK) emit(IDENTIFIER);
                else emit(k);
            } else if (word.charAt(0) == '.') {
                emit(FIELD);
            } else if (word.equals("true") || word.equals("false")) {
                emit(BOOL);
            } else {
                emit(IDENTIFIER);
            }
            return INSIDE;
        }
    }

    private static int keyword(String w) {
        return switch (w) {
            case "." -> DOT;
            case "block" -> BLOCK;
            case "break" -> BREAK;
            case "continue" -> CONTINUE;
            case "define" -> DEFINE;
            case "else" -> ELSE;
            case "end" -> END;
            case "if" -> IF;
            case "range" -> RANGE;
            case "nil" -> NIL;
            case "template" -> TEMPLATE;
            case "with" -> WITH;
            default -> 0;
        };
    }

    private int lexVariable() {
        if (atTerminator()) { // "$"
            emit(VARIABLE);
            return INSIDE;
        }
        return lexFieldOrVariable(VARIABLE);
    }

    private int lexFieldOrVariable(int typ) {
        if (atTerminator()) {
            emit(typ == VARIABLE ? VARIABLE : DOT);
            return INSIDE;
        }
        int r;
        while (true) {
            r = next();
            if (!isAlphaNumeric(r)) {
                backup();
                break;
            }
        }
        if (!atTerminator()) return errorf("bad character " + unicodeName(r));
        emit(typ);
        return INSIDE;
    }

    private boolean atTerminator() {
        int r = peek();
        if (isSpace(r)) return true;
        switch (r) {
            case EOF_RUNE, '.', ',', '|', ':', ')', '(' -> {
                return true;
            }
            default -> {
                return hasPrefix(pos, RIGHT);
            }
        }
    }

    private int lexChar() {
        while (true) {
            int r = next();
            if (r == '\\') {
                r = next();
                if (r != EOF_RUNE && r != '\n') continue;
                return errorf("unterminated character constant");
            }
            if (r == EOF_RUNE || r == '\n') return errorf("unterminated character constant");
            if (r == '\'') break;
        }
        emit(CHAR_CONSTANT);
        return INSIDE;
    }

    private int lexNumber() {
        if (!scanNumber())
            return errorf("bad number syntax: "
                    + Strconv.quote(new String(input, start, pos - start, StandardCharsets.UTF_8), false));
        int sign = peek();
        if (sign == '+' || sign == '-') {
            // complex: 1+2i, no spaces, ending in 'i'
            if (!scanNumber() || input[pos - 1] != 'i') {
                return errorf("bad number syntax: "
                        + Strconv.quote(new String(input, start, pos - start, StandardCharsets.UTF_8), false));
            }
            emit(COMPLEX);
        } else {
            emit(NUMBER);
        }
        return INSIDE;
    }

    private boolean scanNumber() {
        accept("+-");
        String digits = "0123456789_";
        if (accept("0")) {
            if (accept("xX")) digits = "0123456789abcdefABCDEF_";
            else if (accept("oO")) digits = "01234567_";
            else if (accept("bB")) digits = "01_";
        }
        acceptRun(digits);
        if (accept(".")) acceptRun(digits);
        if (digits.length() == 10 + 1 && accept("eE")) {
            accept("+-");
            acceptRun("0123456789_");
        }
        if (digits.length() == 16 + 6 + 1 && accept("pP")) {
            accept("+-");
            acceptRun("0123456789_");
        }
        accept("i");
        if (isAlphaNumeric(peek())) {
            next();
            return false;
        }
        return true;
    }

    private int lexQuote() {
        while (true) {
            int r = next();
            if (r == '\\') {
                r = next();
                if (r != EOF_RUNE && r != '\n') continue;
                return errorf("unterminated quoted string");
            }
            if (r == EOF_RUNE || r == '\n') return errorf("unterminated quoted string");
            if (r == '"') break;
        }
        emit(STRING);
        return INSIDE;
    }

    private int lexRawQuote() {
        while (true) {
            int r = next();
            if (r == EOF_RUNE) return errorf("unterminated raw quoted string");
            if (r == '`') break;
        }
        emit(RAW_STRING);
        return INSIDE;
    }
}
