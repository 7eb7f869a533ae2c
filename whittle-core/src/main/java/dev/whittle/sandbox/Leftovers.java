package dev.whittle.sandbox;

import dev.whittle.ffi.Posix;
import dev.whittle.store.Maintenance;
import dev.whittle.store.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What a whittle process killed mid-work (kill -9, a power cut of the JVM alone) leaves in a store: its runc containers,
 * its mounts (a RUN's overlay, a bind source, the tmpfs of its secrets) and its temp files and directories. A process
 * that ends in any other way removes its own ({@link Cleanup}). Every one of them lives under the store's tmp or its
 * runc state root, so while the store is held exclusively everything found there is a dead process's.
 */
public final class Leftovers {
    /** What was found: container ids, mount points (deepest first), temp entries. */
    public record Found(List<String> containers, List<Path> mounts, List<Path> temp) {
        public boolean isEmpty() {
            return containers.isEmpty() && mounts.isEmpty() && temp.isEmpty();
        }

        /** One line per kind, for fsck and prune. */
        public List<String> describe() {
            List<String> out = new ArrayList<>();
            if (!containers.isEmpty())
                out.add(containers.size() + " container(s) of a killed whittle process: "
                        + String.join(", ", containers));
            for (Path m : mounts) out.add("a mount left by a killed whittle process: " + m);
            if (!temp.isEmpty())
                out.add(temp.size() + " temporary file(s) or directory(ies) of a killed whittle process in "
                        + temp.getFirst().getParent()
                        + (temp.getFirst().getParent().equals(temp.getLast().getParent())
                                ? ""
                                : " and " + temp.getLast().getParent()));
            return out;
        }
    }

    private Leftovers() {}

    /**
     * At the start of a command: when no other whittle process or command uses the store and a killed one left
     * something, removes it. Costs one directory listing when there is nothing; never fails the command.
     */
    public static void cleanIfIdle(Store store) {
        try {
            if (isEmpty(store.tempDir())
                    && isEmpty(Runc.stateRoot(store))
                    && isEmpty(SshForward.socketDir(store))
                    && isEmpty(ConsoleSocket.socketDir(store))) return;
            store.whenAlone(() -> remove(store, find(store)));
        } catch (IOException | RuntimeException e) {
            // best effort: fsck names what is left, prune removes it
        }
    }

    /** Lists the leftovers; only meaningful while the store is held exclusively ({@link Store#whenAlone}). */
    public static Found find(Store store) throws IOException {
        List<String> containers = new ArrayList<>();
        for (Path p : list(Runc.stateRoot(store)))
            containers.add(p.getFileName().toString());
        List<Path> mounts = new ArrayList<>();
        String prefix = store.root() + "/";
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
            String[] f = line.split(" ", 6);
            if (f.length < 5) continue;
            String point = unescape(f[4]);
            if (point.startsWith(prefix)) mounts.add(Path.of(point));
        }
        mounts.sort(Comparator.comparingInt((Path p) -> p.getNameCount()).reversed());
        List<Path> temp = list(store.tempDir());
        temp.addAll(list(SshForward.socketDir(store)));
        temp.addAll(list(ConsoleSocket.socketDir(store)));
        return new Found(containers, mounts, temp);
    }

    /** Kills and deletes the containers, detaches the mounts, removes the temp entries. */
    public static void remove(Store store, Found found) throws IOException {
        Runc runc = new Runc(Runc.stateRoot(store));
        for (String id : found.containers()) runc.forceDelete(id);
        for (Path m : found.mounts()) {
            try {
                Posix.umount(m, Posix.MNT_DETACH);
            } catch (Posix.ErrnoException e) {
                if (e.errno() != Posix.EINVAL && e.errno() != Posix.ENOENT) throw e; // gone already
            }
        }
        for (Path p : found.temp()) Maintenance.deleteTree(p);
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            return !ds.iterator().hasNext();
        } catch (NoSuchFileException e) {
            return true;
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) out.add(p);
        } catch (NoSuchFileException e) {
            // none
        }
        out.sort(null);
        return out;
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo. */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
