package dev.whittle.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.Manifest;
import dev.whittle.image.MediaType;
import dev.whittle.json.JsonException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cache format: the same cache is the same bytes, and what is not a whittle cache of this version is refused. */
class CacheRecordTest {
    static Digest d(String s) {
        return Digest.sha256(s.getBytes(StandardCharsets.UTF_8));
    }

    static final Descriptor LAYER = new Descriptor(MediaType.OCI_LAYER_GZIP, d("layer"), 10);
    static final Descriptor MOUNT = new Descriptor(CacheRecord.MOUNT_GZIP, d("mount"), 20);

    static CacheRecord record(List<CacheRecord.Step> steps) {
        return new CacheRecord(
                steps,
                List.of(new CacheRecord.Mount("0a1b", "/root/.cache/go-build", d("tar"), 1)),
                List.of(LAYER, MOUNT));
    }

    @Test
    void theSameCacheIsTheSameDocumentWhateverTheOrderItWasGathered() {
        var a = new CacheRecord.Step(d("a"), d("l1"), 0, "2026-01-01T00:00:00Z", null);
        var b = new CacheRecord.Step(d("b"), d("l1"), 0, "2026-01-01T00:00:00Z", d("next"));
        Manifest one = record(List.of(a, b)).manifest();
        Manifest two = record(List.of(b, a)).manifest();
        assertThat(one.digest()).isEqualTo(two.digest());
        assertThat(one.config().mediaType()).isEqualTo(CacheRecord.CONFIG_TYPE);
        assertThat(one.mediaType()).isEqualTo(MediaType.OCI_MANIFEST);

        CacheRecord back = CacheRecord.parse(one, record(List.of(a, b)).config());
        assertThat(back).isEqualTo(record(List.of(a, b)));
    }

    @Test
    void theCanonicalFormOrdersBlobsByFirstUseInSortedOrder() {
        Descriptor other = new Descriptor(MediaType.OCI_LAYER_GZIP, d("other"), 5);
        // gathered with the mount's blob first and an unused blob: the canonical form has neither quirk
        var step = new CacheRecord.Step(d("a"), d("l1"), 2, "t", null);
        var mount = new CacheRecord.Mount("0a1b", "/cache", d("tar"), 0);
        CacheRecord gathered = new CacheRecord(List.of(step), List.of(mount), List.of(MOUNT, other, LAYER));
        CacheRecord c = gathered.canonical();
        assertThat(c.blobs()).containsExactly(LAYER, MOUNT);
        assertThat(c.steps().getFirst().blob()).isZero();
        assertThat(c.mounts().getFirst().blob()).isEqualTo(1);
        assertThat(c.canonical().manifest().digest()).isEqualTo(c.manifest().digest());
    }

    @Test
    void otherDocumentsAreRefused() {
        CacheRecord r = record(List.of());
        Manifest image = Manifest.create(true, new Descriptor(MediaType.OCI_CONFIG, d("c"), 2), List.of(), null);
        assertThatThrownBy(() -> CacheRecord.parse(image, r.config()))
                .isInstanceOf(JsonException.class)
                .hasMessageContaining("not a whittle cache");
        byte[] v2 = "{\"version\":2,\"steps\":[]}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> CacheRecord.parse(r.manifest(), v2)).hasMessageContaining("version 2");
        byte[] badIndex = "{\"version\":1,\"steps\":[{\"key\":\"%s\",\"diffId\":\"%s\",\"blob\":7,\"created\":\"x\"}]}"
                .formatted(d("k"), d("l"))
                .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> CacheRecord.parse(r.manifest(), badIndex)).hasMessageContaining("out of range");
        // a mount's name selects a directory of the store: never a path
        byte[] path = "{\"version\":1,\"mounts\":[{\"name\":\"../../etc\",\"id\":\"x\",\"diffId\":\"%s\",\"blob\":1}]}"
                .formatted(d("t"))
                .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> CacheRecord.parse(r.manifest(), path))
                .hasMessageContaining("invalid cache mount name");
    }
}
