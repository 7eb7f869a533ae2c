package dev.whittle.it;

import static dev.whittle.it.DockerDaemon.docker;
import static dev.whittle.it.Ported.tdir;
import static dev.whittle.it.Ported.tfile;
import static dev.whittle.it.Ported.thard;
import static dev.whittle.it.Ported.tlink;
import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.it.Ported.Ctx;
import dev.whittle.it.Ported.Exported;
import dev.whittle.it.Ported.Member;
import dev.whittle.tar.TarEntry;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BuildKit's own Dockerfile integration tests (moby/buildkit frontend/dockerfile/dockerfile*_test.go) about COPY,
 * ADD of local files and archives, WORKDIR, .dockerignore, symlinks, --chown/--chmod and wildcards, ported. Where
 * Docker 20.10's BuildKit can build the case, whittle's image is compared with Docker's (config, history, file tree:
 * {@link BuildDifferentialTest#compare}); cases only newer BuildKit can build assert what the upstream test asserts.
 * Each test names the upstream function it ports; the upstream Dockerfiles are kept, with busybox's applets spelled
 * out where the base here lacks them.
 */
@Tag("docker")
class BuildKitPortedTest {
    /** busybox with more applets and users than {@link BuildDifferentialTest}'s base. */
    static final String BASE = "whittle-it/bkport-busybox:1";
    /** The same root file system, but a config without PATH (as images imported without ENV have). */
    static final String NOPATH = "whittle-it/bkport-nopath:1";
    /**
     * A merged-/usr layout: {@code /lib -> usr/lib}, {@code /var/run -> /run}, a relative link inside /usr/lib and
     * links whose targets do not exist.
     */
    static final String MERGED = "whittle-it/bkport-merged:1";

    @TempDir
    static Path dir;

    static Whittle whittle;

    @BeforeAll
    static void bases() throws IOException {
        DockerDaemon.require();
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.whittle.sandbox.Runc.available(), "runc is not installed");
        whittle = new Whittle(dir.resolve("store"));
        port = new Ported(whittle, dir, "whittle-it/bkport", Map.of("BASE", BASE, "NOPATH", NOPATH, "MERGED", MERGED));
        List<String> applets = new ArrayList<>(RootFs.APPLETS);
        applets.addAll(List.of(
                "chown",
                "cp",
                "cmp",
                "head",
                "sha256sum",
                "test",
                "[",
                "sort",
                "xargs",
                "awk",
                "wc",
                "grep",
                "readlink"));
        String passwd = RootFs.PASSWD + "daemon:x:1:1:daemon:/usr/sbin:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n";
        String group = RootFs.GROUP + "daemon:x:1:\nuser:x:1000:\n";
        List<TarEntry> usrBin = List.of(
                TarEntry.dir("usr", 0755, 1700000000),
                TarEntry.dir("usr/bin", 0755, 1700000000),
                TarEntry.symlink("usr/bin/env", "/bin/busybox", 1700000000));
        Path plain = RootFs.busybox(dir, "bkport-rootfs.tar", applets, passwd, group, usrBin);
        String path = "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                cmd = "CMD [\"/bin/sh\"]";
        BuildDifferentialTest.importBoth(whittle, plain, BASE, path, cmd);
        BuildDifferentialTest.importBoth(whittle, plain, NOPATH, "ENV FOO=bar", cmd);
        List<TarEntry> merged = new ArrayList<>(usrBin);
        merged.addAll(List.of(
                TarEntry.dir("usr/lib", 0755, 1700000000),
                TarEntry.symlink("lib", "usr/lib", 1700000000),
                TarEntry.dir("run", 0755, 1700000000),
                TarEntry.dir("var", 0755, 1700000000),
                TarEntry.symlink("var/run", "/run", 1700000000),
                TarEntry.symlink("usr/lib/rel", "../../etc", 1700000000),
                TarEntry.symlink("dangling", "/nonexistent/dir", 1700000000),
                TarEntry.symlink("danglingfile", "/nowhere", 1700000000),
                TarEntry.symlink("filelink", "/etc/group", 1700000000)));
        BuildDifferentialTest.importBoth(
                whittle, RootFs.busybox(dir, "bkport-merged.tar", applets, passwd, group, merged), MERGED, path, cmd);
    }

    // ------------------------------------------------------------------------------------------ helpers (Ported)

    static Ported port;

    static Ctx ctx() throws IOException {
        return port.ctx();
    }

    static String tag() {
        return port.tag();
    }

    static void same(Ctx c, String... flags) throws IOException {
        port.same(c, flags);
    }

    static void bothFail(Ctx c, String message, String... flags) {
        port.bothFail(c, message, flags);
    }

    static Exec whittleBuild(Ctx c, String... flags) {
        return port.whittleBuild(c, flags);
    }

    static Exported whittleOnly(Ctx c, String... flags) throws IOException {
        return port.whittleOnly(c, flags);
    }

    static Exported exported(String image) throws IOException {
        return port.exported(image);
    }

    // ------------------------------------------------------------------------------------------ symlinked destinations

    /** Ports testSymlinkDestination (dockerfile_core_test.go): a destination through a relative link to nothing yet. */
    @Test
    void copyIntoADanglingRelativeSymlinkCreatesItsTarget() throws IOException {
        same(ctx().dockerfile("""
                FROM scratch
                ADD t.tar /
                COPY foo /symlink/
                """)
                .file("foo", "content0", 0600)
                .tar("t.tar", tlink("symlink", "../tmp/symlink-target")));
    }

    @Test
    void copyAndWorkdirFollowSymlinkedDirectoriesOfTheBaseImage() throws IOException {
        same(ctx().dockerfile("""
                FROM MERGED
                COPY a.txt /lib/
                COPY a.txt /var/run/x
                COPY d /lib/d2
                COPY a.txt /lib
                COPY a.txt /dangling/
                COPY a.txt /danglingfile
                COPY a.txt /filelink
                COPY a.txt /lib/rel/viarel
                COPY --chown=nobody a.txt /var/run/deeper/new/
                WORKDIR /var/run/wd
                COPY a.txt .
                WORKDIR /lib/sub
                COPY a.txt relative
                """).file("a.txt", "a\n").file("d/c.txt", "c\n").file("d/e/f.txt", "f\n"));
    }

    @Test
    void symlinksMadeByEarlierStepsAreFollowedToo() throws IOException {
        same(ctx().dockerfile("""
                FROM BASE
                RUN mkdir -p /opt/real /srv && ln -s /opt/real /srv/abs && ln -s ../opt/real /rel
                COPY links/ /
                COPY a.txt /srv/abs/
                COPY a.txt /rel/b.txt
                COPY a.txt /mylink/c.txt
                WORKDIR /mylink/wd
                COPY a.txt /srv/abs/new/dir/
                """).file("a.txt", "a\n").link("links/mylink", "/opt/real"));
    }

    @Test
    void addOfAnArchiveGoesThroughSymlinkedDirectoriesUnlessAnEntryNamesTheLinkItself() throws IOException {
        same(ctx().dockerfile("""
                FROM MERGED
                ADD p.tar /
                ADD q.tar /
                ADD r.tar /var/run/sub/
                """)
                .tar(
                        "p.tar",
                        tdir("var/run/act/"),
                        tfile("var/run/act/f", "hello"),
                        thard("var/run/act/h", "var/run/act/f"),
                        tfile("lib/fromtar", "lib"),
                        tfile("lib/rel/through-relative", "rel"))
                .tar("q.tar", tdir("lib/"), tfile("lib/q", "q"))
                .tar("r.tar", tfile("abs/../x", "x"), tlink("inner", "/"), tfile("inner/y", "y")));
    }

    /**
     * Links that point above the root, or at it, resolve inside the image (the root is its own parent), for COPY,
     * WORKDIR and an archive's entries alike: nothing lands outside the image, as in Docker.
     */
    @Test
    void destinationLinksOutOfTheRootStayInsideIt() throws IOException {
        same(ctx().dockerfile("""
                FROM BASE
                RUN ln -s ../../../../.. /escape && ln -s / /abs && mkdir /d && ln -s ../../.. /d/up && ln -s /etc/../.. /dots
                COPY a.txt /escape/x
                COPY a.txt /d/up/tmp/y
                COPY a.txt /dots/
                WORKDIR /abs/escape/wd
                ADD t.tar /abs/
                """)
                .file("a.txt", "a")
                .tar("t.tar", tfile("escape/from-tar", "t"), tlink("inner", "../../.."), tfile("inner/deeper", "d")));
    }

    /** Ports testDockerfileAddArchiveThroughAbsoluteSymlink (dockerfile_add_test.go, moby/moby#53258). */
    @Test
    void addOfAnArchiveThroughAnAbsoluteSymlink() throws IOException {
        Ctx c = ctx().dockerfile("""
                FROM scratch
                ADD rootfs.tar /
                ADD payload.tar /
                """)
                .tar("rootfs.tar", tdir("run/"), tdir("var/"), tlink("var/run", "/run"))
                .tar(
                        "payload.tar",
                        tdir("var/run/act/"),
                        tdir("var/run/act/actions/"),
                        tdir("var/run/act/actions/broad/"),
                        tdir("var/run/act/actions/broad/.git/"),
                        tfile("var/run/act/actions/broad/.git/HEAD", "ref: refs/heads/main\n"),
                        thard("var/run/act/actions/broad/.git/HEAD.link", "var/run/act/actions/broad/.git/HEAD"));
        same(c);
        whittleBuild(c).ok();
        Exported e = exported(tag());
        assertThat(e.text("run/act/actions/broad/.git/HEAD")).isEqualTo("ref: refs/heads/main\n");
        assertThat(e.entry("var/run").type()).isEqualTo(TarEntry.Type.SYMLINK);
    }

    @Test
    void copyingADirectoryOntoASymlinkFailsAsInBuildKit() throws IOException {
        bothFail(ctx().dockerfile("""
                FROM MERGED
                COPY tree/ /
                """).file("tree/lib/x", "x"), "cannot copy to non-directory: /lib");
    }

    // ------------------------------------------------------------------------------------------ wildcards

    /** Ports testCopyWildcards (dockerfile_copy_test.go): among others, a single match to a file name. */
    @Test
    void copyWildcards() throws IOException {
        same(ctx().dockerfile("""
                FROM scratch AS base
                COPY *.go /gofiles/
                COPY f*.go foo2.go
                COPY sub/* /subdest/
                COPY sub/*/dir2/foo /subdest2/
                COPY sub/*/dir2/foo /subdest3/bar
                COPY . all/
                COPY sub/dir1/ subdest4
                COPY sub/dir1/. subdest5
                COPY sub/dir1 subdest6
                """)
                .file("foo.go", "foo-contents", 0600)
                .file("bar.go", "bar-contents", 0600)
                .dir("sub", 0700)
                .dir("sub/dir1", 0700)
                .dir("sub/dir1/dir2", 0700)
                .file("sub/dir1/dir2/foo", "foo-contents", 0600));
    }

    /** Ports testDockerfileAddArchiveWildcard (dockerfile_add_test.go): two archives into a destination without '/'. */
    @Test
    void addArchiveWildcard() throws IOException {
        same(ctx().dockerfile("""
                FROM scratch
                ADD *.tar /dest
                """).tar("t.tar", tfile("foo", "content0")).tar("b.tar", tfile("bar", "content1")));
    }

    @Test
    void aWildcardWithOneMatchOrSeveralSourcesCopyAsBuildKitDoes() throws IOException {
        same(ctx().dockerfile("""
                FROM BASE
                COPY target/*.jar app.jar
                ADD *.tgz /unpacked
                COPY a.txt b.txt /multi
                COPY dir a.txt /mixed
                COPY b.txt a.txt /existing-dir
                COPY nomatch* a.txt /alone
                """)
                .file("target/app-1.0.jar", "jar")
                .file("target/app-1.0.pom", "pom")
                .tgz("one.tgz", tfile("in/x", "x"))
                .file("a.txt", "a")
                .file("b.txt", "b")
                .file("dir/c", "c")
                .dir("existing-dir", 0755));
    }

    /** Ports testEmptyWildcard (dockerfile_copy_test.go). */
    @Test
    void emptyWildcard() throws IOException {
        same(ctx().dockerfile("""
                FROM scratch
                COPY foo nomatch* /
                """).file("foo", "contents0", 0600));
    }

    /** Ports testCopyWildcardCache (dockerfile_copy_test.go): a wildcard's cache key is its matches' content. */
    @Test
    void copyWildcardCache() throws IOException {
        Ctx c = ctx().dockerfile("""
                FROM BASE AS base
                COPY foo* files/
                RUN head -c 100 /dev/urandom | sha256sum > unique
                COPY bar files/
                FROM scratch
                COPY --from=base unique /
                """)
                .file("foo1", "foo1-data", 0600)
                .file("foo2", "foo2-data", 0600)
                .file("bar", "bar-data", 0600);
        String first = whittleOnly(c).text("unique");
        c.file("bar", "bar-data-mod", 0600);
        assertThat(whittleOnly(c).text("unique")).isEqualTo(first);
        c.file("foo2", "foo2-data-mod", 0600);
        assertThat(whittleOnly(c).text("unique")).isNotEqualTo(first);
    }

    /** Ports testWildcardRenameCache (BuildKit 0.8's dockerfile_test.go): a renamed match is not a cache hit. */
    @Test
    void wildcardRenameCache() throws IOException {
        Ctx c = ctx().dockerfile("""
                FROM BASE
                COPY file* /files/
                RUN ls /files/file1
                """).file("file1", "foo", 0600);
        whittleBuild(c).ok();
        Files.move(c.root().resolve("file1"), c.root().resolve("file2"));
        assertThat(whittleBuild(c).code()).isEqualTo(1);
    }

    // ------------------------------------------------------------------------------------------ PATH, WORKDIR, history

    @Test
    void aBaseWithoutPathGetsTheDefaultPath() throws IOException {
        same(ctx().dockerfile("""
                FROM NOPATH AS first
                RUN echo "$PATH" > /p
                ENV X=$PATH
                FROM first
                RUN echo "$PATH" > /q
                """));
        same(ctx().dockerfile("FROM NOPATH\n"));
    }

    /** Ports testDefaultShellAndPath (BuildKit 0.8's dockerfile_test.go), its linux/amd64 image. */
    @Test
    void defaultShellAndPath() throws IOException {
        same(ctx().dockerfile("""
                FROM scratch
                ENTRYPOINT foo bar
                COPY Dockerfile .
                """));
    }

    /** Ports testDefaultEnvWithArgs (dockerfile_args_test.go). */
    @Test
    void defaultEnvWithArgs() throws IOException {
        Ctx c = ctx().dockerfile("""
                FROM BASE AS build
                ARG my_arg
                ENV my_arg "my_arg=${my_arg:-def_val}"
                COPY myscript.sh myscript.sh
                RUN ./myscript.sh $my_arg
                FROM scratch
                COPY --from=build /out /out
                """).file("myscript.sh", "#!/usr/bin/env sh\necho -n $my_arg $1 > /out\n", 0700);
        same(c);
        same(c, "--build-arg", "my_arg=");
        same(c, "--build-arg", "my_arg=override");
    }

    /** Ports testWorkdirExists and testWorkdirCreatesDir (dockerfile_workdir_test.go). */
    @Test
    void workdirOfAnExistingDirectory() throws IOException {
        same(ctx().dockerfile("""
                FROM BASE
                RUN mkdir /mydir && chown user:user /mydir
                WORKDIR /mydir
                RUN [ "$(stat -c "%U %G" /mydir)" == "user user" ]
                WORKDIR /tmp
                WORKDIR /tmp
                WORKDIR /
                WORKDIR /foo
                WORKDIR /
                """));
    }

    /** Ports testWorkdirUser (dockerfile_workdir_test.go); the user is written to /etc/passwd instead of adduser. */
    @Test
    void workdirUser() throws IOException {
        same(ctx().dockerfile("""
                FROM BASE
                USER user
                WORKDIR /mydir
                RUN [ "$(stat -c "%U %G" /mydir)" == "user user" ]
                """));
    }

    /** Ports testWorkdirCopyIgnoreRelative (dockerfile_workdir_test.go). */
    @Test
    void workdirCopyIgnoreRelative() throws IOException {
        same(ctx().dockerfile("""
                FROM scratch AS base
                WORKDIR /foo
                COPY Dockerfile /
                FROM scratch
                # relative path still loaded as absolute
                COPY --from=base Dockerfile .
                """));
    }

    /** Ports testWorkdirSourceDateEpochReproducible (dockerfile_workdir_test.go): newer BuildKit only. */
    @Test
    void workdirSourceDateEpochReproducible() throws IOException {
        Ctx c = ctx().dockerfile("""
                FROM BASE
                WORKDIR /mydir
                """);
        String epoch = "1673364896";
        whittleBuild(c, "--build-arg", "SOURCE_DATE_EPOCH=" + epoch).ok();
        String first = whittle.run("inspect", "--format", "{{.Id}}", tag()).ok().out();
        Whittle other = new Whittle(dir.resolve("store-epoch"));
        whittle.run("save", "-o", dir.resolve("epoch-base.tar").toString(), BASE)
                .ok();
        other.run("load", "-i", dir.resolve("epoch-base.tar").toString()).ok();
        List<String> args = new ArrayList<>(List.of(
                "build",
                "-q",
                "-t",
                tag(),
                "--build-arg",
                "SOURCE_DATE_EPOCH=" + epoch,
                c.root().toString()));
        other.run(args.toArray(String[]::new)).ok();
        assertThat(other.run("inspect", "--format", "{{.Id}}", tag()).ok().out())
                .isEqualTo(first);
    }

    /** Ports testExportedHistory (BuildKit 0.8's dockerfile_test.go). */
    @Test
    void exportedHistory() throws IOException {
        same(ctx().dockerfile("""
                FROM BASE AS base
                ENV foo=bar
                COPY foo /foo2
                FROM BASE
                LABEL lbl=val
                COPY --from=base foo2 foo3
                WORKDIR /
                RUN echo bar > foo4
                RUN ["ls"]
                """).file("foo", "contents0", 0600));
    }

    /** Ports testOnBuildCleared (dockerfile_onbuild_test.go), with COPY, ADD and WORKDIR triggers as well. */
    @Test
    void onBuildTriggersRunOnceAndLeaveTheHistoryAsBuildKit() throws IOException {
        Ctx parent = ctx().dockerfile("""
                FROM BASE
                ONBUILD RUN mkdir -p /out && echo -n 11 >> /out/foo
                ONBUILD WORKDIR /srv/app
                ONBUILD COPY a.txt ./
                ONBUILD ADD t.tar /unpacked/
                ONBUILD WORKDIR /tmp
                """);
        String base = "whittle-it/bkport-onbuild:" + port.seq();
        Exec.run(List.of(
                        "env",
                        "DOCKER_BUILDKIT=1",
                        DockerDaemon.DOCKER,
                        "build",
                        "--network",
                        "none",
                        "-q",
                        "-t",
                        base,
                        parent.root().toString()))
                .ok();
        whittle.run("build", "-q", "-t", base, parent.root().toString()).ok();
        Ctx child = ctx().dockerfile("FROM " + base + "\n").file("a.txt", "a").tar("t.tar", tfile("x", "x"));
        String childTag = "whittle-it/bkport-onbuild-child:" + port.seq();
        Exec.run(List.of(
                        "env",
                        "DOCKER_BUILDKIT=1",
                        DockerDaemon.DOCKER,
                        "build",
                        "--network",
                        "none",
                        "-q",
                        "-t",
                        childTag,
                        child.root().toString()))
                .ok();
        whittle.run("build", "-q", "-t", childTag, child.root().toString()).ok();
        same(ctx().dockerfile("""
                FROM %s AS base
                FROM scratch
                COPY --from=base /out /
                """.formatted(childTag)));
        same(ctx().dockerfile("FROM " + childTag + "\n").file("a.txt", "other"));
        same(child);
        docker("rmi", childTag, base);
    }

    // ------------------------------------------------------------------------------------------ .dockerignore

    @Test
    void dockerignoreReincludesBelowExcludedDirectories() throws IOException {
        for (String ignore : List.of(
                "*\n!sub/keep.txt\n",
                "sub\n!sub/deep/x.key\n",
                "sub\n!sub/nothere\n",
                "*\n!*/keep.txt\n",
                "sub/**\n!sub/deep/x.key\n",
                "**/*.key\n!sub/deep\n")) {
            same(ctx().dockerfile("""
                    FROM BASE
                    COPY . /c
                    COPY * /e/
                    """)
                    .file(".dockerignore", ignore)
                    .file("sub/keep.txt", "k")
                    .file("sub/other.txt", "o")
                    .file("sub/deep/x.key", "x")
                    .file("sub/deep/y.txt", "y")
                    .file("top.txt", "t")
                    .file("other/keep.txt", "o"));
        }
    }

    /** Ports testDockerignore (dockerfile_dockerignore_test.go). */
    @Test
    void dockerignore() throws IOException {
        same(ctx().dockerfile("""
                FROM scratch
                COPY . .
                """)
                .file(".dockerignore", "\nba*\nDockerfile\n!bay\n.dockerignore\n", 0600)
                .file("foo", "foo-contents", 0600)
                .file("bar", "bar-contents", 0600)
                .file("baz", "baz-contents", 0600)
                .file("bay", "bay-contents", 0600));
    }

    /** Ports testDockerignoreInvalid (dockerfile_dockerignore_test.go). */
    @Test
    void dockerignoreInvalid() throws IOException {
        bothFail(
                ctx().dockerfile("""
                FROM scratch
                COPY . .
                """).file(".dockerignore", "!\n", 0600), ".dockerignore:1: illegal exclusion pattern");
    }

    /** Ports testDockerignoreOverride (dockerfile_dockerignore_test.go): Dockerfile2.dockerignore wins. */
    @Test
    void dockerignoreOverride() throws IOException {
        Ctx c = ctx().dockerfile("""
                FROM BASE
                COPY . .
                RUN [ -f foo ] && [ ! -f bar ]
                """)
                .file("Dockerfile.dockerignore", "\nbar\n", 0600)
                .file("Dockerfile2", "FROM " + BASE + "\nCOPY . .\nRUN [ ! -f foo ] && [ -f bar ]\n", 0600)
                .file("Dockerfile2.dockerignore", "\nfoo\n", 0600)
                .file("foo", "contents0", 0600)
                .file("bar", "contents0", 0600);
        same(c);
        same(c, "-f", c.root().resolve("Dockerfile2").toString());
    }

    // ------------------------------------------------------------------------------------------ the context

    @Test
    void aSymlinkedContextDirectoryIsFollowed() throws IOException {
        Ctx c = ctx().dockerfile("""
                FROM BASE
                COPY . /c
                COPY * /e/
                """).file("a.txt", "a").file("sub/b.txt", "b");
        Path link = dir.resolve("ctxlink" + port.seq());
        Files.createSymbolicLink(link, c.root());
        BuildDifferentialTest.compare(whittle, dir, link, tag(), Ported.NO_COMMAND_OK);
    }

    /** Ports testCopyThroughSymlinkContext (dockerfile_copy_test.go). */
    @Test
    void copyThroughSymlinkContext() throws IOException {
        same(ctx().dockerfile("""
                FROM scratch
                COPY link/foo .
                """).link("link", "sub").dir("sub", 0700).file("sub/foo", "contents", 0600));
    }

    /** Ports testCopyThroughSymlinkMultiStage (dockerfile_copy_test.go). */
    @Test
    void copyThroughSymlinkMultiStage() throws IOException {
        same(ctx().dockerfile("""
                FROM BASE AS build
                RUN mkdir -p /out/sub && ln -s /out/sub /sub && ln -s out/sub /sub2 && echo -n "data" > /sub/foo
                FROM scratch
                COPY --from=build /sub/foo .
                COPY --from=build /sub2/foo bar
                """));
    }

    /** Ports testCopyFollowAllSymlinks (dockerfile_copy_test.go, moby/buildkit#1197). */
    @Test
    void copyFollowAllSymlinks() throws IOException {
        same(ctx().dockerfile("""
                FROM scratch
                COPY foo /
                COPY foo/sub bar
                """)
                .file("bar", "bar-contents", 0600)
                .dir("foo", 0700)
                .link("foo/sub", "../bar"));
    }

    /** Ports testCopySymlinks (dockerfile_copy_test.go). */
    @Test
    void copySymlinks() throws IOException {
        same(ctx().dockerfile("""
                FROM scratch
                COPY foo /
                COPY sub/l* alllinks/
                """)
                .file("bar", "bar-contents", 0600)
                .link("foo", "bar")
                .dir("sub", 0700)
                .file("sub/lfile", "lfile-contents", 0600)
                .link("sub/l0", "subfile")
                .file("sub/subfile", "subfile-contents", 0600)
                .link("sub/l1", "second")
                .link("sub/second", "baz")
                .file("sub/baz", "baz-contents", 0600));
    }

    /** Ports testCopySocket (dockerfile_copy_test.go): a socket in the context. */
    @Test
    void copySocket() throws IOException {
        Ctx c = ctx().dockerfile("""
                FROM BASE
                COPY . /c/
                """).file("plain", "p");
        try (ServerSocketChannel s = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(c.root().resolve("socket.sock")));
            same(c);
        }
    }

    /** Ports testContextChangeDirToFile (dockerfile_core_test.go, tonistiigi/fsutil#46). */
    @Test
    void contextChangeDirToFile() throws IOException {
        Ctx c = ctx().dockerfile("""
                FROM scratch
                COPY foo /
                """).dir("foo", 0700).file("foo/bar", "contents", 0600);
        same(c);
        Exec.run("rm", "-rf", c.root().resolve("foo").toString()).ok();
        c.file("foo", "contents2", 0600);
        same(c);
    }

    /** Ports testSymlinkedDockerfile (dockerfile_core_test.go). */
    @Test
    void symlinkedDockerfile() throws IOException {
        Ctx c = ctx().file("Dockerfile.web", "FROM scratch\nENV foo bar\n", 0600)
                .link("Dockerfile", "Dockerfile.web");
        same(c);
    }

    /** Ports testDockerfileDirs (dockerfile_core_test.go). */
    @Test
    void dockerfileDirs() throws IOException {
        same(ctx().dockerfile("""
                FROM BASE
                COPY foo /foo2
                COPY foo /
                RUN echo -n bar > foo3
                RUN test -f foo
                RUN cmp -s foo foo2
                RUN cmp -s foo foo3
                """).file("foo", "bar", 0600));
    }

    // ------------------------------------------------------------------------------------------ COPY

    /** Ports testEmptyDestDir (dockerfile_copy_test.go). */
    @Test
    void emptyDestDir() throws IOException {
        same(ctx().dockerfile("""
                FROM BASE
                ENV empty=""
                COPY testfile $empty
                RUN [ "$(cat testfile)" == "contents0" ]
                """).file("testfile", "contents0", 0600));
    }

    /** Ports testPreserveDestDirSlash (dockerfile_copy_test.go). */
    @Test
    void preserveDestDirSlash() throws IOException {
        same(ctx().dockerfile("""
                FROM BASE
                COPY testfile /sample/
                RUN [ "$(cat /sample/testfile)" == "contents0" ]
                """).file("testfile", "contents0", 0600));
    }

    /** Ports testCopyChownExistingDir (dockerfile_copy_test.go), both of its targets. */
    @Test
    void copyChownExistingDir() throws IOException {
        Ctx c = ctx().dockerfile("""
                FROM BASE AS source
                RUN touch /file && chown 100:200 /file \\
                 && mkdir -p /dir/subdir \\
                 && touch /dir/subdir/nestedfile \\
                 && chown 100:200 /dir \\
                 && chown 101:201 /dir/subdir \\
                 && chown 102:202 /dir/subdir/nestedfile

                FROM BASE AS test_base
                RUN mkdir -p /existingdir/existingsubdir \\
                 && touch /existingdir/existingfile \\
                 && chown 500:600 /existingdir \\
                 && chown 501:601 /existingdir/existingsubdir \\
                 && chown 501:601 /existingdir/existingfile

                FROM test_base AS copy_from
                COPY --from=source /file .
                COPY --from=source /dir /dir
                COPY --from=source /dir/. /existingdir

                FROM test_base AS copy_from_chowned
                COPY --from=source --chown=300:400 /file .
                COPY --from=source --chown=300:400 /dir /dir
                COPY --from=source --chown=300:400 /dir/. /existingdir
                """);
        same(c);
        same(c, "--target", "copy_from");
    }

    /** Ports testCopyChownCreateDest (dockerfile_copy_test.go); users written to /etc/passwd instead of adduser. */
    @Test
    void copyChownCreateDest() throws IOException {
        same(ctx().dockerfile("""
                FROM BASE
                ARG group
                ENV owner user01
                RUN echo "user01:x:1001:1001::/home/user01:/bin/sh" >> /etc/passwd && echo "user01:x:1001:" >> /etc/group
                COPY --chown=user:user . /dest
                COPY --chown=${owner}:${group} . /dest01
                RUN [ "$(stat -c "%U %G" /dest)" == "user user" ]
                RUN [ "$(stat -c "%U %G" /dest01)" == "user01 user" ]
                """), "--build-arg", "group=user");
    }

    /** Ports testCopyChown (dockerfile_copy_test.go). */
    @Test
    void copyChown() throws IOException {
        same(
                ctx().dockerfile("""
                FROM BASE AS base
                ENV owner 1000
                RUN mkdir -m 0777 /out
                COPY --chown=daemon foo /
                COPY --chown=1000:nobody bar /baz
                ARG group
                COPY --chown=${owner}:${group} foo /foobis
                RUN stat -c "%U %G" /foo  > /out/fooowner
                RUN stat -c "%u %G" /baz/sub  > /out/subowner
                RUN stat -c "%u %G" /foobis  > /out/foobisowner
                FROM scratch
                COPY --from=base /out /
                """)
                        .file("foo", "foo-contents", 0600)
                        .dir("bar", 0700)
                        .file("bar/sub", "", 0600),
                "--build-arg",
                "group=nobody");
    }

    /** Ports testCopyChmod (dockerfile_copy_test.go); Docker 20.10 creates missing parents 0755 (newer: the mode). */
    @Test
    void copyChmod() throws IOException {
        same(ctx().dockerfile("""
                FROM BASE AS base
                RUN mkdir -m 0777 /out
                COPY --chmod=0644 foo /
                COPY --chmod=777 bar /baz
                COPY --chmod=0 foo /foobis
                COPY --chmod=777 foo /parent/foo
                COPY --chmod=770 foo /parent/sub/foo
                RUN stat -c "%04a" /foo  > /out/fooperm
                RUN stat -c "%04a" /baz  > /out/barperm
                RUN stat -c "%04a" /foobis  > /out/foobisperm
                RUN stat -c "%04a" /parent  > /out/parentperm
                RUN stat -c "%04a" /parent/sub  > /out/subparentperm
                FROM scratch
                COPY --from=base /out /
                """).file("foo", "foo-contents", 0600).file("bar", "bar-contents", 0700));
    }

    /** Ports testCopyInvalidChmod (dockerfile_copy_test.go): newer BuildKit refuses what 0.8 silently ignored. */
    @Test
    void copyInvalidChmod() throws IOException {
        for (String mode : List.of("64a", "10000")) {
            Exec w = whittleBuild(ctx().dockerfile("FROM scratch\nCOPY --chmod=" + mode + " foo /\n")
                    .file("foo", "foo-contents", 0600));
            assertThat(w.code()).isEqualTo(1);
            assertThat(w.err())
                    .contains("invalid chmod parameter: '" + mode
                            + "'. it should be octal string and between 0 and 07777");
        }
    }

    /**
     * Ports testChmodNonOctal (dockerfile_copy_test.go): symbolic --chmod, newer BuildKit only. The build itself checks
     * each copy against what chmod(1) makes of the same file, as upstream does.
     */
    @Test
    void chmodNonOctal() throws IOException {
        String[][] cases = {
            {"file", "f1", "go-w"},
            {"file", "f2", "u=rw,g=r,o=r"},
            {"file", "f3", "a+X"},
            {"dir", "d1", "go-w"},
            {"dir", "d2", "u+rw,g+r,o-x,o+w"},
            {"dir", "d3", "a+X"}
        };
        StringBuilder expected = new StringBuilder(), copies = new StringBuilder(), verify = new StringBuilder();
        for (String[] c : cases) {
            String src = c[0], dst = c[1], mode = c[2];
            if (src.equals("dir")) {
                // a nested directory, as COPY copies a directory's contents
                expected.append("RUN mkdir -p /input/dirs/")
                        .append(dst)
                        .append(" && cp -a /input/")
                        .append(src)
                        .append(" /input/dirs/")
                        .append(dst)
                        .append('/')
                        .append(dst)
                        .append('\n');
                expected.append("RUN cp -a /input/dirs/")
                        .append(dst)
                        .append("/. /expected/ && chmod ")
                        .append(mode)
                        .append(" /expected/")
                        .append(dst)
                        .append('\n');
                copies.append("COPY --from=base --chmod=")
                        .append(mode)
                        .append(" /input/dirs/")
                        .append(dst)
                        .append(" /\n");
            } else {
                expected.append("RUN cp -a /input/")
                        .append(src)
                        .append(" /expected/")
                        .append(dst)
                        .append(" && chmod ")
                        .append(mode)
                        .append(" /expected/")
                        .append(dst)
                        .append('\n');
                copies.append("COPY --from=base --chmod=")
                        .append(mode)
                        .append(" /input/")
                        .append(src)
                        .append(" /")
                        .append(dst)
                        .append('\n');
            }
            verify.append("RUN [ \"$(stat -c %A /actual/")
                    .append(dst)
                    .append(")\" = \"$(stat -c %A /expected/")
                    .append(dst)
                    .append(")\" ]\n");
        }
        Exported e = whittleOnly(ctx().dockerfile("""
                FROM BASE as base
                RUN <<eot
                	set -ex
                	mkdir /input
                	touch /input/file
                	chmod 666 /input/file
                	mkdir /input/dir
                	chmod 124 /input/dir
                	mkdir /expected
                eot
                %s
                FROM scratch as result
                %s
                FROM base
                COPY --from=result / /actual/
                %s
                """.formatted(expected, copies, verify)));
        assertThat(e.entry("actual/f1").mode()).isEqualTo(0644);
        assertThat(e.entry("actual/d3").mode()).isEqualTo(0135);
    }

    /** Ports testCopyOverrideFiles (dockerfile_copy_test.go). */
    @Test
    void copyOverrideFiles() throws IOException {
        same(ctx().dockerfile("""
                FROM scratch AS base
                COPY sub sub
                COPY sub sub
                COPY files/foo.go dest/foo.go
                COPY files/foo.go dest/foo.go
                COPY files dest
                """)
                .dir("sub", 0700)
                .dir("sub/dir1", 0700)
                .dir("sub/dir1/dir2", 0700)
                .file("sub/dir1/dir2/foo", "foo-contents", 0600)
                .dir("files", 0700)
                .file("files/foo.go", "foo.go-contents", 0600));
    }

    /** Ports testCopyVarSubstitution (dockerfile_copy_test.go). */
    @Test
    void copyVarSubstitution() throws IOException {
        same(ctx().dockerfile("""
                FROM scratch AS base
                ENV FOO bar
                COPY $FOO baz
                """).file("bar", "bar-contents", 0600));
    }

    /** Ports testCopyRelative (dockerfile_copy_test.go). */
    @Test
    void copyRelative() throws IOException {
        same(ctx().dockerfile("""
                FROM BASE
                WORKDIR /test1
                WORKDIR test2
                RUN sh -c "[ "$PWD" = '/test1/test2' ]"
                COPY foo ./
                RUN sh -c "[ $(cat /test1/test2/foo) = 'hello' ]"
                ADD foo ./bar/baz
                RUN sh -c "[ $(cat /test1/test2/bar/baz) = 'hello' ]"
                COPY foo ./bar/baz2
                RUN sh -c "[ $(cat /test1/test2/bar/baz2) = 'hello' ]"
                WORKDIR ..
                COPY foo ./
                RUN sh -c "[ $(cat /test1/foo) = 'hello' ]"
                COPY foo /test3/
                RUN sh -c "[ $(cat /test3/foo) = 'hello' ]"
                WORKDIR /test4
                COPY . .
                RUN sh -c "[ $(cat /test4/foo) = 'hello' ]"
                WORKDIR /test5/test6
                COPY foo ../
                RUN sh -c "[ $(cat /test5/foo) = 'hello' ]"
                """).file("foo", "hello", 0600));
    }

    /** Ports testCopyUnicodePath (dockerfile_copy_test.go). */
    @Test
    void copyUnicodePath() throws IOException {
        same(ctx().dockerfile("""
                FROM BASE
                COPY test-äöü.txt /
                COPY test-%C3%A4%C3%B6%C3%BC.txt /
                COPY test+aou.txt /
                """)
                .file("test-äöü.txt", "foo")
                .file("test-%C3%A4%C3%B6%C3%BC.txt", "bar")
                .file("test+aou.txt", "baz"));
    }

    /** Ports testCopyLinkDotDestDir and testCopyLinkEmptyDestDir (dockerfile_copy_test.go): COPY --link, newer BuildKit. */
    @Test
    void copyLinkDestDirs() throws IOException {
        Exported e = whittleOnly(
                ctx().dockerfile("""
                FROM BASE
                WORKDIR /var/www
                COPY --link testfile .
                RUN [ "$(cat testfile)" == "contents0" ]
                ENV empty=""
                COPY --link testfile2 $empty
                RUN [ "$(cat testfile2)" == "contents1" ]
                """).file("testfile", "contents0", 0600).file("testfile2", "contents1", 0600));
        assertThat(e.text("var/www/testfile")).isEqualTo("contents0");
        assertThat(e.text("var/www/testfile2")).isEqualTo("contents1");
    }

    /** Ports testCopyParents (dockerfile_parents_test.go): COPY --parents, newer BuildKit. */
    @Test
    void copyParents() throws IOException {
        Exported e = whittleOnly(ctx().dockerfile("""
                FROM scratch
                COPY --parents foo1/foo2/bar /
                WORKDIR /test
                COPY --parents foo1/foo2/ba* .
                """)
                .dir("foo1", 0700)
                .dir("foo1/foo2", 0700)
                .file("foo1/foo2/bar", "testing", 0600)
                .file("foo1/foo2/baz", "testing2", 0600));
        assertThat(e.text("foo1/foo2/bar")).isEqualTo("testing");
        assertThat(e.text("test/foo1/foo2/bar")).isEqualTo("testing");
        assertThat(e.text("test/foo1/foo2/baz")).isEqualTo("testing2");
    }

    /**
     * Ports testMountStubsDirectory (client/client_mount_test.go) as a Dockerfile: the directories made only to mount
     * on, and their parents made for them, are removed when empty, as BuildKit does since 0.11 (Docker 20.10's
     * BuildKit leaves them: docs/differences.md).
     */
    @Test
    void mountStubsDirectory() throws IOException {
        Exported e = whittleOnly(ctx().dockerfile("""
                FROM BASE AS run
                RUN mkdir -m 0700 /test /test/qux
                RUN --mount=type=tmpfs,target=/test/foo --mount=type=tmpfs,target=/test/bar/x/y \
                    --mount=type=tmpfs,target=/test/baz/x --mount=type=tmpfs,target=/test/qux touch /test/baz/keep
                FROM scratch
                COPY --from=run /test /
                """));
        assertThat(e.entries().keySet()).containsExactlyInAnyOrder("baz", "baz/keep", "qux");
    }

    /** Ports testCopyRelativeParents (dockerfile_parents_test.go): /./ pivots and ** with --parents, newer BuildKit. */
    @Test
    void copyRelativeParents() throws IOException {
        Ctx c = ctx().dockerfile("""
                FROM BASE AS base
                WORKDIR /test
                RUN <<eot
                	set -ex
                	mkdir -p a/b/c/d/e
                	mkdir -p a/b2/c/d/e
                	mkdir -p a/b/c2/d/e
                	mkdir -p a/b/c2/d/e2
                	touch a/b/c/d/foo
                	touch a/b/c/d/e/bay
                	touch a/b2/c/d/e/bar
                	touch a/b/c2/d/e/baz
                	touch a/b/c2/d/e2/baz
                eot
                FROM BASE AS middle
                COPY --from=base --parents /test/a/b/./c/d /out/
                RUN <<eot
                	set -ex
                	[ -d /out/c/d/e ]
                	[ -f /out/c/d/foo ]
                	[ ! -d /out/a ]
                	[ ! -d /out/e ]
                eot
                FROM BASE AS end
                COPY --from=base --parents /test/a/b/c/d/. /out/
                RUN <<eot
                	set -ex
                	[ -d /out/test/a/b/c/d/e ]
                	[ -f /out/test/a/b/c/d/foo ]
                eot
                FROM BASE AS start
                COPY --from=base --parents ./test/a/b/c/d /out/
                RUN <<eot
                	set -ex
                	[ -d /out/test/a/b/c/d/e ]
                	[ -f /out/test/a/b/c/d/foo ]
                eot
                FROM BASE AS double
                COPY --from=base --parents /test/a/./b/./c /out/
                RUN <<eot
                	set -ex
                	[ -d /out/b/c/d/e ]
                	[ -f /out/b/c/d/foo ]
                eot
                FROM BASE AS wildcard
                COPY --from=base --parents /test/a/./*/c /out/
                RUN <<eot
                	set -ex
                	[ -d /out/b/c/d/e ]
                	[ -f /out/b2/c/d/e/bar ]
                eot
                FROM BASE AS doublewildcard
                COPY --from=base --parents /test/a/b*/./c/**/e /out/
                RUN <<eot
                	set -ex
                	[ -d /out/c/d/e ]
                	[ -f /out/c/d/e/bay ] # via b
                	[ -f /out/c/d/e/bar ] # via b2
                eot
                FROM BASE AS doubleinputs
                COPY --from=base --parents /test/a/b/c*/./d/**/baz /test/a/b*/./c/**/bar /out/
                RUN <<eot
                	set -ex
                	[ -f /out/d/e/baz ]
                	[ ! -f /out/d/e/bay ]
                	[ -f /out/d/e2/baz ]
                	[ -f /out/c/d/e/bar ] # via b2
                eot
                """);
        for (String target :
                List.of("middle", "end", "start", "double", "wildcard", "doublewildcard", "doubleinputs")) {
            Exec w = whittleBuild(c, "--target", target);
            assertThat(w.code()).as(target + ": " + w.err()).isZero();
        }
    }

    /** Ports testCopyParentsMissingDirectory (dockerfile_parents_test.go), newer BuildKit. */
    @Test
    void copyParentsMissingDirectory() throws IOException {
        Ctx c = ctx().dockerfile("""
                FROM BASE AS base
                WORKDIR /test
                RUN <<eot
                	set -ex
                	mkdir -p a/b/c/d/e
                	touch a/b/c/d/foo
                	touch a/b/c/d/e/bay
                eot
                FROM BASE AS normal
                COPY --from=base --parents /test/a/b/c/d /out/
                RUN <<eot
                	set -ex
                	[ -d /out/test/a/b/c/d/e ]
                	[ -f /out/test/a/b/c/d/e/bay ]
                	[ ! -d /out/e ]
                	[ ! -d /out/a ]
                eot
                FROM BASE AS withpivot
                COPY --from=base --parents /test/a/b/./c/d /out/
                RUN <<eot
                	set -ex
                	[ -d /out/c/d/e ]
                	[ -f /out/c/d/foo ]
                	[ ! -d /out/a ]
                	[ ! -d /out/e ]
                eot
                FROM BASE AS nonexistentfile
                COPY --from=base --parents /test/nonexistent-file /out/
                FROM BASE AS wildcard-nonexistent
                COPY --from=base --parents /test/a/b2*/c /out/
                RUN <<eot
                	set -ex
                	[ -d /out ]
                	[ ! -d /out/a ]
                eot
                FROM BASE AS wildcard-afterpivot
                COPY --from=base --parents /test/a/b/./c2* /out/
                RUN <<eot
                	set -ex
                	[ -d /out ]
                	[ ! -d /out/a ]
                	[ ! -d /out/c* ]
                eot
                """);
        for (String target : List.of("normal", "withpivot", "wildcard-nonexistent", "wildcard-afterpivot")) {
            Exec w = whittleBuild(c, "--target", target);
            assertThat(w.code()).as(target + ": " + w.err()).isZero();
        }
        Exec missing = whittleBuild(c, "--target", "nonexistentfile");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("\"/test/nonexistent-file\" not found");
    }

    // ------------------------------------------------------------------------------------------ ADD

    /**
     * Ports testDockerfileAddArchive (dockerfile_add_test.go): its local-file cases (URLs need a network);
     * {@code --unpack=false} is newer BuildKit's.
     */
    @Test
    void addArchive() throws IOException {
        Member foo = tfile("foo", "content0");
        same(ctx().dockerfile("FROM scratch\nADD t.tar /\n").tar("t.tar", foo));
        same(ctx().dockerfile("FROM scratch\nADD t.tar.gz /\n").tgz("t.tar.gz", foo));
        same(ctx().dockerfile("FROM scratch\nCOPY t.tar.gz /\n").tgz("t.tar.gz", foo));
        Exported e = whittleOnly(ctx().dockerfile("FROM scratch\nADD --unpack=false t.tar.gz /\n")
                .tgz("t.tar.gz", foo));
        assertThat(e.entries()).containsKey("t.tar.gz").doesNotContainKey("foo");
    }

    /** Ports testDockerfileAddArchiveWithImpliedParentDir (dockerfile_add_test.go, moby/moby#53257). */
    @Test
    void addArchiveWithImpliedParentDir() throws IOException {
        same(ctx().dockerfile("FROM scratch\nADD t.tar.gz /\n")
                .tgz("t.tar.gz", tdir("etc/dnf/"), tfile("etc/dnf/dnf.conf", "content0")));
    }

    /**
     * Ports testDockerfileAddChownArchive (dockerfile_add_test.go): the archive's entries are chowned too, as since
     * BuildKit 0.23 (moby/buildkit#5987); Docker 20.10 chowns only the directory it creates.
     */
    @Test
    void addChownArchive() throws IOException {
        Exported e = whittleOnly(ctx().dockerfile("""
                FROM scratch
                ADD --chown=100:200 t.tar /out/
                """).tar("t.tar", tfile("foo", "content0")));
        assertThat(e.text("out/foo")).isEqualTo("content0");
        assertThat(e.entry("out/foo").uid()).isEqualTo(100);
        assertThat(e.entry("out/foo").gid()).isEqualTo(200);
        assertThat(e.entry("out").uid()).isEqualTo(100);
        assertThat(e.entry("out").gid()).isEqualTo(200);
    }

    /** Ports testDockerfileAddChownExpand (dockerfile_add_test.go). */
    @Test
    void addChownExpand() throws IOException {
        same(ctx().dockerfile("""
                FROM BASE
                ARG group
                ENV owner 1000
                ADD --chown=${owner}:${group} foo /
                RUN [ "$(stat -c "%u %G" /foo)" == "1000 nobody" ]
                """).file("foo", "foo-contents", 0600), "--build-arg", "group=nobody");
    }
}
