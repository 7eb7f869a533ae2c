package dev.whittle.cli;

import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The workload the launcher records the JDK's AOT cache from (JEP 483/514/515): the everyday commands, run once
 * each in one JVM against a throw-away store, so their classes are loaded, linked and profiled ahead of time and
 * {@code whittle images} starts in a fraction of the time. Nothing here touches the user's store or the network
 * (a pull of 127.0.0.1:1 fails at once and only loads the registry client).
 */
final class AotTraining {
    private AotTraining() {}

    static int run() throws IOException {
        Path dir = Files.createTempDirectory("whittle-aot-training-");
        try {
            Path store = dir.resolve("store");
            Path rootfs = rootfs(dir.resolve("rootfs.tar"));
            Path ctx = Files.createDirectories(dir.resolve("ctx"));
            Files.writeString(ctx.resolve("Dockerfile"), """
                    # syntax=docker/dockerfile:1
                    ARG BASE=training/base:1
                    FROM ${BASE} AS build
                    WORKDIR /src
                    COPY hello.txt ./
                    RUN ["/bin/sh", "-c", "echo built > /src/built.txt"]
                    FROM scratch
                    COPY --from=build /src/hello.txt /hello.txt
                    COPY --chmod=0755 hello.sh /hello.sh
                    ENV GREETING=hi
                    LABEL org.opencontainers.image.title=training
                    ENTRYPOINT ["/hello.sh"]
                    """);
            Files.writeString(ctx.resolve("hello.txt"), "hello\n");
            Files.writeString(ctx.resolve("hello.sh"), "#!/bin/sh\necho hello\n");
            Files.writeString(dir.resolve("registries.json"), "{\"loopback-only\": true, \"retries\": 0, \"timeout-seconds\": 1}");
            Path archive = dir.resolve("saved.tar");
            String df = ctx.resolve("Dockerfile").toString();
            List<List<String>> commands = List.of(
                    List.of("--version"), List.of("help"), List.of("version"),
                    List.of("import", "-c", "CMD [\"/bin/sh\"]", rootfs.toString(), "training/base:1"),
                    List.of("build", "--progress", "plain", "--check=warn", "-t", "training/app:1", ctx.toString()),
                    List.of("build", "--progress", "quiet", "--check=warn", "-t", "training/app:1", ctx.toString()), // all cached
                    List.of("build", "--call", "outline", ctx.toString()), List.of("lint", "-f", df, ctx.toString()),
                    List.of("images"), List.of("images", "-q"), List.of("images", "--digests", "--format", "json"),
                    List.of("images", "--format", "{{.Repository}}:{{.Tag}} {{.Size}}"),
                    List.of("inspect", "training/app:1"), List.of("inspect", "--format", "{{.Id}} {{json .Config}}", "training/app:1"),
                    List.of("history", "training/app:1"), List.of("history", "--no-trunc", "--format", "{{.CreatedBy}}", "training/app:1"),
                    List.of("tag", "training/app:1", "training/app:2"), List.of("rmi", "training/app:2"),
                    List.of("check", "training/app:1"), List.of("analyze", "training/app:1"),
                    List.of("compare", "training/base:1", "training/app:1"),
                    List.of("save", "-o", archive.toString(), "training/app:1"), List.of("load", "-i", archive.toString()),
                    List.of("export", "-o", dir.resolve("export.tar").toString(), "training/app:1"),
                    List.of("--registries-config", dir.resolve("registries.json").toString(), "pull", "127.0.0.1:1/training:1"),
                    List.of("system", "df"), List.of("tag", "--help"), List.of("images", "--no-such-flag"));
            PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
            for (List<String> c : commands) {
                String[] args = new String[c.size() + 2];
                args[0] = "--root";
                args[1] = store.toString();
                for (int i = 0; i < c.size(); i++) args[i + 2] = c.get(i);
                Main.run(args, sink, sink, java.io.InputStream.nullInputStream());
            }
            String table = System.getProperty(FastArgs.TABLE_OUT);
            if (table != null) FastArgs.writeTable(Path.of(table), Main.commandClasses());
            return 0;
        } finally {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    /**
     * A tiny root filesystem: enough for import, COPY --from and the entrypoint check to do real work. With
     * busybox-static installed its shell is real, so the training build's RUN runs in runc when whittle is root;
     * without either, RUN fails and the build is trained up to it.
     */
    private static Path rootfs(Path tar) throws IOException {
        try (OutputStream o = Files.newOutputStream(tar); TarWriter w = new TarWriter(o)) {
            w.writeHeader(TarEntry.dir("bin", 0755, 1700000000));
            Path busybox = Path.of("/bin/busybox");
            byte[] sh = Files.isRegularFile(busybox) ? Files.readAllBytes(busybox) : "#!/bin/sh\n".getBytes();
            w.write(TarEntry.file("bin/sh", 0755, sh.length, 1700000000), sh);
            w.writeHeader(TarEntry.dir("etc", 0755, 1700000000));
            byte[] passwd = "root:x:0:0:root:/root:/bin/sh\n".getBytes();
            w.write(TarEntry.file("etc/passwd", 0644, passwd.length, 1700000000), passwd);
            w.writeHeader(TarEntry.symlink("bin/ash", "/bin/sh", 1700000000));
        }
        return tar;
    }
}
