package dev.whittle.build;

import dev.whittle.dockerfile.Dockerfile;
import dev.whittle.dockerfile.Instruction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A HEALTHCHECK as the image config holds it: the test ({@code NONE}, {@code CMD ...} or {@code CMD-SHELL text}) and
 * the durations in nanoseconds and retries its flags give (zero: not set, left out of the config).
 */
record HealthcheckConfig(
        List<String> test, long interval, long timeout, long startPeriod, long startInterval, long retries) {
    HealthcheckConfig {
        test = List.copyOf(test);
    }

    static HealthcheckConfig of(Dockerfile df, Instruction.Healthcheck h) {
        if (h.command() == null) return new HealthcheckConfig(List.of("NONE"), 0, 0, 0, 0, 0);
        List<String> test = new ArrayList<>();
        if (h.command().exec()) {
            test.add("CMD");
            test.addAll(h.command().argStrings());
        } else {
            test.add("CMD-SHELL");
            test.add(h.command().shell().text());
        }
        long interval = 0, timeout = 0, start = 0, startInterval = 0, retries = 0;
        for (var f : h.flags()) {
            try {
                switch (f.name()) {
                    case "interval" -> interval = GoText.parseDuration(f.value());
                    case "timeout" -> timeout = GoText.parseDuration(f.value());
                    case "start-period" -> start = GoText.parseDuration(f.value());
                    case "start-interval" -> startInterval = GoText.parseDuration(f.value());
                    case "retries" -> retries = Long.parseLong(f.value());
                    default -> {}
                }
            } catch (IllegalArgumentException ex) {
                throw df.error(f.pos(), "invalid value for --" + f.name() + ": " + f.value());
            }
        }
        return new HealthcheckConfig(test, interval, timeout, start, startInterval, retries);
    }

    /** The config's {@code Healthcheck} object. */
    Map<String, Object> config() {
        Map<String, Object> hc = new LinkedHashMap<>();
        hc.put("Test", test);
        if (interval != 0) hc.put("Interval", interval);
        if (timeout != 0) hc.put("Timeout", timeout);
        if (startPeriod != 0) hc.put("StartPeriod", startPeriod);
        if (startInterval != 0) hc.put("StartInterval", startInterval);
        if (retries != 0) hc.put("Retries", retries);
        return hc;
    }

    /** BuildKit's history text: Go's {@code %v} of its HealthConfig struct. */
    String history() {
        return "HEALTHCHECK &{" + GoText.quotedSlice(test) + " " + GoText.quote(GoText.duration(interval)) + " "
                + GoText.quote(GoText.duration(timeout)) + " " + GoText.quote(GoText.duration(startPeriod)) + " "
                + GoText.quotedRune(retries) + "}";
    }
}
