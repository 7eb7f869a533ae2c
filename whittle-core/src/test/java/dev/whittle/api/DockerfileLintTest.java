package dev.whittle.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whittle.check.Lint;
import dev.whittle.store.Store;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** whittle lint's service: rules, the configuration file, ignores, pragmas, the three formats and the threshold. */
class DockerfileLintTest {
    @Test
    void configurationIgnoresPragmasAndFormats(@TempDir Path dir) throws Exception {
        Path df = Files.writeString(dir.resolve("Dockerfile"), """
                FROM golang:latest as build
                # whittle-lint ignore=WL005
                FROM alpine:latest
                RUN apk add curl
                """);
        try (Store store = Store.open(dir.resolve("store"))) {
            List<Lint.Finding> all = DockerfileLint.run(store, df, null, List.of());
            assertThat(all).extracting(Lint.Finding::rule).contains("WL005", "WL003", "FromAsCasing");
            // the pragma above line 3 hides its WL005, not line 1's
            assertThat(all)
                    .filteredOn(f -> f.rule().equals("WL005"))
                    .extracting(f -> f.pos().line())
                    .containsExactly(1);

            Files.writeString(
                    dir.resolve(".whittle-lint.json"),
                    "{\"ignore\": [\"FromAsCasing\"], \"levels\": {\"WL003\": \"error\"}}");
            List<Lint.Finding> configured = DockerfileLint.run(store, df, null, List.of("WL005"));
            assertThat(configured).extracting(Lint.Finding::rule).containsExactly("WL003");
            assertThat(configured.getFirst().level()).isEqualTo(Lint.Level.ERROR);
            assertThat(DockerfileLint.fails(configured, "error")).isTrue();
            assertThat(DockerfileLint.fails(configured, "none")).isFalse();

            assertThat(DockerfileLint.render(configured, "Dockerfile", "text"))
                    .startsWith("Dockerfile:4:1 WL003 error: ");
            assertThat(DockerfileLint.render(configured, "Dockerfile", "json"))
                    .contains("\"code\": \"WL003\"")
                    .contains("\"line\": 4");
            assertThat(DockerfileLint.render(configured, "Dockerfile", "sarif"))
                    .contains("\"version\": \"2.1.0\"")
                    .contains("\"ruleId\": \"WL003\"")
                    .contains("\"startLine\": 4")
                    .contains("\"name\": \"whittle lint\"");
            assertThatThrownBy(() -> DockerfileLint.render(configured, "Dockerfile", "xml"))
                    .hasMessageContaining("unknown --format");
            assertThatThrownBy(() -> DockerfileLint.run(store, df, dir.resolve("missing.json"), List.of()))
                    .isInstanceOf(NoSuchFileException.class);
        }
    }
}
