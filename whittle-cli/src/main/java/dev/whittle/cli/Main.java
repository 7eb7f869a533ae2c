package dev.whittle.cli;

import dev.whittle.archive.ArchiveException;
import dev.whittle.cli.format.TemplateException;
import dev.whittle.dockerfile.MessageText;
import dev.whittle.json.JsonException;
import dev.whittle.store.StoreException;
import dev.whittle.tar.TarFormatException;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * The whittle command line. Global flags come first ({@code --debug}, {@code --root}); then one command, whose class
 * alone is loaded and parsed, so start-up stays light whatever the number of commands.
 */
public final class Main {
    /** Command name → (description, factory). Kept in the order {@code whittle help} lists them. */
    static final Map<String, Entry> COMMANDS = new LinkedHashMap<>();

    record Entry(String summary, Function<Context, Object> factory) {}

    static {
        COMMANDS.put("build", new Entry("Build an image from a Dockerfile", BuildCommand::new));
        COMMANDS.put("images", new Entry("List images", ImagesCommand::new));
        COMMANDS.put("inspect", new Entry("Show low-level information about images", InspectCommand::new));
        COMMANDS.put("history", new Entry("Show the history of an image", HistoryCommand::new));
        COMMANDS.put("tag", new Entry("Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", TagCommand::new));
        COMMANDS.put("rmi", new Entry("Remove one or more images", RmiCommand::new));
        COMMANDS.put("save", new Entry("Save one or more images to a tar archive", SaveCommand::new));
        COMMANDS.put("load", new Entry("Load images from a tar archive or STDIN", LoadCommand::new));
        COMMANDS.put("import", new Entry("Import the contents from a tarball to create a filesystem image", ImportCommand::new));
        COMMANDS.put("export", new Entry("Export an image's filesystem as a tar archive", ExportCommand::new));
        COMMANDS.put("pull", new Entry("Download an image from a registry", PullCommand::new));
        COMMANDS.put("push", new Entry("Upload an image to a registry", PushCommand::new));
        COMMANDS.put("login", new Entry("Log in to a registry", LoginCommand::new));
        COMMANDS.put("logout", new Entry("Log out from a registry", LogoutCommand::new));
        COMMANDS.put("run", new Entry("Run a command in a new container from an image", RunCommand::new));
        COMMANDS.put("check", new Entry("Prove that an image's entrypoint can start, or say exactly why not", CheckCommand::new));
        COMMANDS.put("analyze", new Entry("Explain an image's size layer by layer: waste, efficiency, advice", AnalyzeCommand::new));
        COMMANDS.put("compare", new Entry("Compare images: size, layers, efficiency, can it start", CompareCommand::new));
        COMMANDS.put("lint", new Entry("Lint a Dockerfile for multi-stage size, cache and correctness mistakes", LintCommand::new));
        COMMANDS.put("system", new Entry("Manage the store: df, prune, fsck", SystemCommand::new));
        COMMANDS.put("version", new Entry("Show the whittle version", c -> new VersionCommand(c)));
    }

    private Main() {}

    /** The command classes, for the option table recorded with the AOT cache. */
    static List<Class<?>> commandClasses() {
        List<Class<?>> out = new java.util.ArrayList<>();
        try (Context ctx = new Context(System.out, System.err, System.in, false, Path.of("/nonexistent"))) {
            for (Entry e : COMMANDS.values()) out.add(e.factory().apply(ctx).getClass());
        }
        return out;
    }

