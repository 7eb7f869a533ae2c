package dev.whittle.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whittle.dockerfile.DockerIgnore;
import dev.whittle.rootfs.FileTree;
import dev.whittle.rootfs.Users;
import dev.whittle.tar.TarEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The copy plan a COPY makes from a source listing and a stage listing, as BuildKit's copy places things: no
 * container, no root, no store.
 */
class CopyPlannerTest {
    private static final long NOW = 1_700_000_000L;
    private static final CopyPlanner.How FROM_CONTEXT = new CopyPlanner.How(null, null, DockerIgnore.none(), true);

    /** The plan as lines: {@code path type mode uid:gid}. */
    private static List<String> lines(CopyPlan plan) {
        List<String> out = new ArrayList<>();
        for (CopyPlan.Entry e : plan.entries().values()) {
            TarEntry t = e.entry();
            out.add(t.name() + " " + t.type() + " " + Integer.toOctalString(t.mode()) + " " + t.uid() + ":" + t.gid()
                    + (t.type() == TarEntry.Type.SYMLINK ? " -> " + t.linkName() : ""));
        }
        return out;
    }

    private static CopySource paths(FileTree tree, String... names) throws IOException {
        List<CopySource.Match> out = new ArrayList<>();
        for (String n : names) out.add(new CopySource.Match(tree.stat(n, true), n, false));
        return new CopySource.Paths(tree, out);
    }

    private static CopyPlan plan(FileTree stage, CopySource src, String dest, boolean destIsDir, CopyPlanner.How how)
            throws IOException {
        CopyPlanner p = new CopyPlanner(stage, () -> NOW);
        p.add(src, dest, destIsDir, how);
        p.addParents(how.owner());
        return p.plan();
    }

    @Test
    void aDirectorySourceCopiesItsContentsIntoANewDestinationOwnedByRoot() throws IOException {
        MemTree context = MemTree.of("app/main.go=package main", "app/lib/x.go=package lib", "app/run->main.go");
        CopyPlan plan = plan(MemTree.of(), paths(context, "app"), "srv/app", true, FROM_CONTEXT);

        assertThat(lines(plan))
                .containsExactly(
                        "srv DIR 755 0:0",
                        "srv/app DIR 755 0:0",
                        "srv/app/lib DIR 755 0:0",
                        "srv/app/lib/x.go FILE 644 0:0",
                        "srv/app/main.go FILE 644 0:0",
                        "srv/app/run SYMLINK 777 0:0 -> main.go");
        // directories the step makes get the step's time; files keep theirs
        assertThat(plan.entries().get("srv").entry().mtime()).isEqualTo(NOW);
        assertThat(plan.entries().get("srv/app/main.go").entry().mtime()).isEqualTo(1000);
        assertThat(plan.entries().get("srv/app/main.go").identity()).isEqualTo("text:app/main.go=package main");
    }

    @Test
    void aFileKeepsItsNameInAnExistingDirectoryAndBecomesTheDestinationOtherwise() throws IOException {
        MemTree context = MemTree.of("a.txt=A");
        MemTree stage = MemTree.of("etc/");

        assertThat(lines(plan(stage, paths(context, "a.txt"), "etc", false, FROM_CONTEXT)))
                .containsExactly("etc DIR 755 1000:1000", "etc/a.txt FILE 644 0:0");
        assertThat(lines(plan(stage, paths(context, "a.txt"), "etc/b.txt", false, FROM_CONTEXT)))
                .containsExactly("etc DIR 755 1000:1000", "etc/b.txt FILE 644 0:0");
    }

    @Test
    void theDestinationIsResolvedThroughTheStagesLinks() throws IOException {
        MemTree stage = MemTree.of("usr/lib/", "lib->usr/lib");
        CopyPlan plan = plan(stage, paths(MemTree.of("x=1"), "x"), "lib", true, FROM_CONTEXT);

        assertThat(lines(plan))
                .containsExactly("usr DIR 755 1000:1000", "usr/lib DIR 755 1000:1000", "usr/lib/x FILE 644 0:0");
    }

    @Test
    void chownAndChmodApplyToEverythingButALinksMode() throws IOException {
        MemTree context = MemTree.of("d/f=1", "d/l->f");
        var how = new CopyPlanner.How(
                new Users.Id(7, 8, List.of()), ChmodSpec.parse("go-rwx"), DockerIgnore.none(), true);

        assertThat(lines(plan(MemTree.of(), paths(context, "d"), "out", true, how)))
                .containsExactly("out DIR 755 7:8", "out/f FILE 600 7:8", "out/l SYMLINK 777 7:8 -> f");
    }

