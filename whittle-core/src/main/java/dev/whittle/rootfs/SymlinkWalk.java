package dev.whittle.rootfs;

import dev.whittle.tar.PathNames;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves a path inside a root as the kernel does there: each component looked up, every symlink followed (an
 * absolute target starts again at the root, {@code ..} never leaves it), at most {@value #MAX_HOPS} links as Linux's
 * MAXSYMLINKS. The one walk behind both a build context on disk ({@link ContextTree}) and an image's merged layers
 * ({@link MergedTree}), so the two cannot drift apart.
 */
public final class SymlinkWalk {
    public static final int MAX_HOPS = 40;

    private SymlinkWalk() {}

    /** What is at a path (relative to the root, cleaned): nothing, a symlink with its target, or anything else. */
    public record Entry(boolean exists, String linkTarget) {
        public static final Entry ABSENT = new Entry(false, null), PRESENT = new Entry(true, null);

        public static Entry link(String target) {
            return new Entry(true, target);
        }
    }

    @FunctionalInterface
    public interface Lookup {
        Entry at(String path) throws IOException;
    }

    public enum Outcome {
        /** The path exists (its last component a symlink only when not followed). */
        FOUND,
        /** A component is missing: the path is where it would be (the missing one and the rest unresolved). */
        MISSING,
        /** More than {@value #MAX_HOPS} symlinks: the path is the link at which the walk gave up. */
        TOO_MANY_LINKS
    }

    public record Result(String path, Outcome outcome) {}

    /** {@code followLast} decides whether a final symlink is followed, as {@code stat} versus {@code lstat}. */
    public static Result resolve(String path, boolean followLast, Lookup lookup) throws IOException {
        List<String> todo = new ArrayList<>(List.of(PathNames.clampToRoot(path).split("/")));
        String cur = "";
        int hops = 0;
        while (!todo.isEmpty()) {
            String c = todo.removeFirst();
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) {
                cur = PathNames.parent(cur);
                continue;
            }
            String next = PathNames.join(cur, c);
            Entry e = lookup.at(next);
            if (!e.exists()) {
                String rest = String.join("/", todo);
                return new Result(rest.isEmpty() ? next : PathNames.join(next, rest), Outcome.MISSING);
            }
            if (e.linkTarget() != null && (followLast || !todo.isEmpty())) {
                if (++hops > MAX_HOPS) return new Result(next, Outcome.TOO_MANY_LINKS);
                List<String> parts = new ArrayList<>(List.of(e.linkTarget().split("/")));
                parts.addAll(todo);
                todo = parts;
                if (e.linkTarget().startsWith("/")) cur = "";
                continue;
            }
            cur = next;
        }
        return new Result(cur, Outcome.FOUND);
    }
}
