package dev.whittle.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whittle.image.Descriptor;
import dev.whittle.image.ImageIndex;
import dev.whittle.image.ImageRef;
import dev.whittle.image.Manifest;
import dev.whittle.image.Platform;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageIndexesTest {
    static final Platform ARM64 = Platform.parse("linux/arm64");

    @TempDir
    Path root;

    /** Two platforms' images, built unnamed as each platform's build leaves them, then named as one index. */
    private static ImageIndex twoPlatforms(Store s, Images images) throws IOException {
        Manifest amd = Layers.image(s, Platform.LINUX_AMD64, List.of("app"), Layers.layer("app=amd64"));
        Manifest arm = Layers.image(s, ARM64, List.of("app"), Layers.layer("app=arm64"));
        images.add(amd, List.of(), List.of());
        images.add(arm, List.of(), List.of());
        return ImageIndex.create(List.of(member(amd, Platform.LINUX_AMD64), member(arm, ARM64)));
    }

    private static Descriptor member(Manifest m, Platform p) {
        Descriptor d = m.descriptor();
        return new Descriptor(d.mediaType(), d.digest(), d.size(), null, p, null);
    }

    @Test
    void aMultiPlatformImageIsOneNameThatResolvesPerPlatform() throws IOException {
        try (Store s = Store.open(root)) {
            Images images = new Images(s);
            ImageIndex index = twoPlatforms(s, images);
            new ImageIndexes(s).add(index, List.of(ImageRef.parse("app:1")));

            // one row, not three: the platforms' unnamed entries are held by the index now
            assertThat(images.list()).hasSize(1);
            assertThat(images.list().getFirst().names()).containsExactly(ImageRef.parse("app:1"));
            assertThat(images.resolve("app:1").config().platform()).isEqualTo(Platform.host());
            assertThat(images.find("app:1", ARM64).orElseThrow().config().platform())
                    .isEqualTo(ARM64);
            assertThat(images.find("app:1", Platform.LINUX_AMD64)
                            .orElseThrow()
                            .config()
                            .platform())
                    .isEqualTo(Platform.LINUX_AMD64);
            assertThatThrownBy(() -> images.find("app:1", Platform.parse("linux/s390x")))
                    .isInstanceOf(StoreException.class)
                    .hasMessage("image \"app:1\" has no image for linux/s390x (it has [linux/amd64, linux/arm64])");
            // a platform's image is found by its own ID too
            String armId = images.find("app:1", ARM64).orElseThrow().id().toString();
            assertThat(images.resolve(armId).config().platform()).isEqualTo(ARM64);
        }
    }

    @Test
    void pruneKeepsEveryPlatformOfANamedIndexAndFsckReadsIt() throws IOException {
        try (Store s = Store.open(root)) {
            Images images = new Images(s);
            new ImageIndexes(s).add(twoPlatforms(s, images), List.of(ImageRef.parse("app:1")));
            Maintenance.PruneResult r = new Maintenance(s).prune(true, true, null);
            assertThat(r.deletedImages()).isEmpty();
            assertThat(r.deletedBlobs()).isZero();
            assertThat(new Maintenance(s).fsck(null)).isEmpty();
            assertThat(images.find("app:1", ARM64)).isPresent();

            // once the name moves on, the index and its platforms' blobs are garbage
            images.add(Layers.image(s, null, Layers.layer("other=1")), List.of(ImageRef.parse("app:1")), List.of());
            assertThat(new ImageIndexes(s).list()).isEmpty();
            Maintenance.PruneResult after = new Maintenance(s).prune(true, true, null);
            assertThat(after.deletedBlobs()).isEqualTo(7); // the index, and two manifests, configs and layers
            assertThat(images.list()).hasSize(1);
            assertThat(new Maintenance(s).fsck(null)).isEmpty();
        }
    }
}
