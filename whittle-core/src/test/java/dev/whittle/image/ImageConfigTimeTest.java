package dev.whittle.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Config and history times are read by hand in the usual shape; every answer must be the JDK's. */
class ImageConfigTimeTest {
    @Test
    void readsRfc3339TimesExactlyAsTheJdkDoes() {
        for (String s : List.of(
                "2020-06-11T23:02:15Z",
                "2020-06-11T23:02:15.1Z",
                "2020-06-11T23:02:15.123456789Z",
                "2023-01-31T00:00:00.000000001+05:30",
                "1970-01-01T00:00:00-08:00",
                "2024-02-29T12:34:56.5-00:45",
                "0001-01-01T00:00:00Z",
                "2020-06-11T23:02Z",
                "2020-06-11T23:02:15.Z",
                "2020-06-11t23:02:15z")) {
            assertThat(ImageConfig.parseTime(s))
                    .as(s)
                    .isEqualTo(OffsetDateTime.parse(s).toInstant());
        }
    }

    @Test
    void whatTheJdkRefusesIsNoTime() {
        for (String s : List.of(
                "2023-02-29T00:00:00Z",
                "2020-13-01T00:00:00Z",
                "2020-06-11T24:00:00Z",
                "2020-06-11T23:02:15.1234567890Z",
                "2020-06-11 23:02:15Z",
                "2020-06-11T23:02:15",
                "yesterday",
                "")) {
            assertThat(ImageConfig.parseTime(s)).as(s).isNull();
        }
    }

    /** Years as Go's time.Format writes them outside 0-9999 (the epochs are what Go's time.Unix gives back for them). */
    @Test
    void yearsBeyondFourDigitsAreReadAsGoWritesThem() {
        assertThat(ImageConfig.parseTime("-3166904-02-24T14:13:21Z"))
                .isEqualTo(Instant.ofEpochSecond(-99999999999999L));
        assertThat(ImageConfig.parseTime("-5000064-03-11T16:00:00Z"))
                .isEqualTo(Instant.ofEpochSecond(-157848940800000L));
        assertThat(ImageConfig.parseTime("100000025-12-25T23:06:40Z"))
                .isEqualTo(Instant.ofEpochSecond(3155633852800000L));
        assertThat(ImageConfig.parseTime("-0005-12-29T00:00:00Z")).isEqualTo(Instant.ofEpochSecond(-62293708800L));
        assertThat(ImageConfig.parseTime("10000-01-01T00:00:00.5+01:00"))
                .isEqualTo(Instant.ofEpochSecond(253402300800L - 3600, 500_000_000));
        // the JDK's ISO_INSTANT writes a sign before a five-digit year
        assertThat(ImageConfig.parseTime("+10000-01-01T00:00:00Z")).isEqualTo(Instant.ofEpochSecond(253402300800L));
        // beyond what an Instant holds, or no year at all: no time, and no exception
        for (String s : List.of(
                "-1000000001-01-01T00:00:00Z",
                "99999999999-01-01T00:00:00Z",
                "123-01-01T00:00:00Z",
                "-999999999-01-01T00:00:00+18:00",
                "+999999999-12-31T23:59:59-18:00",
                "--2020-01-01T00:00:00Z",
                "-")) {
            assertThatCode(() -> ImageConfig.parseTime(s)).as(s).doesNotThrowAnyException();
        }
        assertThat(ImageConfig.parseTime("-1000000001-01-01T00:00:00Z")).isNull();
        assertThat(ImageConfig.parseTime("99999999999-01-01T00:00:00Z")).isNull();
        assertThat(ImageConfig.parseTime("123-01-01T00:00:00Z")).isNull();
    }
}
