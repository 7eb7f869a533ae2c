package dev.whittle.it;

import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small root filesystems for tests: busybox-static with a shell, written as a tarball. */
public final class RootFs {
    private RootFs() {}

    public static final Path BUSYBOX = Path.of("/bin/busybox");

    /** /bin/busybox, /bin/sh and a few applets, /etc/passwd, /tmp. */
    public static Path busybox(Path dir) throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(BUSYBOX), "busybox-static is not installed (apt-get install busybox-static)");
        Path tar = dir.resolve("busybox-rootfs.tar");
        byte[] bb = Files.readAllBytes(BUSYBOX);
        try (OutputStream o = Files.newOutputStream(tar); TarWriter w = new TarWriter(o)) {
            w.writeHeader(TarEntry.dir("bin", 0755, 1700000000));
            w.write(TarEntry.file("bin/busybox", 0755, bb.length, 1700000000), bb);
            for (String applet : new String[] {"sh", "ls", "cat", "echo", "rm", "mkdir", "touch", "find", "stat", "id", "chmod", "ln"}) {
                w.writeHeader(TarEntry.symlink("bin/" + applet, "/bin/busybox", 1700000000));
            }
            w.writeHeader(TarEntry.dir("etc", 0755, 1700000000));
            byte[] passwd = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n".getBytes();
            w.write(TarEntry.file("etc/passwd", 0644, passwd.length, 1700000000), passwd);
            byte[] group = "root:x:0:\nnobody:x:65534:\n".getBytes();
            w.write(TarEntry.file("etc/group", 0644, group.length, 1700000000), group);
            w.writeHeader(TarEntry.dir("tmp", 01777, 1700000000));
            w.writeHeader(TarEntry.dir("root", 0700, 1700000000));
        }
        return tar;
    }
}
