package dev.whittle.image;

import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Config and history times are read by hand in the usual shape; every answer must be the JDK's. */
class ImageConfigTimeTest {
    @Test
    void readsRfc3339TimesExactlyAsTheJdkDoes() {
        for (String s : List.of("2020-06-11T23:02:15Z", "2020-06-11T23:02:15.1Z", "2020-06-11T23:02:15.123456789Z",
                "2023-01-31T00:00:00.000000001+05:30", "1970-01-01T00:00:00-08:00", "2024-02-29T12:34:56.5-00:45",
                "0001-01-01T00:00:00Z", "2020-06-11T23:02Z", "2020-06-11T23:02:15.Z", "2020-06-11t23:02:15z")) {
            assertThat(ImageConfig.parseTime(s)).as(s).isEqualTo(OffsetDateTime.parse(s).toInstant());
        }
    }

    @Test
    void whatTheJdkRefusesIsNoTime() {
        for (String s : List.of("2023-02-29T00:00:00Z", "2020-13-01T00:00:00Z", "2020-06-11T24:00:00Z",
                "2020-06-11T23:02:15.1234567890Z", "2020-06-11 23:02:15Z", "2020-06-11T23:02:15", "yesterday", "")) {
            assertThat(ImageConfig.parseTime(s)).as(s).isNull();
        }
    }
}
