package dev.whittle.tar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.image.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarRoundTripTest {
    static final String LONG = "very/" + "deep/".repeat(40) + "file-with-a-long-name.txt";
    static final String UNICODE = "données/日本語/файл-ü.txt";
    static final byte[] CAPABILITY = {
        0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00, (byte) 0xff, (byte) 0xfe, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0
    };

    static byte[] sample() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarWriter w = new TarWriter(bytes)) {
            w.writeHeader(TarEntry.dir("bin", 0755, 1700000000));
            w.write(
                    new TarEntry(
                            "bin/ping",
                            TarEntry.Type.FILE,
                            04755,
                            0,
                            0,
                            5,
                            1700000000,
                            "",
                            0,
                            0,
                            Map.of("security.capability", CAPABILITY)),
                    "ping\n".getBytes());
            w.write(
                    new TarEntry(
                            "bin/ping2", TarEntry.Type.HARDLINK, 04755, 0, 0, 0, 1700000000, "bin/ping", 0, 0, null),
                    new byte[0]);
            w.writeHeader(TarEntry.symlink("bin/sh", "/bin/busybox", 1700000000));
            w.writeHeader(TarEntry.symlink("lnk", "x".repeat(150), 1700000000));
            byte[] big = "long\n".getBytes();
            w.write(TarEntry.file(LONG, 0644, big.length, 1700000000).withOwner(3000000, 3000001), big);
            byte[] u = "unicode\n".getBytes(StandardCharsets.UTF_8);
            w.write(TarEntry.file(UNICODE, 0640, u.length, 1700000000), u);
            w.writeHeader(new TarEntry("dev/null", TarEntry.Type.CHAR, 0666, 0, 0, 0, 0, "", 1, 3, null));
        }
        return bytes.toByteArray();
    }

    @Test
    void readsBackWhatItWrites() throws IOException {
        List<TarEntry> entries = new ArrayList<>();
        List<String> contents = new ArrayList<>();
        try (TarReader r = new TarReader(new ByteArrayInputStream(sample()))) {
            for (TarEntry e; (e = r.next()) != null; ) {
                entries.add(e);
                contents.add(new String(r.content().readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        assertThat(entries)
                .extracting(TarEntry::name)
                .containsExactly("bin", "bin/ping", "bin/ping2", "bin/sh", "lnk", LONG, UNICODE, "dev/null");
        TarEntry ping = entries.get(1);
        assertThat(ping.mode()).isEqualTo(04755);
        assertThat(ping.xattrs().get("security.capability")).isEqualTo(CAPABILITY);
        assertThat(contents.get(1)).isEqualTo("ping\n");
        assertThat(entries.get(2).type()).isEqualTo(TarEntry.Type.HARDLINK);
        assertThat(entries.get(2).linkName()).isEqualTo("bin/ping");
        assertThat(entries.get(4).linkName()).isEqualTo("x".repeat(150));
        assertThat(entries.get(5).uid()).isEqualTo(3000000);
        assertThat(entries.get(5).gid()).isEqualTo(3000001);
        assertThat(contents.get(6)).isEqualTo("unicode\n");
        assertThat(entries.get(7).devMajor()).isEqualTo(1);
        assertThat(entries.get(7).devMinor()).isEqualTo(3);
    }

    @Test
    void commonsCompressReadsOurOutput() throws IOException {
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(sample()))) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                names.add(e.getName());
                if (e.getName().equals("bin/ping"))
                    assertThat(e.getMode() & 07777).isEqualTo(04755);
                if (e.getName().equals(LONG)) assertThat(e.getLongUserId()).isEqualTo(3000000);
            }
        }
        assertThat(names).containsExactly("bin/", "bin/ping", "bin/ping2", "bin/sh", "lnk", LONG, UNICODE, "dev/null");
    }

    @Test
    void gnuTarExtractsOurOutputWithCapabilities(@TempDir Path dir) throws Exception {
        Path archive = dir.resolve("a.tar");
        Files.write(archive, sample());
        Path out = Files.createDirectory(dir.resolve("out"));
        Process p = new ProcessBuilder(
                        "tar",
                        "--xattrs",
                        "--xattrs-include=*",
                        "--numeric-owner",
                        "-xpf",
                        archive.toString(),
                        "-C",
                        out.toString())
                .redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(log).isZero();
        assertThat(Files.readString(out.resolve(LONG))).isEqualTo("long\n");
        assertThat(Files.readString(out.resolve(UNICODE))).isEqualTo("unicode\n");
        assertThat(Files.readSymbolicLink(out.resolve("bin/sh")).toString()).isEqualTo("/bin/busybox");
        assertThat(Files.getAttribute(out.resolve("bin/ping"), "unix:ino"))
                .isEqualTo(Files.getAttribute(out.resolve("bin/ping2"), "unix:ino"));
        if ("root".equals(System.getProperty("user.name"))) {
            assertThat((Integer) Files.getAttribute(out.resolve("bin/ping"), "unix:mode") & 07777)
                    .isEqualTo(04755);
            Process g = new ProcessBuilder(
                            "getfattr",
                            "-d",
                            "-m",
                            "security.capability",
                            "-e",
                            "hex",
                            out.resolve("bin/ping").toString())
                    .redirectErrorStream(true)
                    .start();
            String caps = new String(g.getInputStream().readAllBytes());
            if (g.waitFor() == 0) assertThat(caps).contains("0x0100000200200000fffe80");
        }
    }

    @Test
    void weReadWhatGnuTarWrites(@TempDir Path dir) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src/a/" + "b".repeat(120)));
        Files.writeString(src.resolve("f.txt"), "gnu");
        Files.createSymbolicLink(dir.resolve("src/link"), Path.of("a"));
        for (String format : List.of("gnu", "posix", "ustar", "v7")) {
            Path archive = dir.resolve(format + ".tar");
            Process p = new ProcessBuilder(
                            "tar",
                            "--format=" + format,
                            "-cf",
                            archive.toString(),
                            "-C",
                            dir.resolve("src").toString(),
                            ".")
                    .redirectErrorStream(true)
                    .start();
            String log = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                assertThat(format).as(log).isIn("ustar", "v7"); // name too long for these formats: expected
                continue;
            }
            List<String> names = new ArrayList<>();
            try (TarReader r = new TarReader(Files.newInputStream(archive))) {
                for (TarEntry e; (e = r.next()) != null; ) {
                    names.add(e.name());
                    if (e.isFile())
                        assertThat(new String(r.content().readAllBytes())).isEqualTo("gnu");
                }
            }
            assertThat(names).as(format).contains("a/" + "b".repeat(120) + "/f.txt", "link");
        }
    }

    @Test
    void anEmptyLayerHasDockersWellKnownDiffId() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        new TarWriter(b).close();
        assertThat(Digest.sha256(b.toByteArray()).toString())
                .isEqualTo("sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef");
    }

    @Test
    void sameInputSameBytes() throws IOException {
        assertThat(sample()).isEqualTo(sample());
    }

    @Test
    void diskSizeCountsSymlinkTargetsAsDockerDoes() {
        assertThat(TarEntry.symlink("bin/sh", "/bin/busybox", 0).diskSize()).isEqualTo(12);
        assertThat(TarEntry.file("f", 0644, 100, 0).diskSize()).isEqualTo(100);
        assertThat(TarEntry.dir("d", 0755, 0).diskSize()).isZero();
    }
}
