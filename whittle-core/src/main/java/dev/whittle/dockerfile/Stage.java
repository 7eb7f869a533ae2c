package dev.whittle.dockerfile;

import java.util.List;

/**
 * One build stage: its FROM, its name (lower-cased, or null), its index, and the instructions after FROM.
 */
public record Stage(int index, String name, Instruction.From from, List<Instruction> instructions) {
    public Stage {
        instructions = List.copyOf(instructions);
    }

    /** The name when it has one, else its index, as BuildKit shows stages. */
    public String displayName() {
        return name != null ? name : String.valueOf(index);
    }
}
