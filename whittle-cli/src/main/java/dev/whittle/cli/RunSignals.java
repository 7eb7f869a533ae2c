package dev.whittle.cli;

import dev.whittle.sandbox.SignalRelay;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Proxy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * The signals {@code whittle run} passes to its container, as docker's client does (its sig-proxy): Ctrl-C, SIGTERM,
 * SIGHUP and SIGUSR1 go to the container once it runs, and a change of the terminal's size is passed on. Before the
 * container is being started (pulling, mounting) they do what they do to any command: whittle exits, undoing what it
 * had done. Only for a whittle that is its own process: a test running whittle in its JVM keeps its handlers.
 *
 * <p>{@code sun.misc.Signal} (module jdk.unsupported) is the JDK's only way to catch SIGINT and SIGWINCH; it is
 * reached through method handles so that the build's {@code -Werror} does not meet javac's unsuppressible warning.
 */
final class RunSignals implements AutoCloseable {
    private static final List<String> FORWARDED = List.of("INT", "TERM", "HUP", "USR1");
    private final Map<Object, Object> previous = new LinkedHashMap<>();

    private RunSignals(SignalRelay relay) {
        for (String name : FORWARDED) {
            install(name, number -> {
                // not the container's yet: the JVM's own reaction, an exit with 128 + the signal and the exit hooks
                if (!relay.signal(number)) System.exit(128 + number);
            });
        }
        install("WINCH", number -> relay.resized());
    }

    static RunSignals install(SignalRelay relay) {
        return new RunSignals(relay);
    }

    private void install(String name, IntConsumer handler) {
        try {
            Object signal = Api.NEW_SIGNAL.invoke(name);
            Object proxy = Proxy.newProxyInstance(
                    Api.HANDLER.getClassLoader(), new Class<?>[] {Api.HANDLER}, (self, method, args) -> {
                        if (method.getName().equals("handle")) {
                            handler.accept((int) Api.NUMBER.invoke(args[0]));
                            return null;
                        }
                        if (method.getName().equals("hashCode")) return System.identityHashCode(self);
                        if (method.getName().equals("equals")) return self == args[0];
                        return "RunSignals handler";
                    });
            previous.put(signal, Api.HANDLE.invoke(signal, proxy));
        } catch (IllegalArgumentException taken) {
            // a signal the JVM keeps for itself here: left alone
        } catch (Throwable t) {
            throw new IllegalStateException("cannot install a handler for SIG" + name, t);
        }
    }

    @Override
    public void close() {
        previous.forEach((signal, handler) -> {
            try {
                Api.HANDLE.invoke(signal, handler);
            } catch (Throwable t) {
                throw new IllegalStateException("cannot restore a signal handler", t);
            }
        });
    }

    /** Method handles on sun.misc.Signal, found once. */
    private static final class Api {
        static final Class<?> HANDLER;
        static final MethodHandle NEW_SIGNAL;
        static final MethodHandle HANDLE;
        static final MethodHandle NUMBER;

        static {
            try {
                Class<?> signal = Class.forName("sun.misc.Signal");
                HANDLER = Class.forName("sun.misc.SignalHandler");
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                NEW_SIGNAL = lookup.findConstructor(signal, MethodType.methodType(void.class, String.class))
                        .asType(MethodType.methodType(Object.class, String.class));
                HANDLE = lookup.findStatic(signal, "handle", MethodType.methodType(HANDLER, signal, HANDLER))
                        .asType(MethodType.methodType(Object.class, Object.class, Object.class));
                NUMBER = lookup.findVirtual(signal, "getNumber", MethodType.methodType(int.class))
                        .asType(MethodType.methodType(int.class, Object.class));
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }
}
