package dev.whittle.cli.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UnitsTest {
    @ParameterizedTest
    @CsvSource({
        "0, 0B",
        "999, 999B",
        "1000, 1kB",
        "4500000, 4.5MB",
        "9080000, 9.08MB",
        "855000000, 855MB",
        "834123456, 834MB",
        "8012345, 8.01MB",
        "7930000, 7.93MB",
        "999600, 1e+03kB",
        "72900000, 72.9MB",
        "5600000, 5.6MB",
        "1230000000, 1.23GB",
        "2688536, 2.69MB",
        "12345, 12.3kB",
    })
    void sizesAsDockerPrintsThem(long bytes, String expected) {
        assertThat(Units.humanSize(bytes)).isEqualTo(expected);
    }

    /** The digits worked out in double arithmetic equal BigDecimal's exact rounding, ties and all. */
    @Test
    void fastFloatDigitsAgreeWithExactRounding() {
        java.util.Random r = new java.util.Random(7);
        java.util.List<Double> values = new java.util.ArrayList<>();
        for (long b : new long[] {
            0, 1, 999, 1000, 1005, 1015, 1025, 999500, 999499, 855250000, 855350000, 1250, 12345, 99950, 99949
        }) {
            for (int k = 0; k <= 3; k++) values.add(b / Math.pow(1000, k));
        }
        for (int n = 0; n < 200_000; n++) {
            values.add(r.nextInt(2) == 0 ? r.nextLong(1L << 40) / 1000.0 : Double.longBitsToDouble(r.nextLong() >>> 2));
            values.add((double) r.nextInt(10_000) / 8); // exact binary fractions: ties at every precision
        }
        for (double v : values) {
            for (int prec : new int[] {1, 3, 4, 6}) {
                for (char fmt : new char[] {'g', 'e'}) {
                    assertThat(GoFloat.formatFloat(v, fmt, prec))
                            .as("%s %c %d", v, fmt, prec)
                            .isEqualTo(GoFloat.formatFloatExact(v, fmt, prec));
                }
            }
        }
    }

    @Test
    void goFloatFormatting() {
        assertThat(GoFloat.formatFloat(1e6, 'g', -1)).isEqualTo("1e+06");
        assertThat(GoFloat.formatFloat(123456, 'g', -1)).isEqualTo("123456");
        assertThat(GoFloat.formatFloat(0.5, 'g', -1)).isEqualTo("0.5");
        assertThat(GoFloat.formatFloat(0.00001234, 'g', -1)).isEqualTo("1.234e-05");
        assertThat(GoFloat.formatFloat(3.14159, 'f', 2)).isEqualTo("3.14");
        assertThat(GoFloat.formatFloat(100, 'g', 3)).isEqualTo("100");
    }

    @ParameterizedTest
    @CsvSource({
        "0, Less than a second",
        "1, 1 second",
        "59, 59 seconds",
        "60, About a minute",
        "150, 2 minutes",
        "3600, About an hour",
        "7200, 2 hours",
        "172800, 2 days",
        "1209600, 2 weeks",
        "5184000, 2 months",
        "63072000, 2 years"
    })
    void durationsAsDockerPrintsThem(long seconds, String expected) {
        assertThat(Units.humanDuration(Duration.ofSeconds(seconds))).isEqualTo(expected);
    }

    /** Go's time.Sub saturates at the int64 nanoseconds a Duration holds, so nothing is longer than 292 years. */
    @Test
    void durationsBeyondGosRangeSaturateAsTimeSubDoes() {
        assertThat(Units.humanDuration(Duration.ofDays(200 * 365 + 50))).isEqualTo("200 years");
        assertThat(Units.humanDuration(Duration.ofDays(300 * 365))).isEqualTo("292 years");
        assertThat(Units.humanDuration(Duration.ofSeconds(Long.MAX_VALUE))).isEqualTo("292 years");
        assertThat(Units.humanDuration(Duration.ofDays(-5_000_000L * 365))).isEqualTo("Less than a second");
        assertThat(Units.humanDuration(Duration.ofSeconds(Long.MIN_VALUE))).isEqualTo("Less than a second");
        assertThat(Units.humanDuration(Duration.ofNanos(Long.MAX_VALUE))).isEqualTo("292 years");
        assertThat(Units.humanDuration(Duration.ofMillis(-500))).isEqualTo("Less than a second");
    }
}
