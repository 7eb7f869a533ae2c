package dev.whittle.cli;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Shell completion scripts, generated from the command table and each command's options: commands and management
 * subcommands, every command's flags, files after flags that take a path, and image names — asked of the store the
 * command line names ({@code --root}) — where a command takes an image. zsh gets the same function through
 * bashcompinit.
 */
final class Completion {
    private Completion() {}

    /** What a command's arguments are, for completion. */
    private static String argumentKind(String key, CommandSpec spec) {
        if (key.equals("build") || key.equals("lint")) return "dir";
        if (key.equals("import")) return "file";
        if (key.equals("completion")) return "shell";
        for (PositionalParamSpec p : spec.positionalParameters()) {
            String l = p.paramLabel();
            if (l.contains("IMAGE") || l.contains("NAME") || l.contains("REPOSITORY")) return "image";
        }
        return "none";
    }

    private static boolean takesPath(OptionSpec o) {
        String label = o.paramLabel().toLowerCase(Locale.ROOT);
        return o.type() == Path.class
                || label.contains("path")
                || label.contains("file")
                || List.of("-o", "-i", "-f", "--file", "--output", "--input", "--iidfile").stream()
                                .anyMatch(n -> List.of(o.names()).contains(n))
                        && !o.type().equals(List.class)
                        && !List.of(o.names()).contains("--filter")
                        && !List.of(o.names()).contains("--force");
    }

    static String bash() {
        Context ctx = new Context(
                new PrintStream(OutputStream.nullOutputStream()),
                new PrintStream(OutputStream.nullOutputStream()),
                InputStream.nullInputStream(),
                false,
                Path.of("/nonexistent"));
        StringBuilder cases = new StringBuilder();
        Map<String, String> paths = Commands.paths();
        for (Map.Entry<String, String> p : paths.entrySet()) {
            CommandSpec spec = CommandSpec.forAnnotatedObject(
                    Commands.COMMANDS.get(p.getValue()).factory().apply(ctx));
            List<String> flags = new ArrayList<>(List.of("--help"));
            List<String> valued = new ArrayList<>(), pathValued = new ArrayList<>();
            for (OptionSpec o : spec.options()) {
                if (o.hidden() || o.usageHelp() || o.versionHelp()) continue;
                boolean bool = o.type() == boolean.class || o.type() == Boolean.class;
                for (String n : o.names()) {
                    flags.add(n);
                    if (!bool && o.arity().min() > 0) (takesPath(o) ? pathValued : valued).add(n);
                }
            }
            cases.append("        '")
                    .append(p.getKey())
                    .append("')\n")
                    .append("            flags='")
                    .append(String.join(" ", flags))
                    .append("'\n")
                    .append("            valued='")
                    .append(String.join(" ", valued))
                    .append("'\n")
                    .append("            paths='")
                    .append(String.join(" ", pathValued))
                    .append("'\n")
                    .append("            args=")
                    .append(argumentKind(p.getValue(), spec))
                    .append(" ;;\n");
        }
        StringBuilder groups = new StringBuilder();
        for (Map.Entry<String, Commands.Group> g : Commands.GROUPS.entrySet()) {
            groups.append("                        ")
                    .append(g.getKey())
                    .append(") subs='")
                    .append(String.join(
                            " ", new TreeSet<>(g.getValue().subcommands().keySet())))
                    .append("' ;;\n");
        }
        List<String> top = new ArrayList<>(Commands.GROUPS.keySet());
        for (String k : Commands.COMMANDS.keySet()) if (!k.contains(" ")) top.add(k);
        top.add("help");
        return """
                # bash completion for whittle (whittle completion bash)
                # Commands, management subcommands, each command's flags, paths after path flags, and image names from
                # the store the command line names (--root).

                _whittle_images() {
                    local root=() i
                    for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
                        [[ ${COMP_WORDS[i]} == --root ]] && root=(--root "${COMP_WORDS[i+1]}")
                        [[ ${COMP_WORDS[i]} == --root=* ]] && root=(--root "${COMP_WORDS[i]#--root=}")
                    done
                    whittle "${root[@]}" images --format '{{if ne .Repository "<none>"}}{{.Repository}}:{{.Tag}}{{end}}' 2>/dev/null
                }

                _whittle_complete() {
                    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
                    local i=1 cmd= sub= subs=
                    while ((i < COMP_CWORD)); do
                        case ${COMP_WORDS[i]} in
                            --root|--config|--registries-config) ((i += 2)); continue ;;
                            -*) ;;
                            *)
                                if [[ -z $cmd ]]; then
                                    cmd=${COMP_WORDS[i]}
                                    case $cmd in
                %s
                                    esac
                                elif [[ -n $subs && -z $sub ]]; then
                                    sub=${COMP_WORDS[i]}
                                else
                                    break
                                fi ;;
                        esac
                        ((i++))
                    done
                    if [[ -z $cmd ]]; then
                        case $prev in
                            --root|--config) COMPREPLY=($(compgen -d -- "$cur")); return ;;
                            --registries-config) COMPREPLY=($(compgen -f -- "$cur")); return ;;
                        esac
                        if [[ $cur == -* ]]; then
                            COMPREPLY=($(compgen -W '--config --debug -D --help --registries-config --root --version -v' -- "$cur"))
                        else
                            COMPREPLY=($(compgen -W '%s' -- "$cur"))
                        fi
                        return
                    fi
                    if [[ -n $subs && -z $sub ]]; then
                        COMPREPLY=($(compgen -W "$subs" -- "$cur"))
                        return
                    fi
                    # not "path": zsh ties that name to $PATH
                    local cmdpath=$cmd flags= valued= paths= args=none
                    [[ -n $sub ]] && cmdpath="$cmd $sub"
                    case $cmdpath in
                %s
                    esac
                    local p
                    for p in $paths; do [[ $prev == "$p" ]] && { COMPREPLY=($(compgen -f -- "$cur")); return; }; done
                    for p in $valued; do [[ $prev == "$p" ]] && return; done
                    if [[ $cur == -* ]]; then
                        COMPREPLY=($(compgen -W "$flags" -- "$cur"))
                        return
                    fi
                    case $args in
                        image) COMPREPLY=($(compgen -W "$(_whittle_images)" -- "$cur")) ;; # names hold no blanks
                        dir) COMPREPLY=($(compgen -d -- "$cur")) ;;
                        file) COMPREPLY=($(compgen -f -- "$cur")) ;;
                        shell) COMPREPLY=($(compgen -W 'bash zsh' -- "$cur")) ;;
                    esac
                }

                complete -F _whittle_complete whittle
                """.formatted(
                        groups.toString().stripTrailing(),
                        String.join(" ", top),
                        cases.toString().stripTrailing());
    }

    static String zsh() {
        return """
                #compdef whittle
                # zsh completion for whittle (whittle completion zsh): the bash completion, through bashcompinit.
                autoload -U +X bashcompinit && bashcompinit
                """ + bash().replaceFirst("(?s)^#[^\\n]*\\n#[^\\n]*\\n#[^\\n]*\\n", "") + """
                # loaded from $fpath as the completion function itself: complete this word too
                if [[ ${funcstack[1]} == _whittle ]]; then _bash_complete -F _whittle_complete; fi
                """;
    }
}
