package dev.whittle.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whittle.image.ImageRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryConfigTest {
    @TempDir
    Path dir;

    RegistryConfig load(String json) throws IOException {
        Path f = dir.resolve("r.json");
        Files.writeString(f, json);
        return RegistryConfig.load(f, true);
    }

    @Test
    void dockerHubMirrorsComeFirstThenTheRegistryUnlessMirrorsOnly() throws IOException {
        RegistryConfig c = load("{\"registry-mirrors\": [\"https://mirror.example/\"], \"registries\": {\"ghcr.io\": "
                + "{\"mirrors\": [\"http://127.0.0.1:5000/ghcr\"], \"mirrors-only\": true}}}");
        assertThat(c.pullEndpoints(ImageRef.parse("golang:1.22")).stream().map(RegistryConfig.Endpoint::toString))
                .containsExactly("https://mirror.example", "https://registry-1.docker.io");
        var ghcr = c.pullEndpoints(ImageRef.parse("ghcr.io/o/app:1"));
        assertThat(ghcr).hasSize(1);
        assertThat(ghcr.getFirst().repository("o/app")).isEqualTo("ghcr/o/app");
        assertThat(c.pullEndpoints(ImageRef.parse("quay.io/x/y")).stream().map(RegistryConfig.Endpoint::host))
                .containsExactly("quay.io");
    }

    @Test
    void loopbackAndNamedRegistriesAreInsecureOthersNot() throws IOException {
        RegistryConfig c = load("{\"insecure-registries\": [\"myreg:5000\", \"10.1.0.0/16\"]}");
        assertThat(c.isInsecure("127.0.0.1:5000")).isTrue();
        assertThat(c.isInsecure("localhost:5000")).isTrue();
        assertThat(c.isInsecure("[::1]:5000")).isTrue();
        assertThat(c.isInsecure("myreg:5000")).isTrue();
        assertThat(c.isInsecure("10.1.2.3:443")).isTrue();
        assertThat(c.isInsecure("10.2.2.3")).isFalse();
        assertThat(c.isInsecure("registry-1.docker.io")).isFalse();
    }

    @Test
    void loopbackOnlyRefusesEverythingElse() throws IOException {
        RegistryConfig c = load("{\"loopback-only\": true}");
        c.checkAllowed("127.0.0.1:5000");
        assertThatThrownBy(() -> c.checkAllowed("registry-1.docker.io"))
                .hasMessageContaining("allows loopback registries only");
    }

    @Test
    void badFilesNameTheFileAndTheProblem() throws IOException {
        assertThatThrownBy(() -> load("{\"registry-mirrors\": [\"ftp://x\"]}"))
                .hasMessageContaining("r.json")
                .hasMessageContaining("http://");
        assertThatThrownBy(() -> load("{\"retries\": \"many\"}"))
                .hasMessageContaining("r.json")
                .hasMessageContaining("retries");
        assertThatThrownBy(() -> load("{not json")).hasMessageContaining("r.json");
        assertThatThrownBy(() -> RegistryConfig.load(dir.resolve("missing.json"), true))
                .hasMessageContaining("does not exist");
    }
}
