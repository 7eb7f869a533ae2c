package dev.whittle.build;

import dev.whittle.dockerfile.Mounts;
import dev.whittle.image.Digest;
import dev.whittle.json.Json;
import dev.whittle.rootfs.ContextTree;
import dev.whittle.rootfs.FileTree;
import dev.whittle.sandbox.ContainerNetwork;
import dev.whittle.tar.PathNames;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A RUN's step-cache key: the parent step and what decides the command's result — its arguments (a heredoc script's
 * text), the environment the cache sees, user, working directory, network, the build's RUN settings, the hostname,
 * and each mount (a bind mount by the content of its source).
 */
final class RunCacheKey {
    private RunCacheKey() {}

    /**
     * @param env       the environment without proxies ({@link RunEnvironment#of})
     * @param hostname  the RUN's hostname (keyed only when not BuildKit's)
     * @param mountKeys {@link #mountKey} of each mount, in order
     */
    static Digest of(
            State s,
            RunCommand cmd,
            List<String> env,
            ContainerNetwork.Mode network,
            RunSettings run,
            String hostname,
            List<String> mountKeys) {
        List<String> parts = new ArrayList<>(List.of(
                "RUN",
                Json.writeString(cmd.args(), Json.Style.COMPACT),
                String.join("\n", env),
                s.config().user(),
                s.config().workingDir(),
                network.toString()));
        if (cmd.script() != null)
            parts.add("script\n" + cmd.script().body()); // the command is a file: its text decides the result
        String settings = run.cacheKeyPart();
        if (!settings.isEmpty()) parts.add(settings);
        if (!hostname.equals(RunStep.HOSTNAME)) parts.add("hostname=" + hostname);
        parts.addAll(mountKeys);
        return CacheKeys.of(s.cacheKey(), parts.toArray(String[]::new));
    }

    /** A mount's part of the key: its fields, and for a bind mount what it shows (context content, a stage's key). */
    static String mountKey(Mounts.Spec m, StepSources sources) throws IOException {
        String base = m.type() + "|" + (m.target() == null ? "" : m.target().text()) + "|" + m.id() + "|" + m.readOnly()
                + "|" + (m.source() == null ? "" : m.source().text()) + "|"
                + (m.from() == null ? "" : m.from().text());
        if (m.type() == Mounts.Type.BIND) {
            String from = m.from() == null ? null : m.from().text();
            ContextTree c = sources.contextTree(from);
            if (c != null) {
                // the bind source's content decides the result, as a COPY's would
                FileTree.Node n = c.stat(
                        m.source() == null
                                ? ""
                                : PathNames.clampToRoot(m.source().text()),
                        true);
                base += "|" + (n == null ? "missing" : c.treeDigest(n));
            } else {
                State st = sources.fromRef(from, m.from());
                base += "|" + (st == null ? "context" : st.cacheKey());
            }
        }
        return base;
    }
}
