package dev.whittle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ImageViewsTest {
    /**
     * docker's API gives an image's creation time in whole seconds, so `docker images` counts 2 seconds from 10.9 s to
     * 12.5 s where the full time would make it 1 (whittle said "1 second ago" beside docker's "2 seconds ago").
     */
    @Test
    void createdSinceCountsFromTheWholeSecondAsDocker() {
        Instant created = Instant.ofEpochSecond(1_600_000_010, 900_000_000);
        assertThat(ImageViews.createdSince(created, Instant.ofEpochSecond(1_600_000_012, 500_000_000)))
                .isEqualTo("2 seconds ago");
        assertThat(ImageViews.createdSince(created, Instant.ofEpochSecond(1_600_000_070, 0)))
                .isEqualTo("About a minute ago");
    }
}
