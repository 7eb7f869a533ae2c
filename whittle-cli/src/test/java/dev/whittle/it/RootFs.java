package dev.whittle.it;

import dev.whittle.sandbox.Runc;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** Small root filesystems for tests: busybox-static with a shell, written as a tarball. */
public final class RootFs {
    private RootFs() {}

    public static final Path BUSYBOX = Path.of("/bin/busybox");

    static final List<String> APPLETS =
            List.of("sh", "ls", "cat", "echo", "rm", "mkdir", "touch", "find", "stat", "id", "chmod", "ln");
    static final String PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n";
    static final String GROUP = "root:x:0:\nnobody:x:65534:\n";

    /**
     * The set-up of a test class whose builds RUN: root and runc required (the test is skipped, saying which, without
     * them), a store in {@code dir}, busybox imported as {@code tag} with docker's PATH.
     */
    public static Whittle busyboxStore(Path dir, String tag) throws IOException {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "RUN needs root");
        Assumptions.assumeTrue(Runc.available(), "runc is not installed (apt-get install runc)");
        Whittle whittle = new Whittle(dir.resolve("store"));
        whittle.run(
                        "import",
                        "-c",
                        "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                        busybox(dir).toString(),
                        tag)
                .ok();
        return whittle;
    }

    /** /bin/busybox, /bin/sh and a few applets, /etc/passwd, /tmp. */
    public static Path busybox(Path dir) throws IOException {
        return busybox(dir, "busybox-rootfs.tar", APPLETS, PASSWD, GROUP, List.of());
    }

    /**
     * busybox with the given applets (as /bin symlinks), passwd and group files, and further entries after the
     * standard ones (directories and symlinks such as a merged /usr's {@code lib -> usr/lib}).
     */
    public static Path busybox(
            Path dir, String name, List<String> applets, String passwd, String group, List<TarEntry> extra)
            throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.isExecutable(BUSYBOX), "busybox-static is not installed (apt-get install busybox-static)");
        Path tar = dir.resolve(name);
        byte[] bb = Files.readAllBytes(BUSYBOX);
        try (OutputStream o = Files.newOutputStream(tar);
                TarWriter w = new TarWriter(o)) {
            w.writeHeader(TarEntry.dir("bin", 0755, 1700000000));
            w.write(TarEntry.file("bin/busybox", 0755, bb.length, 1700000000), bb);
            for (String applet : applets) w.writeHeader(TarEntry.symlink("bin/" + applet, "/bin/busybox", 1700000000));
            w.writeHeader(TarEntry.dir("etc", 0755, 1700000000));
            byte[] p = passwd.getBytes(StandardCharsets.UTF_8);
            w.write(TarEntry.file("etc/passwd", 0644, p.length, 1700000000), p);
            byte[] g = group.getBytes(StandardCharsets.UTF_8);
            w.write(TarEntry.file("etc/group", 0644, g.length, 1700000000), g);
            w.writeHeader(TarEntry.dir("tmp", 01777, 1700000000));
            w.writeHeader(TarEntry.dir("root", 0700, 1700000000));
            for (TarEntry e : extra) w.writeHeader(e);
        }
        return tar;
    }
}
