package dev.whittle.dockerfile;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing (Jazzer) of the Dockerfile frontend. In a normal test run only the seed inputs under
 * {@code src/test/resources/.../FrontendFuzzTargetsInputs/} and past findings replay; with {@code JAZZER_FUZZ=1}
 * (the {@code fuzz-*} executions that CI runs) Jazzer mutates them for the duration given here. The property is
 * {@link FrontendFuzzTest#exercise}: a valid Dockerfile or a positioned error, nothing else.
 */
class FrontendFuzzTargets {
    @FuzzTest(maxDuration = "20s")
    void parsePlanExpand(byte[] input) {
        FrontendFuzzTest.exercise(new String(input, StandardCharsets.UTF_8));
    }
}
