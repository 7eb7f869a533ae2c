package dev.whittle.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The differential cases again, with COPY and WORKDIR reading every stage through an overlay mount of its snapshots
 * (which whittle otherwise does only for big bases such as the Go toolchain): both views must give Docker's tree.
 */
class BuildDifferentialMountedTest extends BuildDifferentialTest {
    @BeforeAll
    static void mountStages() {
        System.setProperty("whittle.stage-tree", "mount");
    }

    @AfterAll
    static void back() {
        System.clearProperty("whittle.stage-tree");
    }
}
