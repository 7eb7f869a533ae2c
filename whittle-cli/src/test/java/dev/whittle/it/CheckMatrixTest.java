package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.image.Platform;
import dev.whittle.json.Json;
import dev.whittle.sandbox.Binfmt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Binaries × bases: for every pair, whittle check's prediction is compared with what actually happens when the
 * image runs in runc. No misprediction is allowed, and a predicted failure must name the error that really appears.
 * (An arm64 program in an amd64 image runs here through qemu when binfmt_misc has it: the check must still name the
 * exec format error every host without the emulator gives.)
 */
@Tag("scenarios")
class CheckMatrixTest {
    @TempDir
    static Path dir;

    static Whittle whittle;
    /** Whether this machine runs an arm64 program in a container itself (a qemu-aarch64 handler with the F flag). */
    static final boolean ARM64_EMULATED = Binfmt.system().problem(Platform.parse("linux/arm64")) == null;

    static final Map<String, Path> BINARIES = new LinkedHashMap<>();
    static final Map<String, String> BASES = new LinkedHashMap<>();

    @BeforeAll
    static void binaries() throws IOException {
        whittle = Scenarios.require();
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Exec.available("go") && Exec.available("gcc") && Exec.available("musl-gcc") && Exec.available("g++"),
                "the matrix needs golang-go, gcc, g++ and musl-tools");
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("go.mod"), "module example.com/hello\n\ngo 1.19\n");
        Files.writeString(
                src.resolve("main.go"), "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n");
        Path cgo = Files.createDirectories(dir.resolve("cgo"));
        Files.writeString(cgo.resolve("go.mod"), "module example.com/cgo\n\ngo 1.19\n");
        Files.writeString(cgo.resolve("main.go"), """
                package main

                /*
                static int answer(void) { return 42; }
                */
                import "C"
                import "fmt"

                func main() { fmt.Println("hello", int(C.answer())) }
                """);
        Files.writeString(
                dir.resolve("hello.c"), "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n");
        Files.writeString(
                dir.resolve("hello.cpp"), "#include <iostream>\nint main() { std::cout << \"hello\" << std::endl; }\n");
        Path out = Files.createDirectories(dir.resolve("bin"));
        go(src, out.resolve("go-static"), Map.of("CGO_ENABLED", "0"));
        go(src, out.resolve("go-pie-nocgo"), Map.of("CGO_ENABLED", "0"), "-buildmode=pie");
        go(cgo, out.resolve("go-cgo-glibc"), Map.of("CGO_ENABLED", "1", "CC", "gcc"));
        go(cgo, out.resolve("go-cgo-musl"), Map.of("CGO_ENABLED", "1", "CC", "musl-gcc"));
        go(
                cgo,
                out.resolve("go-static-pie"),
                Map.of("CGO_ENABLED", "1", "CC", "gcc"),
                "-buildmode=pie",
                "-ldflags=-linkmode=external -extldflags=-static-pie");
        go(src, out.resolve("go-arm64"), Map.of("CGO_ENABLED", "0", "GOARCH", "arm64"));
        Exec.run(
                        "gcc",
                        "-o",
                        out.resolve("c-glibc").toString(),
                        dir.resolve("hello.c").toString())
                .ok();
        Exec.run(
                        "musl-gcc",
                        "-o",
                        out.resolve("c-musl").toString(),
                        dir.resolve("hello.c").toString())
                .ok();
        Exec.run(
                        "g++",
                        "-o",
                        out.resolve("cpp-libstdcxx").toString(),
                        dir.resolve("hello.cpp").toString())
                .ok();
        Files.writeString(out.resolve("script"), "#!/bin/sh\necho hello\n");
        Files.writeString(out.resolve("script-crlf"), "#!/bin/sh\r\necho hello\r\n");
        Files.writeString(out.resolve("no-shebang"), "echo hello\n");
        for (Path p : Files.newDirectoryStream(out)) p.toFile().setExecutable(true, false);
        for (Path p : Files.newDirectoryStream(out))
            BINARIES.put(p.getFileName().toString(), p);
        BASES.put("scratch", "scratch");
        BASES.put("distroless", "gcr.io/distroless/static-debian11");
        BASES.put("alpine", "alpine:latest");
        BASES.put("debian", "golang:alpine");
        // glibc's loader and libc only (no libstdc++), and the same with a libc that defines only GLIBC_2.2.5
        Path real = Path.of("/lib/x86_64-linux-gnu");
        if (Files.exists(real.resolve("ld-linux-x86-64.so.2")) && Files.exists(real.resolve("libc.so.6"))) {
            BASES.put("glibc-min", glibcBase("matrix-base/glibc-min:1", Files.readAllBytes(real.resolve("libc.so.6"))));
            Path fake = Files.createDirectories(dir.resolve("fakelibc"));
            Files.writeString(fake.resolve("fake.c"), "int fake_symbol(void) { return 0; }\n");
            Files.writeString(fake.resolve("v.map"), "GLIBC_2.2.5 { global: *; };\n");
            Exec.run(
                            List.of(
                                    "gcc",
                                    "-shared",
                                    "-nostdlib",
                                    "-fPIC",
                                    "-o",
                                    fake.resolve("libc.so.6").toString(),
                                    "-Wl,-soname,libc.so.6",
                                    "-Wl,--version-script=" + fake.resolve("v.map"),
                                    fake.resolve("fake.c").toString()),
                            fake,
                            120)
                    .ok();
            BASES.put("glibc-old", glibcBase("matrix-base/glibc-old:1", Files.readAllBytes(fake.resolve("libc.so.6"))));
        }
    }

    static String glibcBase(String name, byte[] libc) throws IOException {
        Path tar = dir.resolve(name.replaceAll("[/:]", "-") + ".tar");
        byte[] ld = Files.readAllBytes(Path.of("/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"));
        try (var o = Files.newOutputStream(tar);
                var w = new dev.whittle.tar.TarWriter(o)) {
            for (String d : List.of("lib", "lib/x86_64-linux-gnu", "tmp"))
                w.writeHeader(dev.whittle.tar.TarEntry.dir(d, 0755, 0));
            w.write(dev.whittle.tar.TarEntry.file("lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", 0755, ld.length, 0), ld);
            w.write(dev.whittle.tar.TarEntry.file("lib/x86_64-linux-gnu/libc.so.6", 0755, libc.length, 0), libc);
            w.writeHeader(dev.whittle.tar.TarEntry.symlink("lib64", "lib", 0));
            w.writeHeader(dev.whittle.tar.TarEntry.symlink(
                    "lib/ld-linux-x86-64.so.2", "x86_64-linux-gnu/ld-linux-x86-64.so.2", 0));
        }
        whittle.run("import", tar.toString(), name).ok();
        return name;
    }

    static void go(Path src, Path out, Map<String, String> env, String... flags) {
        List<String> cmd = new ArrayList<>(List.of(
                "env", "GOFLAGS=-mod=mod", "GOCACHE=" + dir.resolve("gocache"), "GOPATH=" + dir.resolve("gopath")));
        env.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.addAll(List.of("go", "build", "-o", out.toString()));
        cmd.addAll(List.of(flags));
        cmd.add(".");
        Exec.run(cmd, src, 600).ok();
    }

    @Test
    void predictionsMatchWhatRuncDoes() throws IOException {
        List<String> report = new ArrayList<>();
        int mispredictions = 0;
        for (Map.Entry<String, Path> bin : BINARIES.entrySet()) {
            for (Map.Entry<String, String> base : BASES.entrySet()) {
                String tag = "matrix/" + bin.getKey() + ":" + base.getKey();
                Path ctx = Files.createDirectories(dir.resolve("ctx-" + bin.getKey() + "-" + base.getKey()));
                Files.copy(bin.getValue(), ctx.resolve("prog"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                ctx.resolve("prog").toFile().setExecutable(true, false);
                Files.writeString(
                        ctx.resolve("Dockerfile"),
                        "FROM " + base.getValue() + "\nCOPY prog /app/prog\nCMD [\"/app/prog\"]\n");
                whittle.run("build", "-q", "--check=off", "-t", tag, ctx.toString())
                        .ok();
                Exec check = whittle.run("check", "--format", "json", tag);
                Map<?, ?> j = (Map<?, ?>) Json.parse(check.out());
                boolean predictedOk = Boolean.TRUE.equals(j.get("canStart"));
                List<?> findings = (List<?>) j.get("findings");
                String predictedError = findings.stream()
                        .map(f -> (Map<?, ?>) f)
                        .filter(f -> "error".equals(f.get("severity")))
                        .map(f -> String.valueOf(f.get("runtimeError")))
                        .findFirst()
                        .orElse(null);
                Exec run = whittle.run("run", "--rm", tag);
                boolean actualOk = run.code() == 0 && run.out().startsWith("hello");
                boolean agree = predictedOk == actualOk;
                if (agree && !predictedOk) {
                    // the predicted message must be what the runtime says
                    String actual = run.out() + run.err();
                    String key = predictedError.replace("/app/prog: ", "").replaceAll(" +\\(.*", "");
                    agree = actual.contains(predictedError)
                            || actual.contains(key)
                            || sameMeaning(predictedError, actual);
                }
                if (!agree && bin.getKey().equals("go-arm64") && ARM64_EMULATED && actualOk) {
                    // this machine runs arm64 programs through qemu (binfmt_misc, F flag); an amd64 host without it
                    // (any production server) fails with the error the check names, and the check must still say so
                    agree = "exec /app/prog: exec format error".equals(predictedError);
                }
                if (!agree) mispredictions++;
                report.add(String.format(
                        "%-16s %-11s predicted=%-5s actual=%-5s %s | %s",
                        bin.getKey(),
                        base.getKey(),
                        predictedOk,
                        actualOk,
                        predictedError == null ? "" : predictedError,
                        (run.out() + run.err()).strip().replace('\n', ' ')));
            }
        }
        System.out.println(String.join("\n", report));
        assertThat(mispredictions).as(String.join("\n", report)).isZero();
    }

    /** musl's and glibc's loaders word some errors differently from our one-line prediction; these are the same event. */
    static boolean sameMeaning(String predicted, String actual) {
        if (predicted.contains("error while loading shared libraries")
                && actual.contains("error while loading shared libraries")) {
            String lib = predicted.replaceAll(".*shared libraries: ([^:]+):.*", "$1");
            return actual.contains(lib);
        }
        if (predicted.startsWith("Error loading shared library") && actual.contains("Error loading shared library"))
            return true;
        return false;
    }
}
