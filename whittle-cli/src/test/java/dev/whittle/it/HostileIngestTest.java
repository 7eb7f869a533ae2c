package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.image.Descriptor;
import dev.whittle.image.ImageConfig;
import dev.whittle.image.ImageRef;
import dev.whittle.image.Manifest;
import dev.whittle.image.MediaType;
import dev.whittle.sandbox.Runc;
import dev.whittle.store.Images;
import dev.whittle.store.LayerIngest;
import dev.whittle.store.LayerWriter;
import dev.whittle.store.Store;
import dev.whittle.store.StoredImage;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarReader;
import dev.whittle.tar.TarWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile content coming into the store as layers: layers no runtime can apply (a file with entries below it, paths
 * the kernel cannot take, capabilities the kernel refuses) and layers that carry overlayfs's own metadata (which
 * would hide or redirect files of the layers below) are refused at {@code load} and {@code import}, naming the
 * image, the layer and the path; what a runtime can apply (a later entry replacing an earlier one) is applied as
 * containerd applies it; and a RUN never honours an overlay xattr that came from a layer.
 */
class HostileIngestTest {
    static final String BASE = "hostile/base:1";
    static final String EVIL = "hostile/evil:1";

    @TempDir
    Path dir;

    /** A store holding a busybox base image named {@link #BASE}. */
    Whittle withBase(String name) throws IOException {
        Whittle w = new Whittle(dir.resolve(name));
        w.run("import", "-c", "ENV PATH=/bin", RootFs.busybox(dir).toString(), BASE)
                .ok();
        return w;
    }

    record Entry(TarEntry header, byte[] content) {
        static Entry dir(String name, int mode) {
            return new Entry(TarEntry.dir(name, mode, 1700000000), null);
        }

        static Entry file(String name, String content) {
            byte[] b = content.getBytes();
            return new Entry(TarEntry.file(name, 0644, b.length, 1700000000), b);
        }

        Entry xattr(String key, byte[] value) {
            return new Entry(header.withXattrs(Map.of(key, value)), content);
        }
    }

