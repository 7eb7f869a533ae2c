package dev.whittle.cli;

import dev.whittle.cli.format.Units;
import dev.whittle.image.Digest;
import dev.whittle.sandbox.Leftovers;
import dev.whittle.store.Maintenance;
import dev.whittle.store.Store;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.List;

@Command(name = "system", description = "Manage the store", mixinStandardHelpOptions = true,
        subcommands = {SystemCommand.Df.class, SystemCommand.Prune.class, SystemCommand.Fsck.class})
final class SystemCommand implements Runnable {
    final Context ctx;

    SystemCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override public void run() {
        throw new UserError("'whittle system' requires a subcommand: df, prune or fsck");
    }

    @Command(name = "df", description = "Show store disk usage", mixinStandardHelpOptions = true)
    static final class Df implements java.util.concurrent.Callable<Integer> {
        @picocli.CommandLine.ParentCommand SystemCommand parent;

        @Override public Integer call() throws IOException {
            Maintenance.Usage u = new Maintenance(parent.ctx.store()).usage();
            long pct = u.imagesSize() == 0 ? 0 : Math.round(100.0 * u.reclaimableSize() / u.imagesSize());
            String table = "TYPE\tTOTAL\tACTIVE\tSIZE\tRECLAIMABLE\n"
                    + "Images\t" + u.images() + "\t" + u.activeImages() + "\t" + Units.humanSize(u.imagesSize()) + "\t"
                    + Units.humanSize(u.reclaimableSize()) + " (" + pct + "%)\n"
                    + "Blobs on disk\t\t\t" + Units.humanSize(u.blobBytes()) + "\t\n";
            parent.ctx.out().println(dev.whittle.cli.format.TabWriter.docker().format(table));
            return 0;
        }
    }

    @Command(name = "prune", description = "Remove dangling images and unreferenced blobs", mixinStandardHelpOptions = true)
    static final class Prune implements java.util.concurrent.Callable<Integer> {
        @picocli.CommandLine.ParentCommand SystemCommand parent;
        @Option(names = {"-f", "--force"}, description = "Do not prompt for confirmation")
        boolean force;

        @Override public Integer call() throws IOException {
            Context ctx = parent.ctx;
            if (!force) {
                ctx.out().println("WARNING! This will remove:");
                ctx.out().println("  - all dangling images");
                ctx.out().println("  - all blobs and layers no image refers to");
                ctx.out().println("  - all unused build cache");
                ctx.out().print("\nAre you sure you want to continue? [y/N] ");
                ctx.out().flush();
                String answer = new BufferedReader(new InputStreamReader(ctx.in())).readLine();
                if (answer == null || !answer.trim().equalsIgnoreCase("y")) return 0;
            }
            // first what killed processes left (mounts would keep prune from emptying the temp directory)
            Store store = ctx.storeAsFound();
            Leftovers.Found[] left = {null};
            store.withExclusiveLock(true, null, () -> Leftovers.remove(store, left[0] = Leftovers.find(store)));
            int[] cleaned = {0, 0};
            // docker system prune removes the build cache too; snapshots of layers no image has left go with it
            Maintenance.PruneResult r = new Maintenance(ctx.store()).prune(true, true,
                    () -> ctx.err().println("waiting for other whittle processes to finish..."), keep -> {
                        // the memo first: its entries point into the cache (a prune cut short leaves no dangling entry)
                        new dev.whittle.build.BuildMemo(ctx.store()).clear();
                        cleaned[0] = new dev.whittle.build.BuildCache(ctx.store()).clear();
                        Maintenance.deleteTree(ctx.store().stateDir().resolve("check")); // kept entrypoint verdicts
                        cleaned[1] = new dev.whittle.sandbox.Snapshots(ctx.store()).removeExcept(keep.layers());
                    });
            if (!r.deletedImages().isEmpty()) {
                ctx.out().println("Deleted Images:");
                for (Digest d : r.deletedImages()) ctx.out().println("deleted: " + d);
                ctx.out().println();
            }
            for (String l : left[0].describe()) ctx.out().println("Removed " + l);
            if (cleaned[0] > 0) ctx.out().println("Deleted build cache entries: " + cleaned[0]);
            if (cleaned[1] > 0) ctx.out().println("Deleted layer snapshots: " + cleaned[1]);
            ctx.out().println("Total reclaimed space: " + Units.humanSize(r.reclaimedBytes()));
            return 0;
        }
    }

    @Command(name = "fsck", description = "Verify every blob against its digest and every image against its blobs",
            mixinStandardHelpOptions = true)
    static final class Fsck implements java.util.concurrent.Callable<Integer> {
        @picocli.CommandLine.ParentCommand SystemCommand parent;

        @Override public Integer call() throws IOException {
            Store store = parent.ctx.storeAsFound();
            List<Maintenance.Problem> problems = new ArrayList<>(new Maintenance(store).fsck(null));
            boolean checked = store.whenAlone(() -> {
                for (String l : Leftovers.find(store).describe()) {
                    problems.add(new Maintenance.Problem("leftover", l + " (whittle system prune removes it)"));
                }
            });
            if (!checked) parent.ctx.err().println("note: other whittle commands are using the store; leftovers of killed ones not checked");
            for (Maintenance.Problem p : problems) parent.ctx.out().println(p);
            if (problems.isEmpty()) {
                parent.ctx.out().println("store " + parent.ctx.root() + " is consistent");
                return 0;
            }
            parent.ctx.out().println(problems.size() + " problem(s) found");
            return 1;
        }
    }
}
