package dev.whittle.build;

import java.util.Locale;
import java.util.Set;

/**
 * STOPSIGNAL values BuildKit accepts (moby/sys signal.ParseSignal on Linux): a non-zero number, or a Linux signal's
 * name with or without SIG, in any case. Anything else fails the build, as it does in BuildKit.
 */
final class Signals {
    private static final Set<String> NAMES = Set.of(
            "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL", "PIPE",
            "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP", "TTIN", "TTOU",
            "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX");

    private Signals() {}

    static boolean valid(String raw) {
        if (ascii(raw)) {
            try {
                return Long.parseLong(raw) != 0; // Go's strconv.Atoi: optional sign, ASCII digits, 64 bits
            } catch (NumberFormatException e) {
                // too large: not a number, and no name either
            }
        }
        String name = raw.toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG")) name = name.substring(3);
        if (NAMES.contains(name)) return true;
        // RTMIN+1 .. RTMIN+15 and RTMAX-14 .. RTMAX-1
        return offset(name, "RTMIN+") || offset(name, "RTMAX-");
    }

    private static boolean ascii(String s) {
        int start = !s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-') ? 1 : 0;
        if (start == s.length()) return false;
        for (int i = start; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return true;
    }

    private static boolean offset(String name, String prefix) {
        if (!name.startsWith(prefix)) return false;
        String n = name.substring(prefix.length());
        if (n.isEmpty() || n.length() > 2 || !n.chars().allMatch(Character::isDigit) || n.charAt(0) == '0')
            return false;
        int v = Integer.parseInt(n);
        return v >= 1 && v <= (prefix.equals("RTMIN+") ? 15 : 14);
    }
}
