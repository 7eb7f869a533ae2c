package dev.whittle.rootfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The walk over an in-memory tree: what a kernel's path lookup inside a chroot gives for the same links. */
class SymlinkWalkTest {
    private static SymlinkWalk.Result walk(Map<String, String> tree, String path, boolean followLast)
            throws IOException {
        return SymlinkWalk.resolve(path, followLast, at -> {
            if (!tree.containsKey(at)) return SymlinkWalk.Entry.ABSENT;
            String link = tree.get(at);
            return link.isEmpty() ? SymlinkWalk.Entry.PRESENT : SymlinkWalk.Entry.link(link);
        });
    }

    private static final Map<String, String> TREE = Map.of(
            "usr", "",
            "usr/lib", "",
            "usr/lib/x", "",
            "lib", "usr/lib",
            "abs", "/usr/lib",
            "up", "../../../usr",
            "loop", "loop",
            "dangling", "nowhere/y");

    @Test
    void followsRelativeAbsoluteAndClampedLinks() throws IOException {
        assertThat(walk(TREE, "/lib/x", true))
                .isEqualTo(new SymlinkWalk.Result("usr/lib/x", SymlinkWalk.Outcome.FOUND));
        assertThat(walk(TREE, "abs/x", true)).isEqualTo(new SymlinkWalk.Result("usr/lib/x", SymlinkWalk.Outcome.FOUND));
        assertThat(walk(TREE, "up/lib", true)).isEqualTo(new SymlinkWalk.Result("usr/lib", SymlinkWalk.Outcome.FOUND));
        assertThat(walk(TREE, "../../lib/../lib/x", true))
                .isEqualTo(new SymlinkWalk.Result("usr/lib/x", SymlinkWalk.Outcome.FOUND));
    }

    @Test
    void lastLinkFollowedOnlyWhenAsked() throws IOException {
        assertThat(walk(TREE, "lib", false)).isEqualTo(new SymlinkWalk.Result("lib", SymlinkWalk.Outcome.FOUND));
        assertThat(walk(TREE, "lib", true)).isEqualTo(new SymlinkWalk.Result("usr/lib", SymlinkWalk.Outcome.FOUND));
    }

    @Test
    void missingComponentsAndLoops() throws IOException {
        assertThat(walk(TREE, "lib/a/b", true))
                .isEqualTo(new SymlinkWalk.Result("usr/lib/a/b", SymlinkWalk.Outcome.MISSING));
        assertThat(walk(TREE, "dangling", true))
                .isEqualTo(new SymlinkWalk.Result("nowhere/y", SymlinkWalk.Outcome.MISSING));
        assertThat(walk(TREE, "loop/x", true))
                .isEqualTo(new SymlinkWalk.Result("loop", SymlinkWalk.Outcome.TOO_MANY_LINKS));
    }
}
