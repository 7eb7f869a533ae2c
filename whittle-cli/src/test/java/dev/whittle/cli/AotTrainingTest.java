package dev.whittle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.it.Exec;
import dev.whittle.it.Whittle;
import java.nio.file.Path;
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
}
