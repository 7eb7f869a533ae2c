package dev.whittle.cli;

import dev.whittle.archive.ArchiveException;
import dev.whittle.build.BuildException;
import dev.whittle.cli.format.TemplateException;
import dev.whittle.diag.Trace;
import dev.whittle.dockerfile.DockerfileException;
import dev.whittle.dockerfile.MessageText;
import dev.whittle.json.JsonException;
import dev.whittle.registry.RegistryException;
import dev.whittle.sandbox.UserNamespace;
import dev.whittle.store.Store;
import dev.whittle.store.StoreException;
import dev.whittle.tar.TarFormatException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * The whittle command line. Global flags come first ({@code --debug}, {@code --root}); then one command, whose class
 * alone is loaded and parsed, so start-up stays light whatever the number of commands.
 */
public final class Main {
    private Main() {}

    /** The command classes, for the option table recorded with the AOT cache. */
    static List<Class<?>> commandClasses() {
        List<Class<?>> out = new ArrayList<>();
        try (Context ctx = new Context(System.out, System.err, System.in, false, Path.of("/nonexistent"))) {
            for (Commands.Entry e : Commands.COMMANDS.values())
                out.add(e.factory().apply(ctx).getClass());
        }
        return out;
    }

    public static void main(String[] args) {
        Trace.mark("main");
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
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
            enterUserNamespace(err);
            code = run(args, out, err, System.in, true);
        }
        recordPeakMemory();
        Trace.mark("exit");
        Trace.print(err);
        out.flush();
        err.flush();
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    /**
     * A user who is not root runs whittle as root of a user namespace of its own (docs/rootless.md): this process is
     * replaced by one in the namespace, or ends with what is missing.
     */
    private static void enterUserNamespace(PrintStream err) {
        if (!UserNamespace.needed()) return;
        try {
            UserNamespace.Plan plan = UserNamespace.plan(UserNamespace.Host.current());
            if (plan.warning() != null) err.println(plan.warning());
            UserNamespace.enter(plan);
        } catch (IOException e) {
            err.println("Error: " + e.getMessage());
            err.flush();
            System.exit(1);
        }
    }

