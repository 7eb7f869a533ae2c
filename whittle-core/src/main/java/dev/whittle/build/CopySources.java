package dev.whittle.build;

import dev.whittle.dockerfile.DockerfileException;
import dev.whittle.dockerfile.Heredoc;
import dev.whittle.dockerfile.Instruction;
import dev.whittle.dockerfile.Scope;
import dev.whittle.dockerfile.ShellLex;
import dev.whittle.dockerfile.Word;
import dev.whittle.image.Digest;
import dev.whittle.io.Compression;
import dev.whittle.rootfs.ContextTree;
import dev.whittle.rootfs.FileTree;
import dev.whittle.tar.PathNames;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Resolves a COPY or ADD's sources into what each is ({@link CopySource}): paths of the tree it reads from (wildcards
 * matched as BuildKit matches them, local archives recognised for ADD), COPY --parents' pivots, heredocs, URLs. Git
 * sources are refused. Where they are placed is {@link CopyPlanner}'s job.
 */
final class CopySources {
    private final StepContext ctx;
    private final Instruction.Copy c;
    private final CopyFlags flags;
    private final Scope scope;
    /** Where path sources are read: the context, a named directory, a stage or an image. */
    private final FileTree tree;

    CopySources(StepContext ctx, Instruction.Copy c, CopyFlags flags, Scope scope, FileTree tree) {
        this.ctx = ctx;
        this.c = c;
        this.flags = flags;
        this.scope = scope;
        this.tree = tree;
    }

    static boolean isUrl(String src) {
        return src.startsWith("http://") || src.startsWith("https://");
    }

    static boolean isGit(String src) {
        return src.startsWith("git@") || src.contains(".git#");
    }

    /** One source word (expanded: {@code src}). */
    CopySource resolve(Word w, String src) throws IOException {
        if (c.add() && isUrl(src)) {
            ctx.services().notMemoizable().run(); // what the server answers next time cannot be seen from here
            return UrlSource.fetch(ctx, c, scope, src);
        }
        if (isGit(src)) throw ctx.error(w.pos(), flags.verb() + " of git sources is not supported by whittle");
        if (flags.parents()) {
            Pivot pv = Pivot.of(src);
            if (pv.required() != null && tree.stat(pv.required(), true) == null) throw notFound(w, src);
            List<FileTree.Node> tops = new ArrayList<>();
            matches(tree, pv.from(), tops, new ArrayList<>());
            return new CopySource.Parents(tree, tops, pv.pattern());
        }
        String rel = PathNames.clampToRoot(src);
        List<FileTree.Node> nodes = new ArrayList<>();
        List<String> logical = new ArrayList<>();
        if (!matches(tree, rel, nodes, logical)) throw notFound(w, src);
        List<CopySource.Match> out = new ArrayList<>();
        for (int k = 0; k < nodes.size(); k++) {
            FileTree.Node m = nodes.get(k);
            boolean archive = !m.isDir() && flags.unpack() && flags.fromRef() == null && isArchive(tree, m);
            out.add(new CopySource.Match(m, PathNames.baseName(logical.get(k)), archive));
        }
        return new CopySource.Paths(tree, out);
    }

    /** A heredoc source: a file of its (expanded) text, 0644, time zero. */
    CopySource heredoc(Heredoc h) {
        byte[] data = heredocText(h, scope).getBytes(StandardCharsets.UTF_8);
        return new CopySource.Content(h.name(), data, 0, 0644, "heredoc:" + Digest.sha256(data));
    }

    /** A heredoc's text, variables expanded when its name was not quoted. */
    static String heredocText(Heredoc h, Scope scope) {
        if (!h.expand()) return h.body();
        try {
            // variables only: quotes in a heredoc are its text, not shell quoting (BuildKit's SkipProcessQuotes)
            return new ShellLex('\\').skipProcessQuotes(true).processWord(h.body(), scope.lookup());
        } catch (RuntimeException e) {
            return h.body();
        }
    }

