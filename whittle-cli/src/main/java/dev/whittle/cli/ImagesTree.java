package dev.whittle.cli;

import dev.whittle.cli.format.TabWriter;
import dev.whittle.cli.format.Units;
import dev.whittle.image.Descriptor;
import dev.whittle.image.ImageRef;
import dev.whittle.store.ImageIndexes;
import dev.whittle.store.Images;
import dev.whittle.store.StoredImage;
import java.util.List;
import java.util.Optional;

/**
 * {@code images --tree}, after docker 27's: one row per name, and below a multi-platform image a row per platform
 * (its image ID and size), so what {@code images} shows as one row can be seen whole.
 */
final class ImagesTree {
    private final Images images;
    private final ImageIndexes indexes;

    ImagesTree(Images images, ImageIndexes indexes) {
        this.images = images;
        this.indexes = indexes;
    }

    /** The tree of the given rows (name, image), in their order. */
    String render(List<Row> rows, boolean noTrunc) {
        StringBuilder sb = new StringBuilder("IMAGE\tID\tDISK USAGE\tPLATFORM\n");
        for (Row r : rows) {
            Optional<ImageIndexes.Named> idx =
                    r.name() == null ? Optional.empty() : indexes.find(r.name().toString());
            if (idx.isEmpty()) {
                sb.append(shown(r))
                        .append('\t')
                        .append(id(r.image().id().toString(), noTrunc))
                        .append('\t')
                        .append(Units.humanSize(r.image().size()))
                        .append('\t')
                        .append(r.image().config().platform())
                        .append('\n');
                continue;
            }
            sb.append(shown(r))
                    .append('\t')
                    .append(id(idx.get().digest().toString(), noTrunc))
                    .append("\t\t\n");
            List<Descriptor> members = idx.get().members();
            for (int i = 0; i < members.size(); i++) {
                StoredImage m = images.member(idx.get(), members.get(i));
                sb.append(i == members.size() - 1 ? "└─ " : "├─ ")
                        .append(members.get(i).platform())
                        .append('\t')
                        .append(id(m.id().toString(), noTrunc))
                        .append('\t')
                        .append(Units.humanSize(m.size()))
                        .append('\t')
                        .append(m.config().platform())
                        .append('\n');
            }
        }
        return TabWriter.docker().format(sb.toString());
    }

    /** One name of an image (null name: a dangling image). */
    record Row(ImageRef name, StoredImage image) {}

    private static String shown(Row r) {
        return r.name() == null ? "<none>:<none>" : r.name().familiar();
    }

    private static String id(String digest, boolean noTrunc) {
        String hex = digest.substring("sha256:".length());
        return noTrunc ? digest : hex.substring(0, 12);
    }
}
