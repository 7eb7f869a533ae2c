package dev.whittle.build;

import java.util.Locale;

/** When a build pulls its base images: docker's {@code --pull} (missing by default, always with a bare --pull). */
public enum PullPolicy {
    /** Pull an image the store lacks. */
    MISSING,
    /** Pull every base, even one the store holds (docker's --pull / --pull=true). */
    ALWAYS,
    /** Never pull: a base the store lacks is an error. */
    NEVER;

    /** docker's and buildx's spellings: missing, always, never, and true/false for always/missing. */
    public static PullPolicy parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "missing", "false" -> MISSING;
            case "always", "true" -> ALWAYS;
            case "never" -> NEVER;
            default ->
                throw new IllegalArgumentException("invalid --pull value \"" + s + "\" (missing, always or never)");
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
