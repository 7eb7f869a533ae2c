package dev.whittle.dockerfile;

/** A 1-based line and column in a Dockerfile. */
public record Pos(int line, int column) {
    @Override
    public String toString() {
        return line + ":" + column;
    }
}
