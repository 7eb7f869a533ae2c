package dev.whittle.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChallengeTest {
    @Test
    void quotedScopesWithCommasAndSeveralChallenges() {
        List<Challenge> c = Challenge.parse(
                List.of(
                        "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:samalba/my-app:pull,push\"",
                        "Basic realm=\"Registry Realm\", Bearer realm=\"http://127.0.0.1:1/token\" , error=\"insufficient_scope\""));
        assertThat(c).hasSize(3);
        assertThat(c.get(0).scheme()).isEqualTo("bearer");
        assertThat(c.get(0).param("scope")).isEqualTo("repository:samalba/my-app:pull,push");
        assertThat(c.get(0).param("service")).isEqualTo("registry.docker.io");
        assertThat(c.get(1).scheme()).isEqualTo("basic");
        assertThat(c.get(1).param("realm")).isEqualTo("Registry Realm");
        assertThat(c.get(2).param("realm")).isEqualTo("http://127.0.0.1:1/token");
        assertThat(c.get(2).param("error")).isEqualTo("insufficient_scope");
    }

    @Test
    void escapesAndUnquotedValues() {
        List<Challenge> c = Challenge.parse(List.of("Bearer realm=\"a\\\"b\",service=plain"));
        assertThat(c.getFirst().param("realm")).isEqualTo("a\"b");
        assertThat(c.getFirst().param("service")).isEqualTo("plain");
        assertThat(Challenge.parse(List.of("", ",,,"))).isEmpty();
    }
}
