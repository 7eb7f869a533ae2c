package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.whittle.image.Platform;
import dev.whittle.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a program needs once it has started, predicted by {@code whittle check} and compared with real runs under
 * runc: Go programs that fetch a TLS URL from a loopback server (certificate from a test CA), load a time zone, look
 * up the current user, create a temp file and resolve localhost through cgo, each on scratch and the stand-ins of
 * distroless/static, alpine and a Debian root filesystem, without and with the fix; a non-root USER and a mode-0700
 * entrypoint; HEALTHCHECKs run the way dockerd runs them (the test command in the container, as its user). No
 * misprediction is allowed, a predicted failure must name the error that really appears, and an image where the
 * program works gets no finding at all.
 *
 * <p>The test CA stands in for a public one: wherever a base has a CA bundle, the bundle is the test CA's (as a
 * public server's CA is in every real bundle); bases without a bundle keep having none, which is the trap.
 */
@Tag("scenarios")
class RuntimeMatrixTest {
    @TempDir
    static Path dir;

    static Whittle whittle;
    static HttpsServer server;
    static final Map<String, Path> BIN = new LinkedHashMap<>();
    static final Map<String, String> BASES = new LinkedHashMap<>();
    static final String BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

    @BeforeAll
    static void programs() throws Exception {
        whittle = Scenarios.require();
        Assumptions.assumeTrue(
                Exec.available("go") && Exec.available("gcc") && Exec.available("openssl"),
                "the matrix needs golang-go, gcc and openssl");
        BASES.put("scratch", "scratch");
        BASES.put("distroless", "gcr.io/distroless/static-debian11");
        BASES.put("alpine", "alpine:latest");
        BASES.put("debian", "golang:alpine");
        Path src = Files.createDirectories(dir.resolve("src"));
        program(src, "tls", """
                import ("fmt"; "net/http"; "os")
                func main() {
                	r, err := http.Get(os.Args[1])
                	if err != nil { fmt.Println(err); os.Exit(1) }
                	fmt.Println("hello", r.Status)
                }""");
        program(src, "tz", """
                import ("fmt"; "os"; "time")
                func main() {
                	l, err := time.LoadLocation("Europe/Paris")
                	if err != nil { fmt.Println(err); os.Exit(1) }
                	fmt.Println("hello", l)
                }""");
        program(src, "user", """
                import ("fmt"; "os"; "os/user")
                func main() {
                	u, err := user.Current()
                	if err != nil { fmt.Println(err); os.Exit(1) }
                	fmt.Println("hello", u.Username)
                }""");
        program(src, "tmp", """
                import ("fmt"; "os")
                func main() {
                	f, err := os.CreateTemp("", "x")
                	if err != nil { fmt.Println(err); os.Exit(1) }
                	fmt.Println("hello", f.Name())
                }""");
        program(src, "resolve", """
                import ("fmt"; "net"; "os")
                func main() {
                	a, err := net.LookupHost("localhost")
                	if err != nil { fmt.Println(err); os.Exit(1) }
                	fmt.Println("hello", a)
                }""");
        program(src, "hello", """
                import "fmt"
                func main() { fmt.Println("hello") }""");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String p : List.of("tls", "tz", "user", "tmp", "hello"))
            go(BIN, src.resolve(p), bin.resolve(p), Map.of("CGO_ENABLED", "0"));
        go(BIN, src.resolve("tz"), bin.resolve("tz-fixed"), Map.of("CGO_ENABLED", "0"), "-tags", "timetzdata");
        go(
                BIN,
                src.resolve("resolve"),
                bin.resolve("resolve"),
                Map.of("CGO_ENABLED", "1", "CC", "gcc"),
                "-tags",
                "netcgo");
        go(BIN, src.resolve("resolve"), bin.resolve("resolve-fixed"), Map.of("CGO_ENABLED", "0"), "-tags", "netgo");
        certificates();
    }

    static void program(Path src, String name, String body) throws IOException {
        Path d = Files.createDirectories(src.resolve(name));
        Files.writeString(d.resolve("go.mod"), "module example.com/" + name + "\n\ngo 1.19\n");
        Files.writeString(d.resolve("main.go"), "package main\n\n" + body + "\n");
    }

    static void go(Map<String, Path> into, Path src, Path out, Map<String, String> env, String... flags) {
        List<String> cmd = new ArrayList<>(List.of(
                "env", "GOFLAGS=-mod=mod", "GOCACHE=" + dir.resolve("gocache"), "GOPATH=" + dir.resolve("gopath")));
        env.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.addAll(List.of("go", "build", "-o", out.toString()));
        cmd.addAll(List.of(flags));
        cmd.add(".");
        Exec.run(cmd, src, 600).ok();
        into.put(out.getFileName().toString(), out);
    }

    /** A test CA, a certificate for 127.0.0.1 signed by it, and an HTTPS server on loopback with it. */
    static void certificates() throws Exception {
        Path c = Files.createDirectories(dir.resolve("ca"));
        Files.writeString(c.resolve("san.ext"), "subjectAltName=IP:127.0.0.1\n");
        Exec.run(
                        List.of(
                                "openssl",
                                "req",
                                "-x509",
                                "-newkey",
                                "rsa:2048",
                                "-nodes",
                                "-keyout",
                                "ca.key",
                                "-out",
                                "ca.pem",
                                "-days",
                                "2",
                                "-subj",
                                "/CN=whittle test CA"),
                        c,
                        60)
                .ok();
        Exec.run(
                        List.of(
                                "openssl",
                                "req",
                                "-newkey",
                                "rsa:2048",
                                "-nodes",
                                "-keyout",
                                "srv.key",
                                "-out",
                                "srv.csr",
                                "-subj",
                                "/CN=127.0.0.1"),
                        c,
                        60)
                .ok();
        Exec.run(
                        List.of(
                                "openssl",
                                "x509",
                                "-req",
                                "-in",
                                "srv.csr",
                                "-CA",
                                "ca.pem",
                                "-CAkey",
                                "ca.key",
                                "-CAcreateserial",
                                "-out",
                                "srv.pem",
                                "-days",
                                "2",
                                "-extfile",
                                "san.ext"),
                        c,
                        60)
                .ok();
        Exec.run(
                        List.of(
                                "openssl",
                                "pkcs12",
                                "-export",
                                "-in",
                                "srv.pem",
                                "-inkey",
                                "srv.key",
                                "-out",
                                "srv.p12",
                                "-passout",
                                "pass:test"),
                        c,
                        60)
                .ok();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(c.resolve("srv.p12"))) {
            ks.load(in, "test".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "test".toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        server.createContext("/", x -> {
            byte[] b = "ok\n".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, b.length);
            x.getResponseBody().write(b);
            x.close();
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop(0);
    }

    /** One image: a Dockerfile's lines after FROM, the files it copies, and how the test runs it. */
    record Case(
            String name,
            String base,
            String program,
            List<String> lines,
            Map<String, String> files,
            List<String> runArgs) {}

    static List<Case> cases() {
        List<Case> out = new ArrayList<>();
        String url = "https://127.0.0.1:" + server.getAddress().getPort() + "/";
        for (Map.Entry<String, String> b : BASES.entrySet()) {
            String base = b.getKey();
            boolean hasBundle = base.equals("distroless") || base.equals("debian");
            List<String> bundle = hasBundle ? List.of("COPY ca.pem " + BUNDLE) : List.of();
            out.add(new Case("tls", base, "tls", bundle, Map.of(), List.of(url)));
            out.add(new Case("tls+fix", base, "tls", List.of("COPY ca.pem " + BUNDLE), Map.of(), List.of(url)));
            out.add(new Case("tz", base, "tz", List.of(), Map.of(), List.of()));
            out.add(new Case("tz+fix", base, "tz-fixed", List.of(), Map.of(), List.of()));
            out.add(new Case("user", base, "user", List.of(), Map.of(), List.of()));
            out.add(new Case(
                    "user+fix",
                    base,
                    "user",
                    List.of("COPY passwd /etc/passwd"),
                    Map.of("passwd", "root:x:0:0:root:/root:/sbin/nologin\n"),
                    List.of()));
            out.add(new Case("tmp", base, "tmp", List.of(), Map.of(), List.of()));
            out.add(new Case("tmp+fix", base, "tmp", List.of("WORKDIR /tmp", "WORKDIR /"), Map.of(), List.of()));
            out.add(new Case("resolve", base, "resolve", List.of(), Map.of(), List.of()));
            out.add(new Case("resolve+fix", base, "resolve-fixed", List.of(), Map.of(), List.of()));
            out.add(new Case("perm", base, "hello", List.of("USER 65534"), Map.of(), List.of()));
            out.add(new Case("perm+fix", base, "hello", List.of("USER 65534"), Map.of(), List.of()));
        }
        // glibc's NSS: a Debian root fs whose nsswitch.conf names only a module the image lacks
        out.add(new Case(
                "nss",
                "debian",
                "resolve",
                List.of("COPY nsswitch.conf /etc/nsswitch.conf"),
                Map.of("nsswitch.conf", "passwd: files\ngroup: files\nhosts: mymachines\n"),
                List.of()));
        out.add(new Case(
                "nss+fix",
                "debian",
                "resolve",
                List.of("COPY nsswitch.conf /etc/nsswitch.conf"),
                Map.of("nsswitch.conf", "passwd: files\ngroup: files\nhosts: files dns\n"),
                List.of()));
        return out;
    }

    @Test
    void runtimePredictionsMatchWhatRuncDoes() throws IOException {
        List<String> report = new ArrayList<>();
        int mispredictions = 0;
        for (Case c : cases()) {
            CheckMatrixTest.Cell cell = cell(whittle, null, BIN, c);
            if (!cell.agree()) mispredictions++;
            report.add(cell.line());
        }
        System.out.println(String.join("\n", report));
        assertThat(mispredictions).as(String.join("\n", report)).isZero();
    }

    /**
     * The arm64 column: the same cases with the programs cross-compiled for arm64 (GOARCH=arm64), built for
     * linux/arm64 on the arm64 stand-ins, predicted by {@code check --platform linux/arm64} and run under
     * qemu-user-static. The cgo program (resolve with netcgo) needs Debian's arm64 cross compiler, and the Debian root
     * fs has no arm64 stand-in: cases without them are listed as skipped, with the reason.
     */
    @Test
    void arm64RuntimePredictionsMatchWhatQemuDoes() throws IOException {
        Assumptions.assumeTrue(
                CheckMatrixTest.ARM64_EMULATED, "no arm64 emulation (qemu-user-static with binfmt_misc's F flag)");
        Whittle mp = Scenarios.multiPlatformBases(dir.resolve("multi-platform-store"));
        Map<String, Path> arm64 = new LinkedHashMap<>();
        Path src = dir.resolve("src"), bin = Files.createDirectories(dir.resolve("bin-arm64"));
        Map<String, String> cross = Map.of("CGO_ENABLED", "0", "GOARCH", "arm64");
        for (String p : List.of("tls", "tz", "user", "tmp", "hello")) go(arm64, src.resolve(p), bin.resolve(p), cross);
        go(arm64, src.resolve("tz"), bin.resolve("tz-fixed"), cross, "-tags", "timetzdata");
        go(arm64, src.resolve("resolve"), bin.resolve("resolve-fixed"), cross, "-tags", "netgo");
        if (CheckMatrixTest.GLIBC_ARM64.available()) {
            Map<String, String> cgo =
                    Map.of("CGO_ENABLED", "1", "CC", CheckMatrixTest.GLIBC_ARM64.cc(), "GOARCH", "arm64");
            go(arm64, src.resolve("resolve"), bin.resolve("resolve"), cgo, "-tags", "netcgo");
        }
        List<String> report = new ArrayList<>();
        int mispredictions = 0;
        for (Case c : cases()) {
            String skipped = c.base().equals("debian")
                    ? "no arm64 stand-in for the Debian root fs"
                    : arm64.containsKey(c.program()) ? null : CheckMatrixTest.C_SKIPPED;
            if (skipped != null) {
                report.add(String.format("%-12s %-10s skipped: %s", c.name(), c.base(), skipped));
                continue;
            }
            CheckMatrixTest.Cell cell = cell(mp, CheckMatrixTest.ARM64, arm64, c);
            if (!cell.agree()) mispredictions++;
            report.add(cell.line());
        }
        System.out.println(String.join("\n", report));
        assertThat(mispredictions).as(String.join("\n", report)).isZero();
    }

    /** One case built for {@code platform} (null: this machine's) from {@code programs}, predicted and run. */
    static CheckMatrixTest.Cell cell(Whittle w, Platform platform, Map<String, Path> programs, Case c)
            throws IOException {
        String column = platform == null ? "" : "-" + platform.architecture();
        Path ctx = context(c.name() + "-" + c.base() + column, programs.get(c.program()), c.files());
        String chmod = c.name().equals("perm") ? "700" : "755";
        StringBuilder df =
                new StringBuilder("FROM " + BASES.get(c.base()) + "\nCOPY --chmod=" + chmod + " prog /app/prog\n");
        for (String l : c.lines()) df.append(l).append('\n');
        df.append("CMD [\"/app/prog\"")
                .append(c.runArgs().stream().map(a -> ", \"" + a + "\"").reduce("", String::concat))
                .append("]\n");
        Files.writeString(ctx.resolve("Dockerfile"), df.toString());
        String tag = "runtime-matrix/" + c.name().replace("+", "-") + ":" + c.base() + column;
        List<String> p = platform == null ? List.of() : List.of("--platform", platform.toString());
        w.run(CheckMatrixTest.args(List.of("build", "-q", "--check=off"), p, "-t", tag, ctx.toString()))
                .ok();
        Map<?, ?> j = (Map<?, ?>) Json.parse(w.run(CheckMatrixTest.args(List.of("check", "--format", "json"), p, tag))
                .out());
        List<Map<?, ?>> findings = ((List<?>) j.get("findings"))
                .stream()
                        .<Map<?, ?>>map(f -> (Map<?, ?>) f)
                        .filter(f -> !"healthcheck".equals(f.get("phase")))
                        .toList();
        boolean predictedOk = findings.stream().noneMatch(f -> !"note".equals(f.get("severity")));
        String predicted = findings.stream()
                .filter(f -> !"note".equals(f.get("severity")))
                .map(f -> f.get("code") + ": " + f.get("runtimeError"))
                .findFirst()
                .orElse("");
        Exec run = w.run(CheckMatrixTest.args(List.of("run", "--rm", "--network", "host"), p, tag));
        String actual = (run.out() + run.err()).strip().replace('\n', ' ');
        boolean actualOk = run.code() == 0 && run.out().startsWith("hello");
        boolean agree =
                predictedOk == actualOk && (actualOk || says(actual, predicted.substring(predicted.indexOf(": ") + 2)));
        return new CheckMatrixTest.Cell(
                agree,
                String.format(
                        "%-12s %-10s predicted=%-5s actual=%-5s %s | %s",
                        c.name(), c.base(), predictedOk, actualOk, predicted, actual));
    }

    /** HEALTHCHECKs: the test command run in the container as dockerd runs it, compared with healthcheckCanPass. */
    @Test
    void healthcheckPredictionsMatchWhatRuncDoes() throws IOException {
        Map<String, List<String>> checks = new LinkedHashMap<>();
        checks.put("curl", List.of("CMD-SHELL", "curl --version >/dev/null"));
        checks.put("wget", List.of("CMD", "wget", "--help"));
        checks.put("shell", List.of("CMD-SHELL", "exit 0"));
        checks.put("exec", List.of("CMD", "/app/prog"));
        List<String> report = new ArrayList<>();
        int mispredictions = 0;
        for (String base : BASES.keySet()) {
            for (Map.Entry<String, List<String>> hc : checks.entrySet()) {
                Path ctx = context("hc-" + hc.getKey() + "-" + base, BIN.get("hello"), Map.of());
                List<String> t = hc.getValue();
                String test = t.getFirst().equals("CMD-SHELL")
                        ? "CMD " + t.get(1)
                        : "CMD ["
                                + String.join(
                                        ", ",
                                        t.subList(1, t.size()).stream()
                                                .map(a -> "\"" + a + "\"")
                                                .toList()) + "]";
                Files.writeString(
                        ctx.resolve("Dockerfile"),
                        "FROM " + BASES.get(base) + "\nCOPY --chmod=755 prog /app/prog\nHEALTHCHECK " + test
                                + "\nCMD [\"/app/prog\"]\n");
                String tag = "runtime-matrix/hc-" + hc.getKey() + ":" + base;
                whittle.run("build", "-q", "--check=off", "-t", tag, ctx.toString())
                        .ok();
                Map<?, ?> j = (Map<?, ?>)
                        Json.parse(whittle.run("check", "--format", "json", tag).out());
                boolean predictedOk = Boolean.TRUE.equals(j.get("healthcheckCanPass"));
                String predicted = ((List<?>) j.get("findings"))
                        .stream()
                                .map(f -> (Map<?, ?>) f)
                                .filter(f -> "healthcheck".equals(f.get("phase")))
                                .filter(f -> "error".equals(f.get("severity")))
                                .map(f -> String.valueOf(f.get("runtimeError")))
                                .findFirst()
                                .orElse("");
                // dockerd: CMD-SHELL runs the image's shell with -c; CMD runs the arguments; both as the container's
                // user
                List<String> cmd = new ArrayList<>(List.of("run", "--rm", "--entrypoint"));
                if (t.getFirst().equals("CMD-SHELL")) cmd.addAll(List.of("/bin/sh", tag, "-c", t.get(1)));
                else {
                    cmd.add(t.get(1));
                    cmd.add(tag);
                    cmd.addAll(t.subList(2, t.size()));
                }
                Exec run = whittle.run(cmd.toArray(String[]::new));
                String actual = (run.out() + run.err()).strip().replace('\n', ' ');
                boolean actualOk = run.code() == 0;
                boolean agree = predictedOk == actualOk && (actualOk || says(actual, predicted));
                if (!agree) mispredictions++;
                report.add(String.format(
                        "%-6s %-10s predicted=%-5s actual=%-5s %s | %s",
                        hc.getKey(),
                        base,
                        predictedOk,
                        actualOk,
                        predicted,
                        actual.length() > 160 ? actual.substring(0, 160) : actual));
            }
        }
        System.out.println(String.join("\n", report));
        assertThat(mispredictions).as(String.join("\n", report)).isZero();
    }

    static Path context(String name, Path program, Map<String, String> files) throws IOException {
        Path ctx = Files.createDirectories(dir.resolve("ctx-" + name));
        Files.copy(program, ctx.resolve("prog"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(dir.resolve("ca/ca.pem"), ctx.resolve("ca.pem"), StandardCopyOption.REPLACE_EXISTING);
        for (Map.Entry<String, String> f : files.entrySet()) Files.writeString(ctx.resolve(f.getKey()), f.getValue());
        return ctx;
    }

    /**
     * Whether the real output says what was predicted: every literal part of the predicted message (the parts
     * around placeholders such as {@code <name>}) appears in it, or the loaders' wordings of the same event.
     */
    static boolean says(String actual, String predicted) {
        if (CheckMatrixTest.sameMeaning(predicted, actual)) return true;
        for (String part : predicted.split("<[^>]*>")) {
            String p = part.strip();
            if (!p.isEmpty() && !actual.contains(p)) return false;
        }
        return !predicted.isBlank();
    }
}
