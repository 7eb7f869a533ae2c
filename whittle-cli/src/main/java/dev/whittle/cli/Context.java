package dev.whittle.cli;

import dev.whittle.store.Store;

import java.io.PrintStream;
import java.nio.file.Path;

/** What every command gets: the streams, the store (opened on first use) and the global flags. */
public final class Context implements AutoCloseable {
    private final PrintStream out;
    private final PrintStream err;
    private final java.io.InputStream in;
    private final boolean debug;
    private final Path root;
    private Store store;

    public Context(PrintStream out, PrintStream err, java.io.InputStream in, boolean debug, Path root) {
        this.out = out;
        this.err = err;
        this.in = in;
        this.debug = debug;
        this.root = root;
    }

    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    public java.io.InputStream in() {
        return in;
    }

    public boolean debug() {
        return debug;
    }

    public Path root() {
        return root;
    }

    public synchronized Store store() {
        if (store == null) store = Store.open(root);
        return store;
    }

    /** True when standard output is a terminal (docker refuses to write archives there). */
    public boolean stdoutIsTerminal() {
        return System.console() != null && System.console().isTerminal() && out == System.out;
    }

    @Override public void close() {
        if (store != null) store.close();
    }
}
