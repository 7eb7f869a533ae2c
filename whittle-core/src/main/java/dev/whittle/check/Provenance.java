package dev.whittle.check;

import dev.whittle.image.Digest;
import dev.whittle.json.Json;
import dev.whittle.json.JsonObjects;
import dev.whittle.store.AtomicFiles;
import dev.whittle.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each layer of a built image came from: the Dockerfile instruction and line, its stage, and — for
 * {@code COPY --from} — the stage copied from and the image that stage started from. Recorded by the builder next
 * to the store's layer data (never in the image), so a diagnosis can name the line to change.
 */
public record Provenance(String dockerfile, List<Layer> layers, Map<String, String> stageBases) {
    public Provenance {
        layers = List.copyOf(layers);
        stageBases = Map.copyOf(stageBases);
    }

    /** One layer: index in the image, instruction text, line, stage, and copy source. */
    public record Layer(int index, String instruction, int line, String stage, String fromStage) {}

    private static Path file(Store store, Digest imageId) {
        return store.stateDir().resolve("provenance").resolve(imageId.hex() + ".json");
    }

    public void save(Store store, Digest imageId) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dockerfile", dockerfile);
        List<Object> ls = new ArrayList<>();
        for (Layer l : layers) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("index", l.index());
            o.put("instruction", l.instruction());
            o.put("line", l.line());
            o.put("stage", l.stage());
            if (l.fromStage() != null) o.put("fromStage", l.fromStage());
            ls.add(o);
        }
        m.put("layers", ls);
        m.put("stageBases", stageBases);
        AtomicFiles.write(file(store, imageId), Json.write(m));
    }

    public static Provenance load(Store store, Digest imageId) {
        try {
            Map<String, Object> m = Json.parseObject(Files.readAllBytes(file(store, imageId)));
            List<Layer> layers = new ArrayList<>();
            List<Object> ls = JsonObjects.array(m, "layers");
            if (ls != null)
                for (Object o : ls) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> l = (Map<String, Object>) o;
                    layers.add(new Layer(
                            (int) JsonObjects.number(l, "index", -1),
                            JsonObjects.string(l, "instruction"),
                            (int) JsonObjects.number(l, "line", 0),
                            JsonObjects.string(l, "stage"),
                            JsonObjects.string(l, "fromStage")));
                }
            Map<String, String> bases = new LinkedHashMap<>();
            Map<String, Object> b = JsonObjects.object(m, "stageBases");
            if (b != null) b.forEach((k, v) -> bases.put(k, String.valueOf(v)));
            return new Provenance(JsonObjects.string(m, "dockerfile"), layers, bases);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    public Layer layer(int index) {
        for (Layer l : layers) if (l.index() == index) return l;
        return null;
    }
}
