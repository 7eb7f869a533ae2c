package dev.whittle.cli;

import dev.whittle.image.ImageRef;
import dev.whittle.store.ImageNotFoundException;
import dev.whittle.store.Images;
import dev.whittle.store.Maintenance;
import dev.whittle.store.StoredImage;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "rmi", description = "Remove one or more images")
final class RmiCommand implements Callable<Integer> {
    private final Context ctx;

    @Option(
            names = {"-f", "--force"},
            description = "Force removal of the image")
    boolean force;

    @Option(names = "--no-prune", description = "Do not free the space of the removed images now")
    boolean noPrune;

    @Parameters(
            arity = "1..*",
            paramLabel = "IMAGE",
            description = "Names or IDs; a name removes that name, an ID the image")
    List<String> refs;

    RmiCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws IOException {
        Images images = new Images(ctx.store());
        int failures = 0;
        boolean deleted = false;
        for (String r : refs) {
            try {
                deleted |= remove(images, r);
            } catch (ImageNotFoundException e) {
                ctx.err().println("Error: No such image: " + r);
                failures++;
            } catch (UserError e) {
                ctx.err().println("Error: " + e.getMessage());
                failures++;
            }
        }
        if (deleted && !noPrune) {
            // free space now if no other whittle process is at work; otherwise `system prune` will
            new Maintenance(ctx.store()).prune(false, false, null);
        }
        return failures == 0 ? 0 : 1;
    }

    private boolean remove(Images images, String r) {
        StoredImage img = images.resolve(r);
        ImageRef byName = null;
        try {
            ImageRef parsed = ImageRef.parse(r);
            if (img.names().contains(parsed)) byName = parsed;
        } catch (IllegalArgumentException ignored) {
            // an ID
        }
        if (byName != null) {
            boolean last = images.untag(byName);
            ctx.out().println("Untagged: " + byName.familiar());
            if (last) {
                ctx.out().println("Deleted: " + img.id());
                return true;
            }
            return false;
        }
        if (img.names().size() > 1 && !force) {
            throw new UserError("conflict: unable to delete " + img.id().shortHex()
                    + " (must be forced) - image is referenced in multiple repositories");
        }
        for (ImageRef n : img.names()) ctx.out().println("Untagged: " + n.familiar());
        images.remove(img.manifest().digest());
        ctx.out().println("Deleted: " + img.id());
        return true;
    }
}
