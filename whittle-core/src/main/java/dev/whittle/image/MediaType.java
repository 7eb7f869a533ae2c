package dev.whittle.image;

/** The OCI and Docker schema-2 media types whittle reads and writes. */
public final class MediaType {
    private MediaType() {}

    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
    public static final String OCI_LAYER_ND = "application/vnd.oci.image.layer.nondistributable.v1.tar";
    public static final String OCI_LAYER_ND_GZIP = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
    public static final String OCI_LAYER_ND_ZSTD = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
    public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
    public static final String OCI_LAYOUT_HEADER = "application/vnd.oci.layout.header.v1+json";

    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar";
    public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public static final String DOCKER_LAYER_FOREIGN_GZIP = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
    public static final String DOCKER_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";
    public static final String DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json";

    public static boolean isIndex(String mt) {
        return OCI_INDEX.equals(mt) || DOCKER_MANIFEST_LIST.equals(mt);
    }

    public static boolean isManifest(String mt) {
        return OCI_MANIFEST.equals(mt) || DOCKER_MANIFEST.equals(mt);
    }

    /** How a layer blob is compressed, judged by its media type. */
    public static Compression layerCompression(String mt) {
        if (mt == null) return Compression.UNKNOWN;
        if (mt.endsWith("+gzip") || mt.endsWith(".tar.gzip")) return Compression.GZIP;
        if (mt.endsWith("+zstd")) return Compression.ZSTD;
        if (mt.endsWith(".tar") || mt.endsWith("diff.tar")) return Compression.NONE;
        return Compression.UNKNOWN;
    }

    public static boolean isLayer(String mt) {
        return mt != null
                && (mt.startsWith("application/vnd.oci.image.layer.")
                        || mt.startsWith("application/vnd.docker.image.rootfs."));
    }

    /** The layer media type of the given family (OCI or Docker) and compression. */
    public static String layer(boolean oci, Compression c) {
        return switch (c) {
            case NONE -> oci ? OCI_LAYER : DOCKER_LAYER;
            case GZIP -> oci ? OCI_LAYER_GZIP : DOCKER_LAYER_GZIP;
            case ZSTD -> OCI_LAYER_ZSTD;
            case UNKNOWN -> throw new IllegalArgumentException("unknown compression");
        };
    }

    public enum Compression {
        NONE,
        GZIP,
        ZSTD,
        UNKNOWN
    }
}
