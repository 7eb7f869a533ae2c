package dev.whittle.sandbox;

import java.util.ArrayList;
import java.util.List;

/**
 * Signals and terminal resizes for the container {@code whittle run} runs, from wherever the caller receives them
 * (the CLI's signal handlers). Before the container is being started a signal is not the container's: the caller acts
 * as it would without one. While it starts, signals wait; once it runs, they go to it.
 */
public final class SignalRelay {
    /** A relay with no container yet: signals are the caller's until one starts. */
    public SignalRelay() {}

    /** Whoever takes the signals: the running container. */
    interface Target {
        void signal(int signal);

        void resized();
    }

    private boolean armed;
    private Target target;
    private final List<Integer> pending = new ArrayList<>();

    /** Hands a signal on; false when no container is being run, so the caller should act on it itself. */
    public synchronized boolean signal(int signal) {
        if (target != null) target.signal(signal);
        else if (armed) pending.add(signal);
        return armed;
    }

    /** The local terminal's size changed. */
    public synchronized void resized() {
        if (target != null) target.resized();
    }

    /** A container is about to be created: signals from now on are its. */
    synchronized void arm() {
        armed = true;
    }

    /** The container runs: the signals that came while it started, then every later one, go to it. */
    synchronized void attach(Target t) {
        target = t;
        for (int s : pending) t.signal(s);
        pending.clear();
    }

    /** The container has ended. */
    synchronized void detach() {
        target = null;
        armed = false;
        pending.clear();
    }
}
