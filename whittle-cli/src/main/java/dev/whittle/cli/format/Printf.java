package dev.whittle.cli.format;

import dev.whittle.gotext.Strconv;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Go's fmt.Sprint, Sprintln and Sprintf over the values templates hold. Sprintf follows fmt/print.go's doPrintf and
 * format.go directive by directive: flags, argument indexes ({@code %[2]d}), widths and precisions from the format
 * or from arguments ({@code %*d}), and Go's complaints ({@code %!d(string=x)}, {@code %!s(MISSING)},
 * {@code %!(EXTRA ...)}, {@code %!(NOVERB)}, {@code %!(BADWIDTH)}, {@code %!(BADPREC)}, {@code %!d(BADINDEX)}).
 * As in Go, a width or precision is read only while it stays within a million (fmt's {@code tooLarge}), so no
 * directive asks for more than about ten million characters; the budget bounds what all of them add up to.
 */
final class Printf {
    private static final int MAX_RUNE = 0x10FFFF;

    private final StringBuilder buf = new StringBuilder();
    private final Budget budget;
    // fmt.fmtFlags and the width and precision of the directive being printed
    private boolean plus, minus, sharp, space, zero, plusV, sharpV, widPresent, precPresent;
    private int wid, prec;
    // fmt.pp: whether the arguments were taken out of order, whether the last index was good, the argument or
    // value being printed (for badVerb), whether a bad verb is being reported
    private boolean reordered, goodArgNum, erroring;
    private GoValue arg, value;

    private Printf(Budget budget) {
        this.budget = budget;
    }

    /** Go's Sprint over interface values (null is nil): spaces between operands when neither is a string. */
    static String sprint(List<GoValue> args) {
        return sprint(args, new Budget());
    }

    static String sprint(List<GoValue> args, Budget budget) {
        Printf p = new Printf(budget);
        boolean prevString = false;
        for (int i = 0; i < args.size(); i++) {
            GoValue a = args.get(i);
            boolean isString = a != null && a.kind() == GoType.Kind.STRING;
            if (i > 0 && !isString && !prevString) p.append(" ");
            p.printArg(a, 'v');
            prevString = isString;
        }
        return p.buf.toString();
    }

    static String sprintln(List<GoValue> args, Budget budget) {
        Printf p = new Printf(budget);
        for (int i = 0; i < args.size(); i++) {
            if (i > 0) p.append(" ");
            p.printArg(args.get(i), 'v');
        }
        p.append("\n");
        return p.buf.toString();
    }

    /** Go's Sprintf; fails with {@link Budget.Exceeded} rather than make more text than the budget has left. */
    static String sprintf(String format, List<GoValue> args, Budget budget) {
        Printf p = new Printf(budget);
        p.doPrintf(format, args);
        return p.buf.toString();
    }

    private void clearFlags() {
        plus = minus = sharp = space = zero = plusV = sharpV = widPresent = precPresent = false;
        wid = prec = 0;
    }

    private void doPrintf(String format, List<GoValue> a) {
        int end = format.length();
        int argNum = 0;
        boolean afterIndex = false; // the last thing read was an index like [3]
        reordered = false;
        formatLoop:
        for (int i = 0; i < end; ) {
            goodArgNum = true;
            int lasti = i;
            while (i < end && format.charAt(i) != '%') i++;
            if (i > lasti) append(format, lasti, i);
            if (i >= end) break;
            i++; // the %
            clearFlags();
            simpleFormat:
            for (; i < end; i++) {
                char c = format.charAt(i);
                switch (c) {
                    case '#' -> sharp = true;
                    case '0' -> zero = !minus; // only padding to the left is with zeros
                    case '+' -> plus = true;
                    case '-' -> {
                        minus = true;
                        zero = false;
                    }
                    case ' ' -> space = true;
                    default -> {
                        // the common case: flags and a lower-case verb, no width, precision or index
                        if ('a' <= c && c <= 'z' && argNum < a.size()) {
                            if (c == 'v') verbV();
                            printArg(a.get(argNum), c);
                            argNum++;
                            i++;
                            continue formatLoop;
                        }
                        break simpleFormat;
                    }
                }
            }
            long[] n = argNumber(argNum, format, i, a.size());
            argNum = (int) n[0];
            i = (int) n[1];
            afterIndex = n[2] != 0;
            if (i < end && format.charAt(i) == '*') {
                i++;
                long[] w = intFromArg(a, argNum);
                wid = (int) w[0];
                widPresent = w[1] != 0;
                argNum = (int) w[2];
                if (!widPresent) append("%!(BADWIDTH)");
                if (wid < 0) { // a negative width means a left-justified one
                    wid = -wid;
                    minus = true;
                    zero = false;
                }
                afterIndex = false;
            } else {
                long[] w = parseNum(format, i, end);
                wid = (int) w[0];
                widPresent = w[1] != 0;
                i = (int) w[2];
                if (afterIndex && widPresent) goodArgNum = false; // "%[3]2d"
            }
            if (i + 1 < end && format.charAt(i) == '.') {
                i++;
                if (afterIndex) goodArgNum = false; // "%[3].2d"
                n = argNumber(argNum, format, i, a.size());
                argNum = (int) n[0];
                i = (int) n[1];
                afterIndex = n[2] != 0;
                if (i < end && format.charAt(i) == '*') {
                    i++;
                    long[] p = intFromArg(a, argNum);
                    prec = (int) p[0];
                    precPresent = p[1] != 0;
                    argNum = (int) p[2];
                    if (prec < 0) { // a negative precision means none
                        prec = 0;
                        precPresent = false;
                    }
                    if (!precPresent) append("%!(BADPREC)");
                    afterIndex = false;
                } else {
                    long[] p = parseNum(format, i, end);
                    prec = (int) p[0];
                    precPresent = true; // "%.d" is precision 0
                    i = (int) p[2];
                }
            }
            if (!afterIndex) {
                n = argNumber(argNum, format, i, a.size());
                argNum = (int) n[0];
                i = (int) n[1];
                afterIndex = n[2] != 0;
            }
            if (i >= end) {
                append("%!(NOVERB)");
                break;
            }
            int verb = format.codePointAt(i);
            i += Character.charCount(verb);
            if (verb == '%') {
                append("%"); // takes no argument and ignores width and precision
            } else if (!goodArgNum) {
                append("%!").appendCodePoint(verb).append("(BADINDEX)");
            } else if (argNum >= a.size()) {
                append("%!").appendCodePoint(verb).append("(MISSING)");
            } else {
                if (verb == 'v') verbV();
                printArg(a.get(argNum), verb);
                argNum++;
            }
        }
        // arguments left over, unless taken out of order (then Go does not know which were used)
        if (!reordered && argNum < a.size()) {
            clearFlags();
            append("%!(EXTRA ");
            for (int k = argNum; k < a.size(); k++) {
                if (k > argNum) append(", ");
                GoValue x = a.get(k);
                if (x == null) {
                    append("<nil>");
                } else {
                    append(x.type().toString()).append('=');
                    printArg(x, 'v');
                }
            }
            append(")");
        }
    }

    /** %v takes # and + as Go-syntax and field-name requests. */
    private void verbV() {
        sharpV = sharp;
        sharp = false;
        plusV = plus;
        plus = false;
    }

    /** fmt's parsenum: {value, whether a number was there, index after it}; a number past a million swallows the rest. */
    private static long[] parseNum(String s, int start, int end) {
        long num = 0;
        boolean isNum = false;
        int i = start;
        for (; i < end && s.charAt(i) >= '0' && s.charAt(i) <= '9'; i++) {
            if (tooLarge(num)) return new long[] {0, 0, end}; // overflow: most likely a crazy long number
            num = num * 10 + (s.charAt(i) - '0');
            isNum = true;
        }
        return new long[] {num, isNum ? 1 : 0, i};
    }

    /** fmt's tooLarge: whether a width or precision is beyond what fmt accepts. */
    private static boolean tooLarge(long x) {
        return x > 1_000_000 || x < -1_000_000;
    }

    /** fmt's argNumber: {argument index, index in the format after it, whether there was one}. */
    private long[] argNumber(int argNum, String format, int i, int numArgs) {
        if (format.length() <= i || format.charAt(i) != '[') return new long[] {argNum, i, 0};
        reordered = true;
        // parseArgNumber: [n], at least three characters
        String f = format.substring(i);
        long index = 0;
        int width = 1;
        boolean ok = false;
        if (f.length() >= 3) {
            for (int k = 1; k < f.length(); k++) {
                if (f.charAt(k) == ']') {
                    long[] n = parseNum(f, 1, k);
                    width = k + 1;
                    if (n[1] != 0 && n[2] == k) {
                        index = n[0] - 1; // one-based
                        ok = true;
                    }
                    break;
                }
            }
        }
        if (ok && 0 <= index && index < numArgs) return new long[] {index, i + width, 1};
        goodArgNum = false;
        return new long[] {argNum, i + width, ok ? 1 : 0};
    }

    /** fmt's intFromArg: {value, whether it is a usable integer, the next argument}. */
    private static long[] intFromArg(List<GoValue> a, int argNum) {
        long num = 0;
        boolean isInt = false;
        int next = argNum;
        if (argNum < a.size()) {
            GoValue v = a.get(argNum);
            if (v != null && v.kind().isInt()) {
                num = v.longValue();
                isInt = true;
            } else if (v != null && v.kind().isUint() && v.longValue() >= 0) {
                num = v.longValue();
                isInt = true;
            }
            next = argNum + 1;
            if (tooLarge(num)) {
                num = 0;
                isInt = false;
            }
        }
        return new long[] {num, isInt ? 1 : 0, next};
    }

    // ------------------------------------------------------------------------------------------ fmt's printArg

    /** fmt's printArg: {@code a} is the interface value fmt was given (null for nil). */
    private void printArg(GoValue a, int verb) {
        arg = a;
        value = null;
        if (a == null) {
            if (verb == 'T' || verb == 'v') pad("<nil>");
            else badVerb(verb);
            return;
        }
        if (verb == 'T') {
            fmtS(a.type().toString());
            return;
        }
        if (verb == 'p') {
            fmtPointer(a, 'p');
            return;
        }
        // the predeclared types print without looking for methods; named ones may have String or Error
        if (a.type() == GoType.basic(basicKind(a))) {
            printBasic(a, verb);
            return;
        }
        if (!handleMethods(a, verb)) printValue(a, verb, 0);
    }

    private static GoType.Kind basicKind(GoValue a) {
        GoType.Kind k = a.kind();
        return k.ordinal() <= GoType.Kind.STRING.ordinal() ? k : GoType.Kind.STRING;
    }

    private void printBasic(GoValue v, int verb) {
        GoType.Kind k = v.kind();
        if (k == GoType.Kind.BOOL) fmtBool(v.boolValue(), verb);
        else if (k.isInt()) fmtInteger(v.longValue(), true, verb);
        else if (k.isUint()) fmtInteger(v.longValue(), false, verb);
        else if (k.isFloat()) fmtFloat(v.doubleValue(), k == GoType.Kind.FLOAT32 ? 32 : 64, verb);
        else if (k.isComplex()) fmtComplex(v.complexValue(), k == GoType.Kind.COMPLEX64 ? 64 : 128, verb);
        else fmtString(v.stringValue(), verb);
    }

    /** fmt's handleMethods: GoString for %#v, Error or String for the verbs that take a string. */
    private boolean handleMethods(GoValue a, int verb) {
        if (erroring) return false;
        if (sharpV) {
            GoType.Method m = method(a, "GoString");
            if (m == null) return false;
            String s = callStringMethod(a, m, verb);
            if (s != null) fmtS(s);
            return true;
        }
        if (verb != 'v' && verb != 's' && verb != 'x' && verb != 'X' && verb != 'q') return false;
        GoType.Method m = method(a, "Error");
        if (m == null) m = method(a, "String");
        if (m == null) return false;
        String s = callStringMethod(a, m, verb);
        if (s != null) fmtString(s, verb);
        return true;
    }

    /** A method in the value's method set: a value (not a pointer) lacks the methods with pointer receivers. */
    private static GoType.Method method(GoValue a, String name) {
        GoType.Method m = a.type().methodByName(name);
        return m == null || (m.pointer() && a.kind() != GoType.Kind.POINTER) ? null : m;
    }

    /** Calls String, Error or GoString; a panic prints as fmt's catchPanic prints it (then null is returned). */
    private String callStringMethod(GoValue a, GoType.Method m, int verb) {
        try {
            return Funcs.callMethod(a, m, List.of()).stringValue();
        } catch (GoFunc.Failure f) {
            if (a.kind() == GoType.Kind.POINTER && a.isNil()) {
                append("<nil>");
                return null;
            }
            clearFlags();
            append("%!")
                    .appendCodePoint(verb)
                    .append("(PANIC=")
                    .append(m.name())
                    .append(" method: ")
                    .append(f.getMessage())
                    .append(")");
            return null;
        }
    }

    /** fmt's printValue: composite values print each element with the verb, nested values with their methods. */
    private void printValue(GoValue v, int verb, int depth) {
        if (depth > 0 && v != null) {
            arg = v;
            if (handleMethods(v, verb)) return;
        }
        arg = null;
        value = v;
        if (v == null) { // an invalid value: a nil interface inside something
            if (depth == 0) fmtS("<invalid reflect.Value>");
            else if (verb == 'v') pad("<nil>");
            else badVerb(verb);
            return;
        }
        GoType t = v.type();
        switch (t.kind()) {
            case BOOL,
                    INT,
                    INT8,
                    INT16,
                    INT32,
                    INT64,
                    UINT,
                    UINT8,
                    UINT16,
                    UINT32,
                    UINT64,
                    UINTPTR,
                    FLOAT32,
                    FLOAT64,
                    COMPLEX64,
                    COMPLEX128,
                    STRING -> printBasic(v, verb);
            case MAP -> {
                if (sharpV) {
                    append(t.toString());
                    if (v.isNil()) {
                        append("(nil)");
                        return;
                    }
                    append("{");
                } else {
                    append("map[");
                }
                boolean first = true;
                for (GoValue[] e : v.sortedEntries()) {
                    if (!first) append(sharpV ? ", " : " ");
                    first = false;
                    budget.step();
                    printValue(e[0], verb, depth + 1);
                    append(":");
                    printValue(e[1], verb, depth + 1);
                }
                append(sharpV ? "}" : "]");
            }
            case STRUCT -> {
                if (sharpV) append(t.toString());
                append("{");
                for (int i = 0; i < t.fields().size(); i++) {
                    if (i > 0) append(sharpV ? ", " : " ");
                    if (plusV || sharpV) append(t.fields().get(i).name()).append(':');
                    budget.step();
                    printValue(v.field(i), verb, depth + 1);
                }
                append("}");
            }
            case INTERFACE -> {
                GoValue e = v.elem();
                if (e == null) {
                    if (sharpV) append(t.toString()).append("(nil)");
                    else pad("<nil>");
                } else {
                    printValue(e, verb, depth + 1);
                }
            }
            case ARRAY, SLICE -> {
                if (sharpV) {
                    append(t.toString());
                    if (t.kind() == GoType.Kind.SLICE && v.isNil()) {
                        append("(nil)");
                        return;
                    }
                    append("{");
                } else {
                    append("[");
                }
                int n = v.list().size();
                for (int i = 0; i < n; i++) {
                    if (i > 0) append(sharpV ? ", " : " ");
                    budget.step();
                    printValue(v.index(i), verb, depth + 1);
                }
                append(sharpV ? "}" : "]");
            }
            case POINTER -> {
                // a pointer to an array, slice, struct or map prints as &{...} at the top, an address deeper down
                if (depth == 0 && !v.isNil()) {
                    GoValue e = v.elem();
                    switch (e.kind()) {
                        case ARRAY, SLICE, STRUCT, MAP -> {
                            append("&");
                            printValue(e, verb, depth + 1);
                            return;
                        }
                        default -> {}
                    }
                }
                fmtPointer(v, verb);
            }
            case CHAN, FUNC -> fmtPointer(v, verb);
        }
    }

    /**
     * A stand-in for a pointer's address: Go prints where the value lives in memory, which differs from run to
     * run; whittle prints an address of the same shape, {@code 0xc000...}, distinct per object.
     */
    static long address(GoValue v) {
        Object d = v.data();
        if (d == null) return 0;
        return 0xc000000000L + ((System.identityHashCode(d) & 0xffffffL) << 4);
    }

    /** fmt's fmtPointer: {@code 0xc000012345}, {@code <nil>}, and with %#v {@code (*int)(0xc000012345)}. */
    private void fmtPointer(GoValue v, int verb) {
        switch (v.kind()) {
            case CHAN, FUNC, MAP, POINTER, SLICE -> {}
            default -> {
                badVerb(verb);
                return;
            }
        }
        long u = address(v);
        switch (verb) {
            case 'v' -> {
                if (sharpV) {
                    append("(").append(v.type().toString()).append(")(");
                    if (u == 0) append("nil");
                    else fmt0x64(u, true);
                    append(")");
                } else if (u == 0) {
                    pad("<nil>");
                } else {
                    fmt0x64(u, !sharp);
                }
            }
            case 'p' -> fmt0x64(u, !sharp);
            case 'b', 'o', 'd', 'x', 'X' -> fmtInteger(u, false, verb);
            default -> badVerb(verb);
        }
    }

    private void fmt0x64(long v, boolean leading0x) {
        boolean old = sharp;
        sharp = leading0x;
        fmtInteger(v, 16, false, 'v', false);
        sharp = old;
    }

    private void badVerb(int verb) {
        erroring = true;
        append("%!").appendCodePoint(verb).append('(');
        if (arg != null) {
            GoValue a = arg;
            append(a.type().toString()).append('=');
            printArg(a, 'v');
        } else if (value != null) {
            GoValue a = value;
            append(a.type().toString()).append('=');
            printValue(a, 'v', 0);
        } else {
            append("<nil>");
        }
        append(")");
        erroring = false;
    }

    private void fmtBool(boolean b, int verb) {
        if (verb == 't' || verb == 'v') pad(b ? "true" : "false");
        else badVerb(verb);
    }

    /** print.go's fmtInteger: {@code v} is a signed value or the bits of an unsigned one. */
    private void fmtInteger(long v, boolean signed, int verb) {
        switch (verb) {
            case 'v' -> {
                if (sharpV && !signed) fmt0x64(v, true);
                else fmtInteger(v, 10, signed, verb, false);
            }
            case 'd' -> fmtInteger(v, 10, signed, verb, false);
            case 'b' -> fmtInteger(v, 2, signed, verb, false);
            case 'o', 'O' -> fmtInteger(v, 8, signed, verb, false);
            case 'x' -> fmtInteger(v, 16, signed, verb, false);
            case 'X' -> fmtInteger(v, 16, signed, verb, true);
            case 'c' -> pad(new String(Character.toChars(rune(v, signed))));
            case 'q' -> pad(Strconv.quoteRune(rune(v, signed), plus));
            case 'U' -> fmtUnicode(v);
            default -> badVerb(verb);
        }
    }

    /** Go's rune(c) as fmt takes it: anything past U+10FFFF (as a uint64), a surrogate or a negative rune is U+FFFD. */
    private static int rune(long c, boolean signed) {
        if (Long.compareUnsigned(c, MAX_RUNE) > 0) return Strconv.RUNE_ERROR;
        return c >= 0xD800 && c <= 0xDFFF ? Strconv.RUNE_ERROR : (int) c;
    }

    /** format.go's fmtInteger: precision or zero padding as leading zeros, then prefixes and sign. */
    private void fmtInteger(long v, int base, boolean signed, int verb, boolean upper) {
        boolean negative = signed && v < 0;
        long u = negative ? -v : v; // Long.MIN_VALUE stays itself, which unsigned is its magnitude
        int zeros = 0;
        if (precPresent) {
            zeros = prec;
            if (prec == 0 && u == 0) { // precision 0 and value 0 print nothing but padding
                boolean oldZero = zero;
                zero = false;
                writePadding(wid);
                zero = oldZero;
                return;
            }
        } else if (zero && widPresent) {
            zeros = wid;
            if (negative || plus || space) zeros--; // room for the sign
        }
        String digits = Long.toUnsignedString(u, base);
        if (upper) digits = digits.toUpperCase(Locale.ROOT);
        budget.ensure(buf.length() + (long) zeros + wid);
        StringBuilder b = new StringBuilder();
        if (negative) b.append('-');
        else if (plus) b.append('+');
        else if (space) b.append(' ');
        if (verb == 'O') b.append("0o");
        if (sharp) {
            switch (base) {
                case 2 -> b.append("0b");
                case 8 -> {
                    if (zeros <= digits.length() && digits.charAt(0) != '0') b.append('0');
                }
                case 16 -> b.append(upper ? "0X" : "0x");
                default -> {}
            }
        }
        if (zeros > digits.length()) b.repeat('0', zeros - digits.length());
        b.append(digits);
        boolean oldZero = zero;
        zero = false; // zero padding was the precision above, or is ignored beside an explicit precision
        pad(b.toString());
        zero = oldZero;
    }

    /** format.go's fmtUnicode: U+0041, with %#U the character quoted after it when printable. */
    private void fmtUnicode(long u) {
        String hex = Long.toHexString(u).toUpperCase(Locale.ROOT); // u is a uint64: its bits in hex
        int digits = precPresent && prec > 4 ? prec : 4;
        budget.ensure(buf.length() + (long) digits + wid);
        StringBuilder b = new StringBuilder("U+");
        if (hex.length() < digits) b.repeat('0', digits - hex.length());
        b.append(hex);
        if (sharp && Long.compareUnsigned(u, MAX_RUNE) <= 0 && Strconv.isPrint((int) u))
            b.append(" '").appendCodePoint((int) u).append('\'');
        boolean oldZero = zero;
        zero = false;
        pad(b.toString());
        zero = oldZero;
    }

    /** print.go's fmtFloat: the verb's default precision. */
    private void fmtFloat(double v, int size, int verb) {
        switch (verb) {
            case 'v' -> fmtFloat(v, size, 'g', -1);
            case 'b', 'g', 'G', 'x', 'X' -> fmtFloat(v, size, verb, -1);
            case 'f', 'e', 'E' -> fmtFloat(v, size, verb, 6);
            case 'F' -> fmtFloat(v, size, 'f', 6);
            default -> badVerb(verb);
        }
    }

    /** print.go's fmtComplex: {@code (r+ji)}, the imaginary part always signed. */
    private void fmtComplex(GoValue.Complex c, int size, int verb) {
        switch (verb) {
            case 'v', 'b', 'g', 'G', 'x', 'X', 'f', 'F', 'e', 'E' -> {
                boolean oldPlus = plus;
                append("(");
                fmtFloat(c.re(), size / 2, verb);
                plus = true;
                fmtFloat(c.im(), size / 2, verb);
                append("i)");
                plus = oldPlus;
            }
            default -> badVerb(verb);
        }
    }

    /** format.go's fmtFloat: Go's strconv digits, a sign only when asked for or negative, # keeping zeros. */
    private void fmtFloat(double v, int size, int verb, int p) {
        if (precPresent) p = prec;
        budget.ensure(buf.length() + (long) Math.max(p, 0) + wid + 32);
        String num = switch (verb) {
            case 'b' -> binaryExponent(v);
            case 'x', 'X' -> hexFloat(v, p, verb == 'X');
            case 'e', 'E', 'g', 'G' -> {
                String s = GoFloat.formatFloat(v, (char) Character.toLowerCase(verb), p, size);
                yield Character.isUpperCase(verb) ? s.replace('e', 'E') : s; // Inf and NaN stay as they are
            }
            default -> GoFloat.formatFloat(v, 'f', p, size);
        };
        if (!num.startsWith("-") && !num.startsWith("+")) num = "+" + num;
        if (space && num.charAt(0) == '+' && !plus) num = " " + num.substring(1);
        if (num.charAt(1) == 'I' || num.charAt(1) == 'N') { // Inf and NaN are not padded with zeros
            boolean oldZero = zero;
            zero = false;
            if (num.charAt(1) == 'N' && !space && !plus) num = num.substring(1);
            pad(num);
            zero = oldZero;
            return;
        }
        if (sharp && verb != 'b') num = keepZeros(num, verb, p);
        if (plus || num.charAt(0) != '+') {
            if (zero && widPresent && wid > num.length()) { // the sign before the leading zeros
                append(num.substring(0, 1));
                writePadding(wid - num.length());
                append(num.substring(1));
                return;
            }
            pad(num);
            return;
        }
        pad(num.substring(1));
    }

    /** The # flag: a decimal point always, and %g's trailing zeros back up to its precision (6 by default). */
    private static String keepZeros(String num, int verb, int p) {
        int digits = 0;
        if (verb == 'v' || verb == 'g' || verb == 'G' || verb == 'x') digits = p == -1 ? 6 : p;
        String tail = "";
        boolean hasDecimalPoint = false, sawNonzeroDigit = false;
        StringBuilder n = new StringBuilder(num);
        for (int i = 1; i < n.length(); i++) {
            char c = n.charAt(i);
            if (c == '.') {
                hasDecimalPoint = true;
            } else if (c == 'p' || c == 'P' || ((c == 'e' || c == 'E') && verb != 'x' && verb != 'X')) {
                tail = n.substring(i);
                n.setLength(i);
                break;
            } else {
                if (c != '0') sawNonzeroDigit = true;
                if (sawNonzeroDigit) digits--;
            }
        }
        if (!hasDecimalPoint) {
            if (n.length() == 2 && n.charAt(1) == '0') digits--; // a leading 0 counts once
            n.append('.');
        }
        while (digits-- > 0) n.append('0');
        return n.append(tail).toString();
    }

    /** strconv's 'b' format: the mantissa in decimal and a binary exponent, {@code 6755399441055744p-52}. */
    private static String binaryExponent(double v) {
        long bits = Double.doubleToRawLongBits(v);
        int exp = (int) (bits >>> 52) & 0x7FF;
        long mant = bits & ((1L << 52) - 1);
        String sign = bits < 0 ? "-" : "";
        if (exp == 0x7FF) return mant != 0 ? "NaN" : bits < 0 ? "-Inf" : "+Inf";
        if (exp == 0) exp++;
        else mant |= 1L << 52;
        exp += -1023 - 52;
        return sign + mant + "p" + (exp >= 0 ? "+" : "") + exp;
    }

    /** strconv's 'x' format: {@code -0x1.yyyyp±dd}, rounded to {@code prec} hex digits when given. */
    private static String hexFloat(double v, int prec, boolean upper) {
        long bits = Double.doubleToRawLongBits(v);
        int exp = (int) (bits >>> 52) & 0x7FF;
        long mant = bits & ((1L << 52) - 1);
        boolean neg = bits < 0;
        if (exp == 0x7FF) return mant != 0 ? "NaN" : neg ? "-Inf" : "+Inf";
        if (exp == 0) exp++;
        else mant |= 1L << 52;
        exp -= 1023;
        if (mant == 0) exp = 0;
        mant <<= 60 - 52; // the leading 1, if any, at bit 60
        while (mant != 0 && (mant & (1L << 60)) == 0) {
            mant <<= 1;
            exp--;
        }
        if (prec >= 0 && prec < 15) {
            int shift = prec * 4;
            long extra = (mant << shift) & ((1L << 60) - 1);
            mant >>>= 60 - shift;
            if ((extra | (mant & 1)) > 1L << 59) mant++;
            mant <<= 60 - shift;
            if ((mant & (1L << 61)) != 0) { // wrapped around
                mant >>>= 1;
                exp++;
            }
        }
        String hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
        StringBuilder b = new StringBuilder();
        if (neg) b.append('-');
        b.append('0').append(upper ? 'X' : 'x').append((char) ('0' + ((mant >>> 60) & 1)));
        mant <<= 4;
        if (prec < 0 && mant != 0) {
            b.append('.');
            while (mant != 0) {
                b.append(hex.charAt((int) ((mant >>> 60) & 15)));
                mant <<= 4;
            }
        } else if (prec > 0) {
            b.append('.');
            for (int k = 0; k < prec; k++) {
                b.append(hex.charAt((int) ((mant >>> 60) & 15)));
                mant <<= 4;
            }
        }
        b.append(upper ? 'P' : 'p').append(exp < 0 ? '-' : '+');
        String e = Integer.toString(Math.abs(exp));
        if (e.length() < 2) b.append('0');
        return b.append(e).toString();
    }

    private void fmtString(String s, int verb) {
        switch (verb) {
            case 'v' -> {
                if (sharpV) fmtQ(s);
                else fmtS(s);
            }
            case 's' -> fmtS(s);
            case 'x' -> fmtSx(s, false);
            case 'X' -> fmtSx(s, true);
            case 'q' -> fmtQ(s);
            default -> badVerb(verb);
        }
    }

    /** At most {@code prec} characters when a precision is given. */
    private String truncate(String s) {
        if (precPresent && s.codePointCount(0, s.length()) > prec) return s.substring(0, s.offsetByCodePoints(0, prec));
        return s;
    }

    private void fmtS(String s) {
        pad(truncate(s));
    }

    private void fmtQ(String s) {
        s = truncate(s);
        if (sharp && Strconv.canBackquote(s)) pad("`" + s + "`");
        else pad(Strconv.quote(s, plus));
    }

    /** format.go's fmtSbx: the UTF-8 bytes in hex, with % x spaced and %#x prefixed. */
    private void fmtSx(String s, boolean upper) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int length = precPresent && prec < bytes.length ? prec : bytes.length;
        long width = 2L * length;
        if (width > 0) {
            if (space) {
                if (sharp) width *= 2;
                width += length - 1;
            } else if (sharp) {
                width += 2;
            }
        } else {
            if (widPresent) writePadding(wid);
            return;
        }
        budget.ensure(buf.length() + width + wid);
        if (widPresent && wid > width && !minus) writePadding((int) (wid - width));
        String digits = upper ? "0123456789ABCDEFX" : "0123456789abcdefx";
        if (sharp) buf.append('0').append(digits.charAt(16));
        for (int k = 0; k < length; k++) {
            if (space && k > 0) {
                buf.append(' ');
                if (sharp) buf.append('0').append(digits.charAt(16));
            }
            buf.append(digits.charAt((bytes[k] >> 4) & 15)).append(digits.charAt(bytes[k] & 15));
        }
        if (widPresent && wid > width && minus) writePadding((int) (wid - width));
    }

    /** Pads to the width, counting code points as Go counts runes. */
    private void pad(String s) {
        if (!widPresent || wid == 0) {
            append(s);
            return;
        }
        int width = wid - s.codePointCount(0, s.length());
        if (!minus) {
            writePadding(width);
            append(s);
        } else {
            append(s);
            writePadding(width);
        }
    }

    private void writePadding(int n) {
        if (n <= 0) return;
        budget.ensure(buf.length() + (long) n);
        buf.repeat(zero ? '0' : ' ', n);
    }

    private StringBuilder append(String s) {
        return append(s, 0, s.length());
    }

    private StringBuilder append(String s, int from, int to) {
        budget.ensure(buf.length() + (long) (to - from));
        return buf.append(s, from, to);
    }
}
