package dev.whittle.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PlatformTest {
    @Test
    void normalisesArchitectureAndVariant() {
        assertThat(Platform.parse("linux/x86_64")).hasToString("linux/amd64");
        assertThat(Platform.parse("linux/aarch64")).hasToString("linux/arm64");
        assertThat(Platform.parse("linux/arm64/v8")).hasToString("linux/arm64");
        assertThat(Platform.parse("linux/arm")).hasToString("linux/arm/v7");
        assertThat(Platform.parse("linux/armhf")).hasToString("linux/arm/v7");
        assertThat(Platform.parse("i386")).hasToString("linux/386");
        // a lone OS name is that OS on this machine's architecture, as containerd reads it (docker run --platform
        // windows)
        assertThat(Platform.parse("windows"))
                .isEqualTo(new Platform("windows", Platform.host().architecture(), ""));
        assertThat(Platform.parse("linux")).isEqualTo(Platform.host());
    }

    @Test
    void selectsFromAnIndexSkippingAttestations() {
        Digest a = Digest.sha256("a".getBytes()), b = Digest.sha256("b".getBytes()), c = Digest.sha256("c".getBytes());
        ImageIndex idx = ImageIndex.create(List.of(
                new Descriptor(MediaType.OCI_MANIFEST, a, 1, null, new Platform("unknown", "unknown", ""), null),
                new Descriptor(MediaType.OCI_MANIFEST, b, 1, null, Platform.parse("linux/arm64"), null),
                new Descriptor(MediaType.OCI_MANIFEST, c, 1, null, Platform.parse("linux/amd64"), null)));
        assertThat(idx.select(Platform.parse("linux/amd64")))
                .get()
                .extracting(Descriptor::digest)
                .isEqualTo(c);
        assertThat(idx.select(Platform.parse("linux/arm64/v8")))
                .get()
                .extracting(Descriptor::digest)
                .isEqualTo(b);
        assertThat(idx.select(Platform.parse("linux/s390x"))).isEmpty();
    }
}
