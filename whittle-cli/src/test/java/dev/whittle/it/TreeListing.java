package dev.whittle.it;

import dev.whittle.io.HashingInputStream;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A root filesystem tar (from {@code whittle export} or {@code docker export}) as path → "type mode uid:gid size
 * link digest", without the files {@code docker create} adds to every container and without directory times.
 */
public final class TreeListing {
    private TreeListing() {}

    static final Set<String> DOCKER_RUNTIME = Set.of(
            ".dockerenv",
            "etc/hosts",
            "etc/hostname",
            "etc/resolv.conf",
            "etc/mtab",
            "dev/console",
            "dev/pts",
            "dev/shm");

    /** The paths whose lines differ, as "path: ours | theirs" (at most 40), for readable failures. */
    public static java.util.List<String> diff(TreeMap<String, String> ours, TreeMap<String, String> theirs) {
        java.util.List<String> out = new java.util.ArrayList<>();
        java.util.TreeSet<String> keys = new java.util.TreeSet<>(ours.keySet());
        keys.addAll(theirs.keySet());
        for (String k : keys) {
            String a = ours.get(k), b = theirs.get(k);
            if (!java.util.Objects.equals(a, b)) out.add(k + ": whittle=" + a + " | docker=" + b);
            if (out.size() >= 40) break;
        }
        return out;
    }

    public static TreeMap<String, String> of(Path tar, Predicate<String> skipContent) throws IOException {
        TreeMap<String, String> out = new TreeMap<>();
        try (InputStream in = Files.newInputStream(tar);
                TarReader r = new TarReader(new java.io.BufferedInputStream(in, 1 << 16))) {
            for (TarEntry e; (e = r.next()) != null; ) {
                String n = e.name();
                if (n.isEmpty() || DOCKER_RUNTIME.contains(n)) continue;
                if ((n.equals("dev") || n.equals("proc") || n.equals("sys")) && e.isDir()) continue;
                String digest = "";
                if (e.isFile()) {
                    digest = skipContent.test(n)
                            ? "(content not compared)"
                            : new HashingInputStream(r.content())
                                    .drainAndDigest()
                                    .toString();
                }
                String type = e.type() == TarEntry.Type.HARDLINK
                        ? "hardlink"
                        : e.type().name().toLowerCase();
                out.put(
                        n,
                        type + " " + Integer.toOctalString(e.mode()) + " " + e.uid() + ":" + e.gid() + " " + e.size()
                                + " "
                                + e.linkName() + " " + digest
                                + (e.type() == TarEntry.Type.CHAR || e.type() == TarEntry.Type.BLOCK
                                        ? " " + e.devMajor() + "," + e.devMinor()
                                        : ""));
            }
        }
        return out;
    }
}
