package dev.whittle.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Man pages in roff ({@code man 1 whittle-images}), one per command path as docker's man pages are laid out
 * ({@code whittle-image-prune.1}), written from the same model as {@code --help}, so the two never disagree.
 */
final class ManPages {
    private ManPages() {}

    /** Writes whittle.1 and one page per command into {@code dir}; returns the files. */
    static List<Path> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>();
        Path top = dir.resolve("whittle.1");
        Files.writeString(top, top());
        out.add(top);
        Context ctx = new Context(
                new PrintStream(OutputStream.nullOutputStream()),
                new PrintStream(OutputStream.nullOutputStream()),
                InputStream.nullInputStream(),
                false,
                Path.of("/nonexistent"));
        for (Map.Entry<String, String> p : Commands.paths().entrySet()) {
            Usage u = Main.usage(Commands.COMMANDS.get(p.getValue()).factory().apply(ctx), p.getValue(), p.getKey());
            Path f = dir.resolve("whittle-" + p.getKey().replace(' ', '-') + ".1");
            Files.writeString(f, page(u));
            out.add(f);
        }
        return out;
    }

    private static String top() {
        StringBuilder b = new StringBuilder(header("whittle"));
        b.append(".SH NAME\nwhittle \\- a daemonless, multi-stage container image builder\n");
        b.append(".SH SYNOPSIS\n.B whittle\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR\n");
        b.append(
                        ".SH DESCRIPTION\nwhittle builds images from Dockerfiles without a daemon and keeps them in a store of its own; ")
                .append(
                        "its commands are docker's (\\fBwhittle build\\fR, \\fBimages\\fR, \\fBsave\\fR, \\fBpush\\fR...), plus commands ")
                .append("that check and explain images.\n");
        b.append(".SH OPTIONS\n");
        b.append(
                ".TP\n\\fB--config\\fR \\fIstring\\fR\nLocation of docker's client config files, for credentials (default ~/.docker)\n");
        b.append(".TP\n\\fB-D\\fR, \\fB--debug\\fR\nShow stack traces and debug output\n");
        b.append(".TP\n\\fB--registries-config\\fR \\fIstring\\fR\nMirrors and insecure registries\n");
        b.append(".TP\n\\fB--root\\fR \\fIstring\\fR\nImage store (default $WHITTLE_ROOT, /var/lib/whittle as root)\n");
        b.append(".TP\n\\fB-v\\fR, \\fB--version\\fR\nPrint version information and quit\n");
        b.append(".SH COMMANDS\n");
        for (Map.Entry<String, String> p : Commands.paths().entrySet()) {
            b.append(".TP\n\\fBwhittle-")
                    .append(p.getKey().replace(' ', '-'))
                    .append("\\fR(1)\n")
                    .append(escape(Commands.COMMANDS.get(p.getValue()).summary()))
                    .append('\n');
        }
        return b.toString();
    }

    private static String page(Usage u) {
        String name = u.commandPath().replace(' ', '-');
        StringBuilder b = new StringBuilder(header(name));
        b.append(".SH NAME\n")
                .append(name)
                .append(" \\- ")
                .append(escape(u.summary()))
                .append('\n');
        b.append(".SH SYNOPSIS\n").append(escape(u.useLine())).append('\n');
        b.append(".SH DESCRIPTION\n").append(escape(u.summary())).append('\n');
        List<PositionalParamSpec> params = u.spec().positionalParameters().stream()
                .filter(p -> p.description().length > 0)
                .toList();
        if (!params.isEmpty()) {
            b.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec p : params) {
                b.append(".TP\n\\fI")
                        .append(escape(p.paramLabel()))
                        .append("\\fR\n")
                        .append(escape(String.join(" ", p.description())))
                        .append('\n');
            }
        }
        List<OptionSpec> opts = u.visibleOptions();
        if (!opts.isEmpty()) {
            b.append(".SH OPTIONS\n");
            // the flag table of --help, one entry per flag
            for (String line : Usage.flagTable(opts, 0).split("\n")) {
                String l = line.strip();
                int gap = l.indexOf("   ");
                String flags = gap < 0 ? l : l.substring(0, gap),
                        desc = gap < 0 ? "" : l.substring(gap).strip();
                b.append(".TP\n\\fB")
                        .append(escape(flags))
                        .append("\\fR\n")
                        .append(escape(desc))
                        .append('\n');
            }
        }
        b.append(".SH SEE ALSO\n\\fBwhittle\\fR(1)\n");
        return b.toString();
    }

    private static String header(String name) {
        return ".TH \"" + name.toUpperCase(java.util.Locale.ROOT) + "\" \"1\" \"\" \"whittle " + Main.version()
                + "\" \"whittle Manual\"\n";
    }

    /** roff's special characters: backslashes, and a dot or quote at the start of a line. */
    static String escape(String s) {
        String e = s.replace("\\", "\\e").replace("-", "\\-");
        return e.startsWith(".") || e.startsWith("'") ? "\\&" + e : e;
    }
}
