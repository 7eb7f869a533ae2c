package dev.whittle.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * docker's help and usage errors (cobra's templates, pflag's flag table and wording, docker/cli's argument checks),
 * drawn from a command's picocli model. Only help and errors come here, so the model's cost (annotation scanning) is
 * never paid by a command line that parses.
 */
final class Usage {
    private final CommandSpec spec;
    private final String path;
    private final List<String> aliases;
    private final int[] argRange;
    private final String summary;

    /**
     * @param path     the command as typed after {@code whittle} ({@code images}, {@code image ls})
     * @param aliases  the other ways to type it
     * @param argRange docker's own argument check {min, max (-1: any)} where the parameters alone would say
     *                 otherwise (import: at least 1), or null
     */
    Usage(CommandSpec spec, String path, List<String> aliases, int[] argRange, String summary) {
        this.spec = spec;
        this.path = path;
        this.aliases = aliases;
        this.argRange = argRange;
        this.summary = summary;
    }

    /** @param summary the one-line description (the command table's, which {@code whittle --help} lists too) */
    static Usage of(Object command, String path, List<String> aliases, int[] argRange, String summary) {
        return new Usage(CommandSpec.forAnnotatedObject(command), path, aliases, argRange, summary);
    }

    /**
     * Help is docker's (Main answers --help before parsing) and -V is no flag of a subcommand: both go from the model.
     * Here, not in Main: Main's bytecode must not make the verifier load picocli's model classes on every start.
     */
    static void dropHelpOptions(CommandSpec spec) {
        for (OptionSpec o : List.copyOf(spec.options())) {
            if (o.usageHelp() || o.versionHelp()) spec.remove(o);
        }
    }

    String commandPath() {
        return "whittle " + path;
    }

    String summary() {
        return summary;
    }

    CommandSpec spec() {
        return spec;
    }

