package dev.whittle.it;

import static dev.whittle.it.DockerDaemon.docker;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code whittle run} against {@code docker run} (Engine 20.10, run with --network none and --pull never so it never
 * leaves the machine): exit codes and messages, the environment, user, groups and hostname the process gets, mounts,
 * standard streams, a terminal driven through a real pseudo-terminal, and signals.
 */
@Tag("runc")
class RunCommandTest {
    @TempDir
    static Path dir;

    static Whittle whittle;
    /** busybox with passwd and group entries that give users supplementary groups, a WORKDIR and an ENV. */
    static final String IMG = "whittle-it/run-users:1";

    static final String BASE = "whittle-it/run-busybox:1";
    static boolean loaded;

    @BeforeAll
    static void images() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                "root".equals(System.getProperty("user.name")), "whittle run needs root");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                dev.whittle.sandbox.Runc.available(), "runc is not installed (apt-get install runc)");
        whittle = new Whittle(dir.resolve("store"));
        whittle.run(
                        "import",
                        "-c",
                        "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                        "-c",
                        "CMD [\"/bin/sh\"]",
                        RootFs.busybox(dir).toString(),
                        BASE)
                .ok();
        Path ctx = Files.createDirectories(dir.resolve("users"));
        Files.writeString(ctx.resolve("Dockerfile"), """
                FROM %s
                RUN printf 'root:x:0:0:root:/root:/bin/sh\\nnobody:x:65534:65534:nobody:/:/bin/sh\\napp:x:1000:1000:app:/home/app:/bin/sh\\n' > /etc/passwd \\
                 && printf 'root:x:0:root\\nwheel:x:10:root,app\\nnobody:x:65534:\\napp:x:1000:\\nstaff:x:50:app,nobody\\n' > /etc/group \\
                 && mkdir -p /home/app /srv
                WORKDIR /srv
                ENV FROMIMAGE=image A=from-image
                """.formatted(BASE));
        EngineTest.build(whittle, ctx, "-t", IMG).ok();
    }

    /** The images in Docker too (once, for the tests that compare). */
    static synchronized void inDocker() throws IOException {
        DockerDaemon.require();
        if (loaded) return;
        Path archive = dir.resolve("run-images.tar");
        whittle.run("save", "-o", archive.toString(), BASE, IMG).ok();
        docker("load", "-i", archive.toString()).ok();
        loaded = true;
    }

    @AfterAll
    static void removeFromDocker() {
        if (loaded) docker("rmi", BASE, IMG);
    }

    static Exec dockerRun(String... args) {
        List<String> a = new ArrayList<>(List.of("run", "--rm", "--network", "none", "--pull", "never"));
        a.addAll(List.of(args));
        return docker(a.toArray(String[]::new));
    }

    static Exec whittleRun(String... args) {
        List<String> a = new ArrayList<>(List.of("run", "--rm", "--network", "none", "--pull", "never"));
        a.addAll(List.of(args));
        return whittle.run(a.toArray(String[]::new));
    }

    /** docker's message without its client's and the daemon's prefixes and the full stop its client adds. */
    static String dockerMessage(Exec e) {
        return firstLine(e)
                .replaceFirst("^docker: ", "")
                .replaceFirst("^Error response from daemon: ", "")
                .replaceFirst("\\.$", "");
    }

    static String whittleMessage(Exec e) {
        return firstLine(e).replaceFirst("^Error: ", "").replaceFirst("^whittle: ", "");
    }

    /** The first line of the message (docker's client may log "error waiting for container" before or after it). */
    static String firstLine(Exec e) {
        return e.err()
                .lines()
                .filter(l -> !l.isBlank() && !l.startsWith("time="))
                .findFirst()
                .orElse("");
    }

    // ------------------------------------------------------------------------------------------ exit codes, messages

    @Test
    void exitCodesAndMessagesAreDockers() throws IOException {
        inDocker();
        Path host = Files.createDirectories(dir.resolve("host-dir"));
        Path spaces = Files.writeString(dir.resolve("spaces.env"), "BAD KEY=1\n");
        Path noName = Files.writeString(dir.resolve("noname.env"), "A=1\n=x\n");
        Path notUtf8 = Files.write(dir.resolve("latin1.env"), new byte[] {'A', '=', (byte) 0xff, '\n'});
        List<List<String>> cases = List.of(
                List.of("whittle-it/run-nosuch:1", "true"),
                List.of("-u", "nobodyx", IMG, "true"),
                List.of("-u", "app:nogroup", IMG, "true"),
                List.of("-u", "2147483648", IMG, "true"),
                List.of("-w", "relative", IMG, "true"),
                List.of("-w", "/etc/passwd", IMG, "true"),
                List.of(IMG, "/nonexistent"),
                List.of(IMG, "nosuchcommand"),
                List.of(IMG, "/etc/passwd"),
                List.of(IMG, "sh", "-c", "exit 7"),
                List.of("--platform", "linux/arm64", IMG, "true"),
                List.of("--platform", "windows", IMG, "true"),
                List.of("--platform", "linux/amd64/v2/extra", IMG, "true"),
                List.of("--name", "-x", IMG, "true"),
                List.of("-e", "=x", IMG, "true"),
                List.of("--env-file", dir.resolve("missing.env").toString(), IMG, "true"),
                List.of("--env-file", spaces.toString(), IMG, "true"),
                List.of("--env-file", noName.toString(), IMG, "true"),
                List.of("--env-file", notUtf8.toString(), IMG, "true"),
                List.of("-v", host + ":relative", IMG, "true"),
                List.of("-v", host + ":/x:bogus", IMG, "true"),
                List.of("-v", host + ":/x:ro:extra", IMG, "true"),
                List.of("-v", host + ":/x:ro,rw", IMG, "true"),
                List.of("--mount", "type=bind,src=" + host + ",dst=/x,nokey", IMG, "true"),
                List.of("--mount", "type=bind,src=" + dir.resolve("missing-dir") + ",dst=/x", IMG, "true"),
                List.of("--mount", "type=bind,dst=/x", IMG, "true"),
                List.of("--mount", "type=bind,src=" + host, IMG, "true"),
                List.of("--mount", "type=bind,src=" + host + ",dst=relative", IMG, "true"),
                List.of("--mount", "type=bind,src=" + host + ",dst=/x,bogus=1", IMG, "true"),
                List.of("--mount", "type=bind,src=" + host + ",dst=/x,readonly=maybe", IMG, "true"),
                List.of("--mount", "type=tmpfs,src=/a,dst=/x", IMG, "true"),
                List.of("--mount", "type=tmpfs,dst=/x,tmpfs-size=abc", IMG, "true"),
                List.of("--mount", "type=tmpfs,dst=/x,tmpfs-mode=999", IMG, "true"),
                List.of("--mount", "type=foo,dst=/x", IMG, "true"),
                List.of("-it", IMG, "true"));
        for (List<String> c : cases) {
            String[] args = c.toArray(String[]::new);
            Exec d = dockerRun(args), w = whittleRun(args);
            assertThat(w.code())
                    .as("exit code of run %s\nwhittle: %s\ndocker: %s", c, w.err(), d.err())
                    .isEqualTo(d.code());
            assertThat(w.err()).as("run %s", c).doesNotContain("Exception").doesNotContain("\tat ");
            if (d.code() == 0 || d.code() == 7) continue;
            if (d.code() == 126 || d.code() == 127) {
                // docker wraps runc's words in its own ("failed to create shim task: OCI runtime create failed: ...")
                assertThat(dockerMessage(d)).as("run %s", c).contains(whittleMessage(w));
            } else {
                assertThat(whittleMessage(w)).as("run %s", c).isEqualTo(dockerMessage(d));
            }
        }
    }

    @Test
    void aMissingImageIsPulledFirstAsDockerDoes() throws IOException {
        try (LocalRegistry registry = LocalRegistry.start(new LocalRegistry.Auth.None())) {
            Path cfg = Files.writeString(
                    dir.resolve("registries.json"),
                    "{\"loopback-only\": true, \"retries\": 1, \"timeout-seconds\": 5}");
            String ref = registry.host() + "/run/busybox:1";
            Whittle source = whittle.with("--registries-config", cfg.toString());
            source.run("tag", BASE, ref).ok();
            source.run("push", ref).ok();
            Whittle fresh = new Whittle(dir.resolve("fresh-store"), List.of("--registries-config", cfg.toString()));

            Exec run = fresh.run("run", "--rm", "--network", "none", ref, "echo", "ran");
            assertThat(run.ok().out()).isEqualTo("ran\n");
            assertThat(run.err())
                    .startsWith("Unable to find image '" + ref + "' locally\n")
                    .contains("1: Pulling from run/busybox")
                    .containsPattern("Digest: sha256:[0-9a-f]{64}\n")
                    .endsWith("Status: Downloaded newer image for " + ref + "\n");
            // present now: no pull; --pull always pulls again, --pull never does not
            assertThat(fresh.run("run", "--rm", "--network", "none", ref, "echo", "again")
                            .ok()
                            .err())
                    .isEmpty();
            assertThat(fresh.run("run", "--rm", "--network", "none", "--pull", "always", ref, "echo")
                            .ok()
                            .err())
                    .doesNotContain("Unable to find image")
                    .endsWith("Status: Image is up to date for " + ref + "\n");

            Exec missing = fresh.run("run", "--rm", "--network", "none", registry.host() + "/run/nosuch:1", "echo");
            assertThat(missing.code()).isEqualTo(125);
            assertThat(missing.err())
                    .startsWith("Unable to find image '" + registry.host() + "/run/nosuch:1' locally\n")
                    .contains("Error: ")
                    .contains("run/nosuch")
                    .doesNotContain("Exception");
            assertThat(fresh.run(
                                    "run",
                                    "--rm",
                                    "--network",
                                    "none",
                                    "--pull",
                                    "never",
                                    registry.host() + "/run/nosuch:1",
                                    "true")
                            .fails(125)
                            .err())
                    .isEqualTo("Error: No such image: " + registry.host() + "/run/nosuch:1\n");
        }
    }

    /** What whittle has none of (volumes) or reads more strictly than docker 20.10's client (--pull) is refused, saying so. */
    @Test
    void volumesAndUnknownPullPoliciesAreRefusedClearly() {
        assertThat(whittleRun("-v", "data:/x", IMG, "true").fails(125).err())
                .isEqualTo(
                        "Error: whittle has no volumes: \"data\" is not a host path; use an absolute path (-v /dir:/x)\n");
        assertThat(whittleRun("-v", "/x", IMG, "true").fails(125).err())
                .startsWith("Error: whittle has no volumes: -v /x asks for an anonymous volume");
        assertThat(whittleRun("--mount", "type=volume,src=data,dst=/x", IMG, "true")
                        .fails(125)
                        .err())
                .startsWith("Error: whittle has no volumes");
        // docker 20.10's client runs with any --pull value; its successors refuse it in these words
        assertThat(whittle.run("run", "--pull", "sometimes", IMG, "true")
                        .fails(125)
                        .err())
                .isEqualTo(
                        "Error: invalid pull option: 'sometimes': must be one of \"always\", \"missing\" or \"never\"\n");
    }

    // ------------------------------------------------------------------------------------------ what the process gets

    @Test
    void environmentUserGroupsAndHostnameAreDockers() throws IOException {
        inDocker();
        Path envFile = Files.write(
                dir.resolve("vars.env"),
                ("\uFEFFB=from-file\n# a comment\n   C=  spaced value \n\nHOME\nNOT_SET_ANYWHERE_X\n" + "A=from-file\n")
                        .getBytes(StandardCharsets.UTF_8));
        String show =
                "busybox env; id; busybox grep Groups /proc/self/status; cat /etc/hostname; busybox hostname; pwd";
        List<List<String>> cases = List.of(
                List.of(),
                List.of("-u", "app"),
                List.of("-u", "1000"),
                List.of("-u", "app:staff"),
                List.of("-u", "1000:50"),
                List.of("-u", "nobody"),
                List.of("-u", "65534:1000"),
                List.of("-u", "4242"),
                List.of("-u", "4242:4243"),
                List.of("-u", "root:wheel"),
                List.of(
                        "-e",
                        "A=1",
                        "-e",
                        "FROMIMAGE=override",
                        "-e",
                        "HOSTNAME",
                        "-e",
                        "PATH=/bin",
                        "--env-file",
                        envFile.toString(),
                        "-e",
                        "A=2"),
                List.of("-e", "NOT_SET_ANYWHERE_X", "-e", "FROMIMAGE"),
                List.of("-w", "/new/work dir"),
                List.of("-t", "-e", "TERM=vt100"),
                List.of("-t"));
        for (List<String> c : cases) {
            List<String> a = new ArrayList<>(List.of("--hostname", "box"));
            a.addAll(c);
            a.addAll(List.of(IMG, "sh", "-c", show));
            Exec d = dockerRun(a.toArray(String[]::new)).ok(),
                    w = whittleRun(a.toArray(String[]::new)).ok();
            assertThat(w.out()).as("run %s", c).isEqualTo(d.out());
        }
        // without --hostname: a container ID's first 12 hex digits, in HOSTNAME and /etc/hostname alike
        String out = whittleRun(IMG, "sh", "-c", "echo $HOSTNAME; cat /etc/hostname; busybox hostname")
                .ok()
                .out();
        assertThat(out).matches("([0-9a-f]{12})\n\\1\n\\1\n");
        assertThat(dockerRun(IMG, "sh", "-c", "echo $HOSTNAME; cat /etc/hostname; busybox hostname")
                        .ok()
                        .out())
                .matches("([0-9a-f]{12})\n\\1\n\\1\n");
        // with the host's network, the host's name
        assertThat(whittle.run(
                                "run",
                                "--rm",
                                "--network",
                                "host",
                                IMG,
                                "sh",
                                "-c",
                                "busybox hostname; cat /etc/hostname")
                        .ok()
                        .out())
                .isEqualTo(
                        (Files.readString(Path.of("/proc/sys/kernel/hostname")).trim() + "\n").repeat(2));
        // a name is accepted and changes nothing
        assertThat(whittleRun("--name", "my-box_1", IMG, "echo", "named").ok().out())
                .isEqualTo("named\n");
    }

    @Test
    void mountsAreDockers() throws IOException {
        inDocker();
        Path host = Files.createDirectories(dir.resolve("mounted"));
        Files.writeString(host.resolve("f"), "from the host\n");
        String show =
                "cat /h/f; (echo x > /h/w) 2>/dev/null && echo h-rw || echo h-ro; (echo y > /h2/w2) 2>/dev/null && echo h2-rw || echo h2-ro;"
                        + " busybox grep -E ' /(h|h2|t|t2|nd|t/in) ' /proc/mounts | busybox sort; busybox stat -c '%n %a %U' /t /t2 /nd /t/in";
        List<String> results = new ArrayList<>();
        for (String who : List.of("docker", "whittle")) {
            Path created = dir.resolve("created-by-" + who);
            String[] a = {
                "-v",
                host + ":/h:ro",
                "--mount",
                "type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=1770",
                "--mount",
                "type=bind,src=" + host + ",dst=/h2",
                "--mount",
                "type=tmpfs,destination=/t2,readonly",
                "-v",
                created + ":/nd",
                "--mount",
                "type=tmpfs,dst=/t/in",
                IMG,
                "sh",
                "-c",
                show
            };
            Exec e = who.equals("docker") ? dockerRun(a) : whittleRun(a);
            results.add(e.ok().out().replace(created.toString(), "CREATED"));
            assertThat(created).as("-v makes a missing host directory").isDirectory();
        }
        assertThat(results.get(1)).isEqualTo(results.get(0)).contains("from the host\nh-ro\nh2-rw\n");
        assertThat(host.resolve("w2")).hasContent("y");
    }

    @Test
    void standardStreamsAreKeptApartAndStdinIsForwardedWithDashI() throws IOException {
        inDocker();
        Exec w = whittleRun(IMG, "sh", "-c", "echo out; echo err >&2; exit 3");
        assertThat(w.code()).isEqualTo(3);
        assertThat(w.out()).isEqualTo("out\n");
        assertThat(w.err()).isEqualTo("err\n");
        Exec d = dockerRun(IMG, "sh", "-c", "echo out; echo err >&2; exit 3");
        assertThat(List.of(d.code(), d.out(), d.err())).isEqualTo(List.of(3, "out\n", "err\n"));

        byte[] input = "line one\nline two\n".getBytes(StandardCharsets.UTF_8);
        assertThat(whittle.runWithInput(
                                input, "run", "--rm", "--network", "none", "-i", IMG, "sh", "-c", "cat; echo done")
                        .ok()
                        .out())
                .isEqualTo("line one\nline two\ndone\n");
        // without -i the container reads nothing, as in docker
        assertThat(whittle.runWithInput(input, "run", "--rm", "--network", "none", IMG, "sh", "-c", "cat; echo done")
                        .ok()
                        .out())
                .isEqualTo("done\n");
        Path in = Files.write(dir.resolve("stdin.txt"), input);
        assertThat(Exec.run(
                                "sh",
                                "-c",
                                "docker run --rm --network none --pull never -i " + IMG + " sh -c 'cat; echo done' < "
                                        + in)
                        .ok()
                        .out())
                .isEqualTo("line one\nline two\ndone\n");
        // -t without a local terminal: the container's terminal turns \n into \r\n, as docker's does
        assertThat(whittleRun("-t", IMG, "sh", "-c", "echo hi; tty").ok().out())
                .isEqualTo(dockerRun("-t", IMG, "sh", "-c", "echo hi; tty").ok().out())
                .isEqualTo("hi\r\n/dev/pts/0\r\n");
    }

    /** `whittle run IMAGE yes | head -2` ends: once whittle cannot write on, the container's writes fail too, as in a pipeline. */
    @Test
    void aRunWhoseOutputIsClosedEnds() {
        for (String flag : List.of("--interactive", "--tty")) {
            String cmd =
                    WhittleProcess.command(
                                    whittle.root(), "run", "--rm", "--network", "none", flag, IMG, "busybox", "yes")
                            .stream()
                            .map(RunCommandTest::shellQuote)
                            .collect(Collectors.joining(" "));
            long start = System.nanoTime();
            // (a whittle that never ends is stopped by timeout's SIGTERM, which it passes on: nothing is left running)
            Exec e = Exec.run(List.of("sh", "-c", "timeout 60 " + cmd + " </dev/null | head -n 2"), null, 120);
            assertThat(e.out()).isEqualTo(flag.equals("--tty") ? "y\r\ny\r\n" : "y\ny\n");
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start))
                    .as("seconds until whittle ended")
                    .isLessThan(30);
        }
    }

    // ------------------------------------------------------------------------------------------ a terminal, signals

    /** `run -it IMAGE sh` in a real pseudo-terminal (util-linux script): type, read back, Ctrl-C, exit code, terminal restored. */
    @Test
    void anInteractiveShellInARealTerminal() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Exec.available("script"), "script (util-linux) is not installed");
        String whittleCmd =
                WhittleProcess.command(whittle.root(), "run", "--rm", "--network", "none", "-it", IMG, "sh").stream()
                        .map(RunCommandTest::shellQuote)
                        .collect(Collectors.joining(" "));
        String session = "stty rows 33 cols 101; echo \"OUTER=$(tty)\"; before=$(stty -g); " + whittleCmd
                + "; echo \"EXIT=$?\";" + " [ \"$(stty -g)\" = \"$before\" ] && echo TERMINAL-RESTORED";
        Process p = new ProcessBuilder("script", "-q", "-e", "-c", session, "/dev/null")
                .redirectErrorStream(true)
                .start();
        try (OutputStream keys = p.getOutputStream();
                InputStream screen = p.getInputStream()) {
            StringBuilder seen = new StringBuilder();
            awaitScreen(screen, seen, "/srv # ");
            keys.write("echo $((6*7)) $(busybox stty size) $(tty) $TERM\r".getBytes(StandardCharsets.UTF_8));
            keys.flush();
            awaitScreen(screen, seen, "42 33 101 /dev/pts/0 xterm");
            // the local terminal is resized: whittle gets SIGWINCH and resizes the container's
            String outer = seen.toString().replaceAll("(?s).*OUTER=(\\S+).*", "$1");
            Exec.run("stty", "-F", outer, "rows", "40", "cols", "120").ok();
            keys.write("echo resized to $(busybox stty size)\r".getBytes(StandardCharsets.UTF_8));
            keys.flush();
            awaitScreen(screen, seen, "resized to 40 120");
            // Ctrl-C reaches the container's terminal (raw mode here): it interrupts the shell's command, not whittle
            keys.write("busybox sleep 60; echo not-interrupted\r".getBytes(StandardCharsets.UTF_8));
            keys.flush();
            Thread.sleep(1000);
            keys.write(3);
            keys.flush();
            awaitScreen(screen, seen, "^C");
            keys.write("echo still-here\r".getBytes(StandardCharsets.UTF_8));
            keys.flush();
            awaitScreen(screen, seen, "still-here\r\n/srv # ");
            keys.write("exit 3\r".getBytes(StandardCharsets.UTF_8));
            keys.flush();
            awaitScreen(screen, seen, "TERMINAL-RESTORED");
            assertThat(seen.toString()).contains("EXIT=3").doesNotContainPattern("(?m)^not-interrupted");
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        assertNothingLeft(whittle.root());
    }

    /** Reads what the terminal shows until {@code text} appears (30 s at most). */
    static void awaitScreen(InputStream screen, StringBuilder seen, String text)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        byte[] b = new byte[4096];
        while (!seen.toString().contains(text)) {
            if (System.nanoTime() > deadline)
                throw new AssertionError("the terminal never showed " + text + ":\n" + seen);
            if (screen.available() == 0) {
                Thread.sleep(20);
                continue;
            }
            int n = screen.read(b);
            if (n < 0) throw new AssertionError("the terminal closed before showing " + text + ":\n" + seen);
            seen.append(new String(b, 0, n, StandardCharsets.UTF_8));
        }
    }

    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** SIGINT and SIGTERM to whittle go to the container as docker's client sends them; the outcome is the container's. */
    @Test
    void signalsToWhittleGoToTheContainerAsWithDocker() throws Exception {
        inDocker();
        String trap =
                "trap 'echo got-int; exit 3' INT; trap 'echo got-term; exit 4' TERM; echo ready; busybox sleep 60 & wait";
        String plain = "echo ready; busybox sleep 60 & wait";
        int n = 0;
        // (a plain sh has a handler for SIGINT, none for SIGTERM: see the next test for that case)
        for (String[] c : new String[][] {{trap, "INT"}, {trap, "TERM"}, {plain, "INT"}}) {
            n++;
            WhittleProcess d = WhittleProcess.startProgram(
                    List.of(
                            DockerDaemon.DOCKER,
                            "run",
                            "--rm",
                            "--network",
                            "none",
                            "--pull",
                            "never",
                            IMG,
                            "sh",
                            "-c",
                            c[0]),
                    dir.resolve("docker-signal-" + n + ".log"));
            WhittleProcess w = WhittleProcess.start(
                    whittle.root(),
                    dir.resolve("whittle-signal-" + n + ".log"),
                    "run",
                    "--rm",
                    "--network",
                    "none",
                    IMG,
                    "sh",
                    "-c",
                    c[0]);
            for (WhittleProcess p : List.of(d, w)) {
                p.awaitOutput(Pattern.compile("(?m)^ready$"));
                p.signal(c[1]);
            }
            int dockerCode = d.waitFor(), whittleCode = w.waitFor();
            assertThat(whittleCode).as("%s to %s", c[1], c[0]).isEqualTo(dockerCode);
            assertThat(w.output()).as("%s to %s", c[1], c[0]).isEqualTo(d.output());
        }
        assertNothingLeft(whittle.root());
    }

    /**
     * A signal the container's init has no handler for is dropped by the kernel (a PID namespace's init is immune to
     * it), so docker's client leaves `docker run IMAGE sleep 60` running on Ctrl-C. whittle kills it instead and exits
     * as the signal would have ended it (130 for SIGINT): there is no container to come back to.
     */
    @Test
    void ctrlCStopsAContainerWhoseInitIgnoresIt() throws Exception {
        for (String[] c : new String[][] {{"INT", "130"}, {"TERM", "143"}}) {
            WhittleProcess w = WhittleProcess.start(
                    whittle.root(),
                    dir.resolve("sleep-" + c[0] + ".log"),
                    "run",
                    "--rm",
                    "--network",
                    "none",
                    IMG,
                    "sh",
                    "-c",
                    "echo ready; exec busybox sleep 60");
            w.awaitOutput(Pattern.compile("(?m)^ready$"));
            Thread.sleep(300); // the exec is done: the init is busybox sleep now
            long start = System.nanoTime();
            w.signal(c[0]);
            assertThat(w.waitFor()).isEqualTo(Integer.parseInt(c[1]));
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start))
                    .isLessThan(10);
        }
        assertNothingLeft(whittle.root());
    }

    /** A whittle killed while its container runs (with or without a terminal) leaves nothing the next command keeps. */
    @Test
    void aKilledRunLeavesNothingTheNextCommandDoesNotRemove() throws Exception {
        for (String flag : List.of("--tty", "--interactive")) {
            WhittleProcess w = WhittleProcess.start(
                    whittle.root(),
                    dir.resolve("killed" + flag + ".log"),
                    "run",
                    "--rm",
                    "--network",
                    "none",
                    flag,
                    IMG,
                    "sh",
                    "-c",
                    "echo ready; busybox sleep 60");
            w.awaitOutput(Pattern.compile("(?m)^ready\\r?$"));
            w.kill9();
            assertThat(whittle.run("system", "fsck").code())
                    .as("fsck names what the killed run left")
                    .isEqualTo(1);
            whittle.run("images").ok();
            assertNothingLeft(whittle.root());
            assertThat(Exec.run("sh", "-c", "ps -eo args | grep -c '[b]usybox sleep 60' || true")
                            .out()
                            .trim())
                    .isEqualTo("0");
        }
    }

    /** No container, mount, console socket or temp directory of the store's is left. */
    static void assertNothingLeft(Path root) throws IOException {
        dev.whittle.store.Store store = dev.whittle.store.Store.open(root);
        try {
            for (Path d : List.of(
                    dev.whittle.sandbox.Runc.stateRoot(store),
                    dev.whittle.sandbox.ConsoleSocket.socketDir(store),
                    store.tempDir())) {
                if (!Files.isDirectory(d)) continue;
                try (Stream<Path> s = Files.list(d)) {
                    assertThat(s.toList()).as("left in %s", d).isEmpty();
                }
            }
        } finally {
            store.close();
        }
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(root + "/");
    }
}
