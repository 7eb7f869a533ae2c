package dev.whittle.dockerfile;

/**
 * Error messages kept readable whatever they quote: a word (a path, a value) longer than {@link #MAX_WORD} characters
 * is shown by its start and end around an ellipsis, so a COPY of a 5 000-character path fails in one line, not five
 * kilobytes of it.
 */
public final class MessageText {
    static final int MAX_WORD = 120;
    private static final int KEEP = 40;

    private MessageText() {}

    /** The text with each overlong word (a run without blanks) shortened in the middle. */
    public static String shorten(String text) {
        if (text == null || text.length() <= MAX_WORD) return text;
        StringBuilder out = new StringBuilder(Math.min(text.length(), 4 * MAX_WORD));
        int i = 0;
        while (i < text.length()) {
            int end = i;
            boolean blank = Character.isWhitespace(text.charAt(i));
            while (end < text.length() && Character.isWhitespace(text.charAt(end)) == blank) end++;
            if (!blank && end - i > MAX_WORD) {
                int head = i + KEEP, tail = end - KEEP;
                if (Character.isHighSurrogate(text.charAt(head - 1))) head++; // never split a character
                if (Character.isLowSurrogate(text.charAt(tail))) tail--;
                out.append(text, i, head)
                        .append("…(")
                        .append(tail - head)
                        .append(" more)…")
                        .append(text, tail, end);
            } else {
                out.append(text, i, end);
            }
            i = end;
        }
        return out.toString();
    }
}
