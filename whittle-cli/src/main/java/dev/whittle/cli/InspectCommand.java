package dev.whittle.cli;

import dev.whittle.cli.format.GoTemplate;
import dev.whittle.json.Json;
import dev.whittle.store.ImageNotFoundException;
import dev.whittle.store.Images;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "inspect", description = "Return low-level information on images")
final class InspectCommand implements Callable<Integer> {
    private final Context ctx;

    @Option(names = {"-f", "--format"}, description = "Format the output using the given Go template")
    String format;
    @Option(names = "--type", description = "Return JSON for specified type (only \"image\")")
    String type;
    @Option(names = {"-s", "--size"}, description = "Accepted for compatibility; sizes are always shown")
    boolean size;
    @Parameters(arity = "1..*", paramLabel = "NAME|ID", description = "Images, by name or ID")
    List<String> names;

    InspectCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override public Integer call() {
        if (type != null && !type.equals("image")) throw new UserError("\"" + type + "\" is not a valid value for --type");
        Images images = new Images(ctx.store());
        GoTemplate tmpl = format == null || format.equals("json") ? null : GoTemplate.parse(format);
        List<Object> found = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        StringBuilder lines = new StringBuilder();
        for (String n : names) {
            try {
                Object view = ImageViews.inspect(images.resolve(n));
                if (tmpl != null) lines.append(tmpl.execute(view)).append('\n');
                else if (format != null) lines.append(Json.writeString(dev.whittle.cli.format.GoValues.toJson(view), Json.Style.GO)).append('\n');
                found.add(view);
            } catch (ImageNotFoundException e) {
                missing.add(n);
            }
        }
        if (format == null) ctx.out().println(found.isEmpty() ? "[]" : Json.writeString(dev.whittle.cli.format.GoValues.toJson(found), Json.Style.GO_INDENT));
        else ctx.out().print(lines);
        if (!missing.isEmpty()) {
            String what = "image".equals(type) ? "image" : "object";
            throw new UserError("No such " + what + ": " + String.join(", ", missing));
        }
        return 0;
    }
}
