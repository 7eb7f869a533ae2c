package dev.whittle.build;

import dev.whittle.dockerfile.Scope;
import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * A stage's image after one more instruction: its config (with history), its layers, the variables visible to
 * the next instruction, the cache key of everything so far, and the time recorded for the latest layer.
 */
public record State(
        ImageConfig config,
        List<Layer> layers,
        Scope scope,
        Digest cacheKey,
        String created,
        boolean cmdSet,
        List<String> buildArgNames) {
    /** The comment BuildKit's Dockerfile frontend gives every history entry. */
    static final String HISTORY_COMMENT = "buildkit.dockerfile.v0";

    public State {
        layers = List.copyOf(layers);
        buildArgNames = List.copyOf(buildArgNames);
    }

    /**
     * A layer: its diffID, the blob that holds it, and — for layers this build made — the instruction, line and stage
     * that made it (null for a base image's layers).
     */
    public record Layer(Digest diffId, Descriptor blob, Origin origin) {
        public Layer(Digest diffId, Descriptor blob) {
            this(diffId, blob, null);
        }
    }

    /** Where a layer came from in the Dockerfile. */
    public record Origin(String instruction, int line, String stage, String fromStage) {}

    public List<Digest> diffIds() {
        return layers.stream().map(Layer::diffId).toList();
    }

    public State with(ImageConfig c, List<Layer> l, Scope s, Digest key, String time, boolean cmd, List<String> args) {
        return new State(c, l, s, key, time, cmd, args);
    }

    /** This state with another config (same layers, scope and cache key). */
    State withConfig(ImageConfig c) {
        return new State(c, layers, scope, cacheKey, created, cmdSet, buildArgNames);
    }

    /** This state with one more layer, its history entry written as BuildKit writes a layer step's. */
    State withLayer(Digest key, Digest diffId, Descriptor blob, String time, String history, Origin origin) {
        List<Layer> more = new ArrayList<>(layers);
        more.add(new Layer(diffId, blob, origin));
        ImageConfig c = config.toBuilder()
                .addLayer(diffId, new ImageConfig.History(time, history, null, HISTORY_COMMENT, false))
                .build();
        return new State(c, more, scope, key, time, cmdSet, buildArgNames);
    }
}
