package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.image.Platform;
import dev.whittle.json.Json;
import dev.whittle.sandbox.Binfmt;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarWriter;
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
        glibcBases(whittle, GLIBC_AMD64, BASES, "");
    }

    /** A platform's glibc: its Debian directory, loader, this machine's copy of it, oldest symbol version, compiler. */
    record Glibc(String platform, String triplet, String loader, Path files, String oldest, String cc) {
        boolean available() {
            return Files.exists(files.resolve(loader))
                    && Files.exists(files.resolve("libc.so.6"))
                    && Exec.available(cc);
        }
    }

    static final Glibc GLIBC_AMD64 = new Glibc(
            "linux/amd64",
            "x86_64-linux-gnu",
            "ld-linux-x86-64.so.2",
            Path.of("/lib/x86_64-linux-gnu"),
            "GLIBC_2.2.5",
            "gcc");
    /** Debian's libc6-arm64-cross (with gcc-aarch64-linux-gnu). */
    static final Glibc GLIBC_ARM64 = new Glibc(
            "linux/arm64",
            "aarch64-linux-gnu",
            "ld-linux-aarch64.so.1",
            Path.of("/usr/aarch64-linux-gnu/lib"),
            "GLIBC_2.17",
            "aarch64-linux-gnu-gcc");

    /**
     * glibc's loader and libc only (no libstdc++), and the same with a libc that defines only the platform's oldest
     * symbol version, when this machine has that glibc.
     */
    static void glibcBases(Whittle w, Glibc g, Map<String, String> into, String suffix) throws IOException {
        if (!g.available()) return;
        into.put(
                "glibc-min",
                glibcBase(
                        w,
                        g,
                        "matrix-base/glibc-min:1" + suffix,
                        Files.readAllBytes(g.files().resolve("libc.so.6"))));
        Path fake = Files.createDirectories(dir.resolve("fakelibc" + suffix));
        Files.writeString(fake.resolve("fake.c"), "int fake_symbol(void) { return 0; }\n");
        Files.writeString(fake.resolve("v.map"), g.oldest() + " { global: *; };\n");
        Exec.run(
                        List.of(
                                g.cc(),
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
        into.put(
                "glibc-old",
                glibcBase(w, g, "matrix-base/glibc-old:1" + suffix, Files.readAllBytes(fake.resolve("libc.so.6"))));
    }

    static String glibcBase(Whittle w, Glibc g, String name, byte[] libc) throws IOException {
        Path tar = dir.resolve(name.replaceAll("[/:]", "-") + ".tar");
        byte[] ld = Files.readAllBytes(g.files().resolve(g.loader()));
        String lib = "lib/" + g.triplet();
        try (var o = Files.newOutputStream(tar);
                var t = new TarWriter(o)) {
            for (String d : List.of("lib", lib, "tmp")) t.writeHeader(TarEntry.dir(d, 0755, 0));
            t.write(TarEntry.file(lib + "/" + g.loader(), 0755, ld.length, 0), ld);
            t.write(TarEntry.file(lib + "/libc.so.6", 0755, libc.length, 0), libc);
            // the loader where PT_INTERP names it: /lib64/ld-linux-x86-64.so.2, /lib/ld-linux-aarch64.so.1
            t.writeHeader(TarEntry.symlink("lib64", "lib", 0));
            t.writeHeader(TarEntry.symlink("lib/" + g.loader(), g.triplet() + "/" + g.loader(), 0));
        }
        w.run("import", "--platform", g.platform(), tar.toString(), name).ok();
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
        // C and cgo, with Debian's cross compiler (gcc-aarch64-linux-gnu) when it is installed; musl has none
        Map<String, String> skipped = new LinkedHashMap<>();
        if (GLIBC_ARM64.available()) {
            Map<String, String> cc = Map.of("CGO_ENABLED", "1", "CC", GLIBC_ARM64.cc(), "GOARCH", "arm64");
            go(dir.resolve("cgo"), out.resolve("go-cgo-glibc"), cc);
            go(
                    dir.resolve("cgo"),
                    out.resolve("go-static-pie"),
                    cc,
                    "-buildmode=pie",
                    "-ldflags=-linkmode=external -extldflags=-static-pie");
            Exec.run(
                            GLIBC_ARM64.cc(),
                            "-o",
                            out.resolve("c-glibc").toString(),
                            dir.resolve("hello.c").toString())
                    .ok();
            for (String b : List.of("go-cgo-glibc", "go-static-pie", "c-glibc")) arm64.put(b, out.resolve(b));
        } else {
            for (String b : List.of("go-cgo-glibc", "go-static-pie", "c-glibc")) skipped.put(b, C_SKIPPED);
        }
        if (GLIBC_ARM64.available() && Exec.available("aarch64-linux-gnu-g++")) {
            Exec.run(
                            "aarch64-linux-gnu-g++",
                            "-o",
                            out.resolve("cpp-libstdcxx").toString(),
                            dir.resolve("hello.cpp").toString())
                    .ok();
            arm64.put("cpp-libstdcxx", out.resolve("cpp-libstdcxx"));
        } else {
            skipped.put("cpp-libstdcxx", "needs an arm64 C++ compiler: aarch64-linux-gnu-g++ is not installed");
        }
        for (String b : List.of("go-cgo-musl", "c-musl"))
            skipped.put(b, "needs musl for arm64 (Debian's musl-gcc builds for this machine only)");
        Map<String, String> bases = new LinkedHashMap<>();
        for (String b : List.of("scratch", "distroless", "alpine")) bases.put(b, BASES.get(b));
        glibcBases(mp, GLIBC_ARM64, bases, "-arm64");
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
        for (Map.Entry<String, String> b : skipped.entrySet())
            report.add(String.format("%-16s %-11s skipped: %s", b.getKey(), "*", b.getValue()));
        if (!bases.containsKey("glibc-min"))
            report.add(String.format("%-16s %-11s skipped: %s", "*", "glibc-min/old", C_SKIPPED));
        report.add(String.format(
                "%-16s %-11s skipped: no arm64 stand-in (the golang stand-in stays amd64: Go cross-compiles)",
                "*", "debian"));
        System.out.println(String.join("\n", report));
        assertThat(mispredictions).as(String.join("\n", report)).isZero();
    }

    static final Platform ARM64 = Platform.parse("linux/arm64");
    /** Why the arm64 column has no C or cgo program, as the printed matrix says it. */
    static final String C_SKIPPED = "needs an arm64 C compiler and glibc: gcc-aarch64-linux-gnu is not installed";

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
