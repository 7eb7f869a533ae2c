package dev.whittle.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.image.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BinfmtTest {
    static final Platform ARM64 = Platform.parse("linux/arm64");

    /** What Debian's qemu-user-static registers for aarch64 (update-binfmts --enable qemu-aarch64). */
    static final String AARCH64 = """
            enabled
            interpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P
            flags: PF
            offset 0
            magic 7f454c460201010000000000000000000200b700
            mask ffffffffffffff00fffffffffffffffffeffffff
            """;

    @TempDir
    Path dir;

    Binfmt binfmt;

    @BeforeEach
    void mounted() throws IOException {
        Files.writeString(dir.resolve("status"), "enabled\n");
        Files.writeString(dir.resolve("register"), "");
        binfmt = new Binfmt(dir, Platform.LINUX_AMD64);
    }

    @Test
    void theHostsOwnPlatformNeedsNoHandler() {
        assertThat(binfmt.problem(Platform.LINUX_AMD64)).isNull();
        assertThat(binfmt.problem(Platform.parse("linux/386"))).isNull();
    }

    @Test
    void anEnabledQemuHandlerWithTheFFlagRunsArm64() throws IOException {
        Files.writeString(dir.resolve("qemu-aarch64"), AARCH64);
        assertThat(binfmt.problem(ARM64)).isNull();
        // the aarch64 handler is no arm (32-bit) handler
        assertThat(binfmt.problem(Platform.parse("linux/arm/v7")))
                .startsWith("no binfmt_misc handler for linux/arm/v7 programs is registered: install "
                        + "qemu-user-static and binfmt-support, then register it with the F flag "
                        + "(update-binfmts --enable qemu-arm,");
    }

    @Test
    void noHandlerSaysWhichAndHowToRegisterIt() {
        assertThat(binfmt.problem(ARM64))
                .isEqualTo("no binfmt_misc handler for linux/arm64 programs is registered: install qemu-user-static "
                        + "and binfmt-support, then register it with the F flag (update-binfmts --enable qemu-aarch64, "
                        + "or docker run --privileged --rm tonistiigi/binfmt --install arm64)");
    }

    @Test
    void aHandlerWithoutTheFFlagCannotServeAContainer() throws IOException {
        Files.writeString(dir.resolve("qemu-aarch64"), AARCH64.replace("flags: PF", "flags: P"));
        assertThat(binfmt.problem(ARM64))
                .startsWith("the binfmt_misc handler qemu-aarch64 for linux/arm64 "
                        + "(/usr/libexec/qemu-binfmt/aarch64-binfmt-P) is registered without the F flag");
    }

    @Test
    void aDisabledHandlerIsNamed() throws IOException {
        Files.writeString(dir.resolve("qemu-aarch64"), AARCH64.replace("enabled\n", "disabled\n"));
        assertThat(binfmt.problem(ARM64))
                .startsWith("the binfmt_misc handler qemu-aarch64 for linux/arm64 is disabled");
    }

    @Test
    void binfmtMiscNotMounted() throws IOException {
        Files.delete(dir.resolve("status"));
        assertThat(binfmt.problem(ARM64)).startsWith("binfmt_misc is not mounted at " + dir);
    }
}
