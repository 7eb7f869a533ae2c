package dev.whittle.cli;

import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The workloads the launcher records the JDK's AOT caches from (JEP 483/514/515). A cache's classes are all loaded
 * when the JVM starts, so one cache for every command made each command pay for all of them (31 MB, some 60 ms of
 * start-up on a machine with slow page faults). There is one cache per group of commands instead, each recorded from
 * a run of its own group's commands; {@link #GROUPS} is the launcher's table too.
 * <p>{@code internal-aot-training prepare DIR} makes, in a JVM whose classes are not recorded, what the groups work
 * on: a throw-away store with a base image and a built image, an archive and a build context. Then
 * {@code internal-aot-training GROUP DIR} runs one group's commands against it. Nothing touches the user's store or
 * the network: the registry group pushes to and pulls from a {@link TrainingRegistry} on 127.0.0.1.
 */
final class AotTraining {
    /** Group name → the commands whose start it speeds up (the launcher maps a command line to its group). */
    static final Map<String, List<String>> GROUPS = Map.of(
            "build", List.of("build"),
            // a build with --cache-from or --cache-to (the launcher looks for them): the registry client, the cache's
            // import and export besides the build's own classes, ~110 ms of a CI machine's unchanged build without them
            "cache", List.of("build"),
            // whittle --version and help alone: `version` (templates, a runc child process) would load much more for
            // all
            "version", List.of("", "help"),
            "image", List.of("images", "image", "inspect", "history", "tag", "rmi", "login", "logout"),
            // the store's own commands walk it and ask the machine (runc's version): apart, so images stays light
            "store", List.of("system", "builder", "info", "version", "completion"),
            "archive", List.of("save", "load", "import", "export"),
            "registry", List.of("pull", "push"),
            "check", List.of("check", "analyze", "compare", "lint"),
            "run", List.of("run"));

    private AotTraining() {}

    static int run(String[] args) throws IOException {
        if (args.length != 2) throw new IOException("usage: internal-aot-training prepare|GROUP DIR");
        Path dir = Path.of(args[1]);
        if (args[0].equals("prepare")) return prepare(dir);
        // the registry group pushes to and pulls from a registry of its own, so its transfers are trained end to end
        try (TrainingRegistry registry =
                args[0].equals("registry") || args[0].equals("cache") ? new TrainingRegistry() : null) {
            List<List<String>> commands = workload(args[0], dir, registry == null ? null : registry.host());
            PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
            for (List<String> c : commands) Main.run(withStore(dir, c), sink, sink, InputStream.nullInputStream());
        }
        return 0;
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> out = new ArrayList<>(head);
        out.addAll(List.of(tail));
        return out;
    }

    private static String[] withStore(Path dir, List<String> c) {
        List<String> a = new ArrayList<>(List.of("--root", dir.resolve("store").toString()));
        a.addAll(c);
        return a.toArray(String[]::new);
    }

    private static int prepare(Path dir) throws IOException {
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
        Files.writeString(ctx.resolve(".dockerignore"), "*.md\n**/*.tmp\n!keep.md\n.git\n");
        Files.writeString(ctx.resolve("hello.sh"), "#!/bin/sh\necho hello\n");
        Files.writeString(
                dir.resolve("registries.json"), "{\"loopback-only\": true, \"retries\": 0, \"timeout-seconds\": 1}");
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
        for (List<String> c : List.of(
                List.of("import", "-c", "CMD [\"/bin/sh\"]", rootfs.toString(), "training/base:1"),
                List.of("build", "--progress", "quiet", "--check=warn", "-t", "training/app:1", ctx.toString()),
                List.of("save", "-o", dir.resolve("saved.tar").toString(), "training/app:1"))) {
            Main.run(withStore(dir, c), sink, sink, InputStream.nullInputStream());
        }
        String table = System.getProperty(FastArgs.TABLE_OUT);
        if (table != null) FastArgs.writeTable(Path.of(table), Main.commandClasses());
        return 0;
    }

