package dev.whittle.build;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code COPY --chmod} value: an octal mode, or a symbolic one as chmod(1) writes it ({@code go-w},
 * {@code u=rw,g=r,o=r}, {@code a+X}), applied to each copied file's own mode as BuildKit applies it (BSD's
 * setmode/getmode as tonistiigi/dchapes-mode ports them, with no umask). Immutable.
 */
final class ChmodSpec {
    private static final int SUID = 04000, SGID = 02000, STICKY = 01000;
    private static final int RWXU = 0700, RWXG = 0070, RWXO = 0007;
    private static final int R = 0444, W = 0222, X = 0111;
    private static final int STANDARD = SUID | SGID | RWXU | RWXG | RWXO;

    /** One setmode command: set, clear or conditionally set (X) bits, or copy one class's bits (u, g, o) to others. */
    private record Cmd(char op, int bits, boolean toU, boolean toG, boolean toO, boolean set, boolean clear) {}

    private final String key;
    private final List<Cmd> cmds;

    private ChmodSpec(String key, List<Cmd> cmds) {
        this.key = key;
        this.cmds = List.copyOf(cmds);
    }

    /** What decides the result, for cache keys: an octal mode without leading zeros, a symbolic one as written. */
    String key() {
        return key;
    }

    /**
     * Parses a --chmod value; the message of a refusal is BuildKit's.
     *
     * @throws IllegalArgumentException for a value BuildKit refuses
     */
    static ChmodSpec parse(String s) {
        String octalError = "invalid chmod parameter: '" + s + "'. it should be octal string and between 0 and 07777";
        if (s.isEmpty()) throw new IllegalArgumentException("invalid chmod parameter: '': invalid syntax");
        if (Character.isDigit(s.charAt(0))) {
            if (!s.matches("[0-7]+")) throw new IllegalArgumentException(octalError);
            long v = Long.parseLong(s, 8);
            if (v > 07777) throw new IllegalArgumentException(octalError);
            List<Cmd> c = new ArrayList<>();
            c.add(new Cmd('-', STANDARD | STICKY, false, false, false, false, false));
            c.add(new Cmd('+', (int) v, false, false, false, false, false));
            return new ChmodSpec(Long.toOctalString(v), c);
        }
        List<Cmd> cmds = new ArrayList<>();
        int i = 0, n = s.length();
        while (true) {
            int who = 0;
            for (; i < n; i++) {
                char ch = s.charAt(i);
                if (ch == 'a') who |= STANDARD;
                else if (ch == 'u') who |= SUID | RWXU;
                else if (ch == 'g') who |= SGID | RWXG;
                else if (ch == 'o') who |= RWXO;
                else break;
            }
            if (i >= n) throw syntax(s);
            while (true) { // one operator and its permissions, repeated until ',' or the end
                char op = s.charAt(i++);
                if (op != '+' && op != '-' && op != '=') throw syntax(s);
                boolean equalDone = false;
                who &= ~STICKY;
                int perm = 0, permX = 0;
                for (; ; i++) {
                    char b = i < n ? s.charAt(i) : 0;
                    if (b == 'r') {
                        perm |= R;
                    } else if (b == 's') {
                        if (who == 0 || (who & ~RWXO) != 0) perm |= SUID | SGID;
                    } else if (b == 't') {
                        if (who == 0 || (who & ~RWXO) != 0) {
                            who |= STICKY;
                            perm |= STICKY;
                        }
                    } else if (b == 'w') {
                        perm |= W;
                    } else if (b == 'X') {
                        if (op == '+') permX = X;
                    } else if (b == 'x') {
                        perm |= X;
                    } else if (b == 'u' || b == 'g' || b == 'o') {
                        if (perm != 0) {
                            add(cmds, op, who, perm);
                            perm = 0;
                        }
                        if (op == '=') equalDone = true;
                        if (permX != 0) {
                            add(cmds, 'X', who, permX);
                            permX = 0;
                        }
                        copy(cmds, b, who, op);
                    } else {
                        if (perm != 0 || op == '=' && !equalDone) add(cmds, op, who, perm);
                        if (permX != 0) add(cmds, 'X', who, permX);
                        break;
                    }
                }
                if (i >= n || s.charAt(i) == ',') break;
            }
            if (i >= n) break;
            i++; // ','
        }
        return new ChmodSpec(s, cmds);
    }

    private static IllegalArgumentException syntax(String s) {
        return new IllegalArgumentException("invalid chmod parameter: '" + s + "': invalid syntax");
    }

    private static void add(List<Cmd> cmds, char op, int who, int arg) {
        if (op == '=') {
            cmds.add(new Cmd('-', who != 0 ? who : STANDARD, false, false, false, false, false));
            op = '+';
        }
        cmds.add(new Cmd(op, who != 0 ? who & arg : arg, false, false, false, false, false));
    }

    private static void copy(List<Cmd> cmds, char from, int who, char op) {
        boolean all = who == 0;
        cmds.add(new Cmd(
                from,
                all ? 07777 : ~0,
                all || (who & 0400) != 0,
                all || (who & 0040) != 0,
                all || (who & 0004) != 0,
                op == '+' || op == '=',
                op == '-' || op == '='));
    }

    /** The mode a copied file or directory gets, from its own. */
    int apply(int mode, boolean dir) {
        int old = mode & 07777, now = old;
        for (Cmd c : cmds) {
            switch (c.op()) {
                case '+' -> now |= c.bits();
                case '-' -> now &= ~c.bits();
                case 'X' -> {
                    if ((old & X) != 0 || dir) now |= c.bits();
                }
                default -> {
                    int value = switch (c.op()) {
                        case 'u' -> (now & RWXU) >> 6;
                        case 'g' -> (now & RWXG) >> 3;
                        default -> now & RWXO;
                    };
                    if (c.clear()) {
                        int clr = c.set() ? RWXO : value;
                        if (c.toU()) now &= ~(clr << 6 & c.bits());
                        if (c.toG()) now &= ~(clr << 3 & c.bits());
                        if (c.toO()) now &= ~(clr & c.bits());
                    }
                    if (c.set()) {
                        if (c.toU()) now |= value << 6 & c.bits();
                        if (c.toG()) now |= value << 3 & c.bits();
                        if (c.toO()) now |= value & c.bits();
                    }
                }
            }
        }
        return now & 07777;
    }
}
