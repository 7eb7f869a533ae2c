package dev.whittle.registry;

import dev.whittle.image.Digest;

/** What a pull or push reports as it goes; the command line draws it as docker does. Calls come from many threads. */
public interface TransferProgress {
    /** A blob's state. */
    enum State {
        WAITING,
        EXISTS,
        MOUNTED,
        TRANSFERRING,
        VERIFYING,
        DONE
    }

    /** A line of its own, such as {@code 1.22: Pulling from library/golang}. */
    void message(String line);

    /** A blob (layer or config) changed state or moved on; {@code done} counts bytes transferred so far. */
    void blob(Digest digest, long size, State state, long done);

    /** Names the repository blobs in state MOUNTED were mounted from. */
    default void mountSource(String repository) {}

    TransferProgress NONE = new TransferProgress() {
        @Override
        public void message(String line) {}

        @Override
        public void blob(Digest digest, long size, State state, long done) {}
    };
}
