package dev.whittle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.it.Exec;
import dev.whittle.it.Whittle;
import dev.whittle.json.Json;
import dev.whittle.json.JsonObjects;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry group's training really pushes and pulls (against its in-process registry): otherwise its AOT cache
 * would hold only the classes of a failed connection, and every pull would start the HTTP client cold.
 */
class AotTrainingTest {
    @Test
    void theRegistryGroupPushesAndPullsAnImage(@TempDir Path dir) throws Exception {
        assertThat(AotTraining.run(new String[] {"prepare", dir.toString()})).isZero();
        assertThat(AotTraining.run(new String[] {"registry", dir.toString()})).isZero();
        Exec pulled = new Whittle(dir.resolve("pulled"))
                .run("images", "--format", "{{.Repository}}:{{.Tag}}")
                .ok();
        assertThat(pulled.out()).matches("127\\.0\\.0\\.1:\\d+/training/app:1\\n");
        assertThat(new Whittle(dir.resolve("store"))
                        .run("images", "--format", "{{.Repository}}:{{.Tag}}")
                        .ok()
                        .out())
                .as("the group takes its tag off again (the push's repo digest stays, as docker keeps it)")
                .doesNotContain("127.0.0.1:" + pulled.out().split(":")[1].split("/")[0] + "/training/app:1");
    }

    /**
     * The cache group's machine B really imports: its last builds give training/app:1 back only when the export and
     * the import worked (the image was removed before), and the layers it fetched are whole.
     */
    @Test
    void theCacheGroupExportsAndImportsARegistryCache(@TempDir Path dir) throws Exception {
        assertThat(AotTraining.run(new String[] {"prepare", dir.toString()})).isZero();
        assertThat(AotTraining.run(new String[] {"cache", dir.toString()})).isZero();
        Whittle store = new Whittle(dir.resolve("store"));
        assertThat(store.run("images", "--format", "{{.Repository}}:{{.Tag}}")
                        .ok()
                        .out())
                .contains("training/app:1");
        assertThat(store.run("system", "fsck").ok().out()).contains("is consistent");
        // the build stage's RUN was a hit from the registry cache, its layer never fetched (a COPY --from that hits
        // does not read it): a step-cache entry whose layer the store does not hold. Run instead, it would be there
        List<String> notHeld = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir.resolve("store/whittle/cache"))) {
            for (Path e : (Iterable<Path>) entries::iterator) {
                String diffId = JsonObjects.requireString(Json.parseObject(Files.readAllBytes(e)), "diffId");
                if (!Files.exists(dir.resolve("store/whittle/layers/" + diffId.substring(7) + ".json")))
                    notHeld.add(diffId);
            }
        }
        assertThat(notHeld).isNotEmpty();
    }
}
