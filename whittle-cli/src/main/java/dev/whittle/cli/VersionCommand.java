package dev.whittle.cli;

import dev.whittle.cli.format.DockerTypes;
import dev.whittle.cli.format.Formatter;
import dev.whittle.cli.format.GoValue;
import dev.whittle.cli.format.TabWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code whittle version}: docker's layout and template data ({@code .Client}, {@code .Server} with its
 * {@code Components}), where the client is whittle and the "server" is what whittle runs builds with — this machine's
 * kernel and runc — since there is no daemon.
 */
@Command(name = "version", description = "Show the whittle version information")
final class VersionCommand implements Callable<Integer> {
    private static final String TEMPLATE = """
            {{with .Client -}}
            Client:{{if ne .Platform.Name ""}} {{.Platform.Name}}{{end}}
             Version:\t{{.Version}}
             Java version:\t{{.JavaVersion}}
             OS/Arch:\t{{.Os}}/{{.Arch}}
             Store:\t{{.Store}}
            {{- end}}

            {{- with .Server}}

            Server:{{if ne .Platform.Name ""}} {{.Platform.Name}}{{end}}
             {{- range $component := .Components}}
             {{$component.Name}}:
              Version:\t{{$component.Version}}
              {{- range $key, $value := $component.Details}}
              {{$key}}:\t{{$value}}
              {{- end}}
             {{- end}}
             {{- end}}""";

    private final Context ctx;

    @Option(
            names = {"-f", "--format"},
            paramLabel = "string",
            description = "Format the output using the given Go template")
    String format;

    VersionCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        GoValue data = DockerTypes.fromJson(data(ctx.root()));
        if (format != null) {
            ctx.out().print(new Formatter(format.equals("json") ? "{{json .}}" : format).render(List.of(data), null));
            return 0;
        }
        String text = new Formatter(TEMPLATE).render(List.of(data), null);
        ctx.out().print(new TabWriter(20, 1).format(text));
        return 0;
    }

    /** docker's version data as the template sees it (maps: JSON keys sorted, where docker's structs keep their order). */
    static Map<String, Object> data(Path store) {
        Map<String, Object> client = new LinkedHashMap<>();
        Map<String, Object> platform = new LinkedHashMap<>();
        platform.put("Name", "whittle");
        client.put("Platform", platform);
        client.put("Version", Main.version());
        client.put("JavaVersion", Runtime.version().toString());
        client.put("Os", "linux");
        client.put("Arch", HostInfo.arch());
        client.put("Store", store.toString());
        Map<String, Object> server = new LinkedHashMap<>();
        Map<String, Object> sp = new LinkedHashMap<>();
        sp.put("Name", "");
        server.put("Platform", sp);
        Map<String, Object> kernel = new LinkedHashMap<>();
        kernel.put("Name", "Kernel");
        kernel.put("Version", HostInfo.kernelVersion());
        kernel.put(
                "Details", new TreeMap<>(Map.of("Overlayfs", HostInfo.overlaySupported() ? "supported" : "missing")));
        Path runcPath = HostInfo.which("runc");
        Map<String, Object> runc = new LinkedHashMap<>();
        runc.put("Name", "runc");
        runc.put("Version", runcPath == null ? "not installed" : HostInfo.runcVersion(runcPath));
        runc.put("Details", new TreeMap<>(Map.of("Path", runcPath == null ? "" : runcPath.toString())));
        server.put("Components", List.of(kernel, runc));
        server.put("Version", Main.version());
        server.put("Os", "linux");
        server.put("Arch", HostInfo.arch());
        server.put("KernelVersion", HostInfo.kernelVersion());
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("Client", client);
        v.put("Server", server);
        return v;
    }
}
