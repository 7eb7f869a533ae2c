package dev.whittle.sandbox;

import dev.whittle.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A container's OCI bundle as RUN and {@code whittle run} both set it up: a temp directory of the store's holding
 * {@code rootfs} (an overlay of the image's snapshots under a fresh {@code upper} directory), hosts and resolv.conf
 * ({@link ContainerNetwork}), hostname, and config.json (written by {@link Runc} from a {@link RuncSpec}); and the
 * runc that runs it, with its store's state root. One place, so the two never set a container up differently.
 */
public final class Bundle implements AutoCloseable {
    private final Store store;
    private final Cleanup.TempDirectory dir;
    private final OverlayMount root;
    private ContainerNetwork network;

    private Bundle(Store store, Cleanup.TempDirectory dir, OverlayMount root) {
        this.store = store;
        this.dir = dir;
        this.root = root;
    }

    /** A new bundle whose rootfs is mounted: the layers' snapshots (top first; none for scratch) under a new upper. */
    public static Bundle open(Store store, Snapshots snapshots, List<Path> lowersTopFirst, String prefix)
            throws IOException {
        Cleanup.TempDirectory dir = Cleanup.newTempDirectory(store.tempDir(), prefix);
        try {
            OverlayMount root = OverlayMount.mount(
                    lowersTopFirst,
                    dir.resolve("upper"),
                    dir.resolve("work"),
                    dir.resolve("rootfs"),
                    snapshots.root().resolve("empty"));
            return new Bundle(store, dir, root);
        } catch (IOException | RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    /** The bundle directory, for files of this container's only (secrets, scripts, staged mounts). */
    public Path dir() {
        return dir.path();
    }

    public Path rootfs() {
        return root.path();
    }

    /** The container's change to its image; kept after {@link #unmount}. */
    public Path upper() {
        return dir.resolve("upper");
    }

    /**
     * Sets up the container's network: the namespace, and /etc/hosts and /etc/resolv.conf written into the bundle.
     *
     * @param localNames names for 127.0.0.1 besides localhost (BuildKit's RUN has its sandbox's hostname)
     */
    public ContainerNetwork network(
            ContainerNetwork.Mode mode, List<String> localNames, List<ContainerNetwork.ExtraHost> extraHosts)
            throws IOException {
        if (network != null) throw new IllegalStateException("the bundle's network is set up already");
        network = ContainerNetwork.prepare(mode, localNames, extraHosts, dir.path());
        return network;
    }

    /** /etc/hostname as docker run mounts it. */
    public RuncSpec.Mount hostnameFile(String hostname) throws IOException {
        Path f = Files.writeString(dir.resolve("hostname"), hostname + "\n");
        return new RuncSpec.Mount("/etc/hostname", "bind", f.toString(), List.of("rbind", "rprivate"));
    }

    /** The runtime for this bundle, with the store's runc state root. */
    public Runc runc() {
        return new Runc(Runc.stateRoot(store));
    }

    /** Stops the network and unmounts the rootfs; the upper directory stays until {@link #close}. */
    public void unmount() throws IOException {
        try {
            if (network != null) network.close();
        } finally {
            root.close();
        }
    }

    /** Unmounts (if not yet) and removes the bundle directory, the upper directory with it unless moved away. */
    @Override
    public void close() throws IOException {
        try {
            unmount();
        } finally {
            dir.close();
        }
    }
}
