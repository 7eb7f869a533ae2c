package dev.whittle.build;

import java.util.regex.Pattern;

/** Go's path.Match for one path component: {@code *}, {@code ?}, {@code [...]}, {@code \} escapes; never crosses '/'. */
final class Glob {
    private Glob() {}

    static boolean hasMeta(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('\\') >= 0;
    }

    static Pattern compile(String component) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < component.length(); i++) {
            char c = component.charAt(i);
            switch (c) {
                case '*' -> re.append("[^/]*");
                case '?' -> re.append("[^/]");
                case '\\' -> {
                    if (i + 1 < component.length()) re.append(Pattern.quote(String.valueOf(component.charAt(++i))));
                }
                case '[' -> {
                    int end = component.indexOf(']', i + 2);
                    if (end < 0) throw new IllegalArgumentException("syntax error in pattern \"" + component + "\"");
                    String cls = component.substring(i + 1, end);
                    if (cls.startsWith("^") || cls.startsWith("!")) cls = "^" + cls.substring(1);
                    re.append('[').append(cls.replace("\\", "\\\\")).append(']');
                    i = end;
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }
}
