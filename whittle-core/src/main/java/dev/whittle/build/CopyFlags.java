package dev.whittle.build;

import dev.whittle.dockerfile.DockerIgnore;
import dev.whittle.dockerfile.Flag;
import dev.whittle.dockerfile.Heredoc;
import dev.whittle.dockerfile.Instruction;
import dev.whittle.dockerfile.Planner;
import dev.whittle.dockerfile.Scope;
import dev.whittle.dockerfile.Word;
import dev.whittle.tar.PathNames;
import java.util.ArrayList;
import java.util.List;

/**
 * A COPY or ADD as the rest of its step works from it: flags, sources and destination expanded in the stage's scope.
 *
 * @param verb      COPY or ADD
 * @param fromRef   {@code --from}'s value, or null
 * @param chown     {@code --chown}'s value, or null
 * @param chmod     {@code --chmod}, or null
 * @param parents   {@code --parents}
 * @param unpack    whether a local archive is unpacked (ADD, unless {@code --unpack=false})
 * @param excludes  {@code --exclude} patterns
 * @param exclude   the same as a matcher
 * @param link      {@code --link}'s value as the cache key has it ("" when absent)
 * @param sources   the source words expanded, heredocs not included
 * @param destText  the destination as written, expanded
 * @param dest      the destination resolved against the working directory, relative to the root
 * @param destIsDir whether the destination names a directory ({@code /} at the end, {@code .})
 */
record CopyFlags(
        String verb,
        String fromRef,
        String chown,
        ChmodSpec chmod,
        boolean parents,
        boolean unpack,
        List<String> excludes,
        DockerIgnore exclude,
        String link,
        List<String> sources,
        String destText,
        String dest,
        boolean destIsDir) {
    CopyFlags {
        excludes = List.copyOf(excludes);
        sources = List.copyOf(sources);
    }

    static CopyFlags parse(StepContext ctx, State s, Instruction.Copy c) {
        Scope scope = s.scope();
        String fromRef = c.flag("from")
                .map(f -> Planner.copyFrom(ctx.df(), ctx.services().lex(), f))
                .orElse(null);
        String chown =
                c.flag("chown").map(f -> ctx.expand(f.valueWord(), scope)).orElse(null);
        ChmodSpec chmod = c.flag("chmod")
                .map(f -> CopyStep.checkChmod(ctx.df(), f, ctx.expand(f.valueWord(), scope)))
                .orElse(null);
        boolean parents = c.flag("parents").map(CopyFlags::isTrue).orElse(false);
        // ADD --unpack=false copies a local archive as it is (newer BuildKit; by default ADD unpacks it)
        boolean unpack = c.add() && c.flag("unpack").map(CopyFlags::isTrue).orElse(true);
        List<String> excludes = new ArrayList<>();
        for (Flag f : c.flagsNamed("exclude")) excludes.add(ctx.expand(f.valueWord(), scope));
        DockerIgnore exclude =
                excludes.isEmpty() ? DockerIgnore.none() : DockerIgnore.parse(String.join("\n", excludes), "--exclude");
        String destText = ctx.expand(c.dest(), scope);
        String workdir = s.config().workingDirOrRoot();
        boolean destIsDir = destText.endsWith("/") || destText.equals(".") || destText.isEmpty();
        String dest = PathNames.clampToRoot(destText.startsWith("/") ? destText : workdir + "/" + destText);
        List<String> sources = new ArrayList<>();
        for (Word w : c.sources()) sources.add(ctx.expand(w, scope));
        checksumNeedsOneRemoteSource(ctx, c, sources);
        return new CopyFlags(
                c.add() ? "ADD" : "COPY",
                fromRef,
                chown,
                chmod,
                parents,
                unpack,
                excludes,
                exclude,
                c.flag("link").map(f -> String.valueOf(f.value())).orElse(""),
                sources,
                destText,
                dest,
                destIsDir);
    }

    private static boolean isTrue(Flag f) {
        return f.value() == null || f.value().equalsIgnoreCase("true");
    }

    /** BuildKit's rule for ADD --checksum: one source, fetched over HTTP(S) or from git (the checksum is of that). */
    private static void checksumNeedsOneRemoteSource(StepContext ctx, Instruction.Copy c, List<String> sources) {
        Flag checksum = c.flag("checksum").orElse(null);
        if (checksum == null || checksum.value().isEmpty()) return;
        if (sources.size() != 1) throw ctx.error(checksum.pos(), "checksum can't be specified for multiple sources");
        String src = sources.getFirst();
        if (!CopySources.isUrl(src) && !CopySources.isGit(src)) {
            throw ctx.error(checksum.pos(), "checksum requires HTTP(S) or Git sources");
        }
    }

    /** The flags as the step's cache key has them. */
    List<String> keyParts() {
        return List.of(
                chown == null ? "" : chown,
                chmod == null ? "" : chmod.key(),
                String.valueOf(parents),
                String.join("\n", excludes),
                link,
                String.valueOf(unpack));
    }

    /** The sources as history and progress show them: the words, then each heredoc as {@code <<NAME}. */
    List<String> shown(List<Heredoc> heredocs) {
        List<String> out = new ArrayList<>(sources);
        for (Heredoc h : heredocs) out.add("<<" + h.name());
        return out;
    }
}
