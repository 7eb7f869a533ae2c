package dev.whittle.it;

import static dev.whittle.tar.RawTar.archive;
import static dev.whittle.tar.RawTar.header;
import static dev.whittle.tar.RawTar.padded;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input to the image commands: images whose dates Go's RFC 3339 cannot hold, and {@code --format} templates
 * that ask for absurd work. Each is either shown as docker would show it or refused with one {@code Error:} line and
 * the exit code docker uses; never a stack trace, and one bad image never stops the others from being listed.
 */
class HostileInputTest {
    @TempDir
    Path dir;

    /** Loads a one-layer image named {@code name} whose config and history say it was created at {@code created}. */
    static void load(Whittle w, Path dir, String name, String created) throws IOException {
        byte[] layer = archive(header("bin/", '5', 0, ""), header("bin/sh", '0', 5, ""), padded("shell".getBytes()));
        Path in = dir.resolve(name.replace(':', '-') + ".tar");
        Files.write(in, HostileArchiveTest.imageArchive(name, created, List.of(layer), Map.of()));
        w.run("load", "-i", in.toString()).ok();
    }

    static void refusedWithoutTrace(Exec e, int code, String message) {
        assertThat(e.code()).as(e.err()).isEqualTo(code);
        assertThat(e.err())
                .startsWith("Error: ")
                .contains(message)
                .doesNotContain("Exception")
                .doesNotContain("\tat ");
        assertThat(e.err().lines()).hasSize(1);
    }

    @Test
    void imagesDatedFarOutsideRfc3339AreListedInspectedAndShownAsGoWouldShowThem() throws IOException {
        Whittle w = new Whittle(dir.resolve("store"));
        load(w, dir, "ok:1", "2024-01-01T00:00:00Z");
        // noon, so the date is the same in every local zone the test may run in
        load(w, dir, "past:1", "-5000000-06-15T12:00:00Z");
        load(w, dir, "future:1", "99999999-06-15T12:00:00Z");

        Exec table = w.run("images").ok();
        assertThat(table.out()).contains("ok ", "past ", "future ", "292 years ago", "Less than a second ago");
        // go-units on Go's saturated time.Sub: at most 292 years ago, and a future date is less than a second ago
        List<String> rows = w.run("images", "--format", "{{.Repository}}|{{.CreatedSince}}|{{.CreatedAt}}")
                .ok()
                .out()
                .lines()
                .toList();
        assertThat(rows).hasSize(3);
        assertThat(rows).anySatisfy(r -> assertThat(r).startsWith("past|292 years ago|-5000000-06-15 "));
        assertThat(rows).anySatisfy(r -> assertThat(r).startsWith("future|Less than a second ago|99999999-06-15 "));
        assertThat(rows)
                .anySatisfy(r -> assertThat(r)
                        .startsWith("ok|")
                        .contains("|2024-01-01 ", "|20")
                        .doesNotContain("292 years"));

        // inspect's Created is Go's Format(RFC3339Nano) of the time, which writes any year
        assertThat(w.run("inspect", "--format", "{{.Created}}", "past:1").ok().out())
                .isEqualTo("-5000000-06-15T12:00:00Z\n");
        assertThat(w.run("inspect", "--format", "{{.Created}}", "future:1").ok().out())
                .isEqualTo("99999999-06-15T12:00:00Z\n");
        assertThat(w.run("inspect", "past:1").ok().out()).contains("\"Created\": \"-5000000-06-15T12:00:00Z\"");

        assertThat(w.run("history", "past:1").ok().out())
                .contains("292 years ago"); // docker 20.10's history: HumanDuration, saturated
        assertThat(w.run("history", "--format", "{{.CreatedSince}}|{{.CreatedAt}}", "future:1")
                        .ok()
                        .out())
                .startsWith("Less than a second ago|99999999-06-15T");
        assertThat(w.run("history", "--human=false", "--format", "{{.CreatedSince}}", "past:1")
                        .ok()
                        .out())
                .startsWith("-5000000-06-15T");
    }

    /**
     * An image whose config gives no date, or one no time can hold, has Go's zero time, as in docker 20.10: CREATED is
     * "N/A" in images (CreatedSince is empty) and "292 years ago" in history, CreatedAt is year 1, and it lists after every
     * dated image. whittle showed the
     * Unix epoch and "56 years ago".
     */
    @Test
    void imagesWithoutAReadableDateHaveGosZeroTime() throws IOException {
        Whittle w = new Whittle(dir.resolve("store"));
        load(w, dir, "undated:1", null);
        load(w, dir, "garbled:1", "yesterday");
        load(w, dir, "ok:1", "1970-01-02T00:00:00Z");
        Exec table = w.run("images").ok();
        List<String> created = table.out()
                .lines()
                .skip(1)
                .map(l -> l.split(" +")[0] + " " + l.split(" +")[3].replaceAll("\\d+", "n"))
                .toList();
        assertThat(created)
                .containsExactlyInAnyOrder("ok n", "garbled N/A", "undated N/A")
                .first()
                .isEqualTo("ok n");
        assertThat(w.run("images", "--format", "{{.Repository}}|{{.CreatedSince}}|{{.CreatedAt}}")
                        .ok()
                        .out()
                        .lines())
                .allSatisfy(r -> assertThat(r)
                        .matches("ok\\|\\d+ years ago\\|1970-01-0.*|(garbled|undated)\\|\\|0001-01-01 .*"));
        assertThat(w.run("inspect", "--format", "{{.Created}}", "undated:1", "garbled:1")
                        .ok()
                        .out())
                .isEqualTo("0001-01-01T00:00:00Z\n0001-01-01T00:00:00Z\n");
        // docker 20.10's history shows Go's zero time as HumanDuration of a saturated Sub (checked on the daemon)
        assertThat(w.run("history", "undated:1").ok().out()).contains(" 292 years ago ");
    }

