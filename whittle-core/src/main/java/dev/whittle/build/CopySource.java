package dev.whittle.build;

import dev.whittle.rootfs.FileTree;
import java.util.List;

/** One source of a COPY or ADD, resolved: what it is, before anything decides where it goes. */
sealed interface CopySource {
    /** Paths of a file tree (the context, a stage, an image): a path, or a wildcard's matches in name order. */
    record Paths(FileTree tree, List<Match> matches) implements CopySource {
        public Paths {
            matches = List.copyOf(matches);
        }
    }

    /**
     * One path: its node, the name it was asked for by (a link matched keeps its own name), and whether ADD unpacks
     * it (a local tar archive, compressed or not).
     */
    record Match(FileTree.Node node, String name, boolean archive) {}

    /** COPY --parents: the directories (or files) the pivot names, and the pattern of what to copy below each. */
    record Parents(FileTree tree, List<FileTree.Node> tops, String pattern) implements CopySource {
        public Parents {
            tops = List.copyOf(tops);
        }
    }

    /**
     * A file whose content is in memory: a heredoc, or what a URL answered.
     *
     * @param mode     its mode before --chmod
     * @param identity what the cache key knows its content by
     */
    record Content(String name, byte[] data, long mtime, int mode, String identity) implements CopySource {}
}
