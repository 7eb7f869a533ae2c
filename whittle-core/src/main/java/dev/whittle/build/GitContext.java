package dev.whittle.build;

import dev.whittle.store.Maintenance;
import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A build context that is a git repository, as docker build takes one: {@code https://host/repo.git#ref:subdir},
 * {@code git://…}, {@code git@host:repo.git}, {@code github.com/owner/repo}, and {@code file://…} repositories. The
 * ref (a branch, tag or commit; default the remote's HEAD) is fetched at depth 1 with its submodules, checked out
 * into a directory the caller owns, and .git is removed, as BuildKit's git source does by default.
 */
public record GitContext(String remote, String ref, String subdir) {

    /** Whether docker would take the argument for a git URL (docker's urlutil.IsGitURL, plus file:// repositories). */
    public static boolean isGitUrl(String s) {
        if (s.startsWith("git://") || s.startsWith("git@") || s.startsWith("github.com/")) return true;
        String base = s.contains("#") ? s.substring(0, s.indexOf('#')) : s;
        if (s.startsWith("http://") || s.startsWith("https://")) return base.endsWith(".git");
        return s.startsWith("file://") && (base.endsWith(".git") || s.contains("#"));
    }

    /** Splits {@code URL#ref:subdir}; {@code github.com/x} becomes an https URL. */
    public static GitContext parse(String url) {
        String remote = url, fragment = "";
        int hash = url.indexOf('#');
        if (hash >= 0) {
            remote = url.substring(0, hash);
            fragment = url.substring(hash + 1);
        }
        if (remote.startsWith("github.com/")) remote = "https://" + remote;
        String ref = fragment, subdir = "";
        int colon = fragment.indexOf(':');
        if (colon >= 0) {
            ref = fragment.substring(0, colon);
            subdir = fragment.substring(colon + 1);
        }
        if (subdir.startsWith("/") || List.of(subdir.split("/")).contains("..")) {
            throw new IllegalArgumentException("invalid git context subdirectory \"" + subdir
                    + "\": it must be relative and stay inside the repository");
        }
        return new GitContext(remote, ref, subdir);
    }

    /**
     * Fetches into {@code dir} (an empty directory) and returns the context directory (the subdirectory, if given).
     */
    public Path checkout(Path dir) throws IOException {
        git(dir, "init", "-q");
        git(dir, "remote", "add", "origin", remote);
        String what = ref.isEmpty() ? "HEAD" : ref;
        String checkout = "FETCH_HEAD";
        try {
            git(dir, "fetch", "-q", "--depth", "1", "--no-tags", "origin", what);
        } catch (IOException shallowRefused) {
            // git's dumb HTTP transport cannot fetch shallow; a commit that is no ref's tip cannot be fetched by name
            // from a server without uploadpack.allowReachableSHA1InWant: then the history it needs
            try {
                git(dir, "fetch", "-q", "--no-tags", "origin", what);
            } catch (IOException notARef) {
                if (!isCommitLike(ref)) throw shallowRefused;
                git(dir, "fetch", "-q", "--no-tags", "origin");
                checkout = ref;
            }
        }
        git(dir, "-c", "advice.detachedHead=false", "checkout", "-q", checkout);
        if (Files.exists(dir.resolve(".gitmodules"))) {
            // the repository names its submodules' URLs: never a local path or a command (file:: and ext::)
            git(
                    dir,
                    "-c",
                    "protocol.file.allow=never",
                    "-c",
                    "protocol.ext.allow=never",
                    "submodule",
                    "update",
                    "-q",
                    "--init",
                    "--recursive",
                    "--depth",
                    "1");
        }
        Maintenance.deleteTree(dir.resolve(".git"));
        Path context = subdir.isEmpty() ? dir : dir.resolve(subdir);
        if (!Files.isDirectory(context))
            throw new IOException("git context " + this + ": no directory \"" + subdir + "\" at " + what);
        return context;
    }

    private static boolean isCommitLike(String ref) {
        return ref.length() >= 7 && ref.length() <= 64 && ref.chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }

    private void git(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", dir.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.put("GIT_TERMINAL_PROMPT", "0"); // a credential prompt would hang a CI build
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("git contexts need git (apt-get install git): " + e.getMessage(), e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("git " + args[0] + " of " + remote + " took over 10 minutes");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while fetching " + remote);
        }
        if (p.exitValue() != 0) {
            throw new IOException("unable to prepare context: git " + args[0] + " of " + this + " failed: " + out);
        }
    }

    @Override
    public String toString() {
        return remote + (ref.isEmpty() && subdir.isEmpty() ? "" : "#" + ref + (subdir.isEmpty() ? "" : ":" + subdir));
    }
}
