package dev.whittle.dockerfile;

/**
 * A here-document: {@code <<EOF} (expand), {@code <<"EOF"} (literal), {@code <<-EOF} (leading tabs stripped).
 * {@code content} is the body as written, each line ending in a newline.
 */
public record Heredoc(String name, String content, boolean expand, boolean chomp, int fileDescriptor, Pos pos) {
    /** The body with {@code <<-}'s leading tabs removed from every line. */
    public String body() {
        if (!chomp) return content;
        StringBuilder sb = new StringBuilder();
        for (String line : content.split("(?<=\n)")) sb.append(line.replaceFirst("^\t+", ""));
        return sb.toString();
    }
}
