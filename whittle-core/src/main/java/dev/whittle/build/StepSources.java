package dev.whittle.build;

import dev.whittle.dockerfile.Word;
import dev.whittle.rootfs.ContextTree;
import java.io.IOException;

/** What only the build can tell a step: what a {@code --from} or a mount's {@code from=} names. */
interface StepSources {
    /**
     * The state a reference names: a stage (built first if need be), an image or a named context standing for one;
     * null when it names a file tree of the client's (see {@link #contextTree}).
     */
    State fromRef(String ref, Word where) throws IOException;

    /** The build context (ref null or "context") or a named directory; null when the ref names neither. */
    ContextTree contextTree(String ref);
}
