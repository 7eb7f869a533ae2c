package dev.whittle.it;

import static dev.whittle.it.DockerDaemon.docker;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Small Dockerfiles built by Docker's BuildKit (Engine 20.10) and by whittle from the same busybox base: the file
 * trees, configs, history and sizes must be the same.
 */
@Tag("docker")
class BuildDifferentialTest {
    static final String BASE = "whittle-it/busybox:1";

    @TempDir
    static Path dir;

    static Whittle whittle;
    static int seq;

    @BeforeAll
    static void base() throws IOException {
        DockerDaemon.require();
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.whittle.sandbox.Runc.available(), "runc is not installed");
        whittle = new Whittle(dir.resolve("store"));
        importBoth(
                whittle,
                RootFs.busybox(dir),
                BASE,
                "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "CMD [\"/bin/sh\"]");
    }

    /** Imports a root filesystem tar as the same image into Docker and into whittle's store. */
    static void importBoth(Whittle whittle, Path rootfs, String tag, String... changes) {
        List<String> d = new ArrayList<>(List.of("import"));
        for (String c : changes) d.addAll(List.of("-c", c));
        d.addAll(List.of(rootfs.toString(), tag));
        docker(d.toArray(String[]::new)).ok();
        whittle.run(d.toArray(String[]::new)).ok();
    }

    /** Builds the case with both and compares everything observable. */
    static void same(String dockerfile, Map<String, String> files, String... buildFlags) throws IOException {
        Path ctx = new Case(dockerfile, files, buildFlags).writeContext(dir.resolve("case" + (++seq)));
        compare(whittle, dir, ctx, "whittle-it/diff" + seq, buildFlags);
    }

    /**
     * Builds a context directory with Docker's BuildKit and with whittle (into {@code whittle}'s store, export tars
     * under {@code work}) and compares config, history with sizes, and the exported file trees.
     */
    static void compare(Whittle whittle, Path work, Path ctx, String tag, String... buildFlags) throws IOException {
        compare(whittle, work, ctx, tag, List.of(), buildFlags);
    }

    /** As above, with flags only whittle gets ({@code --check=warn} for images without a command). */
    static void compare(
            Whittle whittle, Path work, Path ctx, String tag, List<String> whittleFlags, String... buildFlags)
            throws IOException {
        compare(whittle, work, ctx, tag, whittleFlags, java.util.Set.of(), buildFlags);
    }

