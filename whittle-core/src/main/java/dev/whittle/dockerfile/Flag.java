package dev.whittle.dockerfile;

/** An instruction flag such as {@code --from=build}; {@code value} is null for a bare boolean flag. */
public record Flag(String name, String value, Pos pos) {
    public Word valueWord() {
        return new Word(value == null ? "" : value, new Pos(pos.line(), pos.column() + name.length() + 3));
    }
}
