package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed scenarios built from an empty store, with their base images (golang, alpine, distroless) only in a local
 * registry that the registries file names as the mirror of Docker Hub and gcr.io: the path a user behind a pull-through
 * cache takes. Sizes must be the seed table's.
 */
@Tag("runc")
class MirrorScenarioTest {
    @TempDir
    Path dir;

    static final Map<String, String> BASES = new LinkedHashMap<>();

    static {
        BASES.put("golang:alpine", "library/golang:alpine");
        BASES.put("golang:1.14.4-alpine", "library/golang:1.14.4-alpine");
        BASES.put("alpine:latest", "library/alpine:latest");
        BASES.put("gcr.io/distroless/static-debian11:latest", "distroless/static-debian11:latest");
    }

    /** tag, directory, Dockerfile, size as docker images shows it (../shared/scenarios/README.md). */
    static final List<String[]> SCENARIOS = List.of(
            new String[] {"hello:single", "hello", "Dockerfile.single", "834MB"},
            new String[] {"example", "hello", "Dockerfile", "4.51MB"},
            new String[] {"site:single", "site", "Dockerfile.single", "855MB"},
            new String[] {"site:staged", "site", "Dockerfile.staged", "9.08MB"},
            new String[] {"site:distroless", "site", "Dockerfile.distroless", "7.93MB"},
            new String[] {"site:static", "site", "Dockerfile.static", "8.01MB"});

    @Test
    void scenariosBuildWithBasesOnlyInAMirror() throws IOException {
        Whittle bases = Scenarios.require();
        try (LocalRegistry reg = LocalRegistry.start(new LocalRegistry.Auth.None())) {
            Path cfg = dir.resolve("registries.json");
            Files.writeString(cfg, """
                    {"loopback-only": true,
                     "registries": {
                       "docker.io": {"mirrors": ["http://%1$s"], "mirrors-only": true},
                       "gcr.io": {"mirrors": ["http://%1$s"], "mirrors-only": true}}}
                    """.formatted(reg.host()));
            Whittle pusher = bases.with("--registries-config", cfg.toString());
            for (Map.Entry<String, String> b : BASES.entrySet()) {
                String target = reg.host() + "/" + b.getValue();
                pusher.run("tag", b.getKey(), target).ok();
                try {
                    pusher.run("push", "-q", target).ok();
                } finally {
                    pusher.run("rmi", target);
                }
            }

            Whittle w = new Whittle(dir.resolve("empty-store"), List.of("--registries-config", cfg.toString()));
            Path examples = Scenarios.examples();
            for (String[] s : SCENARIOS) {
                Path ctx = examples.resolve(s[1]);
                w.run(
                                "build",
                                "--progress",
                                "quiet",
                                "--check=warn",
                                "-f",
                                ctx.resolve(s[2]).toString(),
                                "-t",
                                s[0],
                                ctx.toString())
                        .ok();
            }
            for (String[] s : SCENARIOS) {
                assertThat(w.run("images", "--format", "{{.Size}}", s[0])
                                .ok()
                                .out()
                                .trim())
                        .as(s[0])
                        .isEqualTo(s[3]);
            }
            for (String base : BASES.keySet()) {
                String id = w.run("inspect", "--format", "{{.Id}}", base).ok().out();
                assertThat(id)
                        .as(base + " came from the mirror unchanged")
                        .isEqualTo(bases.run("inspect", "--format", "{{.Id}}", base)
                                .ok()
                                .out());
                assertThat(w.run("inspect", "--format", "{{index .RepoDigests 0}}", base)
                                .ok()
                                .out())
                        .startsWith(dev.whittle.image.ImageRef.parse(base).familiarRepository() + "@sha256:");
            }
        }
    }
}
