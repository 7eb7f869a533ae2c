package dev.whittle.io;

/** Calls through FFM method handles, whose {@code invokeExact} declares Throwable, as unchecked calls. */
final class NativeCalls {
    private NativeCalls() {}

    interface Call<T> {
        T run() throws Throwable;
    }

    static <T> T call(Call<T> c) {
        try {
            return c.run();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
