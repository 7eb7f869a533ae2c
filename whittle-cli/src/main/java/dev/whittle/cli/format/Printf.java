package dev.whittle.cli.format;

import java.util.List;

/** Go's fmt.Sprint, Sprintln and the common verbs of Sprintf. */
final class Printf {
    private Printf() {}

    static String sprint(List<Object> args) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
            // Sprint adds spaces between operands when neither is a string
            if (i > 0 && !(args.get(i) instanceof String) && !(args.get(i - 1) instanceof String)) sb.append(' ');
            sb.append(GoValues.format(args.get(i)));
        }
        return sb.toString();
    }

    static String sprintln(List<Object> args) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
            if (i > 0) sb.append(' ');
            sb.append(GoValues.format(args.get(i)));
        }
        return sb.append('\n').toString();
    }

    static String sprintf(String f, List<Object> args) {
        StringBuilder sb = new StringBuilder();
        int a = 0;
        for (int i = 0; i < f.length(); i++) {
            char c = f.charAt(i);
            if (c != '%') {
                sb.append(c);
                continue;
            }
            if (++i >= f.length()) {
                sb.append("%!(NOVERB)");
                break;
            }
            boolean minus = false, plus = false, zero = false, space = false, sharp = false;
            for (; i < f.length(); i++) {
                char fl = f.charAt(i);
                if (fl == '-') minus = true;
                else if (fl == '+') plus = true;
                else if (fl == '0') zero = true;
                else if (fl == ' ') space = true;
                else if (fl == '#') sharp = true;
                else break;
            }
            int width = -1, prec = -1;
            int start = i;
            while (i < f.length() && Character.isDigit(f.charAt(i))) i++;
            if (i > start) width = Integer.parseInt(f.substring(start, i));
            if (i < f.length() && f.charAt(i) == '.') {
                i++;
                start = i;
                while (i < f.length() && Character.isDigit(f.charAt(i))) i++;
                prec = i > start ? Integer.parseInt(f.substring(start, i)) : 0;
            }
            if (i >= f.length()) {
                sb.append("%!(NOVERB)");
                break;
            }
            char verb = f.charAt(i);
            if (verb == '%') {
                sb.append('%');
                continue;
            }
            if (a >= args.size()) {
                sb.append("%!").append(verb).append("(MISSING)");
                continue;
            }
            Object v = args.get(a++);
            String s = switch (verb) {
                case 'v', 's' -> {
                    String t = GoValues.format(v);
                    yield prec >= 0 && verb == 's' && t.length() > prec ? t.substring(0, prec) : t;
                }
                case 'q' -> v instanceof String str ? quote(str) : GoValues.format(v);
                case 'd' -> v instanceof Number n && !(n instanceof Double) ? (plus && n.longValue() >= 0 ? "+" : "") + n.longValue()
                        : "%!d(" + Exec2.type(v) + "=" + GoValues.format(v) + ")";
                case 't' -> v instanceof Boolean ? v.toString() : "%!t(" + Exec2.type(v) + "=" + GoValues.format(v) + ")";
                case 'x', 'X' -> {
                    String h;
                    if (v instanceof Number n) h = Long.toHexString(n.longValue());
                    else {
                        StringBuilder hb = new StringBuilder();
                        for (byte b : GoValues.format(v).getBytes(java.nio.charset.StandardCharsets.UTF_8)) hb.append(String.format("%02x", b));
                        h = hb.toString();
                    }
                    if (sharp) h = "0x" + h;
                    yield verb == 'X' ? h.toUpperCase(java.util.Locale.ROOT) : h;
                }
                case 'o' -> v instanceof Number n ? Long.toOctalString(n.longValue()) : GoValues.format(v);
                case 'c' -> v instanceof Number n ? new String(Character.toChars((int) n.longValue())) : GoValues.format(v);
                case 'f', 'F', 'e', 'g' -> v instanceof Number n
                        ? GoValues.formatFloat(n.doubleValue(), verb == 'F' ? 'f' : verb, prec < 0 && verb != 'g' ? 6 : prec)
                        : "%!" + verb + "(" + Exec2.type(v) + "=" + GoValues.format(v) + ")";
                default -> "%!" + verb + "(" + Exec2.type(v) + "=" + GoValues.format(v) + ")";
            };
            if (space && !s.startsWith("-") && (verb == 'd')) s = " " + s;
            if (width > s.length()) {
                String padding = (zero && !minus && "dfegxXo".indexOf(verb) >= 0 ? "0" : " ").repeat(width - s.length());
                s = minus ? s + padding : padding + s;
            }
            sb.append(s);
        }
        if (a < args.size()) {
            sb.append("%!(EXTRA ");
            for (int k = a; k < args.size(); k++) {
                if (k > a) sb.append(", ");
                sb.append(Exec2.type(args.get(k))).append('=').append(GoValues.format(args.get(k)));
            }
            sb.append(')');
        }
        return sb.toString();
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\x%02x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }

    /** Go type names for printf's error verbs. */
    private static final class Exec2 {
        static String type(Object v) {
            return switch (v) {
                case null -> "<nil>";
                case String s -> "string";
                case Long l -> "int64";
                case Double d -> "float64";
                case Boolean b -> "bool";
                default -> "interface {}";
            };
        }
    }
}
