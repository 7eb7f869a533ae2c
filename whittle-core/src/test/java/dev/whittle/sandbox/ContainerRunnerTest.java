package dev.whittle.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.image.ImageConfig;
import dev.whittle.image.Platform;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docker run's environment and mount order, without a container (RunCommandTest compares them with dockerd's). */
class ContainerRunnerTest {
    static ContainerRunner.Options options(List<String> env, boolean tty) {
        return new ContainerRunner.Options(
                null, List.of(), env, null, null, ContainerNetwork.Mode.NONE, List.of(), "box", List.of(), tty);
    }

    @Test
    void theEnvironmentIsTheEnginesDefaultsThenTheUsersThenTheImagesRest() {
        ImageConfig image = ImageConfig.builder(Platform.LINUX_AMD64)
                .setEnv("A", "image")
                .setEnv("B", "image")
                .setEnv("PATH", "/image/bin")
                .build();
        // the user's entries first, the image's the user did not name after them; PATH and HOSTNAME replaced in place
        assertThat(ContainerRunner.environment(
                        image, options(List.of("B=user", "C=user", "HOSTNAME=named"), false), "box"))
                .containsExactly("PATH=/image/bin", "HOSTNAME=named", "B=user", "C=user", "A=image");
        // a name without a value removes a default and keeps the image's value of that name out; TERM with a terminal
        assertThat(ContainerRunner.environment(image, options(List.of("HOSTNAME", "A"), true), "box"))
                .containsExactly("PATH=/image/bin", "TERM=xterm", "B=image");
    }

    @Test
    void mountsGoShallowestFirstAndTheUsersReplaceDockersOwn() {
        RuncSpec.Mount deep = new RuncSpec.Mount("/data/cache", "tmpfs", "tmpfs", List.of()),
                data = new RuncSpec.Mount("/data", "bind", "/host", List.of("rbind")),
                hosts = new RuncSpec.Mount("/etc/hosts", "bind", "/tmp/hosts", List.of("rbind", "ro")),
                myHosts = new RuncSpec.Mount("/etc/hosts/", "bind", "/mine", List.of("rbind")),
                hostname = new RuncSpec.Mount("/etc/hostname", "bind", "/tmp/hostname", List.of("rbind"));
        assertThat(ContainerRunner.mounts(List.of(deep, data, myHosts), List.of(hosts), hostname))
                .containsExactly(data, deep, myHosts, hostname);
    }

    @Test
    void exitCodesForAProgramThatCannotStartAreDockerClients() {
        assertThat(ContainerRunner.exitCode("exec: \"x\": executable file not found in $PATH"))
                .isEqualTo(127);
        assertThat(ContainerRunner.exitCode("exec: \"/x\": stat /x: no such file or directory"))
                .isEqualTo(127);
        assertThat(ContainerRunner.exitCode("exec: \"/etc\": is a directory")).isEqualTo(126);
        assertThat(ContainerRunner.exitCode("exec /stat: permission denied")).isEqualTo(126);
        assertThat(ContainerRunner.exitCode("error during container init: error mounting \"tmpfs\""))
                .isEqualTo(125);
    }
}
