package dev.whittle.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The ported BuildKit cases again, with COPY, ADD and WORKDIR reading every stage through an overlay mount of its
 * snapshots: destinations must resolve through the base image's links the same way in both views.
 */
class BuildKitPortedMountedTest extends BuildKitPortedTest {
    @BeforeAll
    static void mountStages() {
        System.setProperty("whittle.stage-tree", "mount");
    }

    @AfterAll
    static void back() {
        System.clearProperty("whittle.stage-tree");
    }
}
