package dev.whittle.dockerfile;

/** A piece of an instruction (an argument, a key, a value) as written, with where it starts. */
public record Word(String text, Pos pos) {
    @Override
    public String toString() {
        return text;
    }
}
