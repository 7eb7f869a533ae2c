package dev.whittle.dockerfile;

import java.util.Arrays;

/**
 * A shell pattern of {@code ${v#p} ${v%p} ${v/p/r}} ({@code *}, {@code ?}, backslash escapes) matched as BuildKit
 * matches it: BuildKit turns it into a Go regular expression ({@code *} is {@code .*} or {@code .*?}, {@code ?} is
 * {@code .}, which match no newline) and Go finds the leftmost match, preferring what a backtracking matcher would.
 * Here a Pike machine over the pattern's positions gives that same match in time proportional to value length times
 * pattern length: java.util.regex backtracks, and {@code ${v/*a*a*a*a*a*a*b/}} over a long value never finished.
 */
final class ShellPattern {
    private static final int ANY = -1;
    private static final int STAR = -2;

    /** Code points, or ANY, or STAR. */
    private final int[] tokens;

    private final boolean greedy;

    private ShellPattern(int[] tokens, boolean greedy) {
        this.tokens = tokens;
        this.greedy = greedy;
    }

    /** Compiles as BuildKit's convertShellPatternToRegex does, with its errors. */
    static ShellPattern compile(String pattern, boolean greedy) {
        int[] cps = pattern.codePoints().toArray();
        int[] out = new int[cps.length];
        int n = 0;
        for (int i = 0; i < cps.length; i++) {
            int c = cps[i];
            if (c == '*') {
                out[n++] = STAR;
            } else if (c == '?') {
                out[n++] = ANY;
            } else if (c == '\\') {
                // } and / are escaped inside ${}, but the escape is not part of the pattern
                if (i + 1 < cps.length && (cps[i + 1] == '}' || cps[i + 1] == '/')) continue;
                if (i + 1 >= cps.length)
                    throw new ShellLex.ExpansionException("invalid pattern (" + pattern + ") in substitution");
                int e = cps[++i];
                if (e != '*' && e != '?' && e != '\\') {
                    throw new ShellLex.ExpansionException("invalid pattern (" + pattern
                            + ") in substitution: invalid escape '\\" + new String(Character.toChars(e)) + "'");
                }
                out[n++] = e;
            } else {
                out[n++] = c;
            }
        }
        return new ShellPattern(Arrays.copyOf(out, n), greedy);
    }

    /** The end (a code point index) of the preferred match starting at {@code from}, or -1. */
    int matchAt(int[] s, int from) {
        int[] m = run(s, from, true);
        return m == null ? -1 : m[1];
    }

    /** The leftmost preferred match at or after {@code from}: {start, end} in code points, or null. */
    int[] find(int[] s, int from) {
        return run(s, from, false);
    }

    /**
     * The Pike machine. A thread is a pattern position: one about to match a literal, any character or the pattern's
     * end, or a star about to take one more character. Threads are kept in priority order, each position at most once
     * per step (the first, preferred one), with the start of its match.
     */
    private int[] run(int[] s, int from, boolean anchored) {
        int m = tokens.length;
        Threads current = new Threads(m), next = new Threads(m);
        int[] matched = null;
        for (int pos = from; pos <= s.length; pos++) {
            if (matched == null && (!anchored || pos == from)) current.add(tokens, greedy, 0, pos); // lowest priority
            if (current.size == 0) {
                if (matched != null || anchored) break;
                continue;
            }
            next.clear();
            for (int k = 0; k < current.size; k++) {
                int t = current.state[k], start = current.start[k];
                if (t == m) {
                    matched = new int[] {start, pos};
                    break; // threads after this one are less preferred
                }
                if (pos == s.length) continue;
                int c = s[pos], tok = tokens[t];
                if (c == '\n' && tok < 0) continue; // Go's . matches no newline
                if (tok == STAR) next.add(tokens, greedy, t, start);
                else if (tok == ANY || tok == c) next.add(tokens, greedy, t + 1, start);
            }
            Threads swap = current;
            current = next;
            next = swap;
        }
        return matched;
    }

    /** The threads of one step: states in priority order with their match starts; epsilon closure on add. */
    private static final class Threads {
        final int[] state, start;
        int size;
        private final int[] seenAt; // the generation in which each state was added
        private int generation = 1;
        private final int[] stack;

        Threads(int m) {
            state = new int[m + 1];
            start = new int[m + 1];
            seenAt = new int[m + 1];
            stack = new int[2 * (m + 1)];
        }

        void clear() {
            size = 0;
            generation++;
        }

        /**
         * Adds a thread at position {@code p} and what it reaches without taking a character, in priority order: a
         * star first takes more (greedy) or first lets the rest of the pattern try (lazy).
         */
        void add(int[] tokens, boolean greedy, int p, int from) {
            int top = 0;
            stack[top++] = p; // >= 0: expand this position; < 0: emit the star thread ~x
            while (top > 0) {
                int x = stack[--top];
                if (x < 0) {
                    emit(~x, from);
                    continue;
                }
                if (seenAt[x] == generation) continue;
                seenAt[x] = generation;
                if (x == tokens.length || tokens[x] != STAR) {
                    emit(x, from);
                } else if (greedy) {
                    stack[top++] = x + 1;
                    stack[top++] = ~x;
                } else {
                    stack[top++] = ~x;
                    stack[top++] = x + 1;
                }
            }
        }

        private void emit(int x, int from) {
            state[size] = x;
            start[size] = from;
            size++;
        }
    }
}
