package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The completion scripts and man pages the build writes ({@code BuildDocs}): bash completes commands, management
 * subcommands, flags and image names from the store named by {@code --root}; zsh, typed into under tmux, the same;
 * man renders every page.
 */
class ShellFilesTest {
    @TempDir
    static Path dir;

    static Path docs, bin;
    static Whittle whittle;

    @BeforeAll
    static void generate() throws Exception {
        docs = dir.resolve("docs");
        dev.whittle.cli.BuildDocs.main(new String[] {docs.toString()});
        // `whittle` on PATH for the completion's own `whittle images`: this JVM's classes
        bin = Files.createDirectories(dir.resolve("bin"));
        Path w = bin.resolve("whittle");
        Files.writeString(w, "#!/bin/sh\nexec " + Tmux.whittleCommand() + " \"$@\"\n");
        Files.setPosixFilePermissions(w, PosixFilePermissions.fromString("rwxr-xr-x"));
        whittle = new Whittle(dir.resolve("store"));
        whittle.run("import", RootFs.busybox(dir).toString(), "shell/base:1").ok();
        whittle.run("tag", "shell/base:1", "shell/other:2").ok();
    }

    /** What bash's completion offers for a command line whose last word is being completed. */
    static String bash(String... words) throws IOException {
        Path script = dir.resolve("complete.sh");
        StringBuilder w = new StringBuilder();
        for (String s : words) w.append(" '").append(s).append('\'');
        Files.writeString(
                script,
                "source '" + docs.resolve("completion/whittle.bash") + "'\nexport PATH='" + bin + "':$PATH\n"
                        + "COMP_WORDS=(" + w
                        + ")\nCOMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n_whittle_complete\necho \"${COMPREPLY[*]}\"\n");
        return Exec.run("bash", script.toString()).ok().out().strip();
    }

    @Test
    void bashCompletesCommandsFlagsAndImages() throws IOException {
        assertThat(bash("whittle", "im")).isEqualTo("image images import");
        assertThat(bash("whittle", "system", "")).isEqualTo("df fsck info prune");
        assertThat(bash("whittle", "builder", "prune", "--k")).isEqualTo("--keep-storage");
        assertThat(bash("whittle", "images", "--f")).isEqualTo("--filter --format");
        assertThat(bash("whittle", "--root", whittle.root().toString(), "history", "shell/"))
                .isEqualTo("shell/base:1 shell/other:2");
        assertThat(bash("whittle", "--root", whittle.root().toString(), "image", "rm", "shell/o"))
                .isEqualTo("shell/other:2");
        assertThat(bash("whittle", "completion", "")).isEqualTo("bash zsh");
    }

    @Test
    void zshCompletesUnderARealTerminal() throws Exception {
        Assumptions.assumeTrue(Exec.available("zsh"), "zsh is needed (scripts/install-deps)");
        Path fpath = Files.createDirectories(dir.resolve("zfunc"));
        Files.copy(
                docs.resolve("completion/_whittle"),
                fpath.resolve("_whittle"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path zdot = Files.createDirectories(dir.resolve("zdot"));
        Files.writeString(
                zdot.resolve(".zshrc"),
                "PS1='%% '\nfpath=('" + fpath + "' $fpath)\nexport PATH='" + bin + "':$PATH\n"
                        + "autoload -U compinit && compinit -u\n");
        try (Tmux t = Tmux.start(dir, "ZDOTDIR='" + zdot + "' exec zsh -i\n", 150, 20)) {
            t.screen(false, s -> s.contains("%"));
            t.keys("whittle --root " + whittle.root() + " history shell/o", "Tab");
            assertThat(t.screen(false, s -> s.contains("shell/other:2"))).contains("history shell/other:2");
        }
    }

    @Test
    void everyCommandHasAManPageThatManRenders() throws IOException {
        Path man1 = docs.resolve("man/man1");
        List<String> pages;
        try (var s = Files.list(man1)) {
            pages = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(pages)
                .contains(
                        "whittle.1",
                        "whittle-images.1",
                        "whittle-image-ls.1",
                        "whittle-builder-prune.1",
                        "whittle-system-df.1",
                        "whittle-build.1",
                        "whittle-run.1");
        Assumptions.assumeTrue(Exec.available("man"), "man-db is needed to render pages");
        for (String p : pages) {
            Exec m = Exec.run(List.of(
                    "env",
                    "MANWIDTH=100",
                    "man",
                    "--warnings",
                    "-l",
                    man1.resolve(p).toString()));
            assertThat(m.code()).as(p).isZero();
            assertThat(m.err()).as(p).isEmpty();
        }
        String images = Exec.run(List.of(
                        "env",
                        "MANWIDTH=100",
                        "man",
                        "-l",
                        man1.resolve("whittle-images.1").toString()))
                .ok()
                .out();
        assertThat(images)
                .contains("whittle images [OPTIONS] [REPOSITORY[:TAG]]", "-f, --filter filter", "Only show image IDs");
    }
}
