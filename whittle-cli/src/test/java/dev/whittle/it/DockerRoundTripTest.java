package dev.whittle.it;

import static dev.whittle.it.DockerDaemon.docker;
import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker save → whittle load → whittle save → docker load → docker run, and whittle's image commands against
 * docker's own output for the same images.
 */
@Tag("docker")
class DockerRoundTripTest {
    static final String IMG = "whittle-rt/roundtrip:1";
    static final String LAYERED = "whittle-rt/layered:2";

    @TempDir
    static Path dir;

    static Whittle whittle;

    @BeforeAll
    static void images() throws IOException {
        DockerDaemon.require();
        Path rootfs = RootFs.busybox(dir);
        docker("rmi", "-f", IMG, LAYERED);
        docker(
                        "import",
                        "-c",
                        "CMD [\"/bin/sh\", \"-c\", \"echo hello from roundtrip\"]",
                        "-c",
                        "ENV GREETING=hi",
                        "-c",
                        "EXPOSE 4242",
                        "-c",
                        "LABEL org.example=yes",
                        rootfs.toString(),
                        IMG)
                .ok();
        // a multi-layer image with whiteouts, hardlinks, setuid and an opaque directory, made by Docker itself
        Path ctx = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), """
                FROM %s
                RUN mkdir -p /data/sub /gone && echo a > /data/a && echo b > /data/sub/b && echo g > /gone/g && ln /data/a /data/a-link
                RUN rm -rf /gone /data/sub && echo more > /data/more && chmod 4755 /data/more
                RUN rm -rf /data && mkdir /data && echo fresh > /data/fresh
                CMD ["/bin/cat", "/data/fresh"]
                """.formatted(IMG));
        Exec b = docker("build", "--network", "none", "-t", LAYERED, ctx.toString());
        if (b.code() != 0)
            b = Exec.run(List.of(
                    "env",
                    "DOCKER_BUILDKIT=0",
                    DockerDaemon.DOCKER,
                    "build",
                    "--network",
                    "none",
                    "-t",
                    LAYERED,
                    ctx.toString()));
        b.ok();
        Path saved = dir.resolve("docker-save.tar");
        docker("save", "-o", saved.toString(), IMG, LAYERED).ok();
        whittle = new Whittle(dir.resolve("store"));
        Exec load = whittle.run("load", "-i", saved.toString()).ok();
        assertThat(load.out()).contains("Loaded image: " + IMG).contains("Loaded image: " + LAYERED);
    }

    @AfterAll
    static void cleanup() {
        if (whittle != null) docker("rmi", "-f", IMG, LAYERED);
    }

    @Test
    void imageIdsAndLayerDigestsSurviveTheRoundTrip() {
        for (String img : List.of(IMG, LAYERED)) {
            String f = "{{.Id}} {{range .RootFS.Layers}}{{.}} {{end}}";
            String ours = whittle.run("inspect", "--format", f, img).ok().out();
            assertThat(ours)
                    .isEqualTo(docker("inspect", "--format", f, img).ok().out());
        }
        Path out = dir.resolve("whittle-save.tar");
        whittle.run("save", "-o", out.toString(), IMG, LAYERED).ok();
        String idBefore = docker("inspect", "--format", "{{.Id}}", LAYERED).ok().out();
        docker("rmi", "-f", IMG, LAYERED).ok();
        assertThat(docker("load", "-i", out.toString()).ok().out())
                .contains("Loaded image: " + IMG)
                .contains("Loaded image: " + LAYERED);
        assertThat(docker("inspect", "--format", "{{.Id}}", LAYERED).ok().out()).isEqualTo(idBefore);
        assertThat(docker("run", "--rm", "--network", "none", IMG).ok().out()).isEqualTo("hello from roundtrip\n");
        assertThat(docker("run", "--rm", "--network", "none", LAYERED).ok().out())
                .isEqualTo("fresh\n");
    }

    @Test
    void seedWriteUpLinesPrintWhatDockerPrints() {
        String images = "{{.Repository}}:{{.Tag}} -> {{.Size}}";
        assertThat(whittle.run("images", "whittle-rt/roundtrip", "--format", images)
                        .ok()
                        .out())
                .isEqualTo(docker("images", "whittle-rt/roundtrip", "--format", images)
                        .ok()
                        .out());
        String layers = "{{range .RootFS.Layers}}{{println .}}{{end}}";
        assertThat(whittle.run("inspect", LAYERED, "--format", layers).ok().out())
                .isEqualTo(docker("inspect", LAYERED, "--format", layers).ok().out());
    }

    @Test
    void inspectJsonMatchesDockersShape() {
        for (String img : List.of(IMG, LAYERED)) {
            Object d = Json.parse(docker("inspect", img).ok().out());
            Object w = Json.parse(whittle.run("inspect", img).ok().out());
            assertThat(strip(w)).isEqualTo(strip(d));
        }
    }

    @SuppressWarnings("unchecked")
    private static Object strip(Object inspect) {
        List<Object> out = new ArrayList<>();
        for (Object o : (List<Object>) inspect) {
            Map<String, Object> m = new java.util.LinkedHashMap<>((Map<String, Object>) o);
            m.remove("GraphDriver"); // where docker keeps layers on disk: not an image property
            m.remove("Metadata"); // LastTagTime: when docker last tagged it locally
            out.add(m);
        }
        return out;
    }

    @Test
    void historyMatchesDocker() {
        for (String img : List.of(IMG, LAYERED)) {
            for (String f : List.of("{{.ID}}|{{.CreatedBy}}|{{.Size}}|{{.Comment}}", "{{json .}}")) {
                String ours = whittle.run("history", "--no-trunc", "-H=false", "--format", f, img)
                        .ok()
                        .out();
                String theirs = docker("history", "--no-trunc", "-H=false", "--format", f, img)
                        .ok()
                        .out();
                assertThat(ours).isEqualTo(theirs);
            }
            String table = "table {{.ID}}\t{{.CreatedBy}}\t{{.Size}}";
            assertThat(whittle.run("history", "--format", table, img).ok().out())
                    .isEqualTo(docker("history", "--format", table, img).ok().out());
        }
    }

    @Test
    void imagesTableMatchesDocker() {
        String table = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Size}}";
        String ours =
                whittle.run("images", "--format", table, "whittle-rt/*").ok().out();
        String theirs = docker("images", "--format", table, "whittle-rt/*").ok().out();
        String created = "{{.Created}}";
        if (docker("inspect", "--format", created, IMG)
                .ok()
                .out()
                .substring(0, 19)
                .equals(docker("inspect", "--format", created, LAYERED)
                        .ok()
                        .out()
                        .substring(0, 19))) {
            // made within the same second: dockerd's sort by seconds leaves their order to chance, so rows only
            assertThat(ours.lines().sorted().toList())
                    .isEqualTo(theirs.lines().sorted().toList());
        } else {
            assertThat(ours).isEqualTo(theirs);
        }
        assertThat(whittle.run("images", "-q", IMG).ok().out())
                .isEqualTo(docker("images", "-q", IMG).ok().out());
    }

    @Test
    void exportGivesTheSameTreeAsDockerExport() throws IOException {
        Path ours = dir.resolve("ours.tar"), theirs = dir.resolve("theirs.tar");
        whittle.run("export", "-o", ours.toString(), LAYERED).ok();
        String id = docker("create", "--network", "none", LAYERED).ok().out().trim();
        try {
            docker("export", "-o", theirs.toString(), id).ok();
        } finally {
            docker("rm", id);
        }
        assertThat(listing(ours)).isEqualTo(listing(theirs));
    }

    /** tar -tv without the placeholder files every docker container gets (/.dockerenv, /etc/hosts...). */
    private static TreeSet<String> listing(Path tar) {
        TreeSet<String> lines = new TreeSet<>();
        for (String l : Exec.run("tar", "--numeric-owner", "--full-time", "-tvf", tar.toString())
                .ok()
                .out()
                .split("\n")) {
            String[] f = l.trim().split("\\s+", 6);
            if (f.length < 6) continue;
            String name =
                    f[5].replaceFirst(" -> .*$", "").replaceFirst("^\\./", "").replaceFirst("/$", "");
            if (name.equals(".dockerenv")
                    || name.equals("etc/hosts")
                    || name.equals("etc/hostname")
                    || name.equals("etc/resolv.conf")
                    || name.startsWith("dev")
                    || name.startsWith("proc")
                    || name.startsWith("sys")
                    || name.equals("etc/mtab")
                    || name.isEmpty()
                    || name.equals(".")
                    || name.equals("etc")) {
                continue; // created by docker create, not by the image
            }
            // type+mode, owner, size, name (times of directories touched by docker create differ)
            lines.add(f[0] + " " + f[1] + " " + (f[0].startsWith("d") ? "" : f[2]) + " " + f[5]);
        }
        return lines;
    }

    @Test
    void ociOutputIsAcceptedBySkopeoAndUmoci() throws IOException {
        Path oci = dir.resolve("oci.tar");
        whittle.run("save", "--format", "oci", "-o", oci.toString(), IMG).ok();
        org.junit.jupiter.api.Assumptions.assumeTrue(Exec.available("skopeo"), "skopeo is not installed");
        Exec s = Exec.run("skopeo", "inspect", "--raw", "oci-archive:" + oci).ok();
        assertThat(s.out()).contains("application/vnd.oci.image.manifest.v1+json");
        Exec cfg =
                Exec.run("skopeo", "inspect", "--config", "oci-archive:" + oci).ok();
        assertThat(cfg.out()).contains("GREETING=hi");
        org.junit.jupiter.api.Assumptions.assumeTrue(Exec.available("umoci"), "umoci is not installed");
        Path layout = Files.createDirectories(dir.resolve("layout"));
        Exec.run("tar", "-xf", oci.toString(), "-C", layout.toString()).ok();
        Path bundle = dir.resolve("bundle");
        Exec.run("umoci", "unpack", "--image", layout + ":1", bundle.toString()).ok();
        assertThat(bundle.resolve("rootfs/bin/busybox")).isRegularFile();
        assertThat(Files.readString(bundle.resolve("config.json"))).contains("GREETING=hi");
    }
}
