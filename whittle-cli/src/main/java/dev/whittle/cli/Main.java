package dev.whittle.cli;

import dev.whittle.archive.ArchiveException;
import dev.whittle.cli.format.TemplateException;
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
    /**
     * Command path → what runs it. A path is one word ({@code images}) or a management command and its subcommand
     * ({@code image prune}); {@link #GROUPS} maps docker's other spellings ({@code image ls}) onto these.
     */
    static final Map<String, Entry> COMMANDS = new LinkedHashMap<>();
    /** docker's management commands: group → (summary, subcommand word → command path). */
    static final Map<String, Group> GROUPS = new LinkedHashMap<>();

    /**
     * @param aliases  the other paths that run it, for help
     * @param argRange docker's own argument check where the parameters alone would say otherwise, or null
     */
    record Entry(String summary, Function<Context, Object> factory, List<String> aliases, int[] argRange) {
        Entry(String summary, Function<Context, Object> factory, String... aliases) {
            this(summary, factory, List.of(aliases), null);
        }
    }

    record Group(String summary, Map<String, String> subcommands) {}

    static {
        COMMANDS.put("analyze", new Entry("Explain an image's size layer by layer: waste, efficiency, advice", AnalyzeCommand::new));
        COMMANDS.put("build", new Entry("Build an image from a Dockerfile", BuildCommand::new, "image build", "builder build"));
        COMMANDS.put("check", new Entry("Prove that an image's entrypoint can start, or say exactly why not", CheckCommand::new));
        COMMANDS.put("compare", new Entry("Compare images: size, layers, efficiency, can it start", CompareCommand::new));
        COMMANDS.put("completion", new Entry("Generate the autocompletion script for the specified shell", CompletionCommand::new));
        COMMANDS.put("export", new Entry("Export an image's filesystem as a tar archive", ExportCommand::new));
        COMMANDS.put("history", new Entry("Show the history of an image", HistoryCommand::new, "image history"));
        COMMANDS.put("images", new Entry("List images", ImagesCommand::new, "image ls", "image list"));
        COMMANDS.put("import", new Entry("Import the contents from a tarball to create a filesystem image", ImportCommand::new,
                List.of("image import"), new int[] {1, -1}));
        COMMANDS.put("info", new Entry("Display system-wide information", InfoCommand::new, "system info"));
        COMMANDS.put("inspect", new Entry("Return low-level information on images", InspectCommand::new, "image inspect"));
        COMMANDS.put("lint", new Entry("Lint a Dockerfile for multi-stage size, cache and correctness mistakes", LintCommand::new));
        COMMANDS.put("load", new Entry("Load an image from a tar archive or STDIN", LoadCommand::new, "image load"));
        COMMANDS.put("login", new Entry("Log in to a registry", LoginCommand::new));
        COMMANDS.put("logout", new Entry("Log out from a registry", LogoutCommand::new));
        COMMANDS.put("pull", new Entry("Pull an image or a repository from a registry", PullCommand::new, "image pull"));
        COMMANDS.put("push", new Entry("Push an image or a repository to a registry", PushCommand::new, "image push"));
        COMMANDS.put("rmi", new Entry("Remove one or more images", RmiCommand::new, "image rm", "image remove"));
        COMMANDS.put("run", new Entry("Run a command in a new container from an image", RunCommand::new));
        COMMANDS.put("save", new Entry("Save one or more images to a tar archive (streamed to STDOUT by default)", SaveCommand::new, "image save"));
        COMMANDS.put("tag", new Entry("Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", TagCommand::new, "image tag"));
        COMMANDS.put("version", new Entry("Show the whittle version information", VersionCommand::new));
        COMMANDS.put("builder prune", new Entry("Remove build cache", BuilderPruneCommand::new));
        COMMANDS.put("image prune", new Entry("Remove unused images", ImagePruneCommand::new));
        COMMANDS.put("system df", new Entry("Show whittle disk usage", SystemCommand.Df::new));
        COMMANDS.put("system fsck", new Entry("Verify every blob against its digest and every image against its blobs", SystemCommand.Fsck::new));
        COMMANDS.put("system prune", new Entry("Remove unused data", SystemCommand.Prune::new));

        GROUPS.put("builder", new Group("Manage builds", Map.of("build", "build", "prune", "builder prune")));
        Map<String, String> image = new java.util.HashMap<>();
        for (String c : List.of("build", "history", "import", "inspect", "load", "prune", "pull", "push", "save", "tag")) {
            image.put(c, c.equals("prune") ? "image prune" : c);
        }
        image.put("ls", "images");
        image.put("list", "images");
        image.put("rm", "rmi");
        image.put("remove", "rmi");
        GROUPS.put("image", new Group("Manage images", image));
        GROUPS.put("system", new Group("Manage the store", Map.of("df", "system df", "fsck", "system fsck", "info", "info",
                "prune", "system prune")));
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
        dev.whittle.build.Trace.mark("main");
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
        dev.whittle.build.Trace.mark("exit");
        dev.whittle.build.Trace.print(err);
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
            String key = rest.length > 1 && GROUPS.containsKey(rest[0]) ? GROUPS.get(rest[0]).subcommands().get(rest[1]) : null;
            String path = key == null ? rest[0] : rest[0] + " " + rest[1];
            if (key == null && GROUPS.containsKey(rest[0]) && rest.length == 1) return groupHelp(rest[0], out);
            if (key == null) key = COMMANDS.containsKey(rest[0]) && rest.length == 1 ? rest[0] : null;
            if (key == null) {
                err.println("unknown help topic: " + String.join(" ", rest));
                return 1;
            }
            name = key;
            rest = new String[] {"--help"};
            return runCommand(key, path, rest, out, err, in, debug, root, registriesConfig, dockerConfig, processStreams);
        }
        String path = name;
        Group group = GROUPS.get(name);
        if (group != null) {
            // docker's management commands: whittle image ls|prune|..., whittle system df|prune|..., whittle builder prune
            if (rest.length == 0 || rest[0].equals("--help") || rest[0].equals("-h")) return groupHelp(name, out);
            if (rest[0].startsWith("-")) {
                err.println("unknown flag: " + rest[0].replaceFirst("=.*", "") + "\nSee 'whittle " + name + " --help'.");
                return 125;
            }
            String key = group.subcommands().get(rest[0]);
            if (key == null) {
                groupHelp(name, err);
                return 1;
            }
            path = name + " " + rest[0];
            name = key;
            rest = Arrays.copyOfRange(rest, 1, rest.length);
        }
        if (!COMMANDS.containsKey(name) || name.contains(" ") && group == null) {
            err.println("whittle: '" + name + "' is not a whittle command.");
            err.println("See 'whittle --help'");
            return 1;
        }
        return runCommand(name, path, rest, out, err, in, debug, root, registriesConfig, dockerConfig, processStreams);
    }

    private static int runCommand(String key, String path, String[] rest, PrintStream out, PrintStream err, InputStream in, boolean debug,
                                  Path root, Path registriesConfig, Path dockerConfig, boolean processStreams) {
        Entry e = COMMANDS.get(key);
        try (Context ctx = new Context(out, err, in, debug, root != null ? root : dev.whittle.store.Store.defaultRoot(),
                registriesConfig, dockerConfig, processStreams)) {
            Object command = e.factory().apply(ctx);
            dev.whittle.build.Trace.mark("command created");
            // whittle run IMAGE CMD...: everything after the image belongs to the command, as with docker
            boolean stopAtPositional = command instanceof RunCommand;
            if (wantsHelp(rest, stopAtPositional)) {
                out.print(usage(command, key, path).help());
                return 0;
            }
            if (command instanceof java.util.concurrent.Callable<?> callable
                    && FastArgs.bind(command, rest, stopAtPositional).isPresent()) {
                dev.whittle.build.Trace.mark("command line bound");
                try {
                    return callable.call() instanceof Integer code ? code : 0;
                } catch (Exception ex) {
                    return report(ex, err, debug);
                }
            }
            command = e.factory().apply(ctx);
            CommandLine cl = new CommandLine(command);
            // help is docker's (above); -V is no flag of a subcommand
            for (CommandLine.Model.OptionSpec o : List.copyOf(cl.getCommandSpec().options())) {
                if (o.usageHelp() || o.versionHelp()) cl.getCommandSpec().remove(o);
            }
            if (stopAtPositional) cl.setStopAtPositional(true);
            cl.setCommandName("whittle " + path);
            cl.setOut(new java.io.PrintWriter(out, true));
            cl.setErr(new java.io.PrintWriter(err, true));
            cl.setUsageHelpAutoWidth(false);
            Usage usage = usage(command, key, path);
            String[] given = rest;
            cl.setParameterExceptionHandler((ex, a) -> usage.reportParseError(ex, given, stopAtPositional, err));
            final boolean dbg = debug;
            cl.setExecutionExceptionHandler((ex, c, p) -> report(ex, err, dbg));
            return cl.execute(rest);
        } catch (RuntimeException ex) {
            return report(ex, err, debug);
        } finally {
            out.flush();
        }
    }

    /** docker's help and usage errors for a command as typed ({@code path}) and the other ways to type it. */
    static Usage usage(Object command, String key, String path) {
        Entry e = COMMANDS.get(key);
        List<String> aliases = new java.util.ArrayList<>();
        if (!path.equals(key)) aliases.add(key);
        for (String a : e.aliases()) if (!a.equals(path)) aliases.add(a);
        return Usage.of(command, path, aliases, e.argRange(), e.summary());
    }

    /** --help or -h among the flags (for run, only before the image: what follows belongs to the container). */
    private static boolean wantsHelp(String[] args, boolean stopAtPositional) {
        for (String a : args) {
            if (a.equals("--")) return false;
            if (a.equals("--help") || a.equals("-h")) return true;
            if (stopAtPositional && !a.startsWith("-")) return false;
        }
        return false;
    }

    /** Maps a failure to a message and exit code; stack traces only with --debug or for real bugs. */
    static int report(Exception ex, PrintStream err, boolean debug) {
        Throwable t = ex;
        if (t instanceof UncheckedIOException u) t = u.getCause();
        String msg;
        int code = 1;
        switch (t) {
            case UserError u -> {
                if (u.bare()) {
                    err.println(u.getMessage());
                    return u.exitCode();
                }
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
        err.println("Error: " + msg);
        if (debug) t.printStackTrace(err);
        return code;
    }

    static int help(PrintStream out) {
        StringBuilder b = new StringBuilder("\nUsage:  whittle [OPTIONS] COMMAND\n\nA daemonless, multi-stage container image builder\n\nOptions:\n");
        b.append(Usage.table(List.of(
                new String[] {"    --config string", "Location of docker's client config files, for credentials (default \"~/.docker\")"},
                new String[] {"-D, --debug", "Show stack traces and debug output"},
                new String[] {"    --registries-config string", "Mirrors and insecure registries (default $WHITTLE_REGISTRIES_CONFIG, "
                        + "~/.config/whittle/registries.json, /etc/whittle/registries.json)"},
                new String[] {"    --root string", "Image store (default $WHITTLE_ROOT, /var/lib/whittle as root)"},
                new String[] {"-v, --version", "Print version information and quit"}), Usage.WIDTH));
        b.append("\nManagement Commands:\n");
        for (Map.Entry<String, Group> g : GROUPS.entrySet()) b.append(commandLine(g.getKey(), g.getValue().summary()));
        b.append("\nCommands:\n");
        for (Map.Entry<String, Entry> e : COMMANDS.entrySet()) {
            if (!e.getKey().contains(" ")) b.append(commandLine(e.getKey(), e.getValue().summary()));
        }
        b.append("\nRun 'whittle COMMAND --help' for more information on a command.\n");
        out.print(b);
        return 0;
    }

    /** A management command's usage: its subcommands, each once, by the name docker lists. */
    static int groupHelp(String group, PrintStream out) {
        Group g = GROUPS.get(group);
        StringBuilder b = new StringBuilder("\nUsage:  whittle " + group + " COMMAND\n\n" + g.summary() + "\n\nCommands:\n");
        java.util.TreeMap<String, String> listed = new java.util.TreeMap<>();
        for (Map.Entry<String, String> sub : g.subcommands().entrySet()) {
            // one line per command: its first alias in docker's listing (ls, rm), not list or remove
            if (sub.getKey().equals("list") || sub.getKey().equals("remove")) continue;
            listed.put(sub.getKey(), COMMANDS.get(sub.getValue()).summary());
        }
        for (Map.Entry<String, String> l : listed.entrySet()) b.append(commandLine(l.getKey(), l.getValue()));
        b.append("\nRun 'whittle " + group + " COMMAND --help' for more information on a command.\n");
        out.print(b);
        return 0;
    }

    private static String commandLine(String name, String summary) {
        return "  " + name + " ".repeat(Math.max(1, 12 - name.length())) + summary + "\n";
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
