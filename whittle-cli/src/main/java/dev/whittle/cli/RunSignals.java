package dev.whittle.cli;

import dev.whittle.sandbox.SignalRelay;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The signals {@code whittle run} passes to its container, as docker's client does (its sig-proxy): Ctrl-C, SIGTERM,
 * SIGHUP and SIGUSR1 go to the container once it runs, and a change of the terminal's size is passed on. Before the
 * container is being started (pulling, mounting) they do what they do to any command: whittle exits, undoing what it
 * had done. Only for a whittle that is its own process: a test running whittle in its JVM keeps its handlers.
 */
final class RunSignals implements AutoCloseable {
    private static final List<String> FORWARDED = List.of("INT", "TERM", "HUP", "USR1");
    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();

    private RunSignals(SignalRelay relay) {
        for (String name : FORWARDED) {
            install(name, s -> {
                // not the container's yet: the JVM's own reaction, an exit with 128 + the signal and the exit hooks
                if (!relay.signal(s.getNumber())) System.exit(128 + s.getNumber());
            });
        }
        install("WINCH", s -> relay.resized());
    }

    static RunSignals install(SignalRelay relay) {
        return new RunSignals(relay);
    }

    private void install(String name, SignalHandler handler) {
        try {
            Signal s = new Signal(name);
            previous.put(s, Signal.handle(s, handler));
        } catch (IllegalArgumentException taken) {
            // a signal the JVM keeps for itself here: left alone
        }
    }

    @Override public void close() {
        previous.forEach(Signal::handle);
    }
}
