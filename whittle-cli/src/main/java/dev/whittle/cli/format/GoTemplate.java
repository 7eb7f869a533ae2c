package dev.whittle.cli.format;

import dev.whittle.cli.format.Node.Tree;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@code --format} template as docker runs it: Go's text/template (parse.go, exec.go and funcs.go ported; see
 * {@link TemplateParser} and {@link TemplateExec}) with docker's functions ({@code json split join title lower upper
 * pad truncate}) over {@link GoValue}s, which carry their Go types. Errors are {@link TemplateException}s worded as
 * Go's. One difference Go does not have: each execution is bounded by a {@link Budget} of text and steps.
 */
public final class GoTemplate {
    /** docker names its templates ""; Go's messages carry the name ({@code template: :1:2: executing ""}). */
    private static final String NAME = "";

    private final Map<String, Tree> trees;

    private GoTemplate(Map<String, Tree> trees) {
        this.trees = trees;
    }

    /** Parses a template with docker's functions; {@code {{define}}} and {@code {{block}}} add templates to it. */
    public static GoTemplate parse(String text) {
        Map<String, Tree> trees = new HashMap<>(4);
        TemplateParser.parse(NAME, text, Funcs.NAMES, trees);
        return new GoTemplate(trees);
    }

    /** The main template as Go's parse tree prints itself (for tests against Go's parse tables). */
    String tree() {
        Tree t = trees.get(NAME);
        return t == null || t.root == null ? "" : t.root.toString();
    }

    /** Executes over {@code data}; on an error the output so far is dropped (docker prints none of it). */
    public String execute(GoValue data) {
        return execute(data, new Budget());
    }

    String execute(GoValue data, Budget budget) {
        StringBuilder out = new StringBuilder();
        new TemplateExec(trees, Funcs.docker(false, budget), false, out, budget).execute(NAME, data);
        return out.toString();
    }

    /**
     * docker's second try at {@code inspect} when the first failed: the same template with
     * {@code missingkey=error} over the JSON the daemon sent, decoded as {@code map[string]interface{}}.
     */
    public String executeMissingKeyError(GoValue data) {
        return executeMissingKeyError(data, new Budget());
    }

    String executeMissingKeyError(GoValue data, Budget budget) {
        StringBuilder out = new StringBuilder();
        new TemplateExec(trees, Funcs.docker(false, budget), true, out, budget).execute(NAME, data);
        return out.toString();
    }

    /**
     * A table's header row: the template with docker's header functions, which give back their first argument,
     * over the column titles. docker ignores an error here and keeps what was written before it.
     */
    public String executeHeader(GoValue headers) {
        return executeHeader(headers, new Budget());
    }

    String executeHeader(GoValue headers, Budget budget) {
        StringBuilder out = new StringBuilder();
        try {
            new TemplateExec(trees, Funcs.docker(true, budget), false, out, budget).execute(NAME, headers);
        } catch (TemplateException e) {
            // docker: tmpl.Funcs(templates.HeaderFunctions).Execute(buffer, ...), error unchecked
        }
        return out.toString();
    }
}
