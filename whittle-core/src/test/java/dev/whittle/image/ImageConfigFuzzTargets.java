package dev.whittle.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.whittle.json.JsonException;
import java.util.List;
import java.util.function.Supplier;

/**
 * Coverage-guided fuzzing (Jazzer) of the image config reader, which every {@code load}, {@code pull},
 * {@code images}, {@code inspect} and {@code history} runs over bytes someone else wrote. Any bytes give either a
 * {@link JsonException} with a message or a config whose every reader answers or throws a {@link JsonException}
 * naming the field; its times read as a time or none; and the config rebuilt from it parses again. Seeds (docker's,
 * BuildKit's and whittle's configs, one dated outside Go's years) are under
 * {@code src/test/resources/.../ImageConfigFuzzTargetsInputs/}.
 */
class ImageConfigFuzzTargets {
    @FuzzTest(maxDuration = "20s")
    void parseConfig(byte[] input) {
        ImageConfig c;
        try {
            c = ImageConfig.parse(input);
        } catch (JsonException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(c.digest()).isEqualTo(Digest.sha256(input));
        for (Supplier<?> read : List.<Supplier<?>>of(
                c::architecture,
                c::os,
                c::variant,
                c::platform,
                c::author,
                c::createdText,
                c::created,
                c::config,
                c::env,
                () -> c.envValue("PATH"),
                c::entrypoint,
                c::cmd,
                c::workingDir,
                c::user,
                c::shell,
                c::onBuild,
                c::diffIds,
                c::history)) {
            try {
                read.get();
            } catch (JsonException e) {
                assertThat(e.getMessage()).isNotBlank();
            }
        }
        try {
            for (ImageConfig.History h : c.history()) ImageConfig.parseTime(h.created());
        } catch (JsonException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
        ImageConfig rebuilt = c.toBuilder().build();
        ImageConfig.parse(rebuilt.raw());
    }
}
