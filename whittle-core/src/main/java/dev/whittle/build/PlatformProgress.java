package dev.whittle.build;

/**
 * One platform's view of a multi-platform build's progress: each step is named with the platform, as BuildKit shows
 * {@code [linux/arm64 build 2/4] RUN ...}, so the platforms' steps can be told apart in one log. Closing it leaves the
 * shared view open.
 */
public final class PlatformProgress implements Progress {
    private final Progress to;
    private final String platform;

    public PlatformProgress(Progress to, String platform) {
        this.to = to;
        this.platform = platform;
    }

    @Override
    public int start(String name) {
        return to.start(name.startsWith("[") ? "[" + platform + " " + name.substring(1) : "[" + platform + "] " + name);
    }

    @Override
    public void cached(int step) {
        to.cached(step);
    }

    @Override
    public void log(int step, String line) {
        to.log(step, line);
    }

    @Override
    public void done(int step) {
        to.done(step);
    }

    @Override
    public void error(int step, String message) {
        to.error(step, message);
    }

    @Override
    public void note(String line) {
        to.note(line);
    }

    @Override
    public boolean showsNotes() {
        return to.showsNotes();
    }

    @Override
    public int subStart(int step, String name) {
        return to.subStart(step, name);
    }

    @Override
    public void subProgress(int sub, long current, long total) {
        to.subProgress(sub, current, total);
    }

    @Override
    public void subDone(int sub) {
        to.subDone(sub);
    }

    @Override
    public void close() {
        // the shared view is the caller's to close
    }
}
