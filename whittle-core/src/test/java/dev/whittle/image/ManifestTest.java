package dev.whittle.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whittle.json.JsonException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestTest {
    private static final String D = "sha256:" + "b".repeat(64);

    @Test
    void keepsTheExactBytesSoTheDigestNeverChanges() {
        // unusual spacing and key order: re-serialising would change the digest
        String text = "{ \"schemaVersion\": 2,\n \"config\": {\"size\": 7, \"digest\": \"" + D
                + "\", \"mediaType\": \"application/vnd.oci.image.config.v1+json\"}," + " \"layers\": [] }";
        byte[] raw = text.getBytes(StandardCharsets.UTF_8);
        Manifest m = Manifest.parse(raw, MediaType.OCI_MANIFEST);
        assertThat(m.raw()).isEqualTo(raw);
        assertThat(m.digest()).isEqualTo(Digest.sha256(raw));
        assertThat(m.config().size()).isEqualTo(7);
    }

    @Test
    void refusesAmbiguousDocuments() {
        String both = "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" + D
                + "\",\"size\":1},\"layers\":[],\"manifests\":[]}";
        assertThatThrownBy(() -> Manifest.parse(both.getBytes(), null))
                .isInstanceOf(JsonException.class)
                .hasMessageContaining("ambiguous");
        assertThatThrownBy(() -> ImageIndex.parse(both.getBytes(), null))
                .isInstanceOf(JsonException.class)
                .hasMessageContaining("ambiguous");
    }

    @Test
    void mediaTypeMustMatchWhatWasAskedFor() {
        Manifest m =
                Manifest.create(false, new Descriptor(MediaType.DOCKER_CONFIG, Digest.parse(D), 1), List.of(), null);
        assertThatThrownBy(() -> Manifest.parse(m.raw(), MediaType.OCI_MANIFEST))
                .hasMessageContaining("does not match");
    }

    @Test
    void refusesUppercaseOrMalformedDigests() {
        assertThatThrownBy(() -> Digest.parse("sha256:" + "B".repeat(64))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Digest.parse("sha256:../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Digest.parse("md5:abc")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void configBuilderKeepsHistoryAndDiffIdsInStep() {
        ImageConfig c = ImageConfig.builder(Platform.LINUX_AMD64)
                .addLayer(
                        Digest.parse(D),
                        new ImageConfig.History(
                                "2024-01-01T00:00:00Z", "COPY x /", null, "buildkit.dockerfile.v0", false))
                .addHistory(new ImageConfig.History("2024-01-01T00:00:00Z", "CMD [\"/x\"]", null, null, true))
                .configField("Cmd", List.of("/x"))
                .build();
        ImageConfig again = ImageConfig.parse(c.raw());
        assertThat(again.diffIds()).containsExactly(Digest.parse(D));
        assertThat(again.history()).hasSize(2);
        assertThat(again.history().get(1).emptyLayer()).isTrue();
        assertThat(again.cmd()).containsExactly("/x");
        assertThat(again.digest()).isEqualTo(c.digest());
    }
}
