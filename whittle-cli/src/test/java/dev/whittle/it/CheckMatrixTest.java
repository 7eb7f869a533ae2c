package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.image.Platform;
import dev.whittle.json.Json;
import dev.whittle.sandbox.Binfmt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
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
        Assumptions.assumeTrue(
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
                // this machine runs arm64 programs through qemu (binfmt_misc, F flag); an amd64 host without it (any
                // production server) fails with the error the check names, and the check must still say so
                boolean runsHereAnyway = bin.getKey().equals("go-arm64") && ARM64_EMULATED;
                Cell c = cell(
                        whittle, null, bin.getKey(), bin.getValue(), base.getKey(), base.getValue(), runsHereAnyway);
                if (!c.agree()) mispredictions++;
                report.add(c.line());
            }
        }
        System.out.println(String.join("\n", report));
        assertThat(mispredictions).as(String.join("\n", report)).isZero();
    }

    /**
     * The arm64 column: each case built for linux/arm64 from the arm64 stand-ins (alpine from Debian's arm64 packages,
     * distroless, scratch), predicted by {@code check --platform linux/arm64} and run under qemu-user-static. The
     * amd64 program in the arm64 image is the exec-format trap: this amd64 machine runs it natively, every arm64 host
     * fails with the error the check must name. Cases that need an arm64 C toolchain or an arm64 base this machine
     * cannot make are listed as skipped, with the reason.
     */
    @Test
    void arm64PredictionsMatchWhatQemuDoes() throws IOException {
        Assumptions.assumeTrue(ARM64_EMULATED, "no arm64 emulation (qemu-user-static with binfmt_misc's F flag)");
        Assumptions.assumeTrue(
                Platform.host().toString().equals("linux/amd64"), "the arm64 column is emulated on an amd64 host");
        Whittle mp = Scenarios.multiPlatformBases(dir.resolve("multi-platform-store"));
        Map<String, Path> arm64 = new LinkedHashMap<>();
        Path out = Files.createDirectories(dir.resolve("bin-arm64"));
        arm64.put("go-static", BINARIES.get("go-arm64"));
        go(
                dir.resolve("src"),
                out.resolve("go-pie-nocgo"),
                Map.of("CGO_ENABLED", "0", "GOARCH", "arm64"),
                "-buildmode=pie");
        arm64.put("go-pie-nocgo", out.resolve("go-pie-nocgo"));
        arm64.put("go-amd64", BINARIES.get("go-static"));
        for (String s : List.of("script", "script-crlf", "no-shebang")) arm64.put(s, BINARIES.get(s));
        Map<String, String> bases = new LinkedHashMap<>();
        for (String b : List.of("scratch", "distroless", "alpine")) bases.put(b, BASES.get(b));
        List<String> report = new ArrayList<>();
        int mispredictions = 0;
        for (Map.Entry<String, Path> bin : arm64.entrySet()) {
            for (Map.Entry<String, String> base : bases.entrySet()) {
                boolean runsHereAnyway = bin.getKey().equals("go-amd64");
                Cell c = cell(mp, ARM64, bin.getKey(), bin.getValue(), base.getKey(), base.getValue(), runsHereAnyway);
                if (!c.agree()) mispredictions++;
                report.add(c.line());
            }
        }
        for (String b : List.of("go-cgo-glibc", "go-cgo-musl", "go-static-pie", "c-glibc", "c-musl", "cpp-libstdcxx"))
            report.add(String.format(
                    "%-16s %-11s skipped: needs an arm64 C compiler (aarch64-linux-gnu-gcc, musl for arm64)", b, "*"));
        report.add(String.format(
                "%-16s %-11s skipped: no arm64 stand-in (the golang stand-in stays amd64: Go cross-compiles)",
                "*", "debian"));
        report.add(String.format("%-16s %-11s skipped: made from this machine's x86-64 glibc", "*", "glibc-min/old"));
        System.out.println(String.join("\n", report));
        assertThat(mispredictions).as(String.join("\n", report)).isZero();
    }

    static final Platform ARM64 = Platform.parse("linux/arm64");

    /** One cell of the matrix: whether the prediction is what happened, and its line of the printed matrix. */
    record Cell(boolean agree, String line) {}

    /**
     * The program on the base, built for {@code platform} (null: this machine's), predicted by {@code check} and run.
     * {@code runsHereAnyway}: a program for another machine than the image's that this machine still runs (natively
     * or emulated), where every host of the image's platform fails with exec format error.
     */
    static Cell cell(
            Whittle w, Platform platform, String bin, Path prog, String base, String from, boolean runsHereAnyway)
            throws IOException {
        String column = platform == null ? "" : "-" + platform.architecture();
        String tag = "matrix/" + bin + ":" + base + column;
        Path ctx = Files.createDirectories(dir.resolve("ctx-" + bin + "-" + base + column));
        Files.copy(prog, ctx.resolve("prog"), StandardCopyOption.REPLACE_EXISTING);
        ctx.resolve("prog").toFile().setExecutable(true, false);
        Files.writeString(ctx.resolve("Dockerfile"), "FROM " + from + "\nCOPY prog /app/prog\nCMD [\"/app/prog\"]\n");
        List<String> p = platform == null ? List.of() : List.of("--platform", platform.toString());
        w.run(args(List.of("build", "-q", "--check=off"), p, "-t", tag, ctx.toString()))
                .ok();
        Exec check = w.run(args(List.of("check", "--format", "json"), p, tag));
        Map<?, ?> j = (Map<?, ?>) Json.parse(check.out());
        boolean predictedOk = Boolean.TRUE.equals(j.get("canStart"));
        List<?> findings = (List<?>) j.get("findings");
        String predictedError = findings.stream()
                .map(f -> (Map<?, ?>) f)
                .filter(f -> "error".equals(f.get("severity")))
                .map(f -> String.valueOf(f.get("runtimeError")))
                .findFirst()
                .orElse(null);
        Exec run = w.run(args(List.of("run", "--rm"), p, tag));
        boolean actualOk = run.code() == 0 && run.out().startsWith("hello");
        boolean agree = predictedOk == actualOk;
        if (runsHereAnyway) {
            // whatever it does here, the check must name the error every host of the image's platform gives
            agree = "exec /app/prog: exec format error".equals(predictedError);
        } else if (agree && !predictedOk) {
            // the predicted message must be what the runtime says
            String actual = run.out() + run.err();
            String key = predictedError.replace("/app/prog: ", "").replaceAll(" +\\(.*", "");
            agree = actual.contains(predictedError) || actual.contains(key) || sameMeaning(predictedError, actual);
        }
        String line = String.format(
                "%-16s %-11s predicted=%-5s actual=%-5s %s | %s",
                bin,
                base,
                predictedOk,
                actualOk,
                predictedError == null ? "" : predictedError,
                (run.out() + run.err()).strip().replace('\n', ' '));
        return new Cell(agree, line);
    }

    static String[] args(List<String> head, List<String> platform, String... tail) {
        List<String> a = new ArrayList<>(head);
        a.addAll(platform);
        a.addAll(List.of(tail));
        return a.toArray(String[]::new);
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
        // under qemu-user the emulator, not the kernel, opens the ELF interpreter: a missing one is its
        // "aarch64-binfmt-P: Could not open '/lib/ld-linux-aarch64.so.1'", the kernel's ENOENT on a real arm64 host
        if (predicted.endsWith(": no such file or directory")
                && actual.matches("(?s).*-binfmt-P: Could not open '[^']+': No such file or directory.*")) return true;
        return false;
    }
}
