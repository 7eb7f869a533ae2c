package dev.whittle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.image.Digest;
import dev.whittle.registry.TransferProgress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressViewsTest {
    static final Digest D = Digest.sha256("layer".getBytes());

    @Test
    void ttyBuildViewKeepsFinishedStepsAndTheFailedStepsLastOutput() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        TtyProgress p = new TtyProgress(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int a = p.start("[build 1/3] FROM golang:alpine");
        p.done(a);
        int b = p.start("[build 2/3] COPY . .");
        p.cached(b);
        int c = p.start("[build 3/3] RUN go build");
        for (int i = 1; i <= 10; i++) p.log(c, "line " + i);
        p.error(c, "process \"/bin/sh -c go build\" did not complete successfully: exit code: 2");
        p.close();
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out)
                .contains(" => [build 1/3] FROM golang:alpine")
                .contains(" => CACHED [build 2/3] COPY . .")
                .contains(" => ERROR [build 3/3] RUN go build")
                .contains(" => => # line 10")
                .contains(" => => # line 5")
                .doesNotContain("# line 4\n")
                .contains("exit code: 2")
                .contains("(3/3) FINISHED")
                .contains("\033[");
    }

    @Test
    void transfersArePlainLinesOffATerminalAndBarsOnOne() {
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        TransferView v = new TransferView(new PrintStream(plain, true, StandardCharsets.UTF_8), false, false, false);
        v.message("1.22: Pulling from library/golang");
        v.blob(D, 100, TransferProgress.State.WAITING, 0);
        v.blob(D, 100, TransferProgress.State.TRANSFERRING, 50);
        v.blob(D, 100, TransferProgress.State.DONE, 100);
        v.finish();
        assertThat(plain.toString(StandardCharsets.UTF_8))
                .isEqualTo("1.22: Pulling from library/golang\n"
                        + D.shortHex() + ": Pulling fs layer\n" + D.shortHex() + ": Verifying Checksum\n"
                        + D.shortHex() + ": Download complete\n" + D.shortHex() + ": Pull complete\n");

        ByteArrayOutputStream tty = new ByteArrayOutputStream();
        TransferView t = new TransferView(new PrintStream(tty, true, StandardCharsets.UTF_8), true, true, false);
        t.mountSource("library/golang");
        t.blob(D, 2_000_000, TransferProgress.State.TRANSFERRING, 1_000_000);
        t.finish();
        assertThat(tty.toString(StandardCharsets.UTF_8))
                .contains(D.shortHex() + ": Pushing     [=========================>")
                .contains("1MB/2MB");
        assertThat(TransferView.bar(0, 10)).startsWith("[>");
        assertThat(TransferView.bar(10, 10)).startsWith("[==================================================]");
    }
}