    public static void main(String[] args) {
        dev.whittle.diag.Trace.mark("main");
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true, StandardCharsets.UTF_8);
        int code;
        boolean training = args.length > 0 && args[0].equals("internal-aot-training");
        if (training) {
            try {
                code = AotTraining.run(Arrays.copyOfRange(args, 1, args.length));
            } catch (IOException e) {
                err.println("whittle: AOT training failed: " + e.getMessage());
                code = 1;
            }
        } else {
            code = run(args, out, err, System.in, true);
        }
        recordPeakMemory();
        dev.whittle.diag.Trace.mark("exit");
        dev.whittle.diag.Trace.print(err);
        out.flush();
        err.flush();
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    /** For benchmarks: the JVM's own peak resident memory (VmHWM), without the processes it started. */
    private static void recordPeakMemory() {
        String file = System.getenv("WHITTLE_PEAK_RSS_FILE");
        if (file == null || file.isEmpty()) return;
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    java.nio.file.Files.writeString(Path.of(file), line.replaceAll("\\D+", "") + "\n",
                            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                }
            }
        } catch (IOException ignored) {
            // a benchmark aid only
        }
    }

    /** Runs one command line in-process (tests use this) and returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err, InputStream in) {
        return run(args, out, err, in, false);
    }

    /** @param processStreams whether out and err are this process's stdout and stderr (so may be terminals) */
    static int run(String[] args, PrintStream out, PrintStream err, InputStream in, boolean processStreams) {
        boolean debug = false;
        Path root = null;
        Path registriesConfig = null;
        Path dockerConfig = null;
        int i = 0;
        for (; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--debug") || a.equals("-D")) debug = true;
            else if (a.equals("--root") && i + 1 < args.length) root = Path.of(args[++i]);
            else if (a.startsWith("--root=")) root = Path.of(a.substring(7));
            else if (a.equals("--registries-config") && i + 1 < args.length) registriesConfig = Path.of(args[++i]);
            else if (a.startsWith("--registries-config=")) registriesConfig = Path.of(a.substring(20));
            else if (a.equals("--config") && i + 1 < args.length) dockerConfig = Path.of(args[++i]);
            else if (a.startsWith("--config=")) dockerConfig = Path.of(a.substring(9));
            else if (a.equals("-v") || a.equals("--version")) {
                out.println("whittle version " + version());
                return 0;
            } else if (a.equals("-h") || a.equals("--help")) {
                return help(out);
            } else break;
        }
        if (i >= args.length) return help(out);
        String name = args[i];
        String[] rest = Arrays.copyOfRange(args, i + 1, args.length);
        if (name.equals("help")) {
            if (rest.length == 0) return help(out);
            name = rest[0];
            rest = new String[] {"--help"};
        }
        if (name.equals("image") && rest.length > 0) {
            // docker's management-command spelling: whittle image ls|inspect|history|rm|...
            String sub = switch (rest[0]) {
                case "ls", "list" -> "images";
                case "rm" -> "rmi";
                default -> rest[0];
            };
            name = sub;
            rest = Arrays.copyOfRange(rest, 1, rest.length);
        }
        Entry e = COMMANDS.get(name);
        if (e == null) {
            err.println("whittle: '" + name + "' is not a whittle command.");
            err.println("See 'whittle help'.");
            return 125;
        }
        try (Context ctx = new Context(out, err, in, debug, root != null ? root : dev.whittle.store.Store.defaultRoot(),
                registriesConfig, dockerConfig, processStreams)) {
            Object command = e.factory().apply(ctx);
            dev.whittle.diag.Trace.mark("command created");
            boolean stopAtPositional = command instanceof RunCommand;
            if (command instanceof java.util.concurrent.Callable<?> callable
                    && FastArgs.bind(command, rest, stopAtPositional).isPresent()) {
                dev.whittle.diag.Trace.mark("command line bound");
                try {
                    return callable.call() instanceof Integer code ? code : 0;
                } catch (Exception ex) {
                    return report(ex, err, debug);
                }
            }
            command = e.factory().apply(ctx);
            CommandLine cl = new CommandLine(command);
            // whittle run IMAGE CMD...: everything after the image belongs to the command, as with docker
            if (stopAtPositional) cl.setStopAtPositional(true);
            cl.setCommandName("whittle " + name);
            cl.setOut(new java.io.PrintWriter(out, true));
            cl.setErr(new java.io.PrintWriter(err, true));
            cl.setUsageHelpAutoWidth(false);
            cl.setParameterExceptionHandler((ex, a) -> {
                err.println("Error: " + ex.getMessage());
                err.println("See 'whittle " + ex.getCommandLine().getCommandName().replaceFirst("^whittle ", "") + " --help'.");
                return 125;
            });
            final boolean dbg = debug;
            cl.setExecutionExceptionHandler((ex, c, p) -> report(ex, err, dbg));
            return cl.execute(rest);
        } catch (RuntimeException ex) {
            return report(ex, err, debug);
        } finally {
            out.flush();
        }
    }

    /** Maps a failure to a message and exit code; stack traces only with --debug or for real bugs. */
    static int report(Exception ex, PrintStream err, boolean debug) {
        Throwable t = ex;
        if (t instanceof UncheckedIOException u) t = u.getCause();
        String msg;
        int code = 1;
        switch (t) {
            case UserError u -> {
                msg = u.getMessage();
                code = u.exitCode();
            }
            case TemplateException te -> {
                msg = "template parsing error: " + te.getMessage();
                code = 64;
            }
            case StoreException s -> msg = s.getMessage();
            case ArchiveException a -> msg = a.getMessage();
            case TarFormatException f -> msg = f.getMessage();
            case dev.whittle.dockerfile.DockerfileException d -> msg = d.getMessage();
            case dev.whittle.build.BuildException b -> msg = b.getMessage();
            case JsonException j -> msg = j.getMessage();
            case dev.whittle.registry.RegistryException r -> msg = r.getMessage();
            case IllegalArgumentException i -> msg = i.getMessage();
            case NoSuchFileException n -> msg = "open " + n.getFile() + ": no such file or directory";
            case AccessDeniedException a -> msg = "open " + a.getFile() + ": permission denied";
            case IOException io -> msg = io.getMessage() == null ? io.toString() : io.getMessage();
            default -> {
                err.println("whittle: internal error: " + t);
                t.printStackTrace(err);
                return 70;
            }
        }
        err.println("Error: " + MessageText.shorten(msg));
        if (debug) t.printStackTrace(err);
        return code;
    }

    static int help(PrintStream out) {
        out.println();
        out.println("Usage:  whittle [OPTIONS] COMMAND");
        out.println();
        out.println("A daemonless, multi-stage container image builder");
        out.println();
        out.println("Options:");
        out.println("  -D, --debug        Show stack traces and debug output");
        out.println("      --root DIR     Image store (default $WHITTLE_ROOT, /var/lib/whittle as root)");
        out.println("      --config DIR   Location of docker's client config files, for credentials (default ~/.docker)");
        out.println("      --registries-config FILE");
        out.println("                     Mirrors and insecure registries (default $WHITTLE_REGISTRIES_CONFIG,");
        out.println("                     ~/.config/whittle/registries.json, /etc/whittle/registries.json)");
        out.println("  -v, --version      Print version information and quit");
        out.println();
        out.println("Commands:");
        for (Map.Entry<String, Entry> e : COMMANDS.entrySet()) {
            out.printf("  %-10s %s%n", e.getKey(), e.getValue().summary());
        }
        out.println();
        out.println("Run 'whittle COMMAND --help' for more information on a command.");
        return 0;
    }

    static String version() {
        // the jar's manifest, which the class loader has read already (a resource lookup costs a young JVM ~3 ms)
        String v = Main.class.getPackage().getImplementationVersion();
        if (v != null) return v;
        Properties p = new Properties();
        try (InputStream in = Main.class.getResourceAsStream("/whittle-version.properties")) {
            if (in != null) p.load(in);
        } catch (IOException ignored) {
            // fall through
        }
        return p.getProperty("version", "dev");
    }
}
