package dev.whittle.store;

import dev.whittle.tar.TarEntry;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A layer's table of contents: every tar entry with the offset of its data in the uncompressed tar. Recorded when a
 * layer enters the store, so inspecting an image (check, analyze, export, COPY --from) never rescans its layers.
 */
public record LayerToc(List<Item> items) {
    private static final int MAGIC = 0x57544f43; // "WTOC"
    private static final int VERSION = 1;

    public LayerToc {
        items = List.copyOf(items);
    }

    /** One entry and where its content starts in the uncompressed layer tar. */
    public record Item(TarEntry entry, long dataOffset) {}

    public byte[] serialize() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(items.size() * 64 + 16);
            DataOutputStream o = new DataOutputStream(new BufferedOutputStream(bytes));
            o.writeInt(MAGIC);
            o.writeInt(VERSION);
            o.writeInt(items.size());
            for (Item it : items) {
                TarEntry e = it.entry();
                o.writeUTF(e.name());
                o.writeByte(e.type().ordinal());
                o.writeShort(e.mode());
                o.writeLong(e.uid());
                o.writeLong(e.gid());
                o.writeLong(e.size());
                o.writeLong(e.mtime());
                o.writeUTF(e.linkName());
                o.writeInt(e.devMajor());
                o.writeInt(e.devMinor());
                o.writeShort(e.xattrs().size());
                for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
                    o.writeUTF(x.getKey());
                    o.writeInt(x.getValue().length);
                    o.write(x.getValue());
                }
                o.writeLong(it.dataOffset());
            }
            o.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static LayerToc read(InputStream in) throws IOException {
        DataInputStream i = new DataInputStream(new BufferedInputStream(in, 1 << 16));
        if (i.readInt() != MAGIC || i.readInt() != VERSION) throw new IOException("not a layer index");
        int n = i.readInt();
        if (n < 0) throw new IOException("corrupt layer index");
        List<Item> items = new ArrayList<>(Math.min(n, 1 << 20));
        TarEntry.Type[] types = TarEntry.Type.values();
        for (int k = 0; k < n; k++) {
            String name = i.readUTF();
            TarEntry.Type type = types[i.readByte()];
            int mode = i.readShort() & 0xffff;
            long uid = i.readLong(), gid = i.readLong(), size = i.readLong(), mtime = i.readLong();
            String link = i.readUTF();
            int major = i.readInt(), minor = i.readInt();
            int nx = i.readShort();
            Map<String, byte[]> x = null;
            if (nx > 0) {
                x = new TreeMap<>();
                for (int j = 0; j < nx; j++) {
                    String key = i.readUTF();
                    byte[] v = new byte[i.readInt()];
                    i.readFully(v);
                    x.put(key, v);
                }
            }
            items.add(new Item(
                    new TarEntry(name, type, mode, uid, gid, size, mtime, link, major, minor, x), i.readLong()));
        }
        return new LayerToc(items);
    }
}
