package dev.whittle.build;

import dev.whittle.dockerfile.Scope;
import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageConfig;

import java.util.List;

/**
 * A stage's image after one more instruction: its config (with history), its layers, the variables visible to
 * the next instruction, the cache key of everything so far, and the time recorded for the latest layer.
 */
public record State(ImageConfig config, List<Layer> layers, Scope scope, Digest cacheKey, String created, boolean cmdSet,
                    List<String> buildArgNames) {
    public State {
        layers = List.copyOf(layers);
        buildArgNames = List.copyOf(buildArgNames);
    }

    /** A layer: its diffID and the blob that holds it. */
    public record Layer(Digest diffId, Descriptor blob) {}

    public List<Digest> diffIds() {
        return layers.stream().map(Layer::diffId).toList();
    }

    public State with(ImageConfig c, List<Layer> l, Scope s, Digest key, String time, boolean cmd, List<String> args) {
        return new State(c, l, s, key, time, cmd, args);
    }
}
