package dev.whittle.cli.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class GoTimeTest {
    @Test
    void timesInUtcAreFormattedAsGoFormatsThem() {
        Instant t = Instant.parse("2021-03-04T03:24:42.120000Z");
        assertThat(GoTime.string(t, ZoneOffset.UTC)).isEqualTo("2021-03-04 03:24:42 +0000 UTC");
        assertThat(GoTime.rfc3339(t, ZoneOffset.UTC)).isEqualTo("2021-03-04T03:24:42Z");
        assertThat(GoTime.rfc3339Nano(t)).isEqualTo("2021-03-04T03:24:42.12Z");
        assertThat(GoTime.rfc3339Nano(Instant.parse("1970-01-01T00:00:00Z"))).isEqualTo("1970-01-01T00:00:00Z");
        assertThat(GoTime.rfc3339Nano(Instant.parse("2001-02-03T04:05:06.000000001Z")))
                .isEqualTo("2001-02-03T04:05:06.000000001Z");
        assertThat(GoTime.rfc3339Nano(null)).isEqualTo("0001-01-01T00:00:00Z");
    }

    @Test
    void theHandWrittenFormattingEqualsTheJdksForManyInstants() {
        java.util.Random r = new java.util.Random(3);
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        for (int i = 0; i < 5000; i++) {
            Instant t = Instant.ofEpochSecond(r.nextLong(253402300799L)); // years 1970-9999
            assertThat(GoTime.rfc3339(t, ZoneOffset.UTC))
                    .isEqualTo(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t.atOffset(ZoneOffset.UTC)));
            assertThat(GoTime.rfc3339(t, berlin))
                    .isEqualTo(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t.atZone(berlin)));
            assertThat(GoTime.string(t, ZoneOffset.UTC))
                    .isEqualTo(t.atOffset(ZoneOffset.UTC)
                                    .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss xx", Locale.ROOT))
                            + " UTC");
        }
        assertThat(GoTime.string(Instant.parse("2021-03-04T03:24:42Z"), berlin))
                .isEqualTo("2021-03-04 04:24:42 +0100 CET");
    }

    /** Go's time.Time holds any int64 second; its formats write the year with a sign and at least four digits. */
    @Test
    void yearsOutsideRfc3339AreFormattedAsGoFormatsThem() {
        Instant far = Instant.ofEpochSecond(-99999999999999L);
        assertThat(GoTime.rfc3339Nano(far)).isEqualTo("-3166904-02-24T14:13:21Z");
        assertThat(GoTime.string(far, ZoneOffset.UTC)).isEqualTo("-3166904-02-24 14:13:21 +0000 UTC");
        assertThat(GoTime.rfc3339(far, ZoneOffset.UTC)).isEqualTo("-3166904-02-24T14:13:21Z");
        assertThat(GoTime.rfc3339Nano(Instant.ofEpochSecond(-62293708800L))).isEqualTo("-0005-12-29T00:00:00Z");
        assertThat(GoTime.rfc3339Nano(Instant.ofEpochSecond(253402300800L))).isEqualTo("10000-01-01T00:00:00Z");
        assertThat(GoTime.rfc3339Nano(Instant.ofEpochSecond(3155633852800000L))).isEqualTo("100000025-12-25T23:06:40Z");
        assertThat(GoTime.rfc3339Nano(Instant.MIN)).isEqualTo("-1000000000-01-01T00:00:00Z");
        assertThat(GoTime.rfc3339Nano(Instant.MAX)).isEqualTo("1000000000-12-31T23:59:59.999999999Z");
        // before a zone's first transition Go and the JDK both take its local mean time, and Go drops the offset's
        // seconds
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        assertThat(GoTime.rfc3339(far, berlin)).isEqualTo("-3166904-02-24T15:06:49+00:53");
        assertThat(GoTime.rfc3339(Instant.ofEpochSecond(-62293708800L), berlin))
                .isEqualTo("-0005-12-29T00:53:28+00:53");
        assertThat(GoTime.string(far, berlin)).startsWith("-3166904-02-24 15:06:49 +0053 ");
        assertThat(GoTime.string(Instant.MIN, berlin)).startsWith("-1000000000-01-01 00:53:28 +0053 ");
    }
}
