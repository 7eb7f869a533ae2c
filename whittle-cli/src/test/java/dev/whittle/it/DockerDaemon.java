package dev.whittle.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Real Docker for differential tests: Debian's docker.io (Engine 20.10). If no daemon answers, one is started as
 * whittle's scripts do — no bridge, no iptables, so nothing but loopback is ever touched. Tests skip, saying why,
 * only when Docker truly cannot run here (not installed, or not root).
 */
public final class DockerDaemon {
    public static final String DOCKER = "/usr/bin/docker";
    private static Boolean up;

    private DockerDaemon() {}

    public static synchronized void require() {
        if (up == null) up = start();
        Assumptions.assumeTrue(
                up, "Docker Engine is not available here (install docker.io and run as root: ./test does both)");
    }

    private static boolean start() {
        if (!Files.isExecutable(Path.of(DOCKER)) || !Exec.available("dockerd")) return false;
        if (Exec.run(DOCKER, "info").code() == 0) return true;
        if (!"root".equals(System.getProperty("user.name"))) return false;
        Exec.run(
                "sh",
                "-c",
                "nohup dockerd --bridge=none --iptables=false --ip6tables=false >/tmp/whittle-dockerd.log 2>&1 &");
        for (int i = 0; i < 60; i++) {
            if (Exec.run(DOCKER, "info").code() == 0) return true;
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    public static Exec docker(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(DOCKER);
        cmd.addAll(List.of(args));
        return Exec.run(cmd);
    }
}
