package dev.whittle.build;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Marks steps failed on the progress display, once each: a step that said why already keeps its own words. */
final class StepFailures {
    private final Progress progress;
    private final Set<Integer> failed = ConcurrentHashMap.newKeySet();

    StepFailures(Progress progress) {
        this.progress = progress;
    }

    void failed(int step, String message) {
        if (failed.add(step)) progress.error(step, message);
    }
}
