package dev.whittle.build;

import dev.whittle.tar.PathNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What runc creates in a RUN's root only to mount over it (/proc, /dev, /etc/hosts, a mount's target and the parents
 * it needed): noted before the command runs, removed from the upper directory after, so no stub reaches a layer.
 */
final class MountStubs {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final Path rootfs;
    /** Absolute path → whether the image had it before the RUN. */
    private final Map<String, Boolean> existed = new LinkedHashMap<>();

    /** @param rootfs the mounted root, as the command will see it */
    MountStubs(Path rootfs) {
        this.rootfs = rootfs;
        for (String d : List.of("/proc", "/dev", "/sys", "/etc/hosts", "/etc/resolv.conf")) existed.put(d, exists(d));
    }

    /** Notes a mount's destination and its parents: runc creates missing ones, which must not leak into the layer. */
    void note(String destination) {
        String rel = PathNames.clampToRoot(destination);
        for (String a = PathNames.parent(rel); !a.isEmpty(); a = PathNames.parent(a)) {
            existed.putIfAbsent("/" + a, exists("/" + a));
        }
        existed.putIfAbsent(destination, exists(destination));
    }

    private boolean exists(String abs) {
        return Files.exists(rootfs.resolve(PathNames.clampToRoot(abs)), NOFOLLOW);
    }

    /** Removes what runc created only to mount over (and parents it created for them), leaving real changes. */
    void remove(Path upper) throws IOException {
        for (Map.Entry<String, Boolean> e : existed.entrySet()) {
            if (e.getValue()) continue;
            String rel = PathNames.clampToRoot(e.getKey());
            Path p = upper.resolve(rel);
            if (Files.isDirectory(p, NOFOLLOW)) {
                try (var s = Files.list(p)) {
                    if (s.findAny().isPresent()) continue;
                }
                Files.delete(p);
            } else if (Files.isRegularFile(p, NOFOLLOW) && Files.size(p) == 0) {
                Files.delete(p);
            } else {
                continue;
            }
            for (String parent = PathNames.parent(rel); !parent.isEmpty(); parent = PathNames.parent(parent)) {
                if (existed.getOrDefault("/" + parent, true)) break;
                Path pp = upper.resolve(parent);
                try (var s = Files.list(pp)) {
                    if (s.findAny().isPresent()) break;
                }
                Files.delete(pp);
            }
        }
    }
}