    @Test
    void aStageSourceKeepsItsOwnersAndExcludedPathsAreLeftOut() throws IOException {
        MemTree other = MemTree.of("src/keep=1", "src/skip.log=2");
        var how = new CopyPlanner.How(null, null, DockerIgnore.parse("*.log", "--exclude"), false);

        assertThat(lines(plan(MemTree.of(), paths(other, "src"), "", true, how)))
                .containsExactly("keep FILE 644 1000:1000");
    }

    @Test
    void aHeredocIsAFileOf0644AtTimeZero() throws IOException {
        byte[] text = "hello\n".getBytes(StandardCharsets.UTF_8);
        var heredoc = new CopySource.Content("greeting", text, 0, 0644, "heredoc:x");
        CopyPlan plan = plan(MemTree.of(), heredoc, "etc", true, FROM_CONTEXT);

        assertThat(lines(plan)).containsExactly("etc DIR 755 0:0", "etc/greeting FILE 644 0:0");
        CopyPlan.Entry e = plan.entries().get("etc/greeting");
        assertThat(e.data()).isEqualTo(text);
        assertThat(e.entry().mtime()).isZero();
    }

    @Test
    void parentsKeepsTheDirectoriesBelowThePivot() throws IOException {
        MemTree context = MemTree.of("a/b/one.txt=1", "a/b/two.md=2", "a/c/three.txt=3");
        var pivot = CopySources.Pivot.of("a/./**/*.txt");
        List<FileTree.Node> tops = new ArrayList<>();
        CopySources.matches(context, pivot.from(), tops, new ArrayList<>());

        CopyPlan plan =
                plan(MemTree.of(), new CopySource.Parents(context, tops, pivot.pattern()), "out", true, FROM_CONTEXT);

        assertThat(lines(plan))
                .containsExactly(
                        "out DIR 755 0:0",
                        "out/b DIR 755 0:0",
                        "out/b/one.txt FILE 644 0:0",
                        "out/c DIR 755 0:0",
                        "out/c/three.txt FILE 644 0:0");
    }

    @Test
    void aDirectoryNeverReplacesAFileNorAFileADirectory() {
        MemTree stage = MemTree.of("srv=not a directory");

        assertThatThrownBy(() -> plan(stage, paths(MemTree.of("d/f=1"), "d"), "srv/x", false, FROM_CONTEXT))
                .isInstanceOf(CopyPlanner.Refused.class)
                .hasMessage("mkdir /srv: not a directory");
        assertThatThrownBy(
                        () -> plan(MemTree.of("out/y/"), paths(MemTree.of("x/y=1"), "x"), "out", false, FROM_CONTEXT))
                .isInstanceOf(CopyPlanner.Refused.class)
                .hasMessage("cannot replace to directory /out/y with file");
    }

    @Test
    void wildcardsMatchInNameOrderWithoutDescendingLinks() throws IOException {
        MemTree context = MemTree.of("b.go=1", "a.go=2", "c.txt=3", "sub/d.go=4", "link->sub");
        List<FileTree.Node> nodes = new ArrayList<>();
        List<String> names = new ArrayList<>();

        assertThat(CopySources.matches(context, "*.go", nodes, names)).isTrue();
        assertThat(names).containsExactly("a.go", "b.go");
        nodes.clear();
        names.clear();
        assertThat(CopySources.matches(context, "*/d.go", nodes, names)).isTrue();
        assertThat(names).containsExactly("sub/d.go");
        assertThat(CopySources.matches(context, "missing", nodes, names)).isFalse();
    }

    @Test
    void theContentKeyIsTheSameForTheSamePlanAndChangesWithWhatALayerHolds() throws IOException {
        MemTree context = MemTree.of("d/f=1");
        String key = plan(MemTree.of(), paths(context, "d"), "out", true, FROM_CONTEXT)
                .contentKey();
        CopyPlanner later = new CopyPlanner(MemTree.of(), () -> NOW + 60); // a new directory's time is not content
        later.add(paths(context, "d"), "out", true, FROM_CONTEXT);
        later.addParents(null);

        assertThat(later.plan().contentKey()).isEqualTo(key);
        assertThat(plan(MemTree.of(), paths(MemTree.of("d/f=2"), "d"), "out", true, FROM_CONTEXT)
                        .contentKey())
                .isNotEqualTo(key);
        var chmod = new CopyPlanner.How(null, ChmodSpec.parse("600"), DockerIgnore.none(), true);
        assertThat(plan(MemTree.of(), paths(context, "d"), "out", true, chmod).contentKey())
                .isNotEqualTo(key);
        assertThat(plan(MemTree.of(), paths(context, "d"), "out2", true, FROM_CONTEXT)
                        .contentKey())
                .isNotEqualTo(key);
    }
}
