package dev.whittle.sandbox;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a rootless RUN's default network says when the tun device is missing (a kernel without the tun module loaded;
 * the real /dev/net/tun cannot be removed on a shared machine). RootlessTest stages the closed device for real.
 */
class UserModeNetworkTest {
    @TempDir
    Path dir;

    @Test
    void aMissingTunDeviceNamesTheModuleAndTheOtherNetworks() {
        Path tun = dir.resolve("tun");
        assertThatThrownBy(() -> UserModeNetwork.requireTunOpen(tun))
                .isInstanceOf(IOException.class)
                .hasMessage("RUN's default network needs " + tun + " (slirp4netns uses it), and there is none; as"
                        + " root: modprobe tun; or use --network=none or --network=host");
    }
}
