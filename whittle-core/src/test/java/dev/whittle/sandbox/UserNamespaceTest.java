package dev.whittle.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a non-root user enters its namespace, and what whittle says when it cannot: over a host whose /etc and
 * /proc/sys are files of the test's (the real ones cannot be changed on a shared machine; RootlessTest runs the real
 * thing).
 */
class UserNamespaceTest {
    @TempDir
    Path dir;

    static final Set<Path> ALL_PROGRAMS =
            Set.of(UserNamespace.UNSHARE, UserNamespace.NEWUIDMAP, UserNamespace.NEWGIDMAP);

    UserNamespace.Host host(String subuid, String subgid, Set<Path> programs) throws IOException {
        Files.writeString(dir.resolve("subuid"), subuid);
        Files.writeString(dir.resolve("subgid"), subgid);
        Files.createDirectories(dir.resolve("sys/user"));
        Files.createDirectories(dir.resolve("sys/kernel"));
        return new UserNamespace.Host(
                "alice", 1001, dir.resolve("subuid"), dir.resolve("subgid"), dir.resolve("sys"), programs::contains);
    }

    @Test
    void theUsersRangesAreMappedByUnshareMapAuto() throws IOException {
        UserNamespace.Plan plan =
                UserNamespace.plan(host("bob:100000:65536\nalice:165536:65536\n", "1001:165536:65536\n", ALL_PROGRAMS));
        assertThat(plan.prefix())
                .containsExactly("/usr/bin/unshare", "--user", "--map-root-user", "--map-auto", "--mount");
        assertThat(plan.warning()).isNull();
    }

    @Test
    void withoutARangeOnlyTheUsersOwnIdIsMappedWithAWarningThatSaysHowToAddOne() throws IOException {
        UserNamespace.Plan plan = UserNamespace.plan(host("bob:100000:65536\n", "alice:100000:65536\n", ALL_PROGRAMS));
        assertThat(plan.prefix()).containsExactly("/usr/bin/unshare", "--user", "--map-root-user", "--mount");
        assertThat(plan.warning())
                .contains("alice has no range in " + dir.resolve("subuid"))
                .contains("usermod --add-subuids 100000-165535 --add-subgids 100000-165535 alice");
    }

    @Test
    void aRangeWithoutNewuidmapNamesThePackage() throws IOException {
        UserNamespace.Host h = host("alice:100000:65536\n", "alice:100000:65536\n", Set.of(UserNamespace.UNSHARE));
        assertThatThrownBy(() -> UserNamespace.plan(h))
                .hasMessageContaining("/usr/bin/newuidmap, which is not installed")
                .hasMessageContaining("apt-get install uidmap");
    }

    @Test
    void userNamespacesTurnedOffBySysctlNameTheSysctlAndItsFix() throws IOException {
        UserNamespace.Host h = host("alice:100000:65536\n", "alice:100000:65536\n", ALL_PROGRAMS);
        Files.writeString(dir.resolve("sys/user/max_user_namespaces"), "0\n");
        assertThatThrownBy(() -> UserNamespace.plan(h))
                .hasMessageContaining("user.max_user_namespaces=0")
                .hasMessageContaining("sysctl -w user.max_user_namespaces=15000");

        Files.writeString(dir.resolve("sys/user/max_user_namespaces"), "15000\n");
        Files.writeString(dir.resolve("sys/kernel/unprivileged_userns_clone"), "0\n");
        assertThatThrownBy(() -> UserNamespace.plan(h))
                .hasMessageContaining("kernel.unprivileged_userns_clone=0")
                .hasMessageContaining("sysctl -w kernel.unprivileged_userns_clone=1");

        Files.writeString(dir.resolve("sys/kernel/unprivileged_userns_clone"), "1\n");
        assertThat(UserNamespace.plan(h).prefix()).contains("--map-auto");
    }

    @Test
    void noUnshareNamesUtilLinux() throws IOException {
        UserNamespace.Host h = host("", "", Set.of());
        assertThatThrownBy(() -> UserNamespace.plan(h)).hasMessageContaining("util-linux 2.38");
    }

    @Test
    void rangesAreFoundByNameOrUidAndEmptyOnesSkipped() throws IOException {
        Path f = Files.writeString(dir.resolve("ids"), "# comment\nalice:1:0\nbob:5:5\n1001:200000:1000\n");
        assertThat(UserNamespace.range(f, "alice", 1001)).isEqualTo(new UserNamespace.Range(200000, 1000));
        assertThat(UserNamespace.range(f, "carol", 7)).isNull();
        assertThat(UserNamespace.range(dir.resolve("missing"), "alice", 1001)).isNull();
    }
}
