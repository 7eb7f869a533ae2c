package dev.whittle.build;

import dev.whittle.image.Digest;
import dev.whittle.rootfs.ContextTree;
import dev.whittle.rootfs.FileTree;
import dev.whittle.tar.PathNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The step-cache keys of a COPY or ADD. */
final class CopyCacheKey {
    private CopyCacheKey() {}

    /**
     * The key from what decides the result, known before the stage's file tree is read (which for an 800 MB base costs
     * more than the rest of a no-change rebuild): the parent step, the instruction as shown, its flags, and the sources
     * — a context path's tree digest, another stage's (or image's) own key, a heredoc's text. Null for ADD of a URL,
     * or when a context source does not exist (the full path then says so, at the right place).
     *
     * @param parent   the parent step's key
     * @param parts    the verb, the history text and the flags ({@link CopyFlags#keyParts})
     * @param fromKey  the key of the stage or image {@code --from} names, or null for the context or a named directory
     * @param context  the context (or named directory) path sources come from, when {@code fromKey} is null
     * @param sources  the source words, expanded
     * @param add      whether it is an ADD (a URL source is then fetched, so nothing is known before)
     * @param parents  {@code --parents}: a source is a pivot and a pattern
     * @param heredocs each heredoc's name and text, in order
     */
    static Digest ofSources(
            Digest parent,
            List<String> parts,
            Digest fromKey,
            ContextTree context,
            List<String> sources,
            boolean add,
            boolean parents,
            List<Map.Entry<String, String>> heredocs)
            throws IOException {
        StringBuilder id = new StringBuilder();
        if (fromKey != null) id.append("from:").append(fromKey).append('\n');
        for (String src : sources) {
            if (add && CopySources.isUrl(src)) return null;
            id.append("src:").append(src).append('\n');
            if (fromKey != null) continue;
            String rel = PathNames.clampToRoot(src);
            if (parents) {
                // what a pattern picks below the pivot is not known here: the whole tree it picks from decides
                CopySources.Pivot pv = CopySources.Pivot.of(src);
                rel = pv.required() != null ? pv.required() : pv.from();
            }
            List<FileTree.Node> matches = new ArrayList<>();
            if (!CopySources.matches(context, rel, matches, new ArrayList<>())) return null;
            for (FileTree.Node m : matches)
                id.append(m.path()).append('=').append(context.treeDigest(m)).append('\n');
        }
        for (Map.Entry<String, String> h : heredocs) {
            id.append("heredoc:")
                    .append(h.getKey())
                    .append('=')
                    .append(Digest.sha256(h.getValue().getBytes(StandardCharsets.UTF_8)))
                    .append('\n');
        }
        List<String> all = new ArrayList<>(parts);
        all.add(Digest.sha256(id.toString().getBytes(StandardCharsets.UTF_8)).toString());
        return CacheKeys.of(parent, all.toArray(String[]::new));
    }

    /**
     * The key from the plan itself, for a COPY whose sources could not be keyed before (ADD of a URL): every entry's
     * metadata and content identity.
     */
    static Digest ofPlan(Digest parent, String verb, String history, String chown, String chmodKey, CopyPlan plan) {
        return CacheKeys.of(parent, verb, history, chown, chmodKey, plan.contentKey());
    }
}
