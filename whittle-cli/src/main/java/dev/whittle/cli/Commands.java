package dev.whittle.cli;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The command table. A class of its own, apart from {@link Main}, so that {@code whittle --version} (answered from
 * the global flags) never builds it: each entry's constructor reference is a lambda to link.
 */
final class Commands {
    private Commands() {}

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
        COMMANDS.put(
                "analyze",
                new Entry("Explain an image's size layer by layer: waste, efficiency, advice", AnalyzeCommand::new));
        COMMANDS.put(
                "build",
                new Entry("Build an image from a Dockerfile", BuildCommand::new, "image build", "builder build"));
        COMMANDS.put(
                "check",
                new Entry("Prove that an image's entrypoint can start, or say exactly why not", CheckCommand::new));
        COMMANDS.put(
                "compare", new Entry("Compare images: size, layers, efficiency, can it start", CompareCommand::new));
        COMMANDS.put(
                "completion",
                new Entry("Generate the autocompletion script for the specified shell", CompletionCommand::new));
        COMMANDS.put("export", new Entry("Export an image's filesystem as a tar archive", ExportCommand::new));
        COMMANDS.put("history", new Entry("Show the history of an image", HistoryCommand::new, "image history"));
        COMMANDS.put("images", new Entry("List images", ImagesCommand::new, "image ls", "image list"));
        COMMANDS.put(
                "import",
                new Entry(
                        "Import the contents from a tarball to create a filesystem image",
                        ImportCommand::new,
                        List.of("image import"),
                        new int[] {1, -1}));
        COMMANDS.put("info", new Entry("Display system-wide information", InfoCommand::new, "system info"));
        COMMANDS.put(
                "inspect", new Entry("Return low-level information on images", InspectCommand::new, "image inspect"));
        COMMANDS.put(
                "lint",
                new Entry("Lint a Dockerfile for multi-stage size, cache and correctness mistakes", LintCommand::new));
        COMMANDS.put("load", new Entry("Load an image from a tar archive or STDIN", LoadCommand::new, "image load"));
        COMMANDS.put("login", new Entry("Log in to a registry", LoginCommand::new));
        COMMANDS.put("logout", new Entry("Log out from a registry", LogoutCommand::new));
        COMMANDS.put(
                "pull", new Entry("Pull an image or a repository from a registry", PullCommand::new, "image pull"));
        COMMANDS.put("push", new Entry("Push an image or a repository to a registry", PushCommand::new, "image push"));
        COMMANDS.put("rmi", new Entry("Remove one or more images", RmiCommand::new, "image rm", "image remove"));
        COMMANDS.put("run", new Entry("Run a command in a new container from an image", RunCommand::new));
        COMMANDS.put(
                "save",
                new Entry(
                        "Save one or more images to a tar archive (streamed to STDOUT by default)",
                        SaveCommand::new,
                        "image save"));
        COMMANDS.put(
                "tag",
                new Entry("Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", TagCommand::new, "image tag"));
        COMMANDS.put("version", new Entry("Show the whittle version information", VersionCommand::new));
        COMMANDS.put("builder prune", new Entry("Remove build cache", BuilderPruneCommand::new));
        COMMANDS.put("image prune", new Entry("Remove unused images", ImagePruneCommand::new));
        COMMANDS.put("system df", new Entry("Show whittle disk usage", SystemCommand.Df::new));
        COMMANDS.put(
                "system fsck",
                new Entry(
                        "Verify every blob against its digest and every image against its blobs",
                        SystemCommand.Fsck::new));
        COMMANDS.put("system prune", new Entry("Remove unused data", SystemCommand.Prune::new));

        GROUPS.put("builder", new Group("Manage builds", Map.of("build", "build", "prune", "builder prune")));
        Map<String, String> image = new HashMap<>();
        for (String c :
                List.of("build", "history", "import", "inspect", "load", "prune", "pull", "push", "save", "tag")) {
            image.put(c, c.equals("prune") ? "image prune" : c);
        }
        image.put("ls", "images");
        image.put("list", "images");
        image.put("rm", "rmi");
        image.put("remove", "rmi");
        GROUPS.put("image", new Group("Manage images", image));
        GROUPS.put(
                "system",
                new Group(
                        "Manage the store",
                        Map.of("df", "system df", "fsck", "system fsck", "info", "info", "prune", "system prune")));
    }

    /** Every command path (images, image ls, system df...) to the command it runs, sorted. */
    static Map<String, String> paths() {
        Map<String, String> paths = new TreeMap<>();
        for (String key : COMMANDS.keySet()) paths.put(key, key);
        for (Map.Entry<String, Group> g : GROUPS.entrySet()) {
            for (Map.Entry<String, String> s : g.getValue().subcommands().entrySet())
                paths.putIfAbsent(g.getKey() + " " + s.getKey(), s.getValue());
        }
        return paths;
    }
}
