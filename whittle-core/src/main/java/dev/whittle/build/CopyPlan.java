package dev.whittle.build;

import dev.whittle.image.Digest;
import dev.whittle.rootfs.FileTree;
import dev.whittle.tar.TarEntry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a COPY, ADD or WORKDIR writes, decided before anything is written: the layer's entries by path (relative to the
 * root, in name order), each with its owner, mode and time, and where its content comes from.
 */
record CopyPlan(SortedMap<String, CopyPlan.Entry> entries) {
    CopyPlan {
        entries = Collections.unmodifiableSortedMap(new TreeMap<>(entries));
    }

    /**
     * One entry of the layer.
     *
     * @param tree     the tree a file's content is read from (with {@code source}), or null
     * @param data     a file's content when it is in memory (heredoc, URL, archive member), or null
     * @param identity what the cache key knows the content by: a digest, {@link #NEW_DIR}, {@link #DIR}, a type
     */
    record Entry(TarEntry entry, FileTree tree, FileTree.Node source, byte[] data, String identity) {
        /** A directory this step makes (0755, now): its time is not part of the content key. */
        static final String NEW_DIR = "newdir";
        /** A directory the stage has, listed again with its own metadata. */
        static final String DIR = "dir";

        boolean newDir() {
            return NEW_DIR.equals(identity);
        }
    }

    /** A digest over every entry's metadata and content identity: the same plan, the same key. */
    String contentKey() {
        MessageDigest md = Digest.newSha256();
        for (Entry p : entries.values()) {
            TarEntry e = p.entry();
            String line = e.name() + "|" + e.type() + "|" + Integer.toOctalString(e.mode()) + "|" + e.uid() + ":"
                    + e.gid() + "|" + e.linkName() + "|" + p.identity() + "|"
                    + (e.isDir() && p.newDir() ? "" : e.mtime()) + "\n";
            md.update(line.getBytes(StandardCharsets.UTF_8));
        }
        return Digest.ofSha256(md.digest()).toString();
    }
}
