package dev.whittle.cli.format;

/**
 * What one template execution may spend. Go bounds neither the text a template makes nor the steps it takes, so a
 * --format such as a range inside a range over a ten-million-item split runs docker out of memory or for hours;
 * whittle stops it with an error instead. Text counts every character written out and every string a function
 * makes (and each item of a list it makes), so memory stays bounded whatever is kept in variables; steps count
 * every node, command and iteration, and every 256 characters a function reads, so time stays bounded too.
 */
final class Budget {
    static final long TEXT = 64L << 20;
    static final long STEPS = 10_000_000;
    /** What one list item costs beyond its text: about the memory a short Java string takes. */
    static final int ITEM = 16;

    private final long textLimit, stepLimit;
    private long text, steps;

    Budget() {
        this(TEXT, STEPS);
    }

    /** Other limits, for the fuzz target: the same code paths, found sooner. */
    Budget(long text, long steps) {
        this.textLimit = this.text = text;
        this.stepLimit = this.steps = steps;
    }

    /** Thrown when spent; the executor words it as a template error at the action it stopped in. */
    static final class Exceeded extends RuntimeException {
        Exceeded(String limit) {
            super("exceeds whittle's limit of " + limit, null, false, false);
        }
    }

    /** Spends {@code chars} of text. */
    void text(long chars) {
        ensure(chars);
        text -= chars;
    }

    /** Fails unless {@code chars} more would still fit: for code that must check before it builds a string. */
    void ensure(long chars) {
        if (chars > text) throw new Exceeded((textLimit >> 20) + " MiB of text");
    }

    void step() {
        if (--steps < 0) throw new Exceeded(stepLimit + " steps");
    }

    /**
     * A step that reads {@code chars} of a string (comparing, measuring, indexing it): a step for every 256, so a
     * loop over ten-megabyte strings ends as soon as one over short strings would.
     */
    void scan(long chars) {
        steps -= chars >> 8;
        step();
    }
}