    /** One group's commands; each leaves the prepared store as it found it, so the groups can run in any order. */
    private static List<List<String>> workload(String group, Path dir, String registry) throws IOException {
        String ctx = dir.resolve("ctx").toString(),
                df = dir.resolve("ctx/Dockerfile").toString();
        String registries = dir.resolve("registries.json").toString();
        return switch (group) {
            case "build" ->
                List.of(
                        List.of(
                                "build",
                                "--progress",
                                "plain",
                                "--check=warn",
                                "--no-cache",
                                "-t",
                                "training/app:2",
                                ctx),
                        List.of(
                                "build",
                                "--progress",
                                "quiet",
                                "--check=warn",
                                "-t",
                                "training/app:1",
                                ctx), // all cached
                        List.of(
                                "build",
                                "--progress",
                                "quiet",
                                "--check=off",
                                "--network",
                                "none",
                                "-t",
                                "training/app:1",
                                ctx),
                        List.of("build", "--progress", "plain", "-t", "training/app:1", ctx),
                        List.of("rmi", "training/app:2"));
            case "cache" -> {
                // machine A exports its cache; machine B (the same store without the image and its step cache)
                // imports it, every step a hit, and fetches the image's layers. Recorded last (launcher): the store
                // keeps no RUN layer afterwards
                String ref = registry + "/training/cache:1";
                List<String> a = List.of("--registries-config", registries, "build", "--progress", "quiet");
                List<List<String>> out = new ArrayList<>();
                out.add(concat(a, "--check=off", "--cache-to", "type=registry,mode=max,ref=" + ref, ctx));
                out.add(concat(a, "--check=off", "--cache-to", "type=registry,mode=max,ref=" + ref, ctx));
                out.add(List.of("rmi", "training/app:1"));
                out.add(List.of("builder", "prune", "-af"));
                out.add(concat(
                        a, "--check=off", "--network", "none", "-t", "training/app:1", "--cache-from", ref, ctx));
                out.add(List.of("builder", "prune", "-af"));
                out.add(concat(a, "--check=off", "--cache-from", ref, "--cache-to", "type=registry,ref=" + ref, ctx));
                yield out;
            }
            case "version" -> List.of(List.of("--version"), List.of("help"));
            case "image" ->
                List.of(
                        List.of("images"),
                        List.of("images", "-q"),
                        List.of("images", "--digests", "--format", "json"),
                        List.of("images", "--format", "{{.Repository}}:{{.Tag}} {{.Size}}"),
                        List.of("images", "training/app"),
                        List.of("inspect", "training/app:1"),
                        List.of("inspect", "--format", "{{.Id}} {{json .Config}}", "training/app:1"),
                        List.of("history", "training/app:1"),
                        List.of("history", "--no-trunc", "--format", "{{.CreatedBy}}", "training/app:1"),
                        List.of("tag", "training/app:1", "training/app:2"),
                        List.of("rmi", "training/app:2"));
            case "store" ->
                List.of(
                        List.of("system", "df"),
                        List.of("system", "df", "-v"),
                        List.of("info"),
                        List.of("version"),
                        List.of("builder", "prune", "-f", "--filter", "until=100000h"),
                        List.of("system", "fsck"));
            case "archive" ->
                List.of(
                        List.of("save", "-o", dir.resolve("saved-again.tar").toString(), "training/app:1"),
                        List.of("load", "-i", dir.resolve("saved.tar").toString()),
                        List.of("export", "-o", dir.resolve("export.tar").toString(), "training/app:1"),
                        List.of("import", dir.resolve("rootfs.tar").toString(), "training/base:2"),
                        List.of("rmi", "training/base:2"));
            case "registry" ->
                List.of(
                        List.of("tag", "training/app:1", registry + "/training/app:1"),
                        List.of("--registries-config", registries, "push", registry + "/training/app:1"),
                        List.of(
                                "--registries-config",
                                registries,
                                "push",
                                registry + "/training/app:1"), // every blob there
                        List.of(
                                "--root",
                                dir.resolve("pulled").toString(),
                                "--registries-config",
                                registries,
                                "pull",
                                registry + "/training/app:1"),
                        List.of("--registries-config", registries, "pull", "127.0.0.1:1/training:1"), // nobody there
                        List.of("rmi", registry + "/training/app:1"));
            case "check" ->
                List.of(
                        List.of("check", "training/app:1"),
                        List.of("check", "--format", "json", "training/app:1"),
                        List.of("analyze", "training/app:1"),
                        List.of("compare", "training/base:1", "training/app:1"),
                        List.of("lint", "-f", df, ctx));
            case "run" ->
                List.of(List.of("run", "--rm", "--network", "none", "training/base:1", "/bin/sh", "-c", "true"));
            default -> throw new IOException("no AOT training group " + group);
        };
    }

    /**
     * A tiny root filesystem: enough for import, COPY --from and the entrypoint check to do real work. With
     * busybox-static installed its shell is real, so the training build's RUN runs in runc when whittle is root;
     * without either, RUN fails and the build is trained up to it.
     */
    private static Path rootfs(Path tar) throws IOException {
        try (OutputStream o = Files.newOutputStream(tar);
                TarWriter w = new TarWriter(o)) {
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
