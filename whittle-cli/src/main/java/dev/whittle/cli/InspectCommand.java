package dev.whittle.cli;

import dev.whittle.cli.format.DockerTypes;
import dev.whittle.cli.format.GoJson;
import dev.whittle.cli.format.GoTemplate;
import dev.whittle.cli.format.GoValue;
import dev.whittle.cli.format.TemplateException;
import dev.whittle.image.Platform;
import dev.whittle.json.Json;
import dev.whittle.store.ImageNotFoundException;
import dev.whittle.store.Images;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "inspect", description = "Return low-level information on images")
final class InspectCommand implements Callable<Integer> {
    private final Context ctx;

    @Option(
            names = {"-f", "--format"},
            description = "Format the output using the given Go template")
    String format;

    @Option(names = "--type", description = "Return JSON for specified type (only \"image\")")
    String type;

    @Option(
            names = {"-s", "--size"},
            description = "Accepted for compatibility; sizes are always shown")
    boolean size;

    @Option(
            names = "--platform",
            description = "Inspect a specific platform of a multi-platform image (default: this machine's)")
    String platform;

    @Parameters(arity = "1..*", paramLabel = "NAME|ID", description = "Images, by name or ID")
    List<String> names;

    InspectCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (type != null && !type.equals("image"))
            throw new UserError("\"" + type + "\" is not a valid value for --type");
        Images images = new Images(ctx.store());
        Platform wanted = PlatformChoice.parse(platform);
        String fmt =
                format == null || format.isEmpty() ? null : format; // docker: an empty --format is the default JSON
        GoTemplate tmpl;
        try {
            tmpl = fmt == null || fmt.equals("json") ? null : GoTemplate.parse(fmt);
        } catch (TemplateException e) {
            throw FormatErrors.of(e, true);
        }
        List<Object> found = new ArrayList<>();
        List<String> missing = new ArrayList<>(), failed = new ArrayList<>();
        StringBuilder lines = new StringBuilder();
        for (String n : names) {
            try {
                // without --platform: a multi-platform image is shown by the platform images shows for it
                GoValue view = ImageViews.inspect(
                        wanted == null ? images.resolve(n) : PlatformChoice.image(images, n, wanted, ctx.err()));
                if (tmpl != null) {
                    try {
                        lines.append(execute(tmpl, view)).append('\n');
                    } catch (TemplateException e) {
                        failed.add(FormatErrors.of(e, true).getMessage());
                    }
                } else {
                    Object json = GoJson.tree(view);
                    if (fmt != null)
                        lines.append(Json.writeString(json, Json.Style.GO)).append('\n');
                    found.add(json);
                }
            } catch (ImageNotFoundException e) {
                missing.add(n);
            } catch (UserError e) {
                failed.add(e.getMessage()); // another platform's image: reported after those that were found
            }
        }
        if (fmt == null) ctx.out().println(found.isEmpty() ? "[]" : Json.writeString(found, Json.Style.GO_INDENT));
        else
            ctx.out()
                    .print(
                            lines.isEmpty()
                                    ? "\n"
                                    : lines); // docker's TemplateInspector.Flush: a newline when nothing printed
        // as docker: the images that worked are printed, then every failure is reported
        if (!failed.isEmpty()) throw new UserError(String.join("\n", failed));
        if (!missing.isEmpty()) {
            String what = "image".equals(type) ? "image" : "object";
            throw new UserError("No such " + what + ": " + String.join(", ", missing));
        }
        return 0;
    }

    /**
     * docker's TemplateInspector: the template over the typed value, and when that fails, again over the JSON the
     * daemon sent decoded into {@code map[string]interface{}}, with missingkey=error; the second error is the one
     * reported. So {@code {{.Id}}} works (the JSON's name) though the Go field is {@code ID}.
     */
    private static String execute(GoTemplate tmpl, GoValue view) {
        try {
            return tmpl.execute(view);
        } catch (TemplateException typed) {
            return tmpl.executeMissingKeyError(DockerTypes.fromJson(GoJson.tree(view)));
        }
    }
}
