package dev.whittle.build;

import dev.whittle.dockerfile.DockerIgnore;
import dev.whittle.image.Digest;
import dev.whittle.io.Compression;
import dev.whittle.rootfs.ContextTree;
import dev.whittle.rootfs.FileTree;
import dev.whittle.rootfs.Users;
import dev.whittle.tar.PathNames;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarReader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Places a step's resolved sources in the stage as BuildKit's copy (tonistiigi/fsutil's {@code Copy}) and docker's
 * ADD do, giving the {@link CopyPlan}: destinations resolved through the stage's links and what was planned before
 * ({@link DestinationTree}), missing directories made, owners and modes from --chown and --chmod, the parents of every
 * entry listed. Reads the stage and the sources; writes nothing. One planner per step.
 */
final class CopyPlanner {
    private final TreeMap<String, CopyPlan.Entry> plan = new TreeMap<>();
    private final DestinationTree view;
    /** The time of the directories this step makes, in seconds (SOURCE_DATE_EPOCH, or now). */
    private final LongSupplier now;

    /** @param stage the stage's root file system before the step */
    CopyPlanner(FileTree stage, LongSupplier now) {
        this.view = new DestinationTree(stage, path -> {
            CopyPlan.Entry p = plan.get(path);
            return p == null ? null : p.entry();
        });
        this.now = now;
    }

    /** How one COPY copies: the owner and mode it forces, the paths it leaves out, where its sources come from. */
    record How(Users.Id owner, ChmodSpec chmod, DockerIgnore exclude, boolean fromContext) {}

    /** A copy BuildKit refuses (the message is BuildKit's, with the path inside the image). */
    static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }

    /** The plan so far. */
    CopyPlan plan() {
        return new CopyPlan(plan);
    }

    /**
     * Places one source at the destination ({@code dest}: relative to the root, not resolved; {@code destIsDir}: it
     * was written as a directory).
     */
    void add(CopySource source, String dest, boolean destIsDir, How how) throws IOException {
        switch (source) {
            case CopySource.Paths p -> {
                // each match is copied on its own, as BuildKit does: several sources (or wildcard matches) need no
                // directory destination, a later one simply lands where an earlier one did
                for (CopySource.Match m : p.matches()) {
                    if (m.archive()) extractArchive(p.tree(), m.node(), dest, how);
                    else copyMatch(p.tree(), m.node(), m.name(), dest, destIsDir, how);
                }
            }
            case CopySource.Parents p -> {
                for (FileTree.Node top : p.tops()) copyParents(p.tree(), top, p.pattern(), dest, how);
            }
            case CopySource.Content c -> {
                Users.Id owner = how.owner();
                String to = placeFile(c.name(), dest, destIsDir, owner);
                int mode = how.chmod() != null ? how.chmod().apply(c.mode(), false) : c.mode();
                TarEntry e = new TarEntry(
                        to,
                        TarEntry.Type.FILE,
                        mode,
                        owner == null ? 0 : owner.uid(),
                        owner == null ? 0 : owner.gid(),
                        c.data().length,
                        c.mtime(),
                        "",
                        0,
                        0,
                        null);
                planFile(new CopyPlan.Entry(e, null, null, c.data(), c.identity()), view.lstat(to));
            }
        }
    }

    /** A path resolved through the stage's links and what is planned ({@code followLast}: a final link too). */
    String resolve(String path, boolean followLast) throws IOException {
        return view.resolve(path, followLast);
    }

    /** What is at a resolved path: planned, else the stage's; null when nothing. */
    FileTree.Node lstat(String path) throws IOException {
        return view.lstat(path);
    }

    /**
     * One source, as BuildKit's copy places it: a file into a destination that is (or, followed through links, leads
     * to) a directory keeps its name, else it becomes the destination; a directory's contents merge into the
     * destination, which is created if missing.
     */
    private void copyMatch(FileTree src, FileTree.Node m, String name, String dest, boolean destIsDir, How how)
            throws IOException {
        if (!m.isDir()) {
            copyNode(src, m, placeFile(name, dest, destIsDir, how.owner()), false, false, "", how);
            return;
        }
        mkdirAll(view.resolve(destIsDir ? dest : PathNames.parent(dest), true), how.owner());
        String to = view.resolve(dest, true);
        if (view.lstat(to) == null) mkdirAll(to, how.owner());
        copyNode(src, m, to, false, false, "", how);
    }

    /**
     * Where a file source lands, its parent directories planned: the destination with every link followed, or the
     * directory it names plus the file's own name. A destination written with a trailing '/' is a directory.
     */
    private String placeFile(String name, String dest, boolean destIsDir, Users.Id owner) throws IOException {
        mkdirAll(view.resolve(destIsDir ? dest : PathNames.parent(dest), true), owner);
        String to = view.resolve(dest, true);
        FileTree.Node there = view.lstat(to);
        if (there != null && there.isDir()) to = PathNames.join(to, name);
        mkdirAll(PathNames.parent(to), owner);
        return to;
    }

    /**
     * fsutil's copy of one path: a file or link replaces what is there unless that is a directory; a directory is
     * created with the source's metadata, or merged into an existing one (below the top, taking the source's metadata
     * as BuildKit does), and never replaces a file or a link (BuildKit refuses that).
     */
    private void copyNode(FileTree src, FileTree.Node n, String to, boolean nested, boolean fresh, String rel, How how)
            throws IOException {
        // below a directory this step creates, the stage has nothing: only the plan needs asking (a big tree copies
        // without a lookup in the stage per file)
        FileTree.Node there = fresh ? view.planned(to) : view.lstat(to);
        if (!n.isDir()) {
            planFile(planned(src, n, to, how), there);
            return;
        }
        if (there != null && !there.isDir()) throw new Refused("cannot copy to non-directory: /" + to);
        CopyPlan.Entry before = plan.get(to);
        boolean freshBelow = fresh || there == null || before != null && before.newDir();
        if (there == null || nested) {
            plan.put(to, planned(src, n, to, how));
        } else if (!to.isEmpty() && !plan.containsKey(to)) {
            plan.put(to, existingDir(to, there));
        }
        for (String child : src.children(n.path())) {
            String childRel = PathNames.join(rel, child);
            if (how.exclude().excluded(childRel)) continue;
            FileTree.Node c = src.stat(PathNames.join(n.path(), child), false);
            if (c != null) copyNode(src, c, PathNames.join(to, child), true, freshBelow, childRel, how);
        }
    }

    /** COPY --parents from one directory: what the pattern picks below it, with the directories on the way. */
    private void copyParents(FileTree src, FileTree.Node top, String pattern, String dest, How how) throws IOException {
        String to = view.resolve(dest, true);
        mkdirAll(to, how.owner());
        if (!top.isDir()) {
            copyMatch(src, top, PathNames.baseName(top.path()), dest, true, how);
            return;
        }
        copyPicked(src, top, to, "", DockerIgnore.parse(pattern, "--parents"), pattern, how);
    }

    /**
     * Copies what {@code pick} matches below a directory (everything below a match too); a directory on the way is
     * made, with the source's metadata as fsutil's lazy parent directories are, only when something below it is.
     */
    private boolean copyPicked(
            FileTree src, FileTree.Node dir, String to, String rel, DockerIgnore pick, String pattern, How how)
            throws IOException {
        boolean any = false;
        for (String child : src.children(dir.path())) {
            String childRel = PathNames.join(rel, child);
            if (how.exclude().excluded(childRel)) continue;
            FileTree.Node c = src.stat(PathNames.join(dir.path(), child), false);
            if (c == null) continue;
            String childTo = PathNames.join(to, child);
            if (pick.excluded(childRel)) {
                copyNode(src, c, childTo, true, false, childRel, how);
                any = true;
            } else if (c.isDir() && (Glob.hasMeta(pattern) || (pattern + "/").startsWith(childRel + "/"))) {
                FileTree.Node there = view.lstat(childTo);
                if (copyPicked(src, c, childTo, childRel, pick, pattern, how)) {
                    if (there != null && !there.isDir()) throw new Refused("cannot copy to non-directory: /" + childTo);
                    plan.put(childTo, planned(src, c, childTo, how));
                    any = true;
                }
            }
        }
        return any;
    }

    /**
     * ADD of a local archive, as docker unpacks it: into the destination (links followed, created if missing), each
     * entry's directory resolved as a process chrooted into the destination sees it (so {@code var/run/x} goes through
     * an image's {@code /var/run -> /run}), the entry itself replacing whatever is at its name (a directory entry
     * named like a link replaces the link), missing directories made on the way.
     */
    private void extractArchive(FileTree src, FileTree.Node n, String dest, How how) throws IOException {
        Users.Id owner = how.owner();
        String top = view.resolve(dest, true);
        mkdirAll(top, owner);
        try (InputStream in = Compression.decompress(new BufferedInputStream(src.open(n), 1 << 16))) {
            TarReader r = new TarReader(in);
            for (TarEntry e; (e = r.next()) != null; ) {
                if (e.name().isEmpty()) continue;
                String dir = view.resolveIn(top, e.parent(), true);
                mkdirAll(dir, owner);
                String to = PathNames.join(dir, e.baseName());
                TarEntry t = e.withName(to);
                if (owner != null) t = t.withOwner(owner.uid(), owner.gid());
                if (e.type() == TarEntry.Type.HARDLINK) {
                    String target = PathNames.join(
                            view.resolveIn(top, PathNames.parent(e.linkName()), true),
                            PathNames.baseName(e.linkName()));
                    t = new TarEntry(
                            to, TarEntry.Type.HARDLINK, e.mode(), t.uid(), t.gid(), 0, e.mtime(), target, 0, 0, null);
                }
                byte[] data = e.isFile() ? r.content().readAllBytes() : null;
                String identity =
                        data == null ? e.type().name() : Digest.sha256(data).toString();
                plan.put(to, new CopyPlan.Entry(t, null, null, data, identity));
            }
        }
    }

    /** Plans a file or link, which replaces anything but a directory ({@code there}: what is at its path now). */
    private void planFile(CopyPlan.Entry p, FileTree.Node there) throws IOException {
        String to = p.entry().name();
        if (there != null && there.isDir()) throw new Refused("cannot replace to directory /" + to + " with file");
        plan.put(to, p);
    }

    /** fsutil's MkdirAll of a resolved path: missing directories are made 0755, owned by --chown's user. */
    void mkdirAll(String path, Users.Id owner) throws IOException {
        if (path.isEmpty()) return;
        String acc = "";
        for (String part : path.split("/")) {
            acc = PathNames.join(acc, part);
            FileTree.Node n = view.lstat(acc);
            if (n == null) plan.put(acc, newDir(acc, owner));
            else if (!n.isDir()) throw new Refused("mkdir /" + acc + ": not a directory");
        }
    }

    private CopyPlan.Entry newDir(String path, Users.Id owner) {
        return new CopyPlan.Entry(
                new TarEntry(
                        path,
                        TarEntry.Type.DIR,
                        0755,
                        owner == null ? 0 : owner.uid(),
                        owner == null ? 0 : owner.gid(),
                        0,
                        now.getAsLong(),
                        "",
                        0,
                        0,
                        null),
                null,
                null,
                null,
                CopyPlan.Entry.NEW_DIR);
    }

    private static CopyPlan.Entry existingDir(String path, FileTree.Node n) {
        return new CopyPlan.Entry(
                new TarEntry(path, TarEntry.Type.DIR, n.mode(), n.uid(), n.gid(), 0, n.mtime(), "", 0, 0, null),
                null,
                null,
                null,
                CopyPlan.Entry.DIR);
    }

    private static CopyPlan.Entry planned(FileTree src, FileTree.Node n, String to, How how) throws IOException {
        Users.Id owner = how.owner();
        long uid = owner != null ? owner.uid() : how.fromContext() ? 0 : n.uid();
        long gid = owner != null ? owner.gid() : how.fromContext() ? 0 : n.gid();
        int mode = how.chmod() != null && n.type() != TarEntry.Type.SYMLINK
                ? how.chmod().apply(n.mode(), n.isDir())
                : n.mode();
        TarEntry e = switch (n.type()) {
            case DIR -> new TarEntry(to, TarEntry.Type.DIR, mode, uid, gid, 0, n.mtime(), "", 0, 0, null);
            case SYMLINK ->
                new TarEntry(to, TarEntry.Type.SYMLINK, 0777, uid, gid, 0, n.mtime(), n.linkTarget(), 0, 0, null);
            default -> new TarEntry(to, TarEntry.Type.FILE, mode, uid, gid, n.size(), n.mtime(), "", 0, 0, null);
        };
        String identity = n.identity();
        if (identity == null && n.type() == TarEntry.Type.FILE && src instanceof ContextTree ct)
            identity = ct.digest(n);
        return new CopyPlan.Entry(e, src, n, null, identity == null ? n.type().name() : identity);
    }

    /**
     * Lists the parents of everything planned, as the stage has them (a layer lists the directories its files are
     * in). Planned paths are resolved, so each parent is a directory of the stage or one this step makes.
     */
    void addParents(Users.Id owner) throws IOException {
        for (String path : new ArrayList<>(plan.keySet())) {
            for (String p = PathNames.parent(path); !p.isEmpty() && !plan.containsKey(p); p = PathNames.parent(p)) {
                FileTree.Node n = view.lstat(p);
                if (n != null && !n.isDir())
                    throw new IllegalStateException(
                            "/" + path + " was planned below /" + p + ", which is not a directory");
                plan.put(p, n != null ? existingDir(p, n) : newDir(p, owner));
            }
        }
    }
}