    private DockerfileException notFound(Word w, String src) {
        return ctx.error(
                w.pos(),
                flags.verb() + " failed: \"" + src + "\" not found"
                        + (tree instanceof ContextTree
                                ? " in the build context or excluded by .dockerignore"
                                : " in " + (flags.fromRef() == null ? "the source" : "\"" + flags.fromRef() + "\"")));
    }

    /** A source's paths: a wildcard's matches, else the path itself; false when a path without wildcards is absent. */
    static boolean matches(FileTree tree, String rel, List<FileTree.Node> out, List<String> logical)
            throws IOException {
        if (Glob.hasMeta(rel)) {
            glob(tree, rel, out, logical);
            return true;
        }
        FileTree.Node n = tree.stat(rel, true);
        if (n == null) return false;
        out.add(n);
        logical.add(rel);
        return true;
    }

    /**
     * A COPY --parents source as BuildKit splits it: up to a {@code /./} pivot (else the root) is where copying starts,
     * the rest a pattern (.dockerignore syntax: {@code *}, {@code **}) of the paths copied with their directories.
     * {@code required} is the path that must exist when neither part has a wildcard, else null.
     */
    record Pivot(String from, String pattern, String required) {
        static Pivot of(String src) {
            int i = src.indexOf("/./");
            String from = PathNames.clampToRoot(i < 0 ? "/" : src.substring(0, i));
            String pattern = PathNames.clampToRoot(i < 0 ? src : src.substring(i + 3));
            boolean wild = Glob.hasMeta(from) || Glob.hasMeta(pattern);
            return new Pivot(from, pattern, wild ? null : PathNames.join(from, pattern));
        }
    }

    /**
     * A wildcard source's matches, as BuildKit finds them: the part before the first wildcard is resolved through
     * links, the rest is matched component by component while walking real directories (links are not descended,
     * though a link can be a match), in name order.
     */
    private static void glob(FileTree tree, String rel, List<FileTree.Node> out, List<String> logical)
            throws IOException {
        List<String> parts = List.of(rel.split("/"));
        int first = 0;
        while (!Glob.hasMeta(parts.get(first))) first++;
        String prefix = String.join("/", parts.subList(0, first));
        FileTree.Node top = tree.stat(prefix, true);
        if (top == null || !top.isDir()) return;
        walk(tree, top.path(), prefix, parts, first, out, logical);
    }

    private static void walk(
            FileTree tree,
            String dir,
            String shown,
            List<String> parts,
            int i,
            List<FileTree.Node> out,
            List<String> logical)
            throws IOException {
        Pattern p = Glob.compile(parts.get(i));
        boolean last = i == parts.size() - 1;
        for (String child : tree.children(dir)) {
            if (!p.matcher(child).matches()) continue;
            String path = PathNames.join(dir, child);
            if (last) {
                FileTree.Node n = tree.stat(path, true);
                if (n != null) {
                    out.add(n);
                    logical.add(PathNames.join(shown, child));
                }
            } else {
                FileTree.Node n = tree.stat(path, false);
                if (n != null && n.isDir())
                    walk(tree, n.path(), PathNames.join(shown, child), parts, i + 1, out, logical);
            }
        }
    }

    /** Whether a file is a tar archive, compressed or not (a ustar header, or a header whose checksum holds). */
    static boolean isArchive(FileTree src, FileTree.Node n) throws IOException {
        if (n.size() < 512 && n.size() < 4) return false;
        try (InputStream raw = new BufferedInputStream(src.open(n), 1 << 16)) {
            Compression.Kind k = Compression.detect(raw);
            InputStream in = Compression.decompress(raw, k);
            byte[] h = in.readNBytes(512);
            if (h.length < 512) return false;
            boolean ustar = h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r';
            if (ustar) return true;
            long stored = 0;
            for (int i = 148; i < 156 && h[i] != 0 && h[i] != ' '; i++) {
                if (h[i] < '0' || h[i] > '7') return false;
                stored = stored * 8 + (h[i] - '0');
            }
            long sum = 0;
            for (int i = 0; i < 512; i++) sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
            return stored == sum && stored != 8 * ' ';
        } catch (IOException e) {
            return false;
        }
    }
}
