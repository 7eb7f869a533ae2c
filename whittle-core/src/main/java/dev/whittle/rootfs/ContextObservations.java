package dev.whittle.rootfs;

import dev.whittle.dockerfile.DockerIgnore;
import dev.whittle.ffi.Posix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every question a build asked its context and the answer it got, so a later build can tell, by asking the same
 * questions again, that the context it would see is the same (the {@link BuildMemo}). A path's answer is its full
 * lstat signature — type, mode, size, modification and change times to the nanosecond, inode — so a file rewritten
 * with the same size within the same second still differs (its ctime moved), as git's index tells changed files
 * apart. A directory's listing is an answer of its own, so a file added next to the copied ones is seen.
 */
public final class ContextObservations {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    /** Question ("S path" for a path's signature, "L dir" for a listing, "R path" for a resolution) → answer. */
    private final Map<String, String> answers = new ConcurrentHashMap<>();

    /** Empty: a build records its answers as it asks. */
    public ContextObservations() {}

    /** The answers, one "question\tanswer" line each, in a stable order. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        answers.forEach((q, a) -> out.add(q + "\t" + a));
        out.sort(null);
        return out;
    }

    void signature(Path root, String real) {
        answers.computeIfAbsent("S " + real, q -> signatureOf(root, real, Posix.isWarm()));
    }

    void listing(String dir, List<String> names) {
        answers.putIfAbsent("L " + dir, String.join("/", names));
    }

    void resolution(String path, boolean followLast, String result) {
        answers.putIfAbsent("R" + (followLast ? "F " : "N ") + path, Objects.toString(result, "\0"));
    }

    /** What is first seen to differ now, in a user's words ({@code main.go changed}), or null when nothing does. */
    public static String firstDifference(Path root, DockerIgnore ignore, List<String> lines) throws IOException {
        ContextTree tree = new ContextTree(root, ignore);
        // statx only for many paths, or once bound anyway: both ways give the same signature
        boolean statx = Posix.isWarm() || lines.size() > STATX_FROM;
        for (String line : lines) {
            int tab = line.indexOf('\t');
            if (tab < 2) return "unreadable entry";
            String q = line.substring(0, tab), want = line.substring(tab + 1);
            String got = switch (q.charAt(0)) {
                case 'S' -> signatureOf(tree.root(), q.substring(2), statx);
                case 'L' -> String.join("/", tree.children(q.substring(2)));
                case 'R' -> Objects.toString(tree.resolve(q.substring(3), q.charAt(1) == 'F'), "\0");
                default -> null;
            };
            if (got == null || got.equals("unreadable") || !want.equals(got)) return describe(q, want, got);
        }
        return null;
    }

    private static String describe(String question, String was, String now) {
        String path = question.substring(question.charAt(0) == 'R' ? 3 : 2);
        String shown = path.isEmpty() ? "the context's top directory" : path;
        return switch (question.charAt(0)) {
            case 'S' -> shown + (was.equals("absent") ? " appeared" : "absent".equals(now) ? " is gone" : " changed");
            case 'L' -> shown + ": entries added or removed";
            default -> shown + " now resolves to " + ("\0".equals(now) ? "nothing" : now);
        };
    }

    /** Above this many questions, binding statx (~40 ms in a young JVM) costs less than the JDK's views. */
    private static final int STATX_FROM = 300;

    static String signatureOf(Path root, String real, boolean statx) {
        Path p = real.isEmpty() ? root : root.resolve(real);
        try {
            if (statx && Posix.canStat()) {
                Posix.Stat st = Posix.lstat(p);
                if (st == null) return "absent";
                return signature(
                        st.mode(),
                        st.size(),
                        st.mtimeSeconds() * 1_000_000_000L + st.mtimeNanos(),
                        st.ctimeSeconds() * 1_000_000_000L + st.ctimeNanos(),
                        st.ino(),
                        st.dev());
            }
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,size,lastModifiedTime,ctime,ino,dev", NOFOLLOW);
            return signature(
                    number(a.get("mode")),
                    number(a.get("size")),
                    nanos(a.get("lastModifiedTime")),
                    nanos(a.get("ctime")),
                    number(a.get("ino")),
                    number(a.get("dev")));
        } catch (NoSuchFileException e) {
            return "absent";
        } catch (IOException | RuntimeException e) {
            return "unreadable"; // never equal to a later read that works
        }
    }

    /** A StringBuilder, not string concatenation: a concatenation shape first met at run time costs ~8 ms to spin. */
    private static String signature(long mode, long size, long mtimeNanos, long ctimeNanos, long ino, long dev) {
        return new StringBuilder(80)
                .append(mode)
                .append(' ')
                .append(size)
                .append(' ')
                .append(mtimeNanos)
                .append(' ')
                .append(ctimeNanos)
                .append(' ')
                .append(ino)
                .append(' ')
                .append(dev)
                .toString();
    }

    private static long number(Object n) {
        return ((Number) n).longValue();
    }

    private static long nanos(Object t) {
        FileTime f = (FileTime) t;
        return f.to(TimeUnit.NANOSECONDS);
    }
}
