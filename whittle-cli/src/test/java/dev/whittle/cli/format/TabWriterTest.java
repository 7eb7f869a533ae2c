package dev.whittle.cli.format;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TabWriterTest {
    @Test
    void alignsColumnsAsDockersTables() {
        String in =
                "REPOSITORY\tTAG\tIMAGE ID\tSIZE\nsite\tstatic\t0123456789ab\t8.01MB\ngolang\t1.14.4-alpine\tba9876543210\t850MB\n";
        assertThat(TabWriter.docker().format(in))
                .isEqualTo("REPOSITORY   TAG             IMAGE ID       SIZE\n"
                        + "site         static          0123456789ab   8.01MB\n"
                        + "golang       1.14.4-alpine   ba9876543210   850MB\n");
    }

    @Test
    void aLineWithoutTabsEndsAColumnBlock() {
        String in = "a\tb\nno tabs here\nlonger cell\tc\n";
        assertThat(TabWriter.docker().format(in)).isEqualTo("a         b\nno tabs here\nlonger cell   c\n");
    }
}
