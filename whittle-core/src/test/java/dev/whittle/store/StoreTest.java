package dev.whittle.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whittle.image.Digest;
import dev.whittle.image.ImageRef;
import dev.whittle.image.Manifest;
import dev.whittle.tar.TarFormatException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {
    @TempDir
    Path root;

    @Test
    void isAnOciLayout() throws IOException {
        try (Store s = Store.open(root)) {
            assertThat(Files.readString(root.resolve("oci-layout"))).contains("\"imageLayoutVersion\":\"1.0.0\"");
            assertThat(s.indexEntries()).isEmpty();
        }
    }

    @Test
    void blobsAreVerifiedWhileWritten() throws IOException {
        try (Store s = Store.open(root)) {
            Digest d = s.putBlob("hello".getBytes());
            assertThat(Files.readString(s.blobPath(d))).isEqualTo("hello");
            try (BlobSink sink = s.newBlob()) {
                sink.stream().write("evil".getBytes());
                assertThatThrownBy(() -> sink.commit(d, -1)).hasMessageContaining("digest mismatch");
            }
            try (BlobSink sink = s.newBlob()) {
                sink.stream().write("hello!".getBytes());
                assertThatThrownBy(() -> sink.commit(null, 5)).hasMessageContaining("size mismatch");
            }
            assertThat(tempFiles()).isEmpty();
            assertThat(Files.readString(s.blobPath(d))).isEqualTo("hello");
        }
    }

    /**
     * A reader following a blob while another thread writes it sees every byte in order and ends only once the blob is
     * committed (so a check that reached the end knows the blob is in the store); an abandoned blob fails the reader
     * instead of leaving it waiting.
     */
    @Test
    void aBlobIsReadWhileItIsWrittenAndEndsOnlyWhenCommitted() throws Exception {
        byte[] data = new byte[3 << 20];
        new Random(3).nextBytes(data);
        try (Store s = Store.open(root);
                ExecutorService ex = Executors.newSingleThreadExecutor()) {
            Future<byte[]> read;
            Digest committed;
            try (BlobSink sink = s.newBlob()) {
                InputStream follower = sink.follow();
                read = ex.submit(() -> {
                    try (follower) {
                        return follower.readAllBytes();
                    }
                });
                for (int off = 0; off < data.length; off += 100_000) {
                    sink.stream().write(data, off, Math.min(100_000, data.length - off));
                    if (off == 1_000_000) {
                        Thread.sleep(50);
                        assertThat(read.isDone()).as("no end before the commit").isFalse();
                    }
                }
                Thread.sleep(50);
                assertThat(read.isDone())
                        .as("no end before the commit, even with every byte written")
                        .isFalse();
                committed = sink.commit(Digest.sha256(data), data.length);
            }
            assertThat(read.get()).isEqualTo(data);
            assertThat(s.hasBlob(committed)).isTrue();

            Future<byte[]> abandoned;
            try (BlobSink sink = s.newBlob()) {
                InputStream follower = sink.follow();
                abandoned = ex.submit(() -> follower.readAllBytes());
                sink.stream().write(data, 0, 1000);
            }
            assertThatThrownBy(abandoned::get)
                    .hasCauseInstanceOf(IOException.class)
                    .hasMessageContaining("abandoned");
            assertThat(tempFiles()).isEmpty();
        }
    }

    private List<Path> tempFiles() throws IOException {
        try (Stream<Path> t = Files.list(root.resolve("whittle/tmp"))) {
            return t.toList();
        }
    }

    @Test
    void namesMoveBetweenImagesAndOldOnesBecomeDangling() throws IOException {
        try (Store s = Store.open(root)) {
            Images images = new Images(s);
            Manifest a = Layers.image(s, List.of("a"), Layers.layer("a=1"));
            Manifest b = Layers.image(s, List.of("b"), Layers.layer("b=2"));
            images.add(a, List.of(ImageRef.parse("app:1"), ImageRef.parse("app:latest")), List.of());
            images.add(b, List.of(ImageRef.parse("app:latest")), List.of());
            assertThat(images.resolve("app").manifest().digest()).isEqualTo(b.digest());
            assertThat(images.resolve("app:1").manifest().digest()).isEqualTo(a.digest());
            images.add(b, List.of(ImageRef.parse("app:1")), List.of());
            StoredImage old = images.list().stream()
                    .filter(i -> i.manifest().digest().equals(a.digest()))
                    .findFirst()
                    .orElseThrow();
            assertThat(old.dangling()).isTrue();
            assertThat(images.resolve(old.id().hex().substring(0, 8)).manifest().digest())
                    .isEqualTo(a.digest());
            assertThatThrownBy(() -> images.resolve("nope"))
                    .isInstanceOf(ImageNotFoundException.class)
                    .hasMessage("No such image: nope");
        }
    }

    @Test
    void concurrentTagsAreNeverLost() throws Exception {
        try (Store s = Store.open(root)) {
            Images images = new Images(s);
            Manifest a = Layers.image(s, null, Layers.layer("a=1"));
            images.add(a, List.of(), List.of());
            StoredImage img = images.list().getFirst();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int n = i;
                fs.add(pool.submit(() -> images.tag(img, ImageRef.parse("t:" + n))));
            }
            for (Future<?> f : fs) f.get();
            pool.shutdown();
            assertThat(images.list().getFirst().names()).hasSize(40);
        }
    }

    @Test
    void hostileLayersNeverReachTheStore() throws IOException {
        try (Store s = Store.open(root)) {
            byte[] throughSymlink = Layers.layer("etc->/etc", "etc/passwd=pwned");
            assertThatThrownBy(() -> LayerIngest.ingest(
                            s,
                            new ByteArrayInputStream(throughSymlink),
                            LayerIngest.Keep.AS_IS,
                            null,
                            null,
                            -1,
                            null,
                            true))
                    .isInstanceOf(TarFormatException.class)
                    .hasMessageContaining("through the symlink \"etc\"");
            byte[] danglingLink = Layers.layer("a=>b");
            assertThatThrownBy(() -> LayerIngest.ingest(
                            s,
                            new ByteArrayInputStream(danglingLink),
                            LayerIngest.Keep.AS_IS,
                            null,
                            null,
                            -1,
                            null,
                            true))
                    .hasMessageContaining("not an earlier entry");
            byte[] badWhiteout = Layers.layer("x/.wh..");
            assertThatThrownBy(() -> LayerIngest.ingest(
                            s,
                            new ByteArrayInputStream(badWhiteout),
                            LayerIngest.Keep.AS_IS,
                            null,
                            null,
                            -1,
                            null,
                            true))
                    .hasMessageContaining("invalid whiteout");
            try (Stream<Path> blobs = Files.list(root.resolve("blobs/sha256"))) {
                assertThat(blobs.count()).isZero();
            }
            assertThat(tempFiles()).isEmpty();
        }
    }

    @Test
    void ingestRecordsDiffIdSizeAndIndexForCompressedLayers() throws IOException {
        byte[] layer = Layers.layer("bin/", "bin/sh->/bin/busybox", "bin/busybox=0123456789");
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (var z = new dev.whittle.io.ParallelGzipOutputStream(gz, 6)) {
            z.write(layer);
        }
        try (Store s = Store.open(root)) {
            LayerIngest.Result r = LayerIngest.ingest(
                    s,
                    new ByteArrayInputStream(gz.toByteArray()),
                    LayerIngest.Keep.AS_IS,
                    null,
                    null,
                    -1,
                    Layers.diffId(layer),
                    false);
            assertThat(r.mediaType()).isEqualTo("application/vnd.docker.image.rootfs.diff.tar.gzip");
            assertThat(r.blobDigest()).isEqualTo(Digest.sha256(gz.toByteArray()));
            assertThat(r.info().contentSize()).isEqualTo(10 + "/bin/busybox".length());
            assertThat(s.toc(r.info().diffId()).items())
                    .extracting(i -> i.entry().name())
                    .containsExactly("bin", "bin/sh", "bin/busybox");
            assertThat(s.openLayer(r.info().diffId()).readAllBytes()).isEqualTo(layer);
            assertThatThrownBy(() -> LayerIngest.ingest(
                            s,
                            new ByteArrayInputStream(layer),
                            LayerIngest.Keep.AS_IS,
                            null,
                            null,
                            -1,
                            Digest.sha256(new byte[1]),
                            true))
                    .hasMessageContaining("invalid diffID");
        }
    }

    @Test
    void pruneRemovesOnlyWhatNothingReferences() throws IOException {
        try (Store s = Store.open(root)) {
            Images images = new Images(s);
            Manifest kept = Layers.image(s, null, Layers.layer("keep=1"));
            Manifest dropped = Layers.image(s, null, Layers.layer("drop=1"));
            images.add(kept, List.of(ImageRef.parse("kept")), List.of());
            images.add(dropped, List.of(), List.of());
            Files.writeString(root.resolve("whittle/tmp/leftover.part"), "x");
            Maintenance.PruneResult r = new Maintenance(s).prune(true, true, null);
            assertThat(r.deletedImages()).hasSize(1);
            assertThat(r.deletedBlobs()).isEqualTo(3); // its manifest, config and layer
            assertThat(images.list()).hasSize(1);
            assertThat(new Maintenance(s).fsck(null)).isEmpty();
            assertThat(tempFiles()).isEmpty();
        }
    }

    @Test
    void fsckFindsCorruptBlobs() throws IOException {
        try (Store s = Store.open(root)) {
            Images images = new Images(s);
            byte[] layer = Layers.layer("f=content");
            Manifest m = Layers.image(s, null, layer);
            images.add(m, List.of(ImageRef.parse("x")), List.of());
            Path blob = s.blobPath(Layers.diffId(layer));
            Files.write(blob, Layers.layer("f=CONTENT"));
            List<Maintenance.Problem> problems = new Maintenance(s).fsck(null);
            assertThat(problems)
                    .extracting(Object::toString)
                    .anyMatch(p -> p.contains("does not match its digest"))
                    .anyMatch(p -> p.contains("docker.io/library/x:latest") && p.contains("missing or corrupt"));
        }
    }
}