    /**
     * BuildKit cannot write a config created outside the years 0-9999 (Go's Time.MarshalJSON refuses it), and an
     * epoch beyond what a time can hold once crashed whittle's build: both are refused before anything is built.
     */
    @Test
    void aSourceDateEpochNoImageConfigCanHoldIsRefused() throws IOException {
        Whittle w = new Whittle(dir.resolve("store"));
        Path ctx = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nLABEL a=b\n");
        for (String epoch : List.of("-99999999999999", "9223372036854775807", "-62167219201", "253402300800")) {
            Exec e = w.run(
                    "build",
                    "--progress",
                    "plain",
                    "--check=off",
                    "--build-arg",
                    "SOURCE_DATE_EPOCH=" + epoch,
                    "-t",
                    "sde:x",
                    ctx.toString());
            refusedWithoutTrace(e, 1, "invalid SOURCE_DATE_EPOCH \"" + epoch + "\": year outside of range [0,9999]");
        }
        assertThat(w.run("images", "-q").ok().out()).isEmpty();
        // the first and last second of the years an image config can hold are fine
        for (String epoch : List.of("-62167219200", "253402300799")) {
            w.run(
                            "build",
                            "--progress",
                            "plain",
                            "--check=off",
                            "--build-arg",
                            "SOURCE_DATE_EPOCH=" + epoch,
                            "-t",
                            "sde:" + epoch.replace("-", "m"),
                            ctx.toString())
                    .ok();
        }
        assertThat(w.run("inspect", "--format", "{{.Created}}", "sde:m62167219200")
                        .ok()
                        .out())
                .isEqualTo("0000-01-01T00:00:00Z\n");
        assertThat(w.run("inspect", "--format", "{{.Created}}", "sde:253402300799")
                        .ok()
                        .out())
                .isEqualTo("9999-12-31T23:59:59Z\n");
    }

    /**
     * --format templates that once crashed whittle (StringIndexOutOfBounds, OutOfMemoryError, StackOverflowError,
     * IllegalArgumentException) now print what Go prints or fail as docker does: one line, "template parsing error:",
     * exit 64, whatever the command.
     */
    @Test
    void hostileFormatTemplatesFailAsTemplateErrors() throws IOException {
        Whittle w = new Whittle(dir.resolve("store"));
        load(w, dir, "ok:1", "2024-01-01T00:00:00Z");
        // docker's exit codes: 1 for every template error but one inspect cannot parse (64)
        refusedWithoutTrace(
                w.run("inspect", "--format", "{{if}}", "ok:1"),
                64,
                "Error: template parsing error: template: :1: missing value for if");
        refusedWithoutTrace(
                w.run("images", "--format", "{{truncate .ID -5}}"),
                1,
                "Error: template parsing error: template: :1:2: "
                        + "executing \"\" at <truncate .ID -5>: error calling truncate: runtime error: slice bounds out of range [:-5]");
        refusedWithoutTrace(
                w.run("inspect", "--format", "{{slice .Id 5 2}}", "ok:1"),
                1,
                "error calling slice: invalid slice index: 5 > 2");
        refusedWithoutTrace(
                w.run("history", "--format", "{{index .ID 99999999999}}", "ok:1"),
                1,
                "error calling index: index out of range: 99999999999");
        refusedWithoutTrace(
                w.run("images", "--format", "{{pad .ID -1 0}}"),
                1,
                "error calling pad: strings: negative Repeat count");
        refusedWithoutTrace(
                w.run("images", "--format", "{{\"\\x\"}}"),
                1,
                "Error: template parsing error: template: :1: invalid syntax");
        refusedWithoutTrace(
                w.run("images", "--format", "{{" + "(".repeat(5000) + ".ID" + ")".repeat(5000) + "}}"),
                1,
                "template: :1: max expression depth exceeded");
        refusedWithoutTrace(
                w.run("inspect", "--format", "{{range split (printf \"%9999999d\" 0) \"\"}}{{.}}{{.}}{{end}}", "ok:1"),
                1,
                "exceeds whittle's limit of 64 MiB of text");
        // Go's fmt stops reading a width past a million: no gigabyte of spaces, the directive is malformed
        assertThat(w.run("inspect", "--format", "{{printf \"%1000000000d\" .Size}}", "ok:1")
                        .ok()
                        .out())
                .isEqualTo("%!(NOVERB)%!(EXTRA int64=5)\n");
        assertThat(w.run("images", "--format", "{{printf \"%*d|%c\" 1000000000 7 -1}}")
                        .ok()
                        .out())
                .isEqualTo("%!(BADWIDTH)7|\uFFFD\n");
    }
}
