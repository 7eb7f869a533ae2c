package dev.whittle.it;

import static dev.whittle.it.DockerDaemon.docker;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rest of docker's CLI, side by side with docker 20.10 on the same images: usage errors and exit codes, help's
 * layout, the image filters and fields, dates at the epoch, and the prompts and output of the prune commands.
 * Expectations are docker's own output ("docker" read as "whittle"), never written by hand.
 */
@Tag("docker")
class DockerCliTest {
    static final String A = "whittle-cli/a:1", B = "whittle-cli/b:1", EPOCH = "whittle-cli/epoch:1";

    @TempDir
    static Path dir;

    static Whittle whittle;

    @BeforeAll
    static void images() throws Exception {
        DockerDaemon.require();
        docker("rmi", "-f", A, B, EPOCH);
        Path rootfs = RootFs.busybox(dir);
        docker("import", "-c", "LABEL team=a tier=base", "-c", "CMD [\"/bin/sh\"]", rootfs.toString(), A)
                .ok();
        Thread.sleep(1100); // docker's before/since compare creation times
        docker("import", "-c", "LABEL team=b", rootfs.toString(), B).ok();
        whittle = new Whittle(dir.resolve("store"));
        Path saved = dir.resolve("ab.tar");
        docker("save", "-o", saved.toString(), A, B).ok();
        whittle.run("load", "-i", saved.toString()).ok();
        // an image dated at the epoch (SOURCE_DATE_EPOCH=0), made by whittle and loaded into docker
        Path ctx = Files.createDirectories(dir.resolve("epoch"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM " + A + "\nCOPY f /f\n");
        Files.writeString(ctx.resolve("f"), "epoch\n");
        whittle.run("build", "--progress", "quiet", "--build-arg", "SOURCE_DATE_EPOCH=0", "-t", EPOCH, ctx.toString())
                .ok();
        Path epoch = dir.resolve("epoch.tar");
        whittle.run("save", "-o", epoch.toString(), EPOCH).ok();
        docker("load", "-i", epoch.toString()).ok();
    }

    @AfterAll
    static void cleanup() {
        if (whittle != null) docker("rmi", "-f", A, B, EPOCH);
    }

    /** docker's answer to the same command line, with its name read as whittle's. */
    static Exec dockers(String... args) {
        Exec d = docker(args);
        return new Exec(
                d.code(),
                d.out().replace("docker", "whittle").replace("Docker", "whittle"),
                d.err().replace("docker", "whittle").replace("Docker", "whittle"));
    }

    /** Output with times relative to now made comparable (docker answers a few seconds later than whittle). */
    static String recent(String s) {
        // docker's and whittle's imports of the base are made seconds apart, so their ages read differently, and a
        // table's column is as wide as its longest age: where an age was replaced, columns compare by order, not
        // padding (tables of fixed ages compare whole elsewhere)
        String r = s.replaceAll("(\\d+ seconds|Less than a second|About a minute|\\d+ minutes) ago", "(recently)");
        return r.equals(s) ? s : r.replaceAll(" {2,}", "   ");
    }

    @Test
    void usageErrorsExitAndReadAsDockers() {
        // whole messages, usage line and description included
        for (String line : List.of(
                "images a b",
                "rmi",
                "tag x",
                "tag a b c",
                "history",
                "save",
                "load x",
                "pull",
                "push",
                "system df x",
                "system prune x",
                "image prune x",
                "info x",
                "image ls a b",
                "image rm",
                "images --bogus",
                "images -qx",
                "images --format",
                "rmi --bogus",
                "history -H=maybe img",
                "images -f bogus",
                "bogus")) {
            String[] args = line.split(" ");
            Exec d = dockers(args), w = whittle.run(args);
            assertThat(w.err()).as(line).isEqualTo(d.err());
            assertThat(w.code()).as(line).isEqualTo(d.code());
            assertThat(w.out()).as(line).isEmpty();
        }
        // whittle words these commands for images, not containers or "Docker objects": the error and exit code still
        for (String line : List.of(
                "inspect", "export", "import", "run", "login a b", "logout a b", "version x", "builder prune x")) {
            String[] args = line.split(" ");
            Exec d = dockers(args), w = whittle.run(args);
            assertThat(w.err().lines().limit(2).toList())
                    .as(line)
                    .isEqualTo(d.err().lines().limit(2).toList());
            assertThat(w.code()).as(line).isEqualTo(d.code());
        }
        // a management command without its subcommand is its usage; a wrong subcommand the same, as an error
        Exec usage = whittle.run("image");
        assertThat(usage.code()).isZero();
        assertThat(usage.out())
                .startsWith(dockers("image").out().lines().limit(6).reduce("", (a, b) -> a + b + "\n"));
        Exec wrong = whittle.run("image", "bogus");
        assertThat(wrong.code()).isEqualTo(dockers("image", "bogus").code());
        assertThat(wrong.err()).isEqualTo(usage.out());
    }

    /** The flag column of pflag's table: every line up to where descriptions start. */
    static List<String> flagColumn(String help) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^(  (?:-\\w, |    )--[\\w-]+(?: \\S+)? +)\\S")
                .matcher(help);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    @Test
    void helpIsLaidOutAsDockers() {
        for (String line : List.of(
                "images",
                "history",
                "tag",
                "rmi",
                "save",
                "image prune",
                "builder prune",
                "system df",
                "version",
                "info",
                "image ls",
                "image rm",
                "load")) {
            List<String> args = new ArrayList<>(List.of(line.split(" ")));
            args.add("--help");
            String d = dockers(args.toArray(String[]::new)).out(),
                    w = whittle.run(args.toArray(String[]::new)).ok().out();
            // the usage line and the description, at the same place
            assertThat(w.lines().limit(4).toList())
                    .as(line)
                    .isEqualTo(d.lines().limit(4).toList());
            // every flag docker has, with its value word, in a column as wide as docker's wherever the flags are the
            // same
            List<String> ours = flagColumn(w), theirs = flagColumn(d);
            for (String flag : theirs) {
                String name = flag.strip().replaceFirst(" .*", "");
                if (name.equals("--kubeconfig") || name.equals("--disable-content-trust")) continue; // not whittle's
                assertThat(ours.stream().map(String::strip).toList())
                        .as(line + ": " + flag)
                        .contains(flag.strip());
            }
            if (ours.size() == theirs.size()) assertThat(ours).as(line).isEqualTo(theirs);
            assertThat(w).as(line).doesNotContain("-V, --version").doesNotContain("-h, --help");
        }
        assertThat(whittle.run("image", "ls", "--help").ok().out())
                .contains("Aliases:\n  image ls, images, image list\n");
    }

    @Test
    void imageFiltersAndFieldsAreDockers() {
        for (String filter : List.of(
                "label=team",
                "label=team=a",
                "label=tier",
                "before=" + B,
                "since=" + A,
                "reference=whittle-cli/*",
                "dangling=false")) {
            String f = "{{.Repository}}:{{.Tag}} {{.ID}}";
            assertThat(whittle.run("images", "-f", filter, "-f", "reference=whittle-cli/*", "--format", f)
                            .ok()
                            .out())
                    .as(filter)
                    .isEqualTo(docker("images", "-f", filter, "-f", "reference=whittle-cli/*", "--format", f)
                            .ok()
                            .out());
        }
        for (String img : List.of(A, EPOCH)) {
            // every field docker's rows have, in docker's formats (VirtualSize to four digits, Containers N/A...)
            String json = "{{json .}}";
            assertThat(recent(whittle.run("images", "--format", json, img).ok().out()))
                    .as(img)
                    .isEqualTo(
                            recent(docker("images", "--format", json, img).ok().out()));
            String table =
                    "table {{.Repository}}\t{{.VirtualSize}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}\t{{.CreatedSince}}";
            assertThat(recent(whittle.run("images", "--format", table, img).ok().out()))
                    .as(img)
                    .isEqualTo(
                            recent(docker("images", "--format", table, img).ok().out()));
        }
    }

    @Test
    void historyOfAnImageDatedAtTheEpochAndTheHumanFlag() {
        for (List<String> args : List.of(
                List.of("history", EPOCH),
                List.of("history", "-H", EPOCH),
                List.of("history", "-H=false", EPOCH),
                List.of("history", "--human=false", "--format", "{{.CreatedSince}}|{{.CreatedAt}}|{{.Size}}", EPOCH))) {
            String[] a = args.toArray(String[]::new);
            assertThat(recent(whittle.run(a).ok().out()))
                    .as(args.toString())
                    .isEqualTo(recent(docker(a).ok().out()));
        }
        // docker 20.10's own `docker history -H IMAGE`: -H is a boolean flag and IMAGE the argument
        assertThat(whittle.run("history", "-H", "-q", A).ok().out())
                .isEqualTo(docker("history", "-H", "-q", A).ok().out());
    }

    /** The keys of a JSON object, or of the first object of the list under {@code key}. */
    @SuppressWarnings("unchecked")
    static List<String> keys(String json, String key) {
        Object o = dev.whittle.json.Json.parse(json);
        if (key != null) o = ((List<Object>) ((java.util.Map<String, Object>) o).get(key)).getFirst();
        return List.copyOf(((java.util.Map<String, Object>) o).keySet());
    }

    @Test
    void systemDfHasDockersRowsSectionsAndFields() {
        assertThat(whittle.run("system", "df", "--format", "{{.Type}}").ok().out())
                .isEqualTo(docker("system", "df", "--format", "{{.Type}}").ok().out());
        assertThat(whittle.run("system", "df").ok().out().lines().findFirst())
                .isEqualTo(docker("system", "df").ok().out().lines().findFirst());
        String row = "{{json .}}";
        assertThat(keys(
                        whittle.run("system", "df", "--format", row)
                                .ok()
                                .out()
                                .lines()
                                .findFirst()
                                .orElseThrow(),
                        null))
                .isEqualTo(keys(
                        docker("system", "df", "--format", row)
                                .ok()
                                .out()
                                .lines()
                                .findFirst()
                                .orElseThrow(),
                        null));
        String w = whittle.run("system", "df", "-v").ok().out(),
                d = docker("system", "df", "-v").ok().out();
        for (String title : List.of("Images space usage:", "Containers space usage:", "Local Volumes space usage:")) {
            assertThat(w).as(title).contains(title + "\n\n");
            assertThat(d).contains(title + "\n\n");
        }
        String containers = "CONTAINER ID   IMAGE     COMMAND   LOCAL VOLUMES   SIZE      CREATED   STATUS    NAMES\n";
        assertThat(d).contains(containers);
        assertThat(w).contains(containers).containsPattern("\nBuild cache usage: \\S+\n\nCACHE ID ");
        // the verbose template sees docker's document: its four lists, rows with docker's fields
        String wj = whittle.run("system", "df", "-v", "--format", row).ok().out(),
                dj = docker("system", "df", "-v", "--format", row).ok().out();
        assertThat(keys(wj, null)).isEqualTo(keys(dj, null));
        assertThat(keys(wj, "Images")).isEqualTo(keys(dj, "Images"));
        // (docker's build cache is whatever other builds on this machine left: compared when it has a record)
        if (!dj.contains("\"BuildCache\":[]"))
            assertThat(keys(wj, "BuildCache")).isEqualTo(keys(dj, "BuildCache"));
    }

    @Test
    void versionAndInfoTemplatesSeeDockersFields() {
        // the same machine, kernel and runc, asked through docker's own template fields
        for (String f : List.of(
                "{{.Client.Os}}/{{.Client.Arch}}",
                "{{.Server.Os}}/{{.Server.Arch}} {{.Server.KernelVersion}}",
                "{{range .Server.Components}}{{if eq .Name \"runc\"}}{{.Version}}{{end}}{{end}}")) {
            assertThat(whittle.run("version", "--format", f).ok().out())
                    .as(f)
                    .isEqualTo(docker("version", "--format", f).ok().out());
        }
        assertThat(whittle.run("version", "--format", "{{.Client.Version}}")
                        .ok()
                        .out()
                        .strip())
                .isNotEmpty();
        for (String f : List.of(
                "{{.KernelVersion}} {{.OperatingSystem}} {{.OSType}} {{.Architecture}}",
                "{{.MemTotal}} {{.Name}}",
                "{{.DefaultRuntime}}")) { // not .Containers: docker's count is whatever else runs on the machine
            assertThat(whittle.run("info", "--format", f).ok().out())
                    .as(f)
                    .isEqualTo(docker("info", "--format", f).ok().out());
        }
        Exec info = whittle.run("info").ok();
        assertThat(info.out())
                .contains(
                        " Store Root Dir: " + whittle.root() + "\n",
                        " Storage Driver: overlay\n",
                        " Default Runtime: runc\n")
                .containsPattern(" binfmt_misc: (mounted|not mounted)")
                .containsPattern(" slirp4netns: ");
    }

    @Test
    void prunePromptsAndDeclineAsDocker() {
        byte[] no = "n\n".getBytes(StandardCharsets.UTF_8);
        for (List<String> cmd : List.of(
                List.of("image", "prune"),
                List.of("image", "prune", "-a"),
                List.of("builder", "prune"),
                List.of("builder", "prune", "-a"))) {
            Exec d = Exec.run(List.of("sh", "-c", "echo n | " + DockerDaemon.DOCKER + " " + String.join(" ", cmd)));
            Exec w = whittle.runWithInput(no, cmd.toArray(String[]::new));
            assertThat(w.out()).as(cmd.toString()).isEqualTo(d.out());
            assertThat(w.code()).as(cmd.toString()).isEqualTo(d.code());
        }
        assertThat(whittle.run("images", "-q", A).ok().out())
                .as("nothing removed")
                .isNotEmpty();
    }

    @Test
    void loadShowsDockersPerLayerProgressOnATerminal() throws Exception {
        // a layer docker has never seen, larger than what whittle reads into memory at once
        Path ctx = Files.createDirectories(dir.resolve("random"));
        byte[] random = new byte[6_000_000];
        new java.util.Random(17).nextBytes(random);
        Files.write(ctx.resolve("big"), random);
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY big /big\n");
        String name = "whittle-cli/random:1";
        Whittle w = new Whittle(dir.resolve("random-store"));
        w.run("build", "--progress", "quiet", "-t", name, ctx.toString()).ok();
        Path tar = dir.resolve("random.tar");
        w.run("save", "-o", tar.toString(), name).ok();
        docker("rmi", "-f", name);
        String theirs, ours;
        try (Tmux t = Tmux.start(dir, DockerDaemon.DOCKER + " load -i " + tar + "\nsleep 600\n", 120, 10)) {
            theirs = t.screen(false, s -> s.contains("Loaded image"));
        } finally {
            docker("rmi", "-f", name);
        }
        try (Tmux t = Tmux.start(
                dir,
                Tmux.whittleCommand() + " --root " + dir.resolve("random-loaded") + " load -i " + tar + "\nsleep 600\n",
                120,
                10)) {
            ours = t.screen(false, s -> s.contains("Loaded image"));
        }
        assertThat(ours.strip())
                .isEqualTo(theirs.strip())
                .contains(": Loading layer [==================================================>]");
        // off a terminal, as docker: the names alone
        assertThat(new Whittle(dir.resolve("random-plain"))
                        .run("load", "-i", tar.toString())
                        .ok()
                        .out())
                .isEqualTo("Loaded image: " + name + "\n");
    }

    @Test
    void imagePruneRemovesDanglingThenAll() throws IOException {
        Whittle w = new Whittle(dir.resolve("prune-store"));
        w.run("load", "-i", dir.resolve("ab.tar").toString()).ok();
        assertThat(w.run("image", "prune", "-f").ok().out()).isEqualTo("Total reclaimed space: 0B\n");
        // a tag moved away leaves a dangling image
        String idA = w.run("images", "--no-trunc", "-q", A).ok().out().trim();
        w.run("tag", B, A).ok();
        Exec p = w.run("image", "prune", "-f").ok();
        assertThat(p.out())
                .startsWith("Deleted Images:\ndeleted: " + idA + "\n\nTotal reclaimed space: ")
                .doesNotContain("0B");
        Exec all = w.run("image", "prune", "-a", "-f").ok();
        assertThat(all.out())
                .startsWith("Deleted Images:\nuntagged: ")
                .contains("untagged: " + A + "\n", "untagged: " + B + "\n", "\ndeleted: sha256:");
        assertThat(w.run("images", "-q").ok().out()).isEmpty();
        assertThat(w.run("system", "fsck").ok().out()).contains("is consistent");
    }
}
