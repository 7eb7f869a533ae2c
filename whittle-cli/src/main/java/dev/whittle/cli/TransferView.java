package dev.whittle.cli;

import dev.whittle.cli.format.Units;
import dev.whittle.image.Digest;
import dev.whittle.registry.TransferProgress;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Draws pull and push progress as the docker CLI does. On a terminal: one line per layer, redrawn in place with a
 * progress bar. Otherwise: one line per state change ({@code Pulling fs layer}, {@code Download complete},
 * {@code Pull complete}, {@code Pushed}, ...), no bars, so logs stay readable.
 */
final class TransferView implements TransferProgress {
    private record Row(long size, State state, long done) {}

    private final PrintStream out;
    private final boolean tty;
    private final boolean push;
    private final boolean quiet;
    private final Map<Digest, Row> rows = new LinkedHashMap<>();
    private final List<String> header = new ArrayList<>();
    private volatile String mountSource = "another repository";
    private int drawn;
    private long lastDraw;

    TransferView(PrintStream out, boolean tty, boolean push, boolean quiet) {
        this.out = out;
        this.tty = tty;
        this.push = push;
        this.quiet = quiet;
    }

    @Override
    public synchronized void message(String line) {
        if (quiet) return;
        if (tty && !rows.isEmpty()) {
            // a line after the layers (the digest, the status): freeze the live view and print below it
            redraw(true);
            drawn = 0;
            rows.clear();
            header.clear();
            out.println(line);
            out.flush();
        } else if (tty) {
            header.add(line);
            redraw(true);
        } else {
            out.println(line);
            out.flush();
        }
    }

    @Override
    public void mountSource(String repository) {
        mountSource = repository;
    }

    @Override
    public synchronized void blob(Digest digest, long size, State state, long done) {
        if (quiet) return;
        Row before = rows.get(digest);
        rows.put(digest, new Row(size, state, done));
        if (tty) {
            redraw(before == null || before.state() != state);
            return;
        }
        if (before != null && before.state() == state) return;
        for (String line : changeLines(before == null ? null : before.state(), state)) {
            out.println(digest.shortHex() + ": " + line);
        }
        out.flush();
    }

    /** The non-terminal lines docker prints when a layer moves from one state to another. */
    private List<String> changeLines(State from, State to) {
        if (push) {
            return switch (to) {
                case WAITING -> List.of("Preparing");
                case TRANSFERRING -> List.of();
                case EXISTS -> List.of("Layer already exists");
                case MOUNTED -> List.of("Mounted from " + mountSource);
                case VERIFYING -> List.of();
                case DONE -> List.of("Pushed");
            };
        }
        return switch (to) {
            case WAITING -> List.of("Pulling fs layer");
            case TRANSFERRING -> List.of();
            case EXISTS -> List.of("Already exists");
            case MOUNTED -> List.of();
            case VERIFYING -> List.of("Verifying Checksum", "Download complete");
            case DONE ->
                from == State.VERIFYING
                        ? List.of("Pull complete")
                        : List.of("Verifying Checksum", "Download complete", "Pull complete");
        };
    }

    private String status(Row r) {
        return switch (r.state()) {
            case WAITING -> push ? "Preparing" : "Waiting";
            case TRANSFERRING -> (push ? "Pushing     " : "Downloading ") + bar(r.done(), r.size());
            case EXISTS -> push ? "Layer already exists" : "Already exists";
            case MOUNTED -> "Mounted from " + mountSource;
            case VERIFYING -> "Verifying Checksum";
            case DONE -> push ? "Pushed" : "Pull complete";
        };
    }

    /** docker's bar: 50 cells, then "12.3MB/45.6MB". */
    static String bar(long done, long total) {
        if (total <= 0) return Units.humanSize(done);
        int width = 50;
        int filled = (int) Math.min(width, done * width / total);
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < width; i++) b.append(i < filled ? '=' : i == filled ? '>' : ' ');
        b.append("] ");
        String amounts = Units.humanSize(done) + "/" + Units.humanSize(total);
        for (int i = amounts.length(); i < 17; i++) b.append(' ');
        return b.append(amounts).toString();
    }

    private void redraw(boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastDraw < 100_000_000L) return;
        lastDraw = now;
        StringBuilder s = new StringBuilder();
        if (drawn > 0) s.append("\033[").append(drawn).append('F');
        int lines = 0;
        for (String h : header) {
            s.append("\033[2K").append(h).append('\n');
            lines++;
        }
        for (Map.Entry<Digest, Row> e : rows.entrySet()) {
            s.append("\033[2K")
                    .append(e.getKey().shortHex())
                    .append(": ")
                    .append(status(e.getValue()))
                    .append('\n');
            lines++;
        }
        drawn = lines;
        out.print(s);
        out.flush();
    }

    /** Ends the live view so later output starts below it. */
    synchronized void finish() {
        if (tty && !quiet) redraw(true);
    }
}
