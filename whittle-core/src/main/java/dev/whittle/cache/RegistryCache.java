package dev.whittle.cache;

import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.image.ImageRef;
import dev.whittle.image.Manifest;
import dev.whittle.image.MediaType;
import dev.whittle.registry.RegistryClient;
import dev.whittle.registry.RegistryConfig;
import dev.whittle.registry.RegistryException;
import dev.whittle.registry.RegistryHost;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A cache in a registry repository under a tag (or digest): its manifest is an OCI image manifest, so any registry
 * that stores images stores it; auth, insecure registries, time-outs and (for reading) mirrors are the client's, as
 * for push and pull.
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

    /**
     * The cache's manifest, read as pull reads an image: from the configured mirrors first, then the registry (a mirror
     * that fails is passed over); its blobs are then read from where the manifest came from.
     */
    @Override
    public Manifest manifest() throws IOException {
        List<String> failures = new ArrayList<>();
        for (RegistryConfig.Endpoint ep : client.config().pullEndpoints(ref)) {
            RegistryHost h = client.host(ep);
            try {
                Manifest m = fetch(h);
                if (m == null && ep.mirror()) continue; // not mirrored: the next source may have it
                synchronized (this) {
                    source = h;
                }
                return m;
            } catch (IOException e) {
                if (!ep.mirror()) {
                    if (failures.isEmpty()) throw e;
                    throw new IOException(
                            e.getMessage() + " (mirrors failed too: " + String.join("; ", failures) + ")", e);
                }
                failures.add("mirror " + ep + ": " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) throw new IOException(String.join("; ", failures));
        return null;
    }

    /** Where the manifest was read from (blobs come from there too); the registry until then. */
    private RegistryHost source;

    private synchronized RegistryHost source() {
        return source != null ? source : host();
    }

    private Manifest fetch(RegistryHost h) throws IOException {
        RegistryHost.Fetched f;
        try {
            f = h.manifest(h.repository(ref.path()), reference(), "cache manifest " + ref);
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
        if (d.isPresent()) return d.get();
        Manifest m = fetch(host()); // the registry's own, never a mirror's: this is what an export replaces
        return m == null ? null : m.digest();
    }

    @Override
    public InputStream openBlob(Descriptor d) throws IOException {
        RegistryHost h = source();
        return h.blob(h.repository(ref.path()), d, null);
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
    public boolean mount(Descriptor d, String from) throws IOException {
        return host().mount(ref.path(), d, from);
    }

    @Override
    public void putManifest(Manifest m) throws IOException {
        host().putManifest(ref.path(), reference(), m.mediaType(), m.raw(), "cache manifest " + ref);
    }
}