    static byte[] layer(Entry... entries) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (TarWriter w = new TarWriter(b)) {
            for (Entry e : entries) {
                if (e.content() == null) w.writeHeader(e.header());
                else w.write(e.header(), e.content());
            }
        }
        return b.toByteArray();
    }

    /** A security.capability value: magic_etc (little-endian) then the given payload size. */
    static byte[] capability(int magicEtc, int size) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        if (size >= 4) b.putInt(magicEtc);
        return b.array();
    }

    /** {@code load} of {@link #BASE} plus {@code layer} as {@link #EVIL} fails, naming image, layer and path. */
    void refusedAtLoad(Whittle w, byte[] layer, String what, String... messageParts) throws IOException {
        Path in = dir.resolve("in-" + what + ".tar");
        Files.write(in, HostileArchiveTest.archiveOnTopOf(w, BASE, layer));
        Exec e = w.run("load", "-i", in.toString());
        assertThat(e.code()).as(what + ": " + e.out() + e.err()).isEqualTo(1);
        assertThat(e.err())
                .as(what)
                .startsWith("Error: ")
                .doesNotContain("Exception")
                .doesNotContain("\tat ")
                .contains(EVIL)
                .contains("layer 2");
        for (String p : messageParts) assertThat(e.err()).as(what).contains(p);
        assertThat(w.run("images", "--format", "{{.Repository}}:{{.Tag}}").ok().out())
                .as(what)
                .isEqualTo(BASE + "\n");
        assertThat(w.run("system", "fsck").ok().out()).as(what).contains("is consistent");
    }

    /** {@code import} of {@code layer} fails, naming the file, the image and the path. */
    void refusedAtImport(Whittle w, byte[] layer, String what, String... messageParts) throws IOException {
        Path in = dir.resolve("in-" + what + "-rootfs.tar");
        Files.write(in, layer);
        Exec e = w.run("import", in.toString(), "hostile/imported:1");
        assertThat(e.code()).as(what + ": " + e.out() + e.err()).isEqualTo(1);
        assertThat(e.err())
                .as(what)
                .startsWith("Error: ")
                .doesNotContain("Exception")
                .contains(in.toString())
                .contains("hostile/imported:1");
        for (String p : messageParts) assertThat(e.err()).as(what).contains(p);
        assertThat(w.run("images", "-q", "hostile/imported:1").ok().out())
                .as(what)
                .isEmpty();
    }

    @Test
    void layersNoRuntimeCanApplyAreRefusedAtLoadAndImport() throws IOException {
        Whittle w = withBase("store-refused");
        String longComponent = "n".repeat(256);
        String longPath = String.join("/", Collections.nCopies(21, "d".repeat(200)));
        Map<String, byte[]> layers = new LinkedHashMap<>();
        // containerd's mkparent and moby's Unpack both fail with ENOTDIR: the parent is a file of this layer
        layers.put("below-a-file", layer(Entry.file("a", "file"), Entry.file("a/x", "x")));
        // a layer too big to wait in memory is read as it streams past, before manifest.json says whose it is
        char[] pad = new char[5 << 20];
        Arrays.fill(pad, 'p');
        layers.put(
                "big-below-a-file",
                layer(Entry.file("pad", new String(pad)), Entry.file("a", "file"), Entry.file("a/x", "x")));
        layers.put(
                "below-a-replaced-dir", layer(Entry.dir("a", 0755), Entry.file("a", "file"), Entry.file("a/x", "x")));
        layers.put("long-component", layer(Entry.file(longComponent, "x")));
        layers.put("long-path", layer(Entry.file(longPath, "x")));
        layers.put(
                "capability-size",
                layer(Entry.file("cap", "x").xattr("security.capability", capability(0x02000000, 7))));
        layers.put(
                "capability-v1",
                layer(Entry.file("cap", "x").xattr("security.capability", capability(0x01000000, 12))));
        layers.put(
                "capability-revision",
                layer(Entry.file("cap", "x").xattr("security.capability", capability(0x03000000, 20))));
        layers.put("overlay-opaque", layer(Entry.dir("bin", 0755).xattr("trusted.overlay.opaque", new byte[] {'y'})));
        layers.put(
                "overlay-redirect", layer(Entry.dir("etc", 0755).xattr("trusted.overlay.redirect", "/bin".getBytes())));
        layers.put("overlay-user", layer(Entry.dir("etc", 0755).xattr("user.overlay.opaque", new byte[] {'y'})));
        // fuse-overlayfs (rootless whittle's fallback) honours its own opaque marker in lower layers
        layers.put("overlay-fuse", layer(Entry.dir("etc", 0755).xattr("user.fuseoverlayfs.opaque", new byte[] {'y'})));
        layers.put(
                "overlay-whiteout-device",
                layer(new Entry(
                        new TarEntry("bin", TarEntry.Type.CHAR, 0, 0, 0, 0, 1700000000, "", 0, 0, null), null)));
        Map<String, String[]> expected = Map.ofEntries(
                Map.entry("below-a-file", new String[] {"\"a/x\"", "\"a\"", "not a directory"}),
                Map.entry("below-a-replaced-dir", new String[] {"\"a/x\"", "not a directory"}),
                Map.entry("big-below-a-file", new String[] {"\"a/x\"", "not a directory"}),
                Map.entry("long-component", new String[] {longComponent.substring(0, 40), "255"}),
                Map.entry("long-path", new String[] {"4096"}),
                Map.entry("capability-size", new String[] {"\"cap\"", "security.capability"}),
                Map.entry("capability-v1", new String[] {"\"cap\"", "security.capability"}),
                Map.entry("capability-revision", new String[] {"\"cap\"", "security.capability"}),
                Map.entry("overlay-opaque", new String[] {"\"bin\"", "trusted.overlay.opaque"}),
                Map.entry("overlay-redirect", new String[] {"\"etc\"", "trusted.overlay.redirect"}),
                Map.entry("overlay-user", new String[] {"\"etc\"", "user.overlay.opaque"}),
                Map.entry("overlay-fuse", new String[] {"\"etc\"", "user.fuseoverlayfs.opaque"}),
                Map.entry("overlay-whiteout-device", new String[] {"\"bin\"", "whiteout"}));
        for (Map.Entry<String, byte[]> l : layers.entrySet()) {
            refusedAtLoad(w, l.getValue(), l.getKey(), expected.get(l.getKey()));
            refusedAtImport(w, l.getValue(), l.getKey(), expected.get(l.getKey()));
        }
        // the long path's message shows where it starts, not 4 KiB of it
        Path in = dir.resolve("in-long-path.tar");
        assertThat(w.run("load", "-i", in.toString()).err().length()).isLessThan(600);
    }

    /**
     * What a runtime can apply is applied as containerd's and moby's appliers do: a later entry replaces an earlier
     * one of the same name (a file replacing a directory removes what was below it), two directory entries merge with
     * the later one's metadata, and a whiteout in the same layer deletes an earlier entry.
     */
    @Test
    @Tag("runc")
    void laterEntriesReplaceEarlierOnesWhenARunUnpacksTheLayer() throws IOException {
        assumeRunc();
        Whittle w = withBase("store-replace");
        byte[] layer = layer(
                Entry.dir("a", 0700),
                Entry.dir("a/b", 0700),
                Entry.file("a/b/c", "below"),
                Entry.file("a", "file a\n"),
                Entry.dir("m", 0700),
                Entry.file("m/k", "kept\n"),
                Entry.dir("m", 0751),
                Entry.file("f", "gone"),
                Entry.dir("f", 0705),
                Entry.file("f/y", "y\n"));
        Path in = dir.resolve("in-replace.tar");
        Files.write(in, HostileArchiveTest.archiveOnTopOf(w, BASE, layer));
        w.run("load", "-i", in.toString()).ok();
        String out = run(w, "cat /a /m/k /f/y; stat -c '%n %a %F' /a /m /f");
        assertThat(out)
                .contains("file a\nkept\ny\n")
                .contains("/a 644 regular file")
                .contains("/m 751 directory")
                .contains("/f 705 directory");
        // what COPY, export and check see (the layers' tables of contents merged) is what RUN sees
        Path exported = dir.resolve("in-exported.tar");
        w.run("export", "-o", exported.toString(), EVIL).ok();
        Map<String, String> seen = new TreeMap<>();
        try (TarReader r = new TarReader(Files.newInputStream(exported))) {
            for (TarEntry e; (e = r.next()) != null; ) {
                if (e.name().matches("[amf](/.*)?"))
                    seen.put(
                            e.name(),
                            e.modeString()
                                    + (e.isFile() ? " " + new String(r.content().readAllBytes()) : ""));
            }
        }
        assertThat(seen)
                .containsExactly(
                        Map.entry("a", "-rw-r--r-- file a\n"),
                        Map.entry("f", "drwx---r-x"),
                        Map.entry("f/y", "-rw-r--r-- y\n"),
                        Map.entry("m", "drwxr-x--x"),
                        Map.entry("m/k", "-rw-r--r-- kept\n"));
    }

    /**
     * A {@code trusted.overlay.opaque} xattr on a layer's {@code bin} would make overlayfs hide the base image's
     * {@code /bin} from RUN. {@code load} refuses such a layer (above); a layer that reached the store another way (a
     * store written before whittle refused them) is unpacked without it, so RUN still sees the base's files.
     */
    @Test
    @Tag("runc")
    void anOverlayXattrFromALayerIsNeverHonouredByRun() throws IOException {
        assumeRunc();
        Whittle w = withBase("store-opaque");
        byte[] layer = layer(
                Entry.dir("bin", 0755).xattr("trusted.overlay.opaque", new byte[] {'y'}),
                Entry.file("bin/added", "added\n"),
                Entry.dir("etc", 0755).xattr("trusted.overlay.redirect", "/bin".getBytes()),
                Entry.dir("home", 0755).xattr("user.overlay.opaque", new byte[] {'y'}));
        refusedAtLoad(w, layer, "opaque-bin", "\"bin\"", "trusted.overlay.opaque");
        addLayerBypassingChecks(w.root(), BASE, EVIL, layer);
        String out = run(w, "ls /bin; cat /etc/passwd");
        assertThat(out).contains("added").contains("busybox").contains("sh").contains("root:x:0:0");
    }

    /**
     * A download that cannot be made says what went wrong, where (the URL) and what to do, in one line: the JDK's own
     * words were "cannot connect to 127.0.0.1: null" (a refused connection has no message) and "HTTP/1.1 header
     * parser received no bytes" (a server that closes without answering).
     */
    @Test
    void anAddFromAServerThatCannotBeReachedSaysWhatWhereAndWhatToDo() throws IOException {
        Whittle w = new Whittle(dir.resolve("store-add"));
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        String refused = "http://127.0.0.1:" + closed + "/x";
        String first = addFails(w, refused);
        assertThat(first)
                .contains(refused)
                .contains("connection refused")
                .contains("nothing accepts connections on 127.0.0.1:" + closed)
                .doesNotContain("null");
        try (FaultProxy proxy = FaultProxy.to("127.0.0.1:" + closed)) {
            proxy.cutRequest("GET", "/x", 0, 10);
            String cut = "http://" + proxy.host() + "/x";
            assertThat(addFails(w, cut))
                    .contains(cut)
                    .contains("connection closed by the server without an answer")
                    .doesNotContain("header parser");
        }
    }

    /** Builds {@code ADD url /x} and returns the first line of the error, checking there is no trace and few lines. */
    String addFails(Whittle w, String url) throws IOException {
        Path ctx = Files.createDirectories(dir.resolve("in-add-" + System.nanoTime()));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nADD " + url + " /x\n");
        Exec b = w.run("build", "--progress", "quiet", "--check=off", ctx.toString());
        assertThat(b.code()).as(b.err()).isEqualTo(1);
        assertThat(b.err())
                .startsWith("Error: Dockerfile:2:1: ADD failed: ")
                .doesNotContain("Exception")
                .doesNotContain("\tat ");
        String line = b.err().lines().findFirst().orElseThrow();
        assertThat(line).contains("check");
        return line;
    }

    /**
     * A push the registry cuts off (it reads part of each upload, then drops the connection without an answer) fails
     * after the retries with a message naming the registry, the blob and what to do, not the JDK's "header parser
     * received no bytes".
     */
    @Test
    void aPushTheRegistryCutsOffSaysWhatWhereAndWhatToDo() throws IOException {
        Whittle w = new Whittle(dir.resolve("store-push"));
        w.run("import", RootFs.busybox(dir).toString(), BASE).ok();
        Path cfg = dir.resolve("registries.json");
        Files.writeString(
                cfg, "{\"loopback-only\": true, \"retries\": 2, \"retry-backoff-ms\": 20, \"timeout-seconds\": 5}");
        try (LocalRegistry registry = LocalRegistry.start(new LocalRegistry.Auth.None());
                FaultProxy proxy = FaultProxy.to(registry.host())) {
            proxy.cutRequest("PUT", "/blobs/uploads/", 10 << 10, 100);
            proxy.cutRequest("PATCH", "/blobs/uploads/", 10 << 10, 100);
            String ref = proxy.host() + "/cut/app:1";
            Whittle p = w.with(
                    "--registries-config",
                    cfg.toString(),
                    "--config",
                    Files.createDirectories(dir.resolve("docker-config")).toString());
            p.run("tag", BASE, ref).ok();
            Exec push = p.run("push", ref);
            assertThat(push.code()).as(push.out() + push.err()).isEqualTo(1);
            String line = push.err().lines().findFirst().orElseThrow();
            assertThat(push.err().lines().count()).as(push.err()).isLessThanOrEqualTo(2);
            assertThat(line)
                    .matches(
                            "Error: " + Pattern.quote(proxy.host())
                                    + ": blob [0-9a-f]{12} to cut/app: upload failed after 3"
                                    + " attempts: connection closed by the registry without an answer; check .*, then push again");
        }
    }

    static void assumeRunc() {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "RUN needs root");
        Assumptions.assumeTrue(Runc.available(), "runc is not installed");
    }

    /** Builds {@code FROM hostile/evil:1} with one RUN of {@code script} and returns what it printed. */
    String run(Whittle w, String script) throws IOException {
        Path ctx = Files.createDirectories(dir.resolve("in-ctx-" + System.nanoTime()));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM " + EVIL + "\nRUN (" + script + ") > /out.txt\n");
        w.run("build", "--progress", "quiet", "--check=off", "-t", "hostile/ran:1", ctx.toString())
                .ok();
        return w.run("run", "--rm", "hostile/ran:1", "cat", "/out.txt").ok().out();
    }

    /** Adds {@code name}: {@code base} plus {@code layer}, written into the store without the checks load makes. */
    static void addLayerBypassingChecks(Path root, String base, String name, byte[] layer) throws IOException {
        try (Store store = Store.open(root)) {
            LayerIngest.Result l;
            try (LayerWriter lw = new LayerWriter(store, true);
                    TarReader r = new TarReader(new ByteArrayInputStream(layer))) {
                for (TarEntry e; (e = r.next()) != null; ) {
                    lw.entry(e);
                    if (e.isFile()) lw.content(r.content().readAllBytes());
                }
                l = lw.commit();
            }
            Images images = new Images(store);
            StoredImage b = images.resolve(base);
            ImageConfig config = b.config().toBuilder()
                    .addLayer(
                            l.info().diffId(),
                            new ImageConfig.History("2024-01-01T00:00:00Z", "hostile", null, null, false))
                    .build();
            store.putBlob(config.raw());
            List<Descriptor> layers = new ArrayList<>(b.manifest().layers());
            layers.add(l.descriptor());
            Manifest m = Manifest.create(
                    true, new Descriptor(MediaType.OCI_CONFIG, config.digest(), config.size()), layers, null);
            images.add(m, List.of(ImageRef.parse(name)), List.of());
        }
    }
}
