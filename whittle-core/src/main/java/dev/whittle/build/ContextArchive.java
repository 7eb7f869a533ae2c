package dev.whittle.build;

import dev.whittle.io.Compression;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.TarReader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;

/**
 * A build context given as a tar on standard input ({@code whittle build - < context.tar}), compressed or not, or a
 * Dockerfile alone, as docker tells them apart. The archive may be hostile: it is read by whittle's hardened tar
 * reader and unpacked into an empty directory of whittle's own, never through a symlink it made itself, with no
 * device nodes and the files owned by whoever runs whittle.
 */
public final class ContextArchive {
    private ContextArchive() {}

    /** What standard input held: a context unpacked into the directory, or the bytes of a Dockerfile alone. */
    public record Contents(boolean archive, byte[] dockerfile) {}

    /** Reads {@code in}: a (compressed) tar is unpacked into {@code dir}; anything else is a Dockerfile. */
    public static Contents read(InputStream in, Path dir) throws IOException {
        BufferedInputStream b = new BufferedInputStream(in, 1 << 16);
        b.mark(1024);
        byte[] head = b.readNBytes(512);
        b.reset();
        boolean compressed = Compression.detect(head, head.length) != Compression.Kind.NONE;
        boolean tar = head.length >= 262 && new String(head, 257, 5, StandardCharsets.ISO_8859_1).equals("ustar");
        if (!compressed && !tar) {
            return new Contents(false, b.readAllBytes());
        }
        unpack(Compression.decompress(b), dir);
        return new Contents(true, null);
    }

    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    static void unpack(InputStream in, Path dir) throws IOException {
        Set<String> links = new HashSet<>(); // symlinks this archive made: nothing is written through them
        try (TarReader r = new TarReader(in)) {
            for (TarEntry e; (e = r.next()) != null; ) {
                String name = e.name();
                if (name.isEmpty() || name.equals(".")) continue;
                refuseThroughLinks(name, links);
                if (e.type() == TarEntry.Type.HARDLINK) refuseThroughLinks(e.linkName(), links);
                Path target = dir.resolve(name);
                if (!target.normalize().startsWith(dir))
                    throw new IOException("context archive: " + name + " leaves the context");
                Files.createDirectories(target.getParent());
                if (!e.isDir()) Files.deleteIfExists(target); // a later entry replaces an earlier one
                switch (e.type()) {
                    case DIR -> {
                        if (!Files.isDirectory(target, NOFOLLOW)) Files.createDirectory(target);
                    }
                    case FILE -> {
                        try (OutputStream o = Files.newOutputStream(
                                target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                            r.content().transferTo(o);
                        }
                    }
                    case SYMLINK -> {
                        Files.createSymbolicLink(target, Path.of(e.linkName()));
                        links.add(name);
                    }
                    case HARDLINK -> {
                        Path source = dir.resolve(e.linkName());
                        if (!source.normalize().startsWith(dir) || !Files.isRegularFile(source, NOFOLLOW)) {
                            throw new IOException("context archive: " + name + " links to " + e.linkName()
                                    + ", which is not a file in it");
                        }
                        Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                    }
                    default -> {
                        continue; // device nodes and FIFOs have no place in a context
                    }
                }
                if (e.type() != TarEntry.Type.SYMLINK) {
                    Files.setPosixFilePermissions(target, permissions(e.mode() | (e.isDir() ? 0700 : 0600)));
                }
                Files.getFileAttributeView(target, BasicFileAttributeView.class, NOFOLLOW)
                        .setTimes(FileTime.fromMillis(e.mtime() * 1000), null, null);
            }
        }
    }

    private static void refuseThroughLinks(String name, Set<String> links) throws IOException {
        for (String p = parent(name); !p.isEmpty(); p = parent(p)) {
            if (links.contains(p)) throw new IOException("context archive: " + name + " lies beyond the symlink " + p);
        }
    }

    private static String parent(String name) {
        int slash = name.lastIndexOf('/');
        return slash < 0 ? "" : name.substring(0, slash);
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] all = PosixFilePermission.values(); // OWNER_READ … OTHERS_EXECUTE, highest bit first
        for (int i = 0; i < 9; i++) if ((mode & (0400 >> i)) != 0) s.add(all[i]);
        return s;
    }
}
