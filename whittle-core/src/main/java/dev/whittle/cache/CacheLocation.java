package dev.whittle.cache;

import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/** Where an exported cache lives: an OCI layout directory or a registry repository and tag. */
interface CacheLocation {
    /** How messages name it. */
    String describe();

    /** The cache's manifest as stored now, or null when there is none. */
    Manifest manifest() throws IOException;

    /** The digest of the manifest stored now, or null: an export that would store the same one stores nothing. */
    default Digest current() throws IOException {
        Manifest m = manifest();
        return m == null ? null : m.digest();
    }

    /** A blob's bytes as stored; the caller verifies its digest. */
    InputStream openBlob(Descriptor d) throws IOException;

    /** Whether the blob is stored here. */
    boolean hasBlob(Descriptor d) throws IOException;

    /**
     * Stores a blob unless it is there; {@code mountFrom} names a repository of the same registry that has it (or
     * null). Returns whether bytes were sent.
     */
    boolean putBlob(Descriptor d, Path file, String mountFrom) throws IOException;

    /**
     * Mounts a blob from {@code from}, a repository of the same registry, without sending it (for a blob this machine
     * would have to download first); false when it cannot.
     */
    default boolean mount(Descriptor d, String from) throws IOException {
        return false;
    }

    /** Points the cache at a new manifest (its blobs are all stored already). */
    void putManifest(Manifest m) throws IOException;

    /** The registry repository this is (host and path), or null: blobs can be mounted only between these. */
    default String repository() {
        return null;
    }
}
