package dev.whittle.check;

import dev.whittle.image.Digest;
import dev.whittle.image.ImageConfig;
import dev.whittle.rootfs.ImageTree;
import dev.whittle.rootfs.MergedTree;
import dev.whittle.store.LayerInfo;
import dev.whittle.store.LayerToc;
import dev.whittle.store.Store;
import dev.whittle.tar.PathNames;
import dev.whittle.tar.TarEntry;
import dev.whittle.tar.Whiteouts;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where an image's bytes are: size per layer with the instruction that made it, the largest files, and waste as
 * dive defines it — bytes of files that a later layer overwrote or deleted — but counting only the copies that do
 * not survive (dive also counts the kept copy, wagoodman/dive#684). Advice comes with estimated savings.
 */
public final class SizeAnalysis {
    /** One layer's share. */
    public record LayerRow(int index, long size, String createdBy, boolean base) {}

    /** A file that costs space without being in the final image. */
    public record Waste(String path, long bytes, int addedIn, int removedIn, boolean deleted) {}

    public record FileRow(String path, long size, int layer) {}

    public record Advice(String what, long savings) {}

    public record Result(
            long size,
            List<LayerRow> layers,
            List<FileRow> largest,
            List<Waste> waste,
            long wastedBytes,
            double efficiency,
            long userBytes,
            double userWastedPercent,
            List<Advice> advice) {}

    private SizeAnalysis() {}

    public static Result analyze(Store store, ImageConfig config, Provenance provenance) throws IOException {
        List<Digest> diffIds = config.diffIds();
        List<LayerToc> tocs = new ArrayList<>();
        for (Digest d : diffIds) tocs.add(store.toc(d));
        List<ImageConfig.History> hist =
                config.history().stream().filter(h -> !h.emptyLayer()).toList();
        List<LayerRow> rows = new ArrayList<>();
        long total = 0, user = 0;
        for (int i = 0; i < diffIds.size(); i++) {
            LayerInfo li = store.layer(diffIds.get(i));
            long size = li == null ? 0 : li.contentSize();
            boolean base = provenance != null ? provenance.layer(i) == null : i == 0;
            String by = i < hist.size() && hist.get(i).createdBy() != null
                    ? hist.get(i).createdBy()
                    : i < hist.size() && hist.get(i).comment() != null
                            ? hist.get(i).comment()
                            : "";
            rows.add(new LayerRow(i, size, by, base));
            total += size;
            if (!base) user += size;
        }

        // per path: bytes added in each layer, and whether (and where) it was removed
        Map<String, long[]> cumulative = new HashMap<>(); // path -> [bytes across layers, first layer]
        List<Waste> waste = new ArrayList<>();
        Map<String, Integer> lastLayer = new HashMap<>();
        Map<String, Long> lastSize = new HashMap<>();
        long wasted = 0, cumTotal = 0;
        for (int li = 0; li < tocs.size(); li++) {
            for (LayerToc.Item it : tocs.get(li).items()) {
                TarEntry e = it.entry();
                String base = e.baseName();
                if (Whiteouts.isWhiteout(base)) {
                    String target = Whiteouts.target(base);
                    String dir = base.equals(Whiteouts.OPAQUE)
                            ? e.parent()
                            : target == null ? null : PathNames.join(e.parent(), target);
                    if (dir == null) continue;
                    for (Map.Entry<String, Integer> x : new ArrayList<>(lastLayer.entrySet())) {
                        String p = x.getKey();
                        if ((PathNames.isWithin(p, dir) && !(base.equals(Whiteouts.OPAQUE) && p.equals(dir)))
                                && x.getValue() < li) {
                            long s = lastSize.getOrDefault(p, 0L);
                            if (s > 0) {
                                waste.add(new Waste(p, s, x.getValue(), li, true));
                                wasted += s;
                            }
                            lastLayer.remove(p);
                            lastSize.remove(p);
                        }
                    }
                    continue;
                }
                if (!e.isFile()) continue;
                Integer prev = lastLayer.get(e.name());
                if (prev != null && prev < li) {
                    long s = lastSize.getOrDefault(e.name(), 0L);
                    if (s > 0) {
                        waste.add(new Waste(e.name(), s, prev, li, false));
                        wasted += s;
                    }
                }
                lastLayer.put(e.name(), li);
                lastSize.put(e.name(), e.size());
                cumTotal += e.size();
                cumulative.merge(e.name(), new long[] {e.size(), li}, (a, b) -> new long[] {a[0] + b[0], a[1]});
            }
        }
        waste.sort(Comparator.comparingLong(Waste::bytes).reversed());
        double efficiency = cumTotal == 0 ? 1.0 : (double) (cumTotal - wasted) / cumTotal;
        double userWasted = user == 0 ? 0 : (double) wasted / user;

        MergedTree tree = MergedTree.of(diffIds, tocs);
        List<FileRow> largest = new ArrayList<>();
        for (MergedTree.Node n : tree.all()) {
            if (n.entry().isFile())
                largest.add(new FileRow(n.entry().name(), n.entry().size(), n.layer()));
        }
        largest.sort(Comparator.comparingLong(FileRow::size).reversed());
        if (largest.size() > 10) largest = new ArrayList<>(largest.subList(0, 10));

        List<Advice> advice = new ArrayList<>();
        long strippable = 0;
        List<String> withSymbols = new ArrayList<>();
        try (ImageTree fs = ImageTree.of(store, diffIds)) {
            for (FileRow f : largest) {
                // only the image's own programs: a base image's files are not the user's to strip
                if (f.size() < 64 * 1024 || rows.get(f.layer()).base()) continue;
                var node = fs.stat(f.path(), false);
                if (node == null) continue;
                byte[] data;
                try (InputStream in = fs.open(node)) {
                    data = in.readNBytes((int) Math.min(node.size(), 512L << 20));
                }
                if (!Elf.isElf(data)) continue;
                try {
                    Elf elf = Elf.parse(data);
                    if (elf.type != Elf.ET_EXEC && elf.type != Elf.ET_DYN) continue;
                    long s = sectionBytes(elf, ".symtab") + sectionBytes(elf, ".strtab");
                    for (String dbg : List.of(
                            ".debug_info",
                            ".debug_line",
                            ".debug_str",
                            ".debug_abbrev",
                            ".debug_frame",
                            ".debug_loc",
                            ".debug_ranges",
                            ".debug_aranges",
                            ".debug_rnglists",
                            ".debug_loclists",
                            ".zdebug_info",
                            ".zdebug_line",
                            ".zdebug_frame",
                            ".zdebug_loc",
                            ".zdebug_ranges",
                            ".zdebug_abbrev",
                            ".zdebug_str")) {
                        s += sectionBytes(elf, dbg);
                    }
                    if (s > 16 * 1024) {
                        strippable += s;
                        boolean go = GoBuildInfo.read(elf) != null;
                        withSymbols.add(
                                "/" + f.path() + (go ? " (go build -ldflags=\"-s -w\")" : " (strip --strip-unneeded)"));
                    }
                } catch (Elf.ElfException ignored) {
                    // not a program we can measure
                }
            }
        }
        if (strippable > 0)
            advice.add(new Advice(
                    "strip symbols and debug information from " + String.join(", ", withSymbols), strippable));
        if (wasted > 0 && !waste.isEmpty()) {
            Waste top = waste.getFirst();
            advice.add(new Advice(
                    "files added by one layer and " + (top.deleted() ? "deleted" : "replaced")
                            + " by a later one still ship in the earlier layer (largest: /" + top.path() + ", layer "
                            + (top.addedIn() + 1) + " → " + (top.removedIn() + 1)
                            + "); do both in one RUN, or build in a separate stage",
                    wasted));
        }
        long baseBytes = total - user;
        if (provenance != null && total > 0 && baseBytes > 0.8 * total && baseBytes > 50_000_000) {
            advice.add(new Advice(
                    "the base image is " + percent((double) baseBytes / total)
                            + " of the image: build in one stage and copy the "
                            + "result into a small runtime stage (alpine, distroless, scratch)",
                    baseBytes - Math.max(user, 0)));
        }
        return new Result(
                total,
                rows,
                largest,
                waste.size() > 20 ? waste.subList(0, 20) : waste,
                wasted,
                efficiency,
                user,
                userWasted,
                advice);
    }

    private static long sectionBytes(Elf elf, String name) {
        byte[] s = elf.section(name);
        return s == null ? 0 : s.length;
    }

    public static String percent(double d) {
        return String.format(Locale.ROOT, "%.1f%%", d * 100);
    }
}
