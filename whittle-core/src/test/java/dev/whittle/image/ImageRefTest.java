package dev.whittle.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageRefTest {
    @ParameterizedTest
    @CsvSource({
        "golang, docker.io/library/golang:latest, golang:latest",
        "golang:1.14.4-alpine, docker.io/library/golang:1.14.4-alpine, golang:1.14.4-alpine",
        "gcr.io/distroless/static-debian11, gcr.io/distroless/static-debian11:latest, gcr.io/distroless/static-debian11:latest",
        "localhost:5000/app:v1, localhost:5000/app:v1, localhost:5000/app:v1",
        "localhost/app, localhost/app:latest, localhost/app:latest",
        "user/app, docker.io/user/app:latest, user/app:latest",
        "index.docker.io/library/ubuntu, docker.io/library/ubuntu:latest, ubuntu:latest",
        "docker.io/library/ubuntu:22.04, docker.io/library/ubuntu:22.04, ubuntu:22.04",
        "127.0.0.1:5000/a/b/c:t, 127.0.0.1:5000/a/b/c:t, 127.0.0.1:5000/a/b/c:t",
    })
    void normalisesAsDockerDoes(String in, String full, String familiar) {
        ImageRef r = ImageRef.parse(in);
        assertThat(r.toString()).isEqualTo(full);
        assertThat(r.familiar()).isEqualTo(familiar);
    }

    @Test
    void digestWinsOverTag() {
        String d = "sha256:" + "a".repeat(64);
        ImageRef r = ImageRef.parse("golang:1.19@" + d);
        assertThat(r.tag()).isNull();
        assertThat(r.digest().toString()).isEqualTo(d);
        assertThat(r.familiar()).isEqualTo("golang@" + d);
    }

    @Test
    void refusesWhatDockerRefuses() {
        assertThatThrownBy(() -> ImageRef.parse("Golang")).hasMessageContaining("must be lowercase");
        assertThatThrownBy(() -> ImageRef.parse("a".repeat(64))).hasMessageContaining("64-byte hexadecimal");
        assertThatThrownBy(() -> ImageRef.parse("app:")).hasMessageContaining("invalid reference format");
        assertThatThrownBy(() -> ImageRef.parse("app@sha256:xyz")).hasMessageContaining("invalid reference format");
        assertThatThrownBy(() -> ImageRef.parse("")).hasMessageContaining("invalid reference format");
    }

    @Test
    void upperCaseFirstComponentIsARegistry() {
        ImageRef r = ImageRef.parse("MyRegistry/app");
        assertThat(r.domain()).isEqualTo("MyRegistry");
    }
}