    /**
     * As above; {@code dockerStubs} are the empty mount-point directories Engine 20.10's BuildKit leaves in a RUN's
     * layer (the targets of {@code RUN --mount}), which whittle removes as newer BuildKit does (docs/differences.md).
     */
    static void compare(
            Whittle whittle,
            Path work,
            Path ctx,
            String tag,
            List<String> whittleFlags,
            java.util.Set<String> dockerStubs,
            String... buildFlags)
            throws IOException {
        List<String> dk = new ArrayList<>(List.of(
                "env", "DOCKER_BUILDKIT=1", DockerDaemon.DOCKER, "build", "--network", "none", "-q", "-t", tag));
        dk.addAll(List.of(buildFlags));
        dk.add(ctx.toString());
        Exec.run(dk).ok();
        List<String> wt = new ArrayList<>(List.of("build", "--progress", "plain", "-t", tag));
        wt.addAll(whittleFlags);
        wt.addAll(List.of(buildFlags));
        wt.add(ctx.toString());
        Exec built = whittle.run(wt.toArray(String[]::new));
        assertThat(built.code()).as(built.err()).isZero();

        String cfg =
                "{{json .Config.Env}} {{json .Config.Cmd}} {{json .Config.Entrypoint}} {{json .Config.WorkingDir}} {{json .Config.ExposedPorts}} "
                        + "{{json .Config.User}} {{json .Config.Labels}} {{json .Config.Volumes}} {{json .Config.Healthcheck}} {{json .Config.Shell}} "
                        + "{{json .Config.StopSignal}} {{json .Config.OnBuild}} {{len .RootFS.Layers}} {{.Size}}";
        assertThat(whittle.run("inspect", "--format", cfg, tag).ok().out())
                .as("config")
                .isEqualTo(docker("inspect", "--format", cfg, tag).ok().out());
        String h = "{{.CreatedBy}}|{{.Size}}|{{.Comment}}";
        assertThat(whittle.run("history", "--no-trunc", "--format", h, tag).ok().out())
                .as("history")
                .isEqualTo(
                        docker("history", "--no-trunc", "--format", h, tag).ok().out());
        String name = tag.replaceAll("[^A-Za-z0-9]", "-");
        Path ours = work.resolve("w-" + name + ".tar"), theirs = work.resolve("d-" + name + ".tar");
        whittle.run("export", "-o", ours.toString(), tag).ok();
        // a command of its own: docker create refuses an image without one (FROM scratch), and nothing runs it
        String id =
                docker("create", "--network", "none", tag, "/none").ok().out().trim();
        try {
            docker("export", "-o", theirs.toString(), id).ok();
        } finally {
            docker("rm", id);
        }
        TreeMap<String, String> w = TreeListing.of(ours, p -> false), d = TreeListing.of(theirs, p -> false);
        // docker create makes /etc for its placeholder files in an image that has none (FROM scratch)
        if (!w.containsKey("etc") && "dir 755 0:0 0  ".equals(d.get("etc"))) d.remove("etc");
        for (String stub : dockerStubs) {
            assertThat(d.remove(stub)).as("Docker's mount stub " + stub).isEqualTo("dir 755 0:0 0  ");
        }
        assertThat(TreeListing.diff(w, d)).as("file tree").isEmpty();
        docker("rmi", tag);
    }

    /**
     * A case's Dockerfile (BASE stands for the busybox base), its context's files and its build flags: one value, so
     * that RootlessTest builds the same cases as a user.
     */
    record Case(String dockerfile, Map<String, String> files, List<String> flags) {
        Case(String dockerfile, Map<String, String> files, String... flags) {
            this(dockerfile, files, List.of(flags));
        }

        /** The context directory: the Dockerfile on {@link #BASE} and the files. */
        Path writeContext(Path ctx) throws IOException {
            Files.createDirectories(ctx);
            Files.writeString(ctx.resolve("Dockerfile"), dockerfile.replace("BASE", BASE));
            for (Map.Entry<String, String> f : files.entrySet()) {
                if (f.getKey().equals(".__copy__")) {
                    Path src = Path.of(f.getValue());
                    Files.copy(src, ctx.resolve(src.getFileName()));
                    continue;
                }
                Path p = ctx.resolve(f.getKey());
                Files.createDirectories(p.getParent());
                Files.writeString(p, f.getValue(), StandardCharsets.UTF_8);
            }
            return ctx;
        }
    }

    static void same(Case c) throws IOException {
        same(c.dockerfile(), c.files(), c.flags().toArray(String[]::new));
    }