    /** For benchmarks: the JVM's own peak resident memory (VmHWM), without the processes it started. */
    private static void recordPeakMemory() {
        String file = System.getenv("WHITTLE_PEAK_RSS_FILE");
        if (file == null || file.isEmpty()) return;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    Files.writeString(
                            Path.of(file),
                            line.replaceAll("\\D+", "") + "\n",
                            StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
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
            String key = rest.length > 1 && Commands.GROUPS.containsKey(rest[0])
                    ? Commands.GROUPS.get(rest[0]).subcommands().get(rest[1])
                    : null;
            String path = key == null ? rest[0] : rest[0] + " " + rest[1];
            if (key == null && Commands.GROUPS.containsKey(rest[0]) && rest.length == 1) return groupHelp(rest[0], out);
            if (key == null) key = Commands.COMMANDS.containsKey(rest[0]) && rest.length == 1 ? rest[0] : null;
            if (key == null) {
                err.println("unknown help topic: " + String.join(" ", rest));
                return 1;
            }
            name = key;
            rest = new String[] {"--help"};
            return runCommand(
                    key, path, rest, out, err, in, debug, root, registriesConfig, dockerConfig, processStreams);
        }
        String path = name;
        Commands.Group group = Commands.GROUPS.get(name);
        if (group != null) {
            // docker's management commands: whittle image ls|prune|..., whittle system df|prune|..., whittle builder
            // prune
            if (rest.length == 0 || rest[0].equals("--help") || rest[0].equals("-h")) return groupHelp(name, out);
            if (rest[0].startsWith("-")) {
                err.println(
                        "unknown flag: " + rest[0].replaceFirst("=.*", "") + "\nSee 'whittle " + name + " --help'.");
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
        if (!Commands.COMMANDS.containsKey(name) || name.contains(" ") && group == null) {
            err.println("whittle: '" + name + "' is not a whittle command.");
            err.println("See 'whittle --help'");
            return 1;
        }
        return runCommand(name, path, rest, out, err, in, debug, root, registriesConfig, dockerConfig, processStreams);
    }

    private static int runCommand(
            String key,
            String path,
            String[] rest,
            PrintStream out,
            PrintStream err,
            InputStream in,
            boolean debug,
            Path root,
            Path registriesConfig,
            Path dockerConfig,
            boolean processStreams) {
        Commands.Entry e = Commands.COMMANDS.get(key);
        try (Context ctx = new Context(
                out,
                err,
                in,
                debug,
                root != null ? root : Store.defaultRoot(),
                registriesConfig,
                dockerConfig,
                processStreams)) {
            Object command = e.factory().apply(ctx);
            Trace.mark("command created");
            // whittle run IMAGE CMD...: everything after the image belongs to the command, as with docker
            boolean stopAtPositional = command instanceof RunCommand;
            if (wantsHelp(rest, stopAtPositional)) {
                out.print(usage(command, key, path).help());
                return 0;
            }
            if (command instanceof Callable<?> callable
                    && FastArgs.bind(command, rest, stopAtPositional).isPresent()) {
                Trace.mark("command line bound");
                try {
                    return callable.call() instanceof Integer code ? code : 0;
                } catch (Exception ex) {
                    return report(ex, err, debug);
                }
            }
            command = e.factory().apply(ctx);
            CommandLine cl = new CommandLine(command);
            Usage.dropHelpOptions(cl.getCommandSpec());
            if (stopAtPositional) cl.setStopAtPositional(true);
            cl.setCommandName("whittle " + path);
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
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
        Commands.Entry e = Commands.COMMANDS.get(key);
        List<String> aliases = new ArrayList<>();
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
            case DockerfileException d -> msg = d.getMessage();
            case BuildException b -> msg = b.getMessage();
            case JsonException j -> msg = j.getMessage();
            case RegistryException r -> msg = r.getMessage();
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
        StringBuilder b = new StringBuilder(
                "\nUsage:  whittle [OPTIONS] COMMAND\n\nA daemonless, multi-stage container image builder\n\nOptions:\n");
        b.append(FlagTable.table(
                List.of(
                        new String[] {
                            "    --config string",
                            "Location of docker's client config files, for credentials (default \"~/.docker\")"
                        },
                        new String[] {"-D, --debug", "Show stack traces and debug output"},
                        new String[] {
                            "    --registries-config string",
                            "Mirrors and insecure registries (default $WHITTLE_REGISTRIES_CONFIG, "
                                    + "~/.config/whittle/registries.json, /etc/whittle/registries.json)"
                        },
                        new String[] {
                            "    --root string", "Image store (default $WHITTLE_ROOT, /var/lib/whittle as root)"
                        },
                        new String[] {"-v, --version", "Print version information and quit"}),
                FlagTable.WIDTH));
        b.append("\nManagement Commands:\n");
        for (Map.Entry<String, Commands.Group> g : Commands.GROUPS.entrySet())
            b.append(commandLine(g.getKey(), g.getValue().summary()));
        b.append("\nCommands:\n");
        for (Map.Entry<String, Commands.Entry> e : Commands.COMMANDS.entrySet()) {
            if (!e.getKey().contains(" "))
                b.append(commandLine(e.getKey(), e.getValue().summary()));
        }
        b.append("\nRun 'whittle COMMAND --help' for more information on a command.\n");
        out.print(b);
        return 0;
    }

    /** A management command's usage: its subcommands, each once, by the name docker lists. */
    static int groupHelp(String group, PrintStream out) {
        Commands.Group g = Commands.GROUPS.get(group);
        StringBuilder b =
                new StringBuilder("\nUsage:  whittle " + group + " COMMAND\n\n" + g.summary() + "\n\nCommands:\n");
        TreeMap<String, String> listed = new TreeMap<>();
        for (Map.Entry<String, String> sub : g.subcommands().entrySet()) {
            // one line per command: its first alias in docker's listing (ls, rm), not list or remove
            if (sub.getKey().equals("list") || sub.getKey().equals("remove")) continue;
            listed.put(sub.getKey(), Commands.COMMANDS.get(sub.getValue()).summary());
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
