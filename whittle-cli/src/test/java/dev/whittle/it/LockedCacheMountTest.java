package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code RUN --mount=type=cache,sharing=locked}: the lock is the RUN's for as long as it runs, and no longer, whatever
 * way the RUN ends. whittle runs in a JVM of its own with a time limit, so a lock never given back fails the test
 * instead of hanging it.
 */
@Tag("runc")
class LockedCacheMountTest {
    static final String BASE = "locked/busybox:1";
    /** Far more than the builds below need (a few seconds), far less than for ever. */
    static final long LIMIT_SECONDS = 60;

    @TempDir
    static Path dir;

    static Whittle whittle;

    @BeforeAll
    static void base() throws IOException {
        whittle = RootFs.busyboxStore(dir, BASE);
    }

    /** A build in a JVM of its own: its exit code and output, or a failed test when it does not end in time. */
    static Exec build(String name, String dockerfile, String... extra) throws IOException, InterruptedException {
        Path ctx = Files.createDirectories(dir.resolve(name));
        Files.writeString(ctx.resolve("Dockerfile"), dockerfile.replace("BASE", BASE));
        List<String> args =
                new ArrayList<>(List.of("build", "--progress", "plain", "--check=off", "-t", "locked/" + name + ":1"));
        args.addAll(List.of(extra));
        args.add(ctx.toString());
        WhittleProcess p =
                WhittleProcess.start(whittle.root(), dir.resolve(name + ".log"), args.toArray(String[]::new));
        int code = p.waitFor(LIMIT_SECONDS);
        return new Exec(code, p.output(), "");
    }

    /**
     * A RUN that takes the lock and then fails to set up a later mount gives the lock back: the other stage's RUN of
     * the same cache takes it, and the build fails with the first stage's error instead of hanging.
     */
    @Test
    void aRunWhoseLaterMountFailsGivesTheLockBack() throws IOException, InterruptedException {
        Exec r = build("failing-mount", """
                FROM BASE AS a
                RUN --mount=type=cache,id=lock-a,target=/c,sharing=locked --mount=type=bind,source=missing,target=/m true
                FROM BASE AS b
                RUN sleep 4
                RUN --mount=type=cache,id=lock-a,target=/c,sharing=locked echo b > /b
                FROM scratch
                COPY --from=a /bin/busybox /a
                COPY --from=b /b /b
                """);
        assertThat(r.code()).isNotZero();
        assertThat(r.out())
                .contains("bind mount source \"missing\" not found in the build context")
                .doesNotContain("\tat dev.whittle");
    }

    /**
     * A platform waiting for a lock another process holds stops waiting when another platform fails: the build ends
     * with that failure, not when the other process lets go.
     */
    @Test
    void aPlatformWaitingForALockStopsWhenAnotherPlatformFails() throws IOException, InterruptedException {
        Path holderCtx = Files.createDirectories(dir.resolve("holder"));
        Files.writeString(holderCtx.resolve("Dockerfile"), """
                FROM BASE
                RUN --mount=type=cache,id=lock-held,target=/c,sharing=locked echo holding && sleep 120
                """.replace("BASE", BASE));
        WhittleProcess holder = WhittleProcess.start(
                whittle.root(),
                dir.resolve("holder.log"),
                "build",
                "--progress",
                "plain",
                "--check=off",
                "--no-cache",
                holderCtx.toString());
        try {
            holder.awaitOutput(Pattern.compile("holding"));
            Exec r = build("stopped-wait", """
                    FROM --platform=$BUILDPLATFORM BASE AS build
                    ARG TARGETARCH
                    RUN if [ "$TARGETARCH" = arm64 ]; then sleep 2; echo arm64 fails; exit 3; fi
                    RUN --mount=type=cache,id=lock-held,target=/c,sharing=locked echo $TARGETARCH > /arch
                    FROM scratch
                    COPY --from=build /arch /
                    """, "--platform", "linux/amd64,linux/arm64");
            assertThat(r.code()).isNotZero();
            assertThat(r.out()).contains("exit code: 3").doesNotContain("\tat dev.whittle");
        } finally {
            holder.signal("INT");
            holder.waitFor(30);
        }
    }

    /** One RUN mounting the same locked cache twice takes its lock once (as BuildKit does), not waiting on itself. */
    @Test
    void aRunMayMountOneLockedCacheTwice() throws IOException, InterruptedException {
        Exec r = build("twice", """
                FROM BASE
                RUN --mount=type=cache,id=lock-twice,target=/c,sharing=locked \\
                    --mount=type=cache,id=lock-twice,target=/d,sharing=locked \\
                    touch /c/seen && test -e /d/seen && echo both > /both
                """);
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(whittle.run("run", "--rm", "locked/twice:1", "cat", "/both")
                        .ok()
                        .out())
                .isEqualTo("both\n");
    }
}
