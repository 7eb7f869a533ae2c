package dev.whittle.build;

import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.DockerfileException;
import dev.whittle.dockerfile.Pos;
import dev.whittle.dockerfile.Scope;
import dev.whittle.dockerfile.ShellLex;
import dev.whittle.dockerfile.Word;

/**
 * One step's context: the build's services, the Dockerfile the instruction comes from (an ONBUILD trigger has its
 * own), the stage's label and the step's progress id.
 *
 * @param exported whether the step's stage is the image's or one it is built FROM (not only read from)
 */
record StepContext(StepServices services, Dockerfile df, String stage, int step, boolean exported) {
    DockerfileException error(Pos pos, String msg) {
        return df.error(pos, msg);
    }

    /** Whether this step skips the step cache (--no-cache, or --no-cache-filter naming its stage). */
    boolean noCache() {
        return services.options().noCache(stage);
    }

    String expand(Word w, Scope scope) {
        try {
            return services.lex().processWord(w.text(), scope.lookup());
        } catch (ShellLex.ExpansionException e) {
            throw df.error(w.pos(), e.getMessage());
        }
    }
}
