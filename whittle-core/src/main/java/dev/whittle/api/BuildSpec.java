package dev.whittle.api;

import dev.whittle.build.BuildRequest;
import dev.whittle.build.NamedContext;
import dev.whittle.build.PullPolicy;
import dev.whittle.build.RunSettings;
import dev.whittle.cache.CacheSpec;
import dev.whittle.dockerfile.Planner;
import dev.whittle.image.ImageRef;
import dev.whittle.image.Platform;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What to build, as {@code docker build}'s flags say it: the source, names, target and build args, cache use, RUN's
 * settings, labels, secrets, forwarded SSH agents, named contexts, the pull policy and SOURCE_DATE_EPOCH. Made with
 * {@link #of(BuildSource)} and the builder's setters; every value has docker's default.
 *
 * @param clientIdentity who asks (a program's name and version): part of the build memo's key, so that a new version
 *                       of the caller never reuses a memo of an old one
 */
public record BuildSpec(
        BuildSource source,
        List<ImageRef> tags,
        String target,
        Map<String, String> buildArgs,
        Platform platform,
        boolean noCache,
        Set<String> noCacheStages,
        RunSettings run,
        Map<String, String> labels,
        Map<String, BuildRequest.Secret> secrets,
        Map<String, List<Path>> ssh,
        Map<String, NamedContext> namedContexts,
        PullPolicy pull,
        Long sourceDateEpoch,
        String clientIdentity,
        List<CacheSpec.Import> cacheFrom,
        List<CacheSpec.Export> cacheTo) {

    public BuildSpec {
        tags = List.copyOf(tags);
        buildArgs = Map.copyOf(buildArgs);
        noCacheStages = Set.copyOf(noCacheStages);
        labels = Map.copyOf(labels);
        secrets = Map.copyOf(secrets);
        ssh = Map.copyOf(ssh);
        namedContexts = Map.copyOf(namedContexts);
        cacheFrom = List.copyOf(cacheFrom);
        cacheTo = List.copyOf(cacheTo);
    }

    /** A build of {@code source} with docker's defaults. */
    public static Builder of(BuildSource source) {
        return new Builder(source);
    }

    /** The frontend's options: target, build args, platforms, the names of the named contexts. */
    public Planner.Options options() {
        return new Planner.Options(target, buildArgs, Platform.host(), platform, namedContexts.keySet());
    }

    /** This build for one platform of a multi-platform build: unnamed, the index gets the names. */
    BuildSpec forPlatform(Platform p) {
        return new BuildSpec(
                source,
                List.of(),
                target,
                buildArgs,
                p,
                noCache,
                noCacheStages,
                run,
                labels,
                secrets,
                ssh,
                namedContexts,
                pull,
                sourceDateEpoch,
                clientIdentity,
                cacheFrom,
                cacheTo);
    }

    /** Whether an unchanged earlier build may answer (the memo sees the main context only, and honours the cache). */
    boolean memoizable() {
        // an export needs the build's steps and cache mounts, which only the builder sees
        return !noCache
                && noCacheStages.isEmpty()
                && pull != PullPolicy.ALWAYS
                && namedContexts.isEmpty()
                && cacheTo.isEmpty();
    }

    /** The setters of a spec; {@link #build()} makes it. */
    public static final class Builder {
        private final BuildSource source;
        private final List<ImageRef> tags = new ArrayList<>();
        private String target;
        private final Map<String, String> buildArgs = new LinkedHashMap<>();
        private Platform platform = Platform.host();
        private boolean noCache;
        private final Set<String> noCacheStages = new LinkedHashSet<>();
        private RunSettings run = RunSettings.DEFAULT;
        private final Map<String, String> labels = new LinkedHashMap<>();
        private final Map<String, BuildRequest.Secret> secrets = new LinkedHashMap<>();
        private final Map<String, List<Path>> ssh = new LinkedHashMap<>();
        private final Map<String, NamedContext> namedContexts = new LinkedHashMap<>();
        private PullPolicy pull = PullPolicy.MISSING;
        private Long sourceDateEpoch;
        private String clientIdentity = "library";
        private final List<CacheSpec.Import> cacheFrom = new ArrayList<>();
        private final List<CacheSpec.Export> cacheTo = new ArrayList<>();

        private Builder(BuildSource source) {
            this.source = source;
        }

        public Builder tag(ImageRef name) {
            tags.add(name);
            return this;
        }

        /** {@code -t}: a name in docker's reference grammar. */
        public Builder tag(String name) {
            return tag(ImageRef.parse(name));
        }

        public Builder target(String stage) {
            target = stage;
            return this;
        }

        public Builder buildArg(String name, String value) {
            buildArgs.put(name, value);
            return this;
        }

        public Builder buildArgs(Map<String, String> args) {
            buildArgs.putAll(args);
            return this;
        }

        public Builder platform(Platform p) {
            platform = p;
            return this;
        }

        public Builder noCache(boolean b) {
            noCache = b;
            return this;
        }

        public Builder noCacheStages(Set<String> stages) {
            noCacheStages.addAll(stages);
            return this;
        }

        public Builder run(RunSettings settings) {
            run = settings;
            return this;
        }

        public Builder labels(Map<String, String> l) {
            labels.putAll(l);
            return this;
        }

        public Builder secrets(Map<String, BuildRequest.Secret> s) {
            secrets.putAll(s);
            return this;
        }

        public Builder ssh(Map<String, List<Path>> s) {
            ssh.putAll(s);
            return this;
        }

        public Builder namedContexts(Map<String, NamedContext> c) {
            namedContexts.putAll(c);
            return this;
        }

        public Builder pull(PullPolicy p) {
            pull = p;
            return this;
        }

        public Builder sourceDateEpoch(Long seconds) {
            sourceDateEpoch = seconds;
            return this;
        }

        public Builder clientIdentity(String identity) {
            clientIdentity = identity;
            return this;
        }

        /** {@code --cache-from}: caches to import, asked in this order. */
        public Builder cacheFrom(CacheSpec.Import c) {
            cacheFrom.add(c);
            return this;
        }

        /** {@code --cache-to}: where to export this build's cache. */
        public Builder cacheTo(CacheSpec.Export c) {
            cacheTo.add(c);
            return this;
        }

        public BuildSpec build() {
            return new BuildSpec(
                    source,
                    tags,
                    target,
                    buildArgs,
                    platform,
                    noCache,
                    noCacheStages,
                    run,
                    labels,
                    secrets,
                    ssh,
                    namedContexts,
                    pull,
                    sourceDateEpoch,
                    clientIdentity,
                    cacheFrom,
                    cacheTo);
        }
    }
}
