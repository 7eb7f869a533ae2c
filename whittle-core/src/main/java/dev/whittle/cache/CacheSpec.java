package dev.whittle.cache;

import dev.whittle.image.ImageRef;
import dev.whittle.image.MediaType;
import dev.whittle.sandbox.ProcessLimits;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One {@code --cache-from} or {@code --cache-to}, spelled as buildx spells it: {@code type=registry,ref=REF} or
 * {@code type=local,src=DIR} / {@code dest=DIR}, with the export's {@code mode=min|max} and
 * {@code compression=gzip|zstd}, {@code type=inline} (the cache in the image's config), and whittle's own {@code mounts=true|false} and {@code mounts-max=SIZE} for
 * {@code RUN --mount=type=cache} directories. A bare value is a registry reference, as buildx reads it.
 */
public sealed interface CacheSpec {
    /** The default cap on one cache mount's tar: large enough for a Go or npm cache, small enough for any registry. */
    long DEFAULT_MOUNTS_MAX = 2L << 30;

    /** Where a cache lives. */
    sealed interface Where {}

    record Registry(ImageRef ref) implements Where {}

    record Local(Path dir) implements Where {}

    /** In the built image's own config (export only): a later build names the image with --cache-from. */
    record Inline() implements Where {}

    /** A cache to import. */
    record Import(Where where) implements CacheSpec {}

    /**
     * A cache to export.
     *
     * @param max         mode=max: every step of every stage built, not only the exported image's
     * @param mounts      whether RUN --mount=type=cache directories travel with it
     * @param mountsMax   the largest cache mount (as an uncompressed tar) that is exported
     * @param ignoreError whether a failed export is a warning (buildx's ignore-error=true) rather than an error
     */
    record Export(
            Where where,
            boolean max,
            MediaType.Compression compression,
            boolean mounts,
            long mountsMax,
            boolean ignoreError)
            implements CacheSpec {}

    /** Reads a --cache-from value; IllegalArgumentException says what is wrong with it. */
    static Import parseImport(String spec) {
        Map<String, String> kv = fields(spec, Set.of("type", "ref", "src", "digest", "tag"));
        return new Import(where(spec, kv, "src"));
    }

    /** Reads a --cache-to value; IllegalArgumentException says what is wrong with it. */
    static Export parseExport(String spec) {
        Map<String, String> kv = fields(
                spec,
                Set.of(
                        "type",
                        "ref",
                        "dest",
                        "mode",
                        "compression",
                        "mounts",
                        "mounts-max",
                        "oci-mediatypes",
                        "image-manifest",
                        "ignore-error",
                        "compression-level",
                        "force-compression"));
        Where where = where(spec, kv, "dest");
        String mode = kv.getOrDefault("mode", "min");
        if (!mode.equals("min") && !mode.equals("max"))
            throw new IllegalArgumentException("--cache-to " + spec + ": invalid mode \"" + mode + "\" (min or max)");
        MediaType.Compression c = switch (kv.getOrDefault("compression", "gzip")) {
            case "gzip" -> MediaType.Compression.GZIP;
            case "zstd" -> MediaType.Compression.ZSTD;
            default ->
                throw new IllegalArgumentException("--cache-to " + spec + ": invalid compression \""
                        + kv.get("compression") + "\" (gzip or zstd)");
        };
        boolean mounts = bool(spec, "mounts", kv.getOrDefault("mounts", "true"));
        long max = DEFAULT_MOUNTS_MAX;
        if (kv.containsKey("mounts-max")) {
            try {
                max = ProcessLimits.parseSize(kv.get("mounts-max"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--cache-to " + spec + ": invalid mounts-max \""
                        + kv.get("mounts-max") + "\" (a size such as 512m or 2g)");
            }
        }
        boolean ignoreError = bool(spec, "ignore-error", kv.getOrDefault("ignore-error", "false"));
        return new Export(where, mode.equals("max"), c, mounts, max, ignoreError);
    }

    private static Where where(String spec, Map<String, String> kv, String dirKey) {
        String flag = dirKey.equals("src") ? "--cache-from " : "--cache-to ";
        String type = kv.get("type");
        return switch (type) {
            case "registry" -> {
                String ref = kv.get("ref");
                if (ref == null || ref.isEmpty())
                    throw new IllegalArgumentException(flag + spec + ": ref= is required for type=registry");
                try {
                    yield new Registry(ImageRef.parse(ref));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            flag + spec + ": invalid reference \"" + ref + "\": " + e.getMessage());
                }
            }
            case "local" -> {
                String dir = kv.get(dirKey);
                if (dir == null || dir.isEmpty())
                    throw new IllegalArgumentException(flag + spec + ": " + dirKey + "= is required for type=local");
                yield new Local(Path.of(dir));
            }
            case "inline" -> {
                if (dirKey.equals("src"))
                    throw new IllegalArgumentException(
                            flag + spec + ": an inline cache is imported by naming its image: --cache-from IMAGE");
                yield new Inline();
            }
            case "gha", "s3", "azblob" ->
                throw new IllegalArgumentException(
                        flag + spec + ": cache type \"" + type + "\" is not supported (registry or local)");
            default ->
                throw new IllegalArgumentException(
                        flag + spec + ": unknown cache type \"" + type + "\" (registry or local)");
        };
    }

    private static boolean bool(String spec, String key, String v) {
        return switch (v) {
            case "true", "1", "" -> true;
            case "false", "0" -> false;
            default ->
                throw new IllegalArgumentException(
                        "--cache-to " + spec + ": invalid " + key + " \"" + v + "\" (true or false)");
        };
    }

    /** key=value fields separated by commas; a value without type= is buildx's shorthand for a registry ref. */
    private static Map<String, String> fields(String spec, Set<String> known) {
        Map<String, String> kv = new LinkedHashMap<>();
        if (!spec.contains("=")) {
            kv.put("type", "registry");
            kv.put("ref", spec);
            return kv;
        }
        for (String part : spec.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0)
                throw new IllegalArgumentException(
                        "invalid cache spec \"" + spec + "\": \"" + part + "\" is not key=value");
            String k = part.substring(0, eq).trim();
            if (!known.contains(k))
                throw new IllegalArgumentException("invalid cache spec \"" + spec + "\": unknown field \"" + k + "\"");
            kv.put(k, part.substring(eq + 1));
        }
        kv.putIfAbsent("type", "registry");
        return kv;
    }
}
