package dev.whittle.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code system df} accounts for everything the store holds (images, unpacked layers, step cache, cache mounts, the
 * build memo) so that its rows add up to {@code du -sb} of the store; {@code builder prune} removes what docker's
 * would, by kind, id, age and size.
 */
@Tag("runc")
class StoreUsageTest {
    @TempDir
    Path dir;

    Whittle w;
    Path ctx;

    @BeforeEach
    void store() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "RUN needs root");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                dev.whittle.sandbox.Runc.available(), "runc is not installed (apt-get install runc)");
        w = new Whittle(dir.resolve("store"));
        w.run("import", "-c", "ENV PATH=/bin", RootFs.busybox(dir).toString(), "df/base:1")
                .ok();
        ctx = Files.createDirectories(dir.resolve("ctx"));
        // a host directory a hostile RUN points links at: measuring and pruning must neither count nor touch it
        Path victim = Files.createDirectories(dir.resolve("victim"));
        Files.write(victim.resolve("keep"), new byte[1_000_000]);
        // a cache mount (with symlinks out to that host path), a stage only copied from (its layer is the
        // step cache's alone), a final image
        Files.writeString(ctx.resolve("Dockerfile"), ("""
                FROM df/base:1 AS deps
                RUN --mount=type=cache,target=/cache busybox dd if=/dev/zero of=/cache/blob bs=1024 count=300 && echo dep > /dep \
                    && busybox ln -sfn VICTIM /cache/victim && busybox ln -sfn VICTIM/keep /cache/keep
                RUN busybox dd if=/dev/zero of=/big bs=1024 count=200
                FROM df/base:1
                COPY --from=deps /dep /dep
                RUN echo app > /app
                """).replace("VICTIM", victim.toString()));
        w.run("build", "--progress", "plain", "-t", "df/app:1", ctx.toString()).ok();
    }

    /** go-units' HumanSize back to bytes (four significant digits: within 0.1 %). */
    static double bytes(String human) {
        String h = human.replaceFirst(" .*", "");
        int i = 0;
        while (i < h.length() && (Character.isDigit(h.charAt(i)) || h.charAt(i) == '.')) i++;
        double n = Double.parseDouble(h.substring(0, i));
        return n
                * switch (h.substring(i)) {
                    case "B" -> 1;
                    case "kB" -> 1e3;
                    case "MB" -> 1e6;
                    case "GB" -> 1e9;
                    default -> throw new AssertionError(human);
                };
    }

    Map<String, String[]> rows() {
        Map<String, String[]> rows = new TreeMap<>();
        for (String l : w.run("system", "df", "--format", "{{.Type}}|{{.TotalCount}}|{{.Size}}|{{.Reclaimable}}")
                .ok()
                .out()
                .lines()
                .toList()) {
            String[] f = l.split("\\|");
            rows.put(f[0], f);
        }
        return rows;
    }

    static long du(Path p) {
        return Long.parseLong(Exec.run("du", "-sb", p.toString()).ok().out().split("\\s+")[0]);
    }

    @Test
    void rowsAddUpToTheStoreOnDisk() {
        Map<String, String[]> rows = rows();
        assertThat(rows.keySet()).containsExactly("Build Cache", "Containers", "Images", "Local Volumes");
        double total = bytes(rows.get("Images")[2]) + bytes(rows.get("Build Cache")[2]);
        long du = du(w.root());
        // (the cache mount's links count as links, as du -b counts them: followed, they would add 2 MB)
        assertThat(Math.abs(total - du) / du)
                .as("df total %.0f, du -sb %d", total, du)
                .isLessThan(0.01);
        // the cache mount (300 kB) and the layer only the deps stage has (200 kB) are the build cache's
        assertThat(bytes(rows.get("Build Cache")[2])).isGreaterThan(500_000);
        String v = w.run("system", "df", "-v").ok().out();
        assertThat(v)
                .contains(
                        "Images space usage:\n\nREPOSITORY ",
                        "\nContainers space usage:\n\n",
                        "\nLocal Volumes space usage:\n\n",
                        "\nBuild cache usage: " + rows.get("Build Cache")[2] + "\n\nCACHE ID ");
        assertThat(v).contains(" exec.cachemount ", " internal ", "unpacked layer sha256:", "step result: layer ");
        // and a store that grew by a file is measured again, not remembered
        assertThat(w.run("info", "--format", "{{.StoreSize}}").ok().out().trim())
                .isEqualTo(Long.toString(du(w.root())));
    }

    @Test
    void aRebuildMarksWhatItUsedSoUntilKeepsIt() throws InterruptedException {
        Thread.sleep(2100);
        // answered from the memo: no RUN runs, so the unpacked layers and the cache mount stay unused
        w.run("build", "--progress", "plain", "-t", "df/app:1", ctx.toString()).ok();
        w.run("builder", "prune", "-af", "--filter", "until=2s").ok();
        String records = "{{range .BuildCache}}{{.CacheType}} {{.Description}}\n{{end}}";
        List<String> left = w.run("system", "df", "-v", "--format", records)
                .ok()
                .out()
                .lines()
                .filter(l -> !l.isBlank())
                .toList();
        assertThat(left)
                .anyMatch(l -> l.startsWith("internal build memo"))
                .anyMatch(l -> l.startsWith("regular step result"))
                .noneMatch(l -> l.startsWith("exec.cachemount"))
                .noneMatch(l -> l.contains("unpacked layer"));
        // and what was kept still answers the rebuild
        assertThat(w.run("build", "--progress", "plain", "-t", "df/app:1", ctx.toString())
                        .ok()
                        .err())
                .contains("#3 CACHED", "#6 CACHED");
    }

    @Test
    void builderPruneRemovesByKindIdAgeAndSize() {
        String records = "{{range .BuildCache}}{{.ID}} {{.CacheType}} {{.Shared}}\n{{end}}";
        List<String> before = w.run("system", "df", "-v", "--format", records)
                .ok()
                .out()
                .lines()
                .filter(l -> !l.isBlank())
                .toList();
        // fresh records are not older than a day
        assertThat(w.run("builder", "prune", "-af", "--filter", "until=24h")
                        .ok()
                        .out())
                .isEqualTo("Total reclaimed space: 0B\n");
        // dangling: unpacked layers and step results no image has; the cache mount and the memo stay
        Exec p = w.run("builder", "prune", "-f").ok();
        assertThat(p.out()).startsWith("Deleted build cache objects:\n").contains("\n\nTotal reclaimed space: ");
        List<String> after = w.run("system", "df", "-v", "--format", records)
                .ok()
                .out()
                .lines()
                .filter(l -> !l.isBlank())
                .toList();
        assertThat(after)
                .allMatch(l -> l.endsWith(" true") || l.contains(" exec.cachemount ") || l.contains(" internal "));
        assertThat(after).anyMatch(l -> l.contains(" exec.cachemount ")).hasSizeLessThan(before.size());
        // a cache mount by its id
        String mount = after.stream()
                .filter(l -> l.contains(" exec.cachemount "))
                .findFirst()
                .orElseThrow()
                .split(" ")[0];
        Exec byId = w.run("builder", "prune", "-af", "--filter", "id=" + mount).ok();
        assertThat(byId.out()).startsWith("Deleted build cache objects:\n" + mount + "\n\nTotal reclaimed space: ");
        assertThat(bytes(byId.out()
                        .replaceFirst("(?s).*Total reclaimed space: ", "")
                        .strip()))
                .as("the 300 KiB it held, and its directories")
                .isBetween(307_200.0, 320_000.0);
        // keep-storage: least recently used first until the cache fits
        w.run("build", "--progress", "plain", "-t", "df/app:1", ctx.toString()).ok();
        w.run("builder", "prune", "-af", "--keep-storage", "100kb").ok();
        assertThat(bytes(rows().get("Build Cache")[2])).isLessThanOrEqualTo(100 * 1024);
        w.run("builder", "prune", "-af").ok();
        assertThat(rows().get("Build Cache")[1]).isEqualTo("0");
        assertThat(w.run("system", "fsck").ok().out()).contains("is consistent");
        // everything builds again, the cache mount made anew
        assertThat(w.run("build", "--progress", "plain", "-t", "df/app:1", ctx.toString())
                        .ok()
                        .err())
                .contains("DONE");
        List<String> rebuilt = new ArrayList<>(w.run("system", "df", "-v", "--format", records)
                .ok()
                .out()
                .lines()
                .filter(l -> !l.isBlank())
                .toList());
        assertThat(rebuilt).anyMatch(l -> l.contains(" exec.cachemount "));
        assertThat(dir.resolve("victim/keep"))
                .as("what the cache mount's links point at")
                .hasSize(1_000_000);
    }
}
