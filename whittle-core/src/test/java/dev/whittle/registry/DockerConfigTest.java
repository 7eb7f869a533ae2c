package dev.whittle.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigTest {
    @TempDir
    Path dir;

    @Test
    void readsDockersKeysAsDockerDoes() throws IOException {
        Path f = dir.resolve("config.json");
        String hub = Base64.getEncoder().encodeToString("hubuser:hub:pass".getBytes());
        String local = Base64.getEncoder().encodeToString("me:pw".getBytes());
        Files.writeString(
                f,
                "{\"auths\": {\"https://index.docker.io/v1/\": {\"auth\": \"" + hub + "\"},"
                        + " \"https://myreg:5000/v2/\": {\"auth\": \"" + local
                        + "\"}, \"tok.io\": {\"identitytoken\": \"refresh-me\"}}}");
        DockerConfig c = DockerConfig.load(f);
        Credentials h = c.lookup("docker.io");
        assertThat(h.username()).isEqualTo("hubuser");
        assertThat(h.password()).isEqualTo("hub:pass");
        assertThat(c.lookup("myreg:5000").username()).isEqualTo("me");
        assertThat(c.lookup("tok.io").identityToken()).isEqualTo("refresh-me");
        assertThat(c.lookup("other.io").isEmpty()).isTrue();
        assertThat(h.toString()).doesNotContain("hub:pass");
    }

    @Test
    void storeAndEraseKeepOtherFields() throws IOException {
        Path f = dir.resolve("d/config.json");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "{\"psFormat\": \"table {{.ID}}\"}");
        DockerConfig c = DockerConfig.load(f);
        c.store("docker.io", new Credentials("u", "p", null));
        String text = Files.readString(f);
        assertThat(text)
                .contains("psFormat")
                .contains("https://index.docker.io/v1/")
                .contains(Base64.getEncoder().encodeToString("u:p".getBytes()))
                .contains("\n\t");
        assertThat(DockerConfig.load(f).erase("docker.io")).isTrue();
        assertThat(Files.readString(f)).contains("psFormat").doesNotContain("index.docker.io");
        assertThat(DockerConfig.load(f).erase("docker.io")).isFalse();
    }
}