    /** cobra's UseLine: {@code whittle images [OPTIONS] [REPOSITORY[:TAG]]}. */
    String useLine() {
        String[] custom = spec.usageMessage().customSynopsis();
        if (custom.length > 0) return custom[0].isEmpty() ? commandPath() : commandPath() + " " + custom[0];
        StringBuilder b = new StringBuilder(commandPath());
        if (!visibleOptions().isEmpty()) b.append(" [OPTIONS]");
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.hidden()) continue;
            String label = p.paramLabel();
            CommandLine.Range a = p.arity();
            boolean many = a.isUnspecified() ? p.isMultiValue() : a.max() > 1 || a.isVariable();
            boolean optional = a.min() == 0;
            b.append(' ');
            if (many) b.append(optional ? "[" + label + "...]" : label + " [" + label + "...]");
            else b.append(optional ? "[" + label + "]" : label);
        }
        return b.toString();
    }

    /** The whole {@code --help} text, as docker's help template lays it out. */
    String help() {
        StringBuilder b = new StringBuilder("\nUsage:  ")
                .append(useLine())
                .append("\n\n")
                .append(summary().strip())
                .append('\n');
        if (!aliases.isEmpty()) {
            List<String> all = new ArrayList<>(List.of(path));
            all.addAll(aliases);
            b.append("\nAliases:\n  ").append(String.join(", ", all)).append('\n');
        }
        List<String[]> args = new ArrayList<>();
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.hidden() || p.description().length == 0) continue;
            args.add(new String[] {p.paramLabel(), String.join(" ", p.description())});
        }
        if (!args.isEmpty()) {
            b.append("\nArguments:\n");
            int w = args.stream().mapToInt(a -> a[0].length()).max().orElse(0);
            for (String[] a : args) {
                b.append("  ")
                        .append(a[0])
                        .append(" ".repeat(w - a[0].length() + 3))
                        .append(FlagTable.wrap(w + 5, FlagTable.WIDTH, a[1]))
                        .append('\n');
            }
        }
        if (!visibleOptions().isEmpty())
            b.append("\nOptions:\n")
                    .append(flagTable(visibleOptions(), FlagTable.WIDTH).stripTrailing())
                    .append('\n');
        return b.toString();
    }

    List<OptionSpec> visibleOptions() {
        List<OptionSpec> out = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (o.hidden() || o.usageHelp() || o.versionHelp()) continue;
            out.add(o);
        }
        // pflag lists flags sorted by long name
        out.sort((a, b) -> longName(a).compareTo(longName(b)));
        return out;
    }

    private static String longName(OptionSpec o) {
        for (String n : o.names()) if (n.startsWith("--")) return n.substring(2);
        return o.names()[0].substring(1);
    }

    private static String shortName(OptionSpec o) {
        for (String n : o.names()) if (!n.startsWith("--") && n.length() == 2) return n.substring(1);
        return null;
    }

    private static boolean isBoolean(OptionSpec o) {
        return o.type() == boolean.class || o.type() == Boolean.class;
    }

    /**
     * The word after a flag in the table: pflag's type name ({@code string}, {@code list}, {@code int}), or the
     * command's own label where it is a short one in docker's style, lower case ({@code filter}, {@code bytes});
     * placeholders ({@code KEY=VALUE}) and lists of values are for the description to explain.
     */
    static String valueWord(OptionSpec o) {
        if (isBoolean(o)) return "";
        String label = o.paramLabel();
        if (!label.startsWith("<") && label.equals(label.toLowerCase(Locale.ROOT)) && label.length() <= 12)
            return label;
        if (List.class.isAssignableFrom(o.type())) return "list";
        if (o.type() == int.class || o.type() == Integer.class) return "int";
        if (o.type() == double.class || o.type() == Double.class) return "float";
        return "string";
    }

    /** pflag's FlagUsagesWrapped: names, value word, aligned descriptions, non-zero defaults, wrapped at {@code cols}. */
    static String flagTable(List<OptionSpec> options, int cols) {
        List<String[]> rows = new ArrayList<>();
        for (OptionSpec o : options) {
            String s = shortName(o);
            String names = s != null ? "-" + s + ", --" + longName(o) : "    --" + longName(o);
            String word = valueWord(o);
            if (!word.isEmpty()) names += " " + word;
            if (!isBoolean(o)
                    && o.arity().min() == 0
                    && o.fallbackValue() != null
                    && !o.fallbackValue().isEmpty()) {
                names += "[=" + o.fallbackValue() + "]";
            }
            String usage = String.join(" ", o.description());
            String dflt = o.defaultValue();
            if (dflt != null && !usage.contains("(default") && !isZero(dflt)) {
                usage += o.type() == String.class ? " (default \"" + dflt + "\")" : " (default " + dflt + ")";
            }
            rows.add(new String[] {names, usage});
        }
        return FlagTable.table(rows, cols);
    }

    private static boolean isZero(String v) {
        return v.isEmpty() || v.equals("false") || v.equals("0") || v.equals("[]");
    }

    /** docker/cli's argument-count error for {@code given} arguments, or null when the count is allowed. */
    String argumentError(int given) {
        int min = 0, max = 0;
        for (PositionalParamSpec p : spec.positionalParameters()) {
            CommandLine.Range a = p.arity();
            min += a.min();
            // a list at an open index (1..*) takes any number, whatever its arity says of one occurrence
            boolean open = a.isVariable()
                    || a.max() == Integer.MAX_VALUE
                    || p.isMultiValue() && p.index().max() == Integer.MAX_VALUE;
            max = max < 0 || open ? -1 : max + a.max();
        }
        if (argRange != null) {
            min = argRange[0];
            max = argRange[1];
        }
        if (given >= min && (max < 0 || given <= max)) return null;
        String what;
        if (max == 0) what = "accepts no arguments.";
        else if (max < 0) what = "requires at least " + min + " " + plural(min) + ".";
        else if (min == max) what = "requires exactly " + min + " " + plural(min) + ".";
        else if (min == 0) what = "requires at most " + max + " " + plural(max) + ".";
        else what = "requires at least " + min + " and at most " + max + " " + plural(max) + ".";
        return "\"" + commandPath() + "\" " + what + "\nSee '" + commandPath() + " --help'.\n\nUsage:  " + useLine()
                + "\n\n" + summary();
    }

    private static String plural(int n) {
        return n == 1 ? "argument" : "arguments";
    }

    /**
     * What docker says of a command line picocli refused, printed to {@code err}; returns docker's exit code: 125 for
     * a flag error (pflag's wording), 1 for a wrong number of arguments (docker/cli's wording, with the usage line).
     */
    int reportParseError(CommandLine.ParameterException ex, String[] args, boolean stopAtPositional, PrintStream err) {
        String flag = flagProblem(args, stopAtPositional);
        if (flag == null) {
            String arguments = argumentError(countArguments(args, stopAtPositional));
            if (arguments != null) {
                err.println(arguments);
                return 1;
            }
            flag = ex.getMessage();
            Matcher m = Pattern.compile("Invalid value for option '([^']*)': '(.*?)' (.*)", Pattern.DOTALL)
                    .matcher(flag);
            if (m.matches()) {
                OptionSpec o = spec.findOption(m.group(1));
                String why = o != null && isBoolean(o)
                        ? "strconv.ParseBool: parsing \"" + m.group(2) + "\": invalid syntax"
                        : m.group(3);
                flag = "invalid argument \"" + m.group(2) + "\" for \"" + (o == null ? m.group(1) : flagNames(o))
                        + "\" flag: " + why;
            }
        }
        err.println(flag + "\nSee '" + commandPath() + " --help'.");
        return 125;
    }

    /** pflag's message for the first unknown flag or flag without its value, or null when every flag is fine. */
    String flagProblem(String[] args, boolean stopAtPositional) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) return null;
            if (!a.startsWith("-") || a.equals("-")) {
                if (stopAtPositional) return null;
                continue;
            }
            if (a.startsWith("--")) {
                int eq = a.indexOf('=');
                OptionSpec o = spec.findOption(eq > 0 ? a.substring(0, eq) : a);
                if (o == null || o.usageHelp() || o.versionHelp()) return unknownFlag(a);
                if (eq < 0 && needsValue(o)) {
                    if (i + 1 >= args.length) return "flag needs an argument: " + a;
                    i++;
                }
                continue;
            }
            for (int k = 1; k < a.length(); k++) {
                char c = a.charAt(k);
                OptionSpec o = spec.findOption(c);
                // pflag names the rest of the cluster from the unknown letter on
                if (o == null || o.usageHelp() || o.versionHelp())
                    return "unknown shorthand flag: '" + c + "' in -" + a.substring(k);
                if (k + 1 < a.length() && a.charAt(k + 1) == '=') break; // -H=false: the rest is its value
                if (needsValue(o)) {
                    if (k + 1 < a.length()) break; // the rest is its value
                    if (i + 1 >= args.length) return "flag needs an argument: '" + c + "' in " + a;
                    i++;
                }
            }
        }
        return null;
    }

    private static boolean needsValue(OptionSpec o) {
        return !isBoolean(o) && o.arity().min() > 0;
    }

    /** pflag's message for an unknown long flag given as {@code arg}. */
    private static String unknownFlag(String arg) {
        int eq = arg.indexOf('=');
        return "unknown flag: " + (eq > 0 ? arg.substring(0, eq) : arg);
    }

    /** How many of {@code args} are arguments rather than flags or flag values. */
    int countArguments(String[] args, boolean stopAtPositional) {
        int n = 0;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) return n + args.length - i - 1;
            if (!a.startsWith("-") || a.equals("-")) {
                if (stopAtPositional) return n + args.length - i;
                n++;
                continue;
            }
            if (a.contains("=")) continue;
            OptionSpec o = a.startsWith("--") ? spec.findOption(a) : spec.findOption(a.charAt(a.length() - 1));
            if (o != null && needsValue(o) && (a.startsWith("--") || a.length() == 2)) i++;
        }
        return n;
    }

    /** The flag an error is about, in pflag's {@code -H, --human} form. */
    static String flagNames(ArgSpec a) {
        if (!(a instanceof OptionSpec o)) return a.paramLabel();
        String s = shortName(o);
        return (s != null ? "-" + s + ", " : "") + "--" + longName(o);
    }
}
