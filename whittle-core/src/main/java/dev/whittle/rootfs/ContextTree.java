package dev.whittle.rootfs;

import dev.whittle.dockerfile.DockerIgnore;
import dev.whittle.image.Digest;
import dev.whittle.io.HashingInputStream;
import dev.whittle.tar.PathNames;
import dev.whittle.tar.TarEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The build context directory, as COPY sees it: .dockerignore'd paths do not exist, {@code ..} cannot leave it,
 * symlinks resolve inside it. A file's identity is its content digest, computed once per build.
 */
public final class ContextTree implements FileTree {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private final Path root;
    private final DockerIgnore ignore;
    private final Map<String, String> digests = new ConcurrentHashMap<>();
    /** An image's root on disk rather than a build context: owners are real, device nodes are files of the image. */
    private final boolean imageRoot;
    /** Where every question asked of the context and its answer are kept, or null. */
    private final ContextObservations observations;

    public ContextTree(Path root, DockerIgnore ignore) {
        this(root, ignore, false, null);
    }

    private ContextTree(Path root, DockerIgnore ignore, boolean imageRoot, ContextObservations observations) {
        this.root = real(root);
        this.ignore = ignore;
        this.imageRoot = imageRoot;
        this.observations = observations;
    }

    /** The directory itself when {@code root} is a symlink to it (docker builds what a symlinked context points to). */
    private static Path real(Path root) {
        try {
            return root.toRealPath();
        } catch (IOException e) {
            return root.toAbsolutePath().normalize(); // nothing there: every question gets "absent"
        }
    }

    /** An image's root file system mounted at {@code root}. */
    public static ContextTree imageRoot(Path root) {
        return new ContextTree(root, DockerIgnore.none(), true, null);
    }

    /** This context, keeping every question asked of it and the answer in {@code into}. */
    public ContextTree observedBy(ContextObservations into) {
        return new ContextTree(root, ignore, imageRoot, into);
    }

    public Path root() {
        return root;
    }

    public DockerIgnore ignore() {
        return ignore;
    }

    /** Resolves symlinks inside the context (absolute targets start at the context root). Null if absent. */
    public String resolve(String path, boolean followLast) throws IOException {
        String r = resolveUnobserved(path, followLast);
        if (observations != null) observations.resolution(path, followLast, r);
        return r;
    }

    private String resolveUnobserved(String path, boolean followLast) throws IOException {
        SymlinkWalk.Result r = SymlinkWalk.resolve(path, followLast, at -> {
            Path p = root.resolve(at);
            if (!Files.exists(p, NOFOLLOW)) return SymlinkWalk.Entry.ABSENT;
            return Files.isSymbolicLink(p)
                    ? SymlinkWalk.Entry.link(Files.readSymbolicLink(p).toString())
                    : SymlinkWalk.Entry.PRESENT;
        });
        return switch (r.outcome()) {
            case FOUND -> r.path();
            case MISSING -> null;
            case TOO_MANY_LINKS -> throw new IOException("too many levels of symbolic links at " + r.path());
        };
    }

    @Override
    public Node stat(String path, boolean follow) throws IOException {
        String logical = PathNames.clampToRoot(path);
        boolean excluded = !logical.isEmpty() && ignore.excluded(logical);
        if (excluded && !ignore.mayReinclude(logical)) return null;
        String real = resolve(logical, follow);
        if (real == null) return null;
        if (!real.isEmpty() && !real.equals(logical) && ignore.excluded(real) && !ignore.mayReinclude(real))
            return null;
        Node n = node(real);
        // an excluded directory is there only to hold what a '!' pattern re-includes below it
        if (excluded && (n == null || !n.isDir())) return null;
        return n;
    }

    Node node(String real) throws IOException {
        if (observations != null) observations.signature(root, real);
        Path p = real.isEmpty() ? root : root.resolve(real);
        Map<String, Object> a;
        try {
            a = Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime", NOFOLLOW);
        } catch (NoSuchFileException e) {
            return null;
        }
        int mode = (Integer) a.get("mode");
        TarEntry.Type t = switch (mode & 0170000) {
            case 0040000 -> TarEntry.Type.DIR;
            case 0120000 -> TarEntry.Type.SYMLINK;
            case 0100000 -> TarEntry.Type.FILE;
            case 0020000 -> imageRoot ? TarEntry.Type.CHAR : null;
            case 0060000 -> imageRoot ? TarEntry.Type.BLOCK : null;
            case 0010000 -> imageRoot ? TarEntry.Type.FIFO : null;
            case 0140000 -> imageRoot ? null : TarEntry.Type.FILE; // docker copies a context's socket as an empty file
            default -> null;
        };
        if (t == null) return null; // devices and pipes of a context: not copied, as docker skips them
        long size = (mode & 0170000) == 0100000 ? (Long) a.get("size") : 0;
        long mtime = ((FileTime) a.get("lastModifiedTime")).toMillis() / 1000;
        String link = t == TarEntry.Type.SYMLINK ? Files.readSymbolicLink(p).toString() : "";
        long uid = imageRoot ? ((Number) a.get("uid")).longValue() : 0,
                gid = imageRoot ? ((Number) a.get("gid")).longValue() : 0;
        return new Node(real, t, mode & 07777, uid, gid, size, mtime, link, null);
    }

    @Override
    public List<String> children(String dir) throws IOException {
        Path p = dir.isEmpty() ? root : root.resolve(dir);
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
            for (Path c : ds) {
                String name = c.getFileName().toString();
                String rel = PathNames.join(dir, name);
                if (ignore.excluded(rel) && !(ignore.mayReinclude(rel) && Files.isDirectory(c, NOFOLLOW))) continue;
                out.add(name);
            }
        }
        out.sort(null);
        if (observations != null) observations.listing(dir, out);
        return out;
    }

    @Override
    public InputStream open(Node node) throws IOException {
        if (observations != null) observations.signature(root, node.path());
        if (node.size() == 0) return InputStream.nullInputStream(); // a socket cannot be opened; it copies as empty
        return Files.newInputStream(root.resolve(node.path()));
    }

    /**
     * A digest of a file or directory tree of the context: every path, type, mode, link target and content digest
     * under it (not times: as BuildKit, a touched but unchanged file is still a cache hit).
     */
    public String treeDigest(Node n) throws IOException {
        StringBuilder sb = new StringBuilder();
        Deque<Node> todo = new ArrayDeque<>(List.of(n));
        while (!todo.isEmpty()) {
            Node x = todo.pop();
            sb.append(x.path())
                    .append('|')
                    .append(x.type())
                    .append('|')
                    .append(Integer.toOctalString(x.mode()))
                    .append('|')
                    .append(x.linkTarget() == null ? "" : x.linkTarget())
                    .append('|');
            if (x.type() == TarEntry.Type.FILE) sb.append(digest(x));
            if (x.isDir()) {
                for (String child : children(x.path())) {
                    Node y = stat(PathNames.join(x.path(), child), false);
                    if (y != null) todo.push(y);
                }
            }
            sb.append('\n');
        }
        return Digest.sha256(sb.toString().getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The content digest of a file (cached for the build). */
    public String digest(Node n) throws IOException {
        String key = n.path() + "\0" + n.size() + "\0" + n.mtime();
        String d = digests.get(key);
        if (d != null) return d;
        try (InputStream in = open(n)) {
            Digest dg = new HashingInputStream(in).drainAndDigest();
            digests.put(key, dg.toString());
            return dg.toString();
        }
    }
}
