package dev.whittle.cache;

import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageRef;
import dev.whittle.image.Manifest;
import dev.whittle.image.MediaType;
import dev.whittle.registry.RegistryClient;
import dev.whittle.registry.RegistryException;
import dev.whittle.registry.RegistryHost;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A cache in a registry repository under a tag (or digest): its manifest is an OCI image manifest, so any registry
 * that stores images stores it; auth, insecure registries and time-outs are the client's, as for push and pull.
 */
final class RegistryCache implements CacheLocation {
    private final RegistryClient client;
    private final ImageRef ref;
    private RegistryHost host;

    RegistryCache(RegistryClient client, ImageRef ref) {
        this.client = client;
        this.ref = ref;
    }

    private synchronized RegistryHost host() {
        if (host == null) host = client.host(ref.domain());
        return host;
    }

    private String reference() {
        return ref.digest() != null ? ref.digest().toString() : ref.tag();
    }

    @Override
    public String describe() {
        return "registry cache " + ref;
    }

    @Override
    public String repository() {
        return ref.domain() + "/" + ref.path();
    }

    @Override
    public Manifest manifest() throws IOException {
        RegistryHost.Fetched f;
        try {
            f = host().manifest(ref.path(), reference(), "cache manifest " + ref);
        } catch (RegistryException e) {
            if (e.status() == 404) return null;
            throw e;
        }
        String type = f.mediaType().isEmpty() ? null : f.mediaType();
        if (type != null && !MediaType.isManifest(type))
            throw new IOException(ref + " is a " + type + ", not a whittle cache");
        return Manifest.parse(f.body(), type);
    }

    /** The digest the tag points at now, from a HEAD when the registry states it (no body fetched). */
    @Override
    public Digest current() throws IOException {
        Optional<Digest> d;
        try {
            d = host().manifestDigest(ref.path(), reference(), "cache manifest " + ref);
        } catch (RegistryException e) {
            if (e.status() == 404) return null;
            throw e;
        }
        return d.isPresent() ? d.get() : CacheLocation.super.current();
    }

    @Override
    public InputStream openBlob(Descriptor d) throws IOException {
        return host().blob(ref.path(), d, null);
    }

    @Override
    public boolean hasBlob(Descriptor d) throws IOException {
        return host().hasBlob(ref.path(), d.digest(), true);
    }

    @Override
    public boolean putBlob(Descriptor d, Path file, String mountFrom) throws IOException {
        RegistryHost.Upload u =
                host().upload(ref.path(), d, file, mountFrom, client.config().chunkSize(), null);
        return u == RegistryHost.Upload.PUSHED;
    }

    @Override
    public void putManifest(Manifest m) throws IOException {
        host().putManifest(ref.path(), reference(), m.mediaType(), m.raw(), "cache manifest " + ref);
    }
}
