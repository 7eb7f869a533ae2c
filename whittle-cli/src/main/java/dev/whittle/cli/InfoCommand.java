package dev.whittle.cli;

import dev.whittle.build.StoreUsage;
import dev.whittle.cli.format.DockerTypes;
import dev.whittle.cli.format.Formatter;
import dev.whittle.cli.format.Units;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code whittle info}: docker's system-wide information, for a builder without a daemon: the store (where, how big,
 * images and build cache) and what builds need of the machine (runc, overlayfs, binfmt_misc, slirp4netns). Template
 * data uses docker's field names where they mean the same thing ({@code .Images}, {@code .DockerRootDir},
 * {@code .Driver}, {@code .KernelVersion}...).
 */
@Command(name = "info", description = "Display system-wide information")
final class InfoCommand implements Callable<Integer> {
    private final Context ctx;

    @Option(
            names = {"-f", "--format"},
            paramLabel = "string",
            description = "Format the output using the given Go template")
    String format;

    InfoCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws IOException {
        Map<String, Object> info = data();
        if (format != null) {
            ctx.out()
                    .print(new Formatter(format.equals("json") ? "{{json .}}" : format)
                            .render(List.of(DockerTypes.fromJson(info)), null));
            return 0;
        }
        StringBuilder b = new StringBuilder();
        b.append("Client:\n");
        b.append(" Version:    ").append(info.get("ServerVersion")).append('\n');
        b.append(" Debug Mode: ").append(ctx.debug()).append('\n');
        b.append("\nStore:\n");
        b.append(" Images: ").append(info.get("Images")).append('\n');
        b.append(" Build Cache: ").append(info.get("BuildCacheRecords")).append(" records\n");
        b.append(" Store Root Dir: ").append(info.get("DockerRootDir")).append('\n');
        b.append(" Store Size: ")
                .append(Units.humanSize((Long) info.get("StoreSize"), 4))
                .append('\n');
        b.append("  Images: ")
                .append(Units.humanSize((Long) info.get("ImagesSize"), 4))
                .append('\n');
        b.append("  Build Cache: ")
                .append(Units.humanSize((Long) info.get("BuildCacheSize"), 4))
                .append('\n');
        b.append(" Storage Driver: ").append(info.get("Driver")).append('\n');
        for (Object kv : (List<?>) info.get("DriverStatus")) {
            List<?> p = (List<?>) kv;
            b.append("  ").append(p.get(0)).append(": ").append(p.get(1)).append('\n');
        }
        b.append(" Runtimes: runc\n");
        b.append(" Default Runtime: runc\n");
        b.append("  runc: ").append(info.get("RuncVersion")).append('\n');
        Object binfmt = info.get("BinfmtHandlers");
        b.append(" binfmt_misc: ")
                .append(
                        binfmt instanceof List<?> l
                                ? (l.isEmpty()
                                        ? "mounted, no emulators registered"
                                        : "mounted, "
                                                + String.join(
                                                        ", ",
                                                        l.stream()
                                                                .map(String::valueOf)
                                                                .toList()))
                                : "not mounted (RUN for other platforms needs qemu-user-static)")
                .append('\n');
        String slirp = (String) info.get("Slirp4netns");
        b.append(" slirp4netns: ")
                .append(
                        slirp.isEmpty()
                                ? "not installed (RUN's default network needs it; --network none|host work)"
                                : slirp)
                .append('\n');
        b.append(" Kernel Version: ").append(info.get("KernelVersion")).append('\n');
        b.append(" Operating System: ").append(info.get("OperatingSystem")).append('\n');
        b.append(" OSType: ").append(info.get("OSType")).append('\n');
        b.append(" Architecture: ").append(info.get("Architecture")).append('\n');
        b.append(" CPUs: ").append(info.get("NCPU")).append('\n');
        b.append(" Total Memory: ")
                .append(Units.bytesSize((Long) info.get("MemTotal")))
                .append('\n');
        b.append(" Name: ").append(info.get("Name")).append('\n');
        ctx.out().print(b);
        return 0;
    }

    private Map<String, Object> data() throws IOException {
        StoreUsage.Report r = StoreUsage.measure(ctx.store());
        Path runc = HostInfo.which("runc");
        Path slirp = HostInfo.which("slirp4netns");
        boolean overlay = HostInfo.overlaySupported();
        List<String> binfmt = HostInfo.binfmtHandlers();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("Architecture", HostInfo.machine());
        s.put("BinfmtHandlers", binfmt == null ? null : binfmt);
        s.put("BuildCacheRecords", r.cache().size());
        s.put("BuildCacheSize", r.cacheSize());
        s.put("Containers", 0);
        s.put("ContainersRunning", 0);
        s.put("DefaultRuntime", "runc");
        s.put("DockerRootDir", ctx.root().toString());
        s.put("Driver", "overlay");
        s.put(
                "DriverStatus",
                List.of(List.of("Overlayfs", overlay ? "supported by the kernel" : "missing (RUN needs it)")));
        s.put("Images", r.images().size());
        s.put("ImagesSize", r.imagesSize());
        s.put("KernelVersion", HostInfo.kernelVersion());
        s.put("MemTotal", HostInfo.memTotal());
        s.put("NCPU", Runtime.getRuntime().availableProcessors());
        s.put("Name", HostInfo.hostname());
        s.put("OSType", "linux");
        s.put("OperatingSystem", HostInfo.operatingSystem());
        s.put(
                "RuncVersion",
                runc == null
                        ? "not installed (RUN and run need it: apt-get install runc)"
                        : HostInfo.runcVersion(runc) + " (" + runc + ")");
        Map<String, Object> runtimes = new TreeMap<>();
        Map<String, Object> rt = new LinkedHashMap<>();
        rt.put("path", runc == null ? "runc" : runc.toString());
        runtimes.put("runc", rt);
        s.put("Runtimes", runtimes);
        s.put("ServerVersion", Main.version());
        String slirpVersion = HostInfo.firstLine(slirp, "--version");
        s.put("Slirp4netns", slirp == null ? "" : slirp + (slirpVersion.isEmpty() ? "" : " (" + slirpVersion + ")"));
        s.put("StoreSize", r.total());
        return s;
    }
}
