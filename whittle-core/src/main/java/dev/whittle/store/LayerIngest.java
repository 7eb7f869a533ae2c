package dev.whittle.store;

import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.MediaType;
import dev.whittle.io.Compression;
import dev.whittle.io.HashingInputStream;
import dev.whittle.io.ObservingInputStream;
import dev.whittle.io.StagedDecompression;
import dev.whittle.tar.TarFormatException;
import dev.whittle.tar.TarReader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.ZipException;

/**
 * Brings one layer into the store in a single pass: the bytes are written to a blob while they are decompressed,
 * hashed for the diffID, and read as tar to be validated and indexed. Nothing becomes visible unless all checks pass.
 */
public final class LayerIngest {
    private LayerIngest() {}

    /** Whether to keep the blob as it came or to store its uncompressed tar. */
    public enum Keep {
        AS_IS,
        UNCOMPRESSED
    }

    /** A stored layer: the blob that holds it and what is known about it. */
    public record Result(Digest blobDigest, long blobSize, String mediaType, LayerInfo info) {
        public Descriptor descriptor() {
            return new Descriptor(mediaType, blobDigest, blobSize);
        }
    }

    /**
     * @param declaredType the media type from a manifest, or null to decide by content
     * @param expectedDigest digest the blob must have (null: any)
     * @param expectedSize blob size (-1: any)
     * @param expectedDiffId diffID the uncompressed tar must have (null: any)
     * @param oci whether to name media types in the OCI family when deciding by content
     */
    public static Result ingest(
            Store store,
            InputStream source,
            Keep keep,
            String declaredType,
            Digest expectedDigest,
            long expectedSize,
            Digest expectedDiffId,
            boolean oci)
            throws IOException {
        return ingest(store, source, keep, declaredType, expectedDigest, expectedSize, expectedDiffId, oci, false);
    }

    /**
     * Ingests a blob that must be exactly what its descriptor says: its digest, its size, and the compression its
     * media type names (a layer promised by an imported cache). A blob compressed otherwise is a
     * {@link CompressionMismatchException} and nothing of it is stored: recorded under the type it really has, the
     * layer would sit in the store beside step-cache entries and manifests that name it by the false one.
     */
    public static Result ingestExactly(Store store, InputStream source, Descriptor blob, Digest expectedDiffId)
            throws IOException {
        return ingest(
                store,
                source,
                Keep.AS_IS,
                blob.mediaType(),
                blob.digest(),
                blob.size(),
                expectedDiffId,
                blob.mediaType().startsWith("application/vnd.oci."),
                true);
    }

    private static Result ingest(
            Store store,
            InputStream source,
            Keep keep,
            String declaredType,
            Digest expectedDigest,
            long expectedSize,
            Digest expectedDiffId,
            boolean oci,
            boolean exactType)
            throws IOException {
        try (BlobSink sink = store.newBlob()) {
            Read read = read(source, sink.stream(), keep, expectedDiffId);
            if (exactType && MediaType.layerCompression(declaredType) != compression(read.kind))
                throw new CompressionMismatchException(declaredType, compression(read.kind));
            Digest blob = sink.commit(expectedDigest, expectedSize);
            String mediaType =
                    storedType(keep == Keep.UNCOMPRESSED ? Compression.Kind.NONE : read.kind, declaredType, oci);
            long blobSize = keep == Keep.UNCOMPRESSED ? read.tarSize : sink.size();
            LayerInfo info = store.recordLayer(
                    read.diffId, read.scanner.contentSize(), read.tarSize, blob, mediaType, read.scanner.toc());
            return new Result(blob, blobSize, mediaType, info);
        }
    }

    /**
     * Verifies a blob already in the store (fetched with its digest checked, its content not yet read) against the
     * diffID its image's config claims, and records the layer with its table of contents. Nothing is recorded when
     * the content does not match.
     */
    static LayerInfo verifyStored(Store store, Digest blob, String declaredType, Digest diffId) throws IOException {
        try (InputStream in = store.openBlob(blob)) {
            return verify(store, in, blob, declaredType, diffId);
        }
    }

