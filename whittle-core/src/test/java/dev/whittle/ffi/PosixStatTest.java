package dev.whittle.ffi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** statx through FFM says what the JDK's "unix:" view says, for files, directories, symlinks and devices. */
class PosixStatTest {
    private static void same(Path p) throws Exception {
        Map<String, Object> a = Files.readAttributes(
                p, "unix:mode,uid,gid,size,lastModifiedTime,ctime,ino,dev,nlink,rdev", LinkOption.NOFOLLOW_LINKS);
        Posix.Stat st = Posix.lstat(p);
        assertThat(st).as("%s", p).isNotNull();
        assertThat(st.mode()).isEqualTo((Integer) a.get("mode"));
        assertThat(st.uid()).isEqualTo(((Integer) a.get("uid")).longValue() & 0xffffffffL);
        assertThat(st.gid()).isEqualTo(((Integer) a.get("gid")).longValue() & 0xffffffffL);
        assertThat(st.size()).isEqualTo((Long) a.get("size"));
        assertThat(st.nlink()).isEqualTo(((Integer) a.get("nlink")).longValue());
        assertThat(st.ino()).isEqualTo((Long) a.get("ino"));
        assertThat(st.dev()).isEqualTo((Long) a.get("dev"));
        FileTime m = (FileTime) a.get("lastModifiedTime"), c = (FileTime) a.get("ctime");
        assertThat(st.mtimeSeconds() * 1_000_000_000L + st.mtimeNanos())
                .isEqualTo(m.to(java.util.concurrent.TimeUnit.NANOSECONDS));
        assertThat(st.ctimeSeconds() * 1_000_000_000L + st.ctimeNanos())
                .isEqualTo(c.to(java.util.concurrent.TimeUnit.NANOSECONDS));
        long rdev = (Long) a.get("rdev");
        assertThat(st.rdevMajor()).isEqualTo((int) (((rdev >> 8) & 0xfff) | ((rdev >> 32) & ~0xfff)));
        assertThat(st.rdevMinor()).isEqualTo((int) ((rdev & 0xff) | ((rdev >> 12) & ~0xff)));
    }

    @Test
    void agreesWithTheJdk(@TempDir Path dir) throws Exception {
        assertThat(Posix.canStat()).as("glibc 2.28+ has statx").isTrue();
        Path f = Files.writeString(dir.resolve("f é.txt"), "content");
        Files.setLastModifiedTime(f, FileTime.fromMillis(1_700_000_000_123L));
        Files.createLink(dir.resolve("hard"), f);
        Files.createSymbolicLink(dir.resolve("link"), Path.of("f é.txt"));
        same(f);
        same(dir);
        same(dir.resolve("link"));
        same(Path.of("/dev/null"));
        assertThat(Posix.lstat(Path.of("/dev/null")).rdevMinor()).isEqualTo(3);
        assertThat(Posix.lstat(f).nlink()).isEqualTo(2);
        assertThat(Posix.lstat(dir.resolve("missing"))).isNull();
        assertThat(Posix.lstat(f.resolve("under-a-file"))).isNull();
        assertThat(Posix.hasXattrs(f)).isFalse();
        assertThat(Posix.lgetxattrSmall(f, "user.whittle")).isNull();
        try {
            Posix.lsetxattr(f, "user.whittle", "yes".getBytes());
        } catch (java.io.IOException e) {
            org.junit.jupiter.api.Assumptions.abort("this file system has no user xattrs: " + e.getMessage());
        }
        assertThat(Posix.hasXattrs(f)).isTrue();
        assertThat(new String(Posix.lgetxattrSmall(f, "user.whittle"))).isEqualTo("yes");
        byte[] big = new byte[200];
        java.util.Arrays.fill(big, (byte) 'x');
        Posix.lsetxattr(f, "user.big", big);
        assertThat(Posix.lgetxattrSmall(f, "user.big"))
                .as("past the scratch size: the general call")
                .isEqualTo(big);
    }
}
