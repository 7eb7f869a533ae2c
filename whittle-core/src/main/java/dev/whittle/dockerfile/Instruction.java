package dev.whittle.dockerfile;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One Dockerfile instruction as written: keyword (case kept), flags and arguments with their positions,
 * unexpanded. Expansion needs the build state and happens when the build plan is made or executed.
 */
public sealed interface Instruction {
    /** What every instruction has. */
    record Common(String keyword, Pos pos, int endLine, List<Flag> flags, String text) {
        public Common {
            flags = List.copyOf(flags);
        }
    }

    Common common();

    default String keyword() {
        return common().keyword();
    }

    /** The instruction name in upper case ({@code COPY}). */
    default String name() {
        return common().keyword().toUpperCase(Locale.ROOT);
    }

    default Pos pos() {
        return common().pos();
    }

    default List<Flag> flags() {
        return common().flags();
    }

    default Optional<Flag> flag(String name) {
        for (Flag f : common().flags()) if (f.name().equals(name)) return Optional.of(f);
        return Optional.empty();
    }

    default List<Flag> flagsNamed(String name) {
        return common().flags().stream().filter(f -> f.name().equals(name)).toList();
    }

    /** The instruction's text after the keyword, continuation lines joined. */
    default String text() {
        return common().text();
    }

    /** Exec form ({@code ["a","b"]}) or shell form ({@code a b}) of RUN, CMD, ENTRYPOINT, HEALTHCHECK CMD. */
    record Command(boolean exec, List<Word> args, Word shell) {
        public Command {
            args = args == null ? List.of() : List.copyOf(args);
        }

        public List<String> argStrings() {
            return args.stream().map(Word::text).toList();
        }
    }

    record KeyValue(Word key, Word value) {}

    record ArgDef(Word name, Word defaultValue) {
        public boolean hasDefault() {
            return defaultValue != null;
        }
    }

    record From(Common common, Word image, Word stageName, Word asKeyword) implements Instruction {}

    record Run(Common common, Command command, List<Heredoc> heredocs) implements Instruction {}

    record Cmd(Common common, Command command) implements Instruction {}

    record Entrypoint(Common common, Command command) implements Instruction {}

    record Shell(Common common, List<Word> shell) implements Instruction {}

    /** COPY and ADD. {@code sources} and {@code dest} are unexpanded; heredoc sources are in {@code heredocs}. */
    record Copy(Common common, boolean add, List<Word> sources, Word dest, List<Heredoc> heredocs, boolean json)
            implements Instruction {}

    record Env(Common common, List<KeyValue> pairs, boolean legacyForm) implements Instruction {}

    record Arg(Common common, List<ArgDef> args) implements Instruction {}

    record Label(Common common, List<KeyValue> pairs, boolean legacyForm) implements Instruction {}

    record Maintainer(Common common, Word maintainer) implements Instruction {}

    record Expose(Common common, List<Word> ports) implements Instruction {}

    record Volume(Common common, List<Word> paths, boolean json) implements Instruction {}

    record User(Common common, Word user) implements Instruction {}

    record Workdir(Common common, Word path) implements Instruction {}

    record StopSignal(Common common, Word signal) implements Instruction {}

    /** HEALTHCHECK NONE ({@code command} null) or HEALTHCHECK [flags] CMD command. */
    record Healthcheck(Common common, Command command) implements Instruction {}

    /** ONBUILD: the trigger parsed, and its text as stored in the image config. */
    record Onbuild(Common common, Instruction trigger, String expression) implements Instruction {}
}
