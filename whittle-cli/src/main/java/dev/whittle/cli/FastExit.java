package dev.whittle.cli;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Ends the process at once with {@code _exit(2)} once the command is done and its output flushed. A JVM's own exit
 * waits for its JIT compiler threads to finish what they are compiling (HotSpot polls every 10 ms), which after a
 * command that moved data through C2-compiled code is often 200–300 ms of a sub-second command. Used only when the
 * launcher asks for it ({@code -Dwhittle.fast-exit=true}) and nothing is registered to run at exit; otherwise, and
 * for the AOT training run (the cache is written at exit), the normal {@link System#exit}.
 */
final class FastExit {
    private FastExit() {}

    static void exit(int code) {
        if (Boolean.getBoolean("whittle.fast-exit") && !dev.whittle.sandbox.Cleanup.pending()) {
            try {
                MethodHandle exit = Linker.nativeLinker().downcallHandle(
                        Linker.nativeLinker().defaultLookup().find("_exit").orElseThrow(), FunctionDescriptor.ofVoid(JAVA_INT));
                exit.invokeExact(code);
            } catch (Throwable t) {
                // no native access: the JVM's own exit below
            }
        }
        System.exit(code);
    }
}