    static Map<String, String> files(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    // RUNs that change only the mtime of / within one second give byte-identical layers, the same diffID twice
    static final Case IDENTICAL_LAYERS = new Case("""
            FROM BASE
            RUN touch foo && echo a > a && echo a > b
            RUN test -f foo
            RUN busybox cmp a b
            RUN echo ok > /ok
            """, files());

    @Test
    void stepsWhoseLayersComeOutIdenticalAreRunOnAndTheImageRuns() throws IOException {
        same(IDENTICAL_LAYERS);
        assertThat(whittle.run("run", "--rm", "whittle-it/diff" + seq, "cat", "/ok")
                        .ok()
                        .out())
                .isEqualTo("ok\n");
    }

    static final Case PROXY_ARGS = new Case(
            """
            FROM BASE
            ARG NO_PROXY
            RUN echo "$HTTP_PROXY|$https_proxy|$NO_PROXY|$OTHER" > /seen
            """,
            files(),
            "--build-arg",
            "HTTP_PROXY=http://proxy.invalid:3128",
            "--build-arg",
            "https_proxy=http://p2.invalid:1",
            "--build-arg",
            "NO_PROXY=localhost",
            "--build-arg",
            "OTHER=x");

    @Test
    void proxyArgsReachRunWithoutAnArgAndStayOutOfHistoryAndConfig() throws IOException {
        same(PROXY_ARGS);
        assertThat(whittle.run("run", "--rm", "whittle-it/diff" + seq, "cat", "/seen")
                        .ok()
                        .out())
                .isEqualTo("http://proxy.invalid:3128|http://p2.invalid:1|localhost|\n");
    }

    @Test
    void wordListInstructionsExpandBeforeTheySplit() throws IOException {
        same("""
                FROM BASE
                ARG PORTS="3000 4000/udp"
                ENV VOLS="/data /logs"
                EXPOSE $PORTS 5000
                VOLUME $VOLS
                VOLUME ["$VOLS"]
                """, files());
    }

    static final Case ESCAPED_ESCAPE =
            new Case("FROM BASE\nENV C trailing\\\\\nLABEL x=1\nRUN echo \"$C\" > /c\n", files());

    @Test
    void aLineEndingInAnEscapedEscapeIsNotContinued() throws IOException {
        same(ESCAPED_ESCAPE);
    }

    static final Case LABELS = new Case(
            "FROM BASE\nLABEL a=dockerfile keep=1\nRUN echo x > /x\n", files(), "--label", "a=flag", "--label", "b=2");

    @Test
    void labelsFromTheCommandLineOverTheDockerfiles() throws IOException {
        same(LABELS);
    }

    static final Case WHITEOUTS = new Case("""
            FROM BASE
            RUN mkdir -p /data/sub /gone && echo a > /data/a && echo b > /data/sub/b && echo g > /gone/g
            RUN rm -rf /gone /data/sub /etc/group && echo more > /data/more
            RUN rm -rf /data && mkdir /data && echo fresh > /data/fresh
            """, files());

    @Test
    void whiteoutsAndReplacedDirectories() throws IOException {
        same(WHITEOUTS);
    }

    static final Case LINKS_AND_SETUID = new Case("""
            FROM BASE
            RUN mkdir /x && echo data > /x/f && ln /x/f /x/hard && ln -s f /x/soft && ln -s /nowhere /x/dangling \
                && cp /bin/busybox /x/suid && chmod 4755 /x/suid && chmod 2711 /x && touch /x/sticky && chmod 1644 /x/sticky
            """, files());

    @Test
    void hardlinksSymlinksAndSetuid() throws IOException {
        same(LINKS_AND_SETUID);
    }

    static final Case LONG_AND_UNICODE_NAMES = new Case(
            """
            FROM BASE
            COPY . /ctx/
            RUN touch "/ctx/été-日本-$(echo 😀)" && mkdir -p /ctx/$(printf 'z%.0s' $(seq 1 150))
            """,
            files("d/" + "x".repeat(120) + "/" + "y".repeat(110) + ".txt", "long", "données/ünïcödé.txt", "unicode"));

    @Test
    void longAndUnicodeNames() throws IOException {
        same(LONG_AND_UNICODE_NAMES);
    }

    static final Case COPY_RULES =
            new Case("""
            FROM BASE
            COPY a.txt /single
            COPY a.txt b.txt /multi/
            COPY *.txt /wild/
            COPY dir /contents
            COPY dir/ /trailing/
            COPY --chown=nobody:nobody --chmod=600 a.txt /owned
            COPY --chown=65534 dir /owned-dir
            WORKDIR /wd
            COPY a.txt .
            COPY a.txt rel/
            COPY nomatch* /nothing/
            """, files("a.txt", "a", "b.txt", "b", "dir/c.txt", "c", "dir/sub/d.txt", "d"));

    @Test
    void copyRulesChownChmodAndWildcards() throws IOException {
        same(COPY_RULES);
    }

    static final Case WORKDIR_USER_ARGS = new Case("""
            FROM BASE
            ARG V=one
            ENV E=$V-env
            WORKDIR /a
            WORKDIR b
            WORKDIR ../c
            ARG V=two
            ENV V=from-env
            RUN echo "$V $E $(pwd)" > out && id > /tmp/root-id
            USER nobody
            RUN id > /tmp/nobody-id
            USER root:root
            LABEL v=$V e=$E
            """, files(), "--build-arg", "V=cli");

    @Test
    void workdirChainsUserAndArgEnvInterplay() throws IOException {
        same(WORKDIR_USER_ARGS);
    }

    @Test
    void metadataInstructionsAndEntrypointResettingCmd() throws IOException {
        same("""
                FROM BASE
                CMD ["inherited"]
                EXPOSE 80 443/tcp 53/udp 8000-8002
                VOLUME /data ["/logs"]
                STOPSIGNAL SIGINT
                HEALTHCHECK --interval=30s --timeout=5s --retries=4 CMD wget -q -O- localhost || exit 1
                SHELL ["/bin/sh", "-ec"]
                ENTRYPOINT echo shell-form
                LABEL "multi word"="value with spaces" other=1
                MAINTAINER someone
                """, files());
    }

    /** The parent image of {@link #ONBUILD}, tagged {@code whittle-it/onbuild:1}. */
    static final String ONBUILD_PARENT =
            "FROM BASE\nONBUILD RUN echo triggered > /triggered\nONBUILD ENV FROM_TRIGGER=1\n";

    static final Case ONBUILD = new Case("""
            FROM whittle-it/onbuild:1 AS child
            RUN cat /triggered
            FROM BASE AS unused
            RUN exit 1
            FROM BASE AS final
            COPY --from=whittle-it/onbuild:1 /bin/busybox /bb
            COPY --from=child /triggered /t
            """, files(), "--target", "final");

    @Test
    void onbuildCopyFromImageAndTarget() throws IOException {
        docker("rmi", "-f", "whittle-it/onbuild:1");
        Path p = Files.createDirectories(dir.resolve("onbuild"));
        Files.writeString(p.resolve("Dockerfile"), ONBUILD_PARENT.replace("BASE", BASE));
        Exec.run(List.of(
                        "env",
                        "DOCKER_BUILDKIT=1",
                        DockerDaemon.DOCKER,
                        "build",
                        "-q",
                        "-t",
                        "whittle-it/onbuild:1",
                        p.toString()))
                .ok();
        whittle.run("build", "-q", "-t", "whittle-it/onbuild:1", p.toString()).ok();
        same(ONBUILD);
    }

    @Test
    void addOfALocalTarAndDockerignore() throws IOException {
        Path tar = dir.resolve("archive-src");
        Files.createDirectories(tar.resolve("inner"));
        Files.writeString(tar.resolve("inner/file.txt"), "from the archive");
        Path ctxFiles = dir.resolve("add-ctx");
        Files.createDirectories(ctxFiles);
        Exec.run("tar", "-czf", ctxFiles.resolve("bundle.tgz").toString(), "-C", tar.toString(), "inner")
                .ok();
        Map<String, String> f = files(
                ".dockerignore",
                "*.log\n!keep.log\nsecret/\n",
                "a.log",
                "x",
                "keep.log",
                "y",
                "secret/key",
                "k",
                "ok.txt",
                "ok");
        same("""
                FROM BASE
                COPY . /ctx/
                ADD bundle.tgz /unpacked/
                ADD ok.txt /added.txt
                """, withBinary(f, ctxFiles.resolve("bundle.tgz")));
    }

    private static Map<String, String> withBinary(Map<String, String> f, Path tgz) {
        // the case directory is made by same(): the tarball is copied in by a tiny Dockerfile-less trick
        Map<String, String> m = new LinkedHashMap<>(f);
        m.put(".__copy__", tgz.toString());
        return m;
    }
}