    /**
     * Verifies a blob's content against the diffID its image's config claims and records the layer, as
     * {@link #verifyStored} does, reading {@code content}: the blob in the store, or one being fetched
     * ({@link BlobSink#follow}, which ends only once the blob is committed, so the record never names a blob the
     * store lacks).
     */
    public static LayerInfo verify(Store store, InputStream content, Digest blob, String declaredType, Digest diffId)
            throws IOException {
        Read read = read(content, OutputStream.nullOutputStream(), Keep.AS_IS, diffId);
        boolean oci = declaredType != null && declaredType.startsWith("application/vnd.oci.");
        String mediaType = storedType(read.kind, declaredType, oci);
        return store.recordLayer(diffId, read.scanner.contentSize(), read.tarSize, blob, mediaType, read.scanner.toc());
    }

    private record Read(Compression.Kind kind, Digest diffId, long tarSize, LayerScanner scanner) {}

    /** Reads a layer blob to its end: decompressed, hashed for the diffID and indexed; every raw byte also goes to {@code copy}. */
    private static Read read(InputStream source, OutputStream copy, Keep keep, Digest expectedDiffId)
            throws IOException {
        Compression.Kind kind;
        Digest diffId;
        long tarSize;
        LayerScanner scanner = new LayerScanner();
        if (keep == Keep.AS_IS) {
            // the blob is kept as it came: read, inflate and hash/index on three threads
            try (StagedDecompression staged = StagedDecompression.start(source, copy)) {
                HashingInputStream diffHash = new HashingInputStream(staged.decompressed());
                scan(scanner, diffHash);
                diffId = diffHash.drainAndDigest();
                tarSize = diffHash.count();
                kind = staged.kind();
            }
        } else {
            BufferedInputStream buffered = new BufferedInputStream(source, 1 << 16);
            kind = Compression.detect(buffered);
            HashingInputStream diffHash = new HashingInputStream(Compression.decompress(buffered, kind));
            InputStream tarStream = new TeeInputStream(diffHash, copy);
            scan(scanner, tarStream);
            tarStream.transferTo(OutputStream.nullOutputStream());
            diffId = diffHash.drainAndDigest();
            tarSize = diffHash.count();
            buffered.transferTo(OutputStream.nullOutputStream());
        }
        if (expectedDiffId != null && !expectedDiffId.equals(diffId)) {
            throw new DiffIdMismatchException(expectedDiffId, diffId);
        }
        return new Read(kind, diffId, tarSize, scanner);
    }

    /** The media type a blob is recorded with: the declared one when it names the compression found, else one that does. */
    private static String storedType(Compression.Kind kind, String declaredType, boolean oci) {
        MediaType.Compression c = compression(kind);
        return declaredType != null && MediaType.layerCompression(declaredType) == c
                ? declaredType
                : MediaType.layer(oci, c);
    }

    private static MediaType.Compression compression(Compression.Kind kind) {
        return switch (kind) {
            case NONE -> MediaType.Compression.NONE;
            case GZIP -> MediaType.Compression.GZIP;
            case ZSTD -> MediaType.Compression.ZSTD;
            default ->
                throw new StoreException("layers compressed with " + kind.name().toLowerCase()
                        + " cannot be stored as they are; use an uncompressed or gzip layer");
        };
    }

    private static void scan(LayerScanner scanner, InputStream tar) throws IOException {
        try {
            scanner.scan(new TarReader(tar));
        } catch (ZipException e) {
            throw new TarFormatException("layer data is corrupt (" + e.getMessage() + ")");
        }
    }

    /** Copies everything read through it to a sink. */
    static final class TeeInputStream extends ObservingInputStream {
        private final OutputStream sink;

        TeeInputStream(InputStream in, OutputStream sink) {
            super(in);
            this.sink = sink;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) sink.write(b);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) sink.write(b, off, n);
            return n;
        }
    }
}
