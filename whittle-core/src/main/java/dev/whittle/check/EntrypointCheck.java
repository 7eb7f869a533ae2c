package dev.whittle.check;

import dev.whittle.image.ImageConfig;
import dev.whittle.rootfs.FileTree;
import dev.whittle.rootfs.ImageTree;
import dev.whittle.rootfs.MergedTree;
import dev.whittle.rootfs.Users;
import dev.whittle.tar.PathNames;
import dev.whittle.tar.TarEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Proves, by reading the image's files (nothing is run or unpacked), whether its entrypoint can start, following
 * what runc, the kernel and the dynamic loader do: Entrypoint + Cmd, PATH lookup, execute bits, {@code #!}
 * interpreters (CRLF included), ELF class and machine, PT_INTERP, every DT_NEEDED library and glibc symbol version,
 * USER names. A failure names the error docker would print, the cause, where the file came from, and fixes.
 */
public final class EntrypointCheck {
    private static final int MAX_ELF = 256 << 20;

    private final String image;
    private final ImageConfig config;
    private final ImageTree fs;
    private final Provenance provenance;
    private final List<Finding> findings = new ArrayList<>();
    private final List<String> chain = new ArrayList<>();
    /** The container's user as docker runs it (null when USER names no user of the image: that is reported). */
    private Users.Id who;
    /** The loader's search and the libc of the last dynamic program checked (for its NSS modules). */
    private LibrarySearch search;

    private LibrarySearch.Obj self, libc;

    private EntrypointCheck(String image, ImageConfig config, ImageTree fs, Provenance provenance) {
        this.image = image;
        this.config = config;
        this.fs = fs;
        this.provenance = provenance;
    }

    public static CheckReport run(String image, ImageConfig config, ImageTree fs, Provenance provenance)
            throws IOException {
        EntrypointCheck c = new EntrypointCheck(image, config, fs, provenance);
        List<String> args = c.process();
        c.checkUser();
        try {
            c.who = Users.forContainer(fs, config.user());
        } catch (IOException e) {
            c.who = null;
        }
        if (args.isEmpty()) {
            c.findings.add(new Finding(
                    Finding.Severity.ERROR,
                    "NoCommand",
                    null,
                    "No command specified",
                    125,
                    "the image has neither ENTRYPOINT nor CMD",
                    List.of(),
                    List.of("add CMD [\"/path/to/program\"] to the final stage")));
        } else {
            c.checkProgram(args);
        }
        c.checkHealthcheck();
        c.findings.addAll(RuntimeNeeds.volumes(fs, config, c.who, Finding.Phase.RUNTIME));
        return new CheckReport(image, config.platform().toString(), args, c.chain, c.findings);
    }

    private List<String> process() {
        List<String> out = new ArrayList<>();
        if (config.entrypoint() != null) out.addAll(config.entrypoint());
        if (config.cmd() != null) out.addAll(config.cmd());
        return out;
    }

    private String path() {
        String p = config.envValue("PATH");
        return p != null ? p : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    }

    // ------------------------------------------------------------------------------------------------ user

    private void checkUser() throws IOException {
        String user = config.user();
        if (user.isEmpty()) return;
        String name = user, group = null;
        int colon = user.indexOf(':');
        if (colon >= 0) {
            name = user.substring(0, colon);
            group = user.substring(colon + 1);
        }
        if (!name.isEmpty() && !isNumber(name) && !hasEntry("etc/passwd", name)) {
            findings.add(new Finding(
                    Finding.Severity.ERROR,
                    "UnknownUser",
                    "/etc/passwd",
                    "unable to find user " + name + ": no matching entries in passwd file",
                    126,
                    "USER " + user + " names a user the image's /etc/passwd does not have",
                    List.of(),
                    List.of(
                            "use a numeric id (USER 65532) or a user the base image defines",
                            "add the user in the final stage")));
        }
        if (group != null && !group.isEmpty() && !isNumber(group) && !hasEntry("etc/group", group)) {
            findings.add(new Finding(
                    Finding.Severity.ERROR,
                    "UnknownGroup",
                    "/etc/group",
                    "unable to find group " + group + ": no matching entries in group file",
                    126,
                    "USER " + user + " names a group the image's /etc/group does not have",
                    List.of(),
                    List.of("use a numeric group id", "add the group in the final stage")));
        }
    }

    private boolean hasEntry(String file, String name) throws IOException {
        byte[] b = fs.readSmall(file, 4 << 20);
        if (b == null) return false;
        for (String line : new String(b, StandardCharsets.UTF_8).split("\n"))
            if (line.startsWith(name + ":")) return true;
        return false;
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }

    // ---------------------------------------------------------------------------------------------- program

    private void checkProgram(List<String> args) throws IOException {
        String prog = args.getFirst();
        List<String> shell =
                config.shell() == null || config.shell().isEmpty() ? List.of("/bin/sh", "-c") : config.shell();
        boolean shellForm =
                args.size() >= shell.size() + 1 && args.subList(0, shell.size()).equals(shell);
        String cwd = config.workingDirOrRoot();
        String resolved;
        if (prog.contains("/")) {
            resolved = prog.startsWith("/") ? prog : "/" + PathNames.clampToRoot(cwd + "/" + prog);
            FileTree.Node n = fs.stat(PathNames.clampToRoot(resolved), true);
            if (n == null) {
                String cause = shellForm
                        ? "the command is in shell form (" + String.join(" ", shell) + " ...) and the image has no "
                                + prog
                        : prog + " is not in the image";
                findings.add(new Finding(
                        Finding.Severity.ERROR,
                        "MissingExecutable",
                        prog,
                        "exec: \"" + prog + "\": stat " + prog + ": no such file or directory",
                        127,
                        cause,
                        origin(resolved),
                        shellForm
                                ? List.of(
                                        "use the exec form: CMD [\"/path/to/program\", \"arg\"] — the base image has no shell")
                                : List.of("check the COPY destination and the CMD/ENTRYPOINT path")));
                return;
            }
            if (!executable(n)) return;
        } else {
            resolved = lookPath(prog);
            if (resolved == null) {
                findings.add(new Finding(
                        Finding.Severity.ERROR,
                        "NotInPath",
                        prog,
                        "exec: \"" + prog + "\": executable file not found in $PATH",
                        127,
                        "no executable named " + prog + " in PATH=" + path(),
                        List.of(),
                        List.of("use an absolute path in CMD/ENTRYPOINT", "copy the program into a PATH directory")));
                return;
            }
        }
        checkExec(resolved, 0, prog);
    }

    /** runc's exec.LookPath over the image's PATH. */
    private String lookPath(String name) throws IOException {
        for (String dir : path().split(":")) {
            if (dir.isEmpty()) dir = ".";
            String p = dir.startsWith("/")
                    ? dir + "/" + name
                    : "/" + PathNames.clampToRoot((config.workingDirOrRoot()) + "/" + dir + "/" + name);
            FileTree.Node n = fs.stat(PathNames.clampToRoot(p), true);
            if (n != null && n.type() == TarEntry.Type.FILE && (n.mode() & 0111) != 0) return p;
        }
        return null;
    }

    private boolean executable(FileTree.Node n) {
        if (n.type() != TarEntry.Type.FILE || (n.mode() & 0111) == 0) {
            String p = "/" + n.path();
            findings.add(new Finding(
                    Finding.Severity.ERROR,
                    "NotExecutable",
                    p,
                    "exec: \"" + p + "\": permission denied",
                    126,
                    n.type() == TarEntry.Type.DIR
                            ? p + " is a directory"
                            : p + " has no execute permission (mode " + Integer.toOctalString(n.mode()) + ")",
                    origin(p),
                    List.of("COPY --chmod=755 ...", "RUN chmod +x " + p + " in the stage that creates it")));
            return false;
        }
        return true;
    }

    /** What execve does with the file: #! interpreter, ELF checks, or ENOEXEC. */
    private void checkExec(String path, int depth, String shown) throws IOException {
        if (depth > 4) {
            findings.add(new Finding(
                    Finding.Severity.ERROR,
                    "TooManyInterpreters",
                    path,
                    "exec " + shown + ": too many levels of symbolic links",
                    1,
                    "more than 4 nested #! interpreters",
                    List.of(),
                    List.of()));
            return;
        }
        FileTree.Node n = fs.stat(PathNames.clampToRoot(path), true);
        if (n == null || !executable(n)) return;
        if (!permitted(n, Access.X, "exec " + shown + ": permission denied", 126, path + " is executed")) return;
        byte[] head;
        try (InputStream in = fs.open(n)) {
            head = in.readNBytes(256);
        }
        if (head.length >= 2 && head[0] == '#' && head[1] == '!') {
            script(path, head, depth, shown);
            return;
        }
        if (!Elf.isElf(head)) {
            findings.add(new Finding(
                    Finding.Severity.ERROR,
                    "ExecFormat",
                    path,
                    "exec " + shown + ": exec format error",
                    1,
                    path
                            + " is neither an ELF program nor a script starting with #! (runc executes it directly; no shell falls back)",
                    origin(path),
                    List.of(
                            "add a #! line such as #!/bin/sh",
                            "run it through a shell: CMD [\"/bin/sh\", \"" + path + "\"]")));
            return;
        }
        if (n.size() > MAX_ELF) return;
        byte[] data;
        try (InputStream in = fs.open(n)) {
            data = in.readAllBytes();
        }
        Elf elf;
        try {
            elf = Elf.parse(data);
        } catch (Elf.ElfException e) {
            findings.add(new Finding(
                    Finding.Severity.ERROR,
                    "ExecFormat",
                    path,
                    "exec " + shown + ": exec format error",
                    1,
                    path + ": " + e.getMessage(),
                    origin(path),
                    List.of()));
            return;
        }
        GoBuildInfo go = GoBuildInfo.read(elf);
        chain.add(path + ": " + elf.describe()
                + (go != null ? ", Go " + go.goVersion().replaceFirst("^go", "") : ""));
        String arch = config.architecture();
        if (!elf.runsOn(arch)) {
            findings.add(new Finding(
                    Finding.Severity.ERROR,
                    "WrongArchitecture",
                    path,
                    "exec " + shown + ": exec format error",
                    1,
                    path + " is built for " + elf.machineName() + " (" + (elf.is64 ? 64 : 32)
                            + "-bit) but the image is " + config.platform(),
                    wrongArchDetails(path, go),
                    go != null
                            ? List.of(
                                    "build with GOARCH=$TARGETARCH (ARG TARGETARCH in the build stage; GOARCH=" + arch
                                            + " for this image) and GOOS=linux",
                                    "keep the build stage on FROM --platform=$BUILDPLATFORM: Go cross-compiles there, "
                                            + "without emulation")
                            : List.of("build it for " + config.platform()
                                    + " (in a multi-platform build: for $TARGETPLATFORM, with a cross compiler)")));
            return;
        }
        if (elf.isStatic()) {
            staticNotes(path, elf, go, data);
            if (depth == 0)
                runtimeNeeds(new RuntimeNeeds.Program(path, elf, data, go, staticLibc(data), null, null, null));
            return;
        }
        String interp = elf.interpreter;
        FileTree.Node in = fs.stat(PathNames.clampToRoot(interp), true);
        if (in == null) {
            missingInterpreter(path, shown, elf, go, data);
            return;
        }
        if (!permitted(
                in,
                Access.X,
                "exec " + shown + ": permission denied",
                126,
                "the kernel executes its loader " + interp + " for " + path)) return;
        String flavor = elf.libc() == null ? "glibc" : elf.libc();
        int before = errors();
        libraries(path, elf, flavor, interp, go, data);
        if (depth == 0 && errors() == before) {
            runtimeNeeds(new RuntimeNeeds.Program(
                    path, elf, data, go, flavor, libc == null ? null : libc.elf(), search, self));
        }
    }

    private void runtimeNeeds(RuntimeNeeds.Program p) throws IOException {
        findings.addAll(RuntimeNeeds.check(fs, config, who, p, Finding.Phase.RUNTIME));
    }

    /** A static program's C library by what it contains ("glibc" keeps its NSS, which still loads modules), or null. */
    private static String staticLibc(byte[] data) {
        return contains(data, "GLIBC_") || contains(data, "libnss_") ? "glibc-static" : null;
    }

    private int errors() {
        return (int) findings.stream()
                .filter(f -> f.severity() == Finding.Severity.ERROR)
                .count();
    }

    /**
     * Whether the container's user may {@code bits} (read or execute) the file and search every directory above it:
     * docker and containerd give a non-root user no capabilities at exec, so the mode bits decide. Adds the finding
     * when not.
     */
    private boolean permitted(FileTree.Node n, int bits, String error, int exit, String what) throws IOException {
        if (who == null) return true;
        String p = "/" + n.path();
        String dir = Access.unsearchable(fs, p, who);
        String cause;
        if (dir != null) {
            FileTree.Node d = fs.stat(PathNames.clampToRoot(dir), true);
            cause = what + ", but its directory " + dir + " (" + Access.describe(d) + ") cannot be searched by "
                    + Access.describe(who);
        } else if (!Access.allows(n, who, bits)) {
            cause = what + ", but " + p + " (" + Access.describe(n) + ") cannot be "
                    + (bits == Access.X ? "executed" : "read") + " by " + Access.describe(who);
        } else {
            return true;
        }
        findings.add(new Finding(
                Finding.Severity.ERROR,
                "PermissionDenied",
                dir != null ? dir : p,
                error,
                exit,
                cause + " (a non-root user has no capabilities at exec: the mode bits decide)",
                origin(dir != null ? dir : p),
                List.of(
                        "COPY --chmod=755 (or --chown=" + who.uid() + ":" + who.gid() + ") where the file is copied",
                        "RUN chmod a+rx " + (dir != null ? dir : p) + " in the stage that creates it",
                        "run as a user that owns it (USER)")));
        return false;
    }

    private void script(String path, byte[] head, int depth, String shown) throws IOException {
        int end = 2;
        while (end < head.length && head[end] != '\n') end++;
        String line = new String(head, 2, end - 2, StandardCharsets.UTF_8);
        String trimmed = line.replaceFirst("^[ \t]+", "");
        String interp = trimmed.split("[ \t]", 2)[0];
        String arg = trimmed.length() > interp.length()
                ? trimmed.substring(interp.length()).trim()
                : "";
        chain.add(path + ": script, #!" + line.replace("\r", "\\r"));
        if (interp.isEmpty()) {
            findings.add(new Finding(
                    Finding.Severity.ERROR,
                    "ExecFormat",
                    path,
                    "exec " + shown + ": exec format error",
                    1,
                    path + " has an empty #! line",
                    origin(path),
                    List.of()));
            return;
        }
        if (interp.endsWith("\r") || arg.endsWith("\r")) {
            findings.add(new Finding(
                    Finding.Severity.ERROR,
                    "CrlfShebang",
                    path,
                    "exec " + shown + ": no such file or directory",
                    1,
                    path + " has Windows line endings: the kernel looks for an interpreter named \""
                            + interp.replace("\r", "\\r") + "\"",
                    origin(path),
                    List.of(
                            "convert it to LF line endings (dos2unix, or git config core.autocrlf false)",
                            "RUN sed -i 's/\\r$//' " + path + " in the stage that copies it")));
            return;
        }
        FileTree.Node self = fs.stat(PathNames.clampToRoot(path), true);
        if (self != null
                && !permitted(
                        self,
                        Access.R,
                        interp + ": can't open '" + path + "': Permission denied",
                        2,
                        path + " is read by its interpreter " + interp)) return;
        FileTree.Node n = fs.stat(
                PathNames.clampToRoot(interp.startsWith("/") ? interp : PathNames.join(config.workingDir(), interp)),
                true);
        if (n == null) {
            findings.add(new Finding(
                    Finding.Severity.ERROR,
                    "MissingInterpreter",
                    path,
                    "exec " + shown + ": no such file or directory",
                    1,
                    path + " is a script for " + interp + ", which is not in the image",
                    origin(path),
                    List.of(
                            "use a base image that has " + interp + " (for example alpine)",
                            "ship a compiled program instead of a script",
                            "point the #! line at an interpreter the image has")));
            return;
        }
        if (interp.endsWith("/env") && !arg.isEmpty()) {
            String program = arg.split("\\s+")[0];
            if (!program.startsWith("-") && lookPath(program) == null) {
                findings.add(new Finding(
                        Finding.Severity.ERROR,
                        "EnvProgramNotFound",
                        path,
                        interp + ": '" + program + "': No such file or directory",
                        127,
                        path + " runs " + program + " through env, and no " + program + " is in PATH=" + path(),
                        origin(path),
                        List.of("install " + program + " in the final stage", "use a base image that has " + program)));
                return;
            }
        }
        checkExec(interp, depth + 1, shown);
    }

    private void missingInterpreter(String path, String shown, Elf elf, GoBuildInfo go, byte[] data)
            throws IOException {
        String flavor = elf.libc();
        String libc = flavor == null ? "a C library" : flavor;
        boolean imageHasGlibc = fs.stat("lib64/ld-linux-x86-64.so.2", true) != null
                || !dirHas("lib", "ld-linux").isEmpty()
                || !dirHas("lib/x86_64-linux-gnu", "ld-linux").isEmpty();
        List<String> musl = dirHas("lib", "ld-musl-");
        String imageLibc = !musl.isEmpty()
                ? "musl (" + "/lib/" + musl.getFirst() + ")"
                : imageHasGlibc ? "glibc" : "no C library and no dynamic loader";
        String cause = path + " is dynamically linked against " + libc + " and needs the interpreter " + elf.interpreter
                + ", which is not in the image; the image has " + imageLibc
                + (elf.isPie() && go != null && !go.cgo()
                        ? " (a Go -buildmode=pie binary is dynamic even without cgo)"
                        : "");
        List<String> details = withGo(origin(path), go);
        boolean mainUsesCgo = contains(data, "main._Cfunc_") || contains(data, "main._cgo_");
        List<String> fixes = new ArrayList<>();
        String baseName = finalBase();
        if (go != null) {
            if (go.cgo() && !mainUsesCgo) {
                fixes.add(
                        "build with CGO_ENABLED=0: the program's own code does not use cgo, so Go links it statically");
            }
            if (elf.isPie() && !go.cgo())
                fixes.add("drop -buildmode=pie (or add -ldflags=-linkmode=external -extldflags=-static-pie)");
            fixes.add("link statically: go build -ldflags=\"-extldflags=-static\""
                    + ("glibc".equals(flavor) ? " -tags netgo,osusergo" : "")
                    + (mainUsesCgo ? " (the program calls C code, so CGO_ENABLED=0 would not build)" : ""));
        } else {
            fixes.add("link statically (gcc -static / -static-pie)");
        }
        if ("musl".equals(flavor))
            fixes.add("use a base image with musl, such as alpine, instead of "
                    + (baseName == null ? "this base" : baseName));
        else
            fixes.add(
                    "use a base image with glibc, such as gcr.io/distroless/base-debian12 or debian:bookworm-slim, instead of "
                            + (baseName == null ? "this base" : baseName));
        fixes.add("copy the loader"
                + (elf.needed.stream().anyMatch(n -> !n.startsWith("libc")) ? " and the libraries" : "")
                + " into the image: COPY --from=" + buildStage(path) + " " + elf.interpreter + " " + elf.interpreter);
        findings.add(new Finding(
                Finding.Severity.ERROR,
                "MissingInterpreter",
                path,
                "exec " + shown + ": no such file or directory",
                1,
                cause,
                details,
                fixes));
    }

    private void libraries(String path, Elf elf, String flavor, String interp, GoBuildInfo go, byte[] data)
            throws IOException {
        List<String> ldPath = new ArrayList<>();
        String lp = config.envValue("LD_LIBRARY_PATH");
        if (lp != null) for (String d : lp.split(":")) if (!d.isEmpty()) ldPath.add(d);
        LibrarySearch search = new LibrarySearch(fs, flavor, interp, ldPath);
        LibrarySearch.Obj root = new LibrarySearch.Obj(path, elf, null);
        this.search = search;
        this.self = root;
        this.libc = null;
        List<LibrarySearch.Obj> todo = new ArrayList<>(List.of(root));
        Set<String> seen = new LinkedHashSet<>();
        List<LibrarySearch.Obj> all = new ArrayList<>();
        Map<String, LibrarySearch.Obj> bySoname = new HashMap<>();
        while (!todo.isEmpty()) {
            LibrarySearch.Obj o = todo.removeFirst();
            all.add(o);
            for (String need : o.elf().needed) {
                if (bySoname.containsKey(need)) continue;
                LibrarySearch.Obj lib = search.find(need, o);
                if (lib == null) {
                    String err = flavor.equals("musl")
                            ? "Error loading shared library " + need + ": No such file or directory (needed by "
                                    + o.path() + ")"
                            : path + ": error while loading shared libraries: " + need
                                    + ": cannot open shared object file: No such file or directory";
                    findings.add(new Finding(
                            Finding.Severity.ERROR,
                            "MissingLibrary",
                            o.path(),
                            err,
                            127,
                            o.path() + " needs " + need + ", which the " + flavor + " loader cannot find in the image",
                            withGo(origin(path), go),
                            List.of(
                                    "install the package that provides " + need + " in the final stage",
                                    "use a base image that has it (e.g. gcr.io/distroless/cc for libgcc/libstdc++)",
                                    "copy it from the build stage: COPY --from=" + buildStage(path) + " /usr/lib/.../"
                                            + need + " /usr/lib/")));
                    continue;
                }
                if (lib.elf() != null && !lib.path().equals(interp)) {
                    FileTree.Node ln = fs.stat(PathNames.clampToRoot(lib.path()), true);
                    String err = flavor.equals("musl")
                            ? "Error loading shared library " + need + ": Permission denied (needed by " + o.path()
                                    + ")"
                            : path + ": error while loading shared libraries: " + need
                                    + ": cannot open shared object file: Permission denied";
                    if (ln != null
                            && !permitted(ln, Access.R, err, 127, "the loader opens " + lib.path() + " (" + need + ")"))
                        continue;
                }
                bySoname.put(need, lib);
                if (need.startsWith("libc.so")) libc = lib;
                if (lib.elf() != null && seen.add(lib.path())) todo.add(lib);
            }
        }
        chain.add("loader " + interp + " (" + flavor + "), libraries: "
                + (bySoname.isEmpty()
                        ? "none"
                        : String.join(
                                ", ",
                                bySoname.entrySet().stream()
                                        .map(e -> e.getKey() + " => "
                                                + e.getValue().path())
                                        .toList())));
        if (!flavor.equals("glibc")) return;
        // symbol versions: every version an object needs must be defined by the library that satisfies it
        for (LibrarySearch.Obj o : all) {
            for (Map.Entry<String, Set<String>> e : o.elf().versionsNeeded.entrySet()) {
                LibrarySearch.Obj lib = bySoname.get(e.getKey());
                if (lib == null && e.getKey().startsWith("ld-linux")) lib = search.load(interp, o);
                if (lib == null || lib.elf() == null) continue;
                List<String> missing = new ArrayList<>();
                for (String v : e.getValue()) if (!lib.elf().versionsDefined.contains(v)) missing.add(v);
                if (missing.isEmpty()) continue;
                String have = lib.elf().versionsDefined.stream()
                        .filter(v -> v.startsWith("GLIBC_"))
                        .reduce((a, b) -> compareVersions(a, b) >= 0 ? a : b)
                        .orElse("?");
                findings.add(new Finding(
                        Finding.Severity.ERROR,
                        "MissingSymbolVersion",
                        o.path(),
                        path + ": " + lib.path() + ": version `" + missing.getFirst() + "' not found (required by "
                                + o.path() + ")",
                        1,
                        o.path() + " needs " + String.join(", ", missing) + " from " + e.getKey() + ", but the image's "
                                + lib.path() + " only goes up to " + have,
                        withGo(origin(path), go),
                        List.of(
                                "build against an older glibc (a build image as old as the runtime image)",
                                "use a runtime base with a newer glibc (e.g. -debian12 instead of -debian11)",
                                go != null
                                        ? "build with CGO_ENABLED=0 if the program does not need cgo"
                                        : "link statically")));
            }
        }
    }

    private static int compareVersions(String a, String b) {
        String[] x = a.replaceAll("[^0-9.]", "").split("\\."),
                y = b.replaceAll("[^0-9.]", "").split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int p = i < x.length && !x[i].isEmpty() ? Integer.parseInt(x[i]) : 0,
                    q = i < y.length && !y[i].isEmpty() ? Integer.parseInt(y[i]) : 0;
            if (p != q) return Integer.compare(p, q);
        }
        return 0;
    }

    private void staticNotes(String path, Elf elf, GoBuildInfo go, byte[] data) {
        boolean glibcStatic = contains(data, "GLIBC_") || contains(data, "libnss_");
        if (go == null && glibcStatic && (contains(data, "getaddrinfo") || contains(data, "getpwnam"))) {
            findings.add(new Finding(
                    Finding.Severity.NOTE,
                    "StaticNss",
                    path,
                    null,
                    0,
                    path
                            + " is statically linked against glibc and uses NSS (getaddrinfo/getpwnam): at run time glibc still loads "
                            + "libnss_*.so with dlopen, which static analysis cannot see",
                    List.of(),
                    List.of("make sure the image has the glibc NSS modules, or build with musl")));
        }
    }

    /**
     * The HEALTHCHECK's command as dockerd runs it (an exec in the container, same user, environment and working
     * directory): CMD through the exec analysis of the entrypoint; CMD-SHELL through the image's SHELL (default
     * /bin/sh -c), and the command's first word through the shell's PATH search. Its findings are the entrypoint's,
     * named Healthcheck…: the container starts, but never becomes healthy.
     */
    private void checkHealthcheck() throws IOException {
        Object hc = config.config().get("Healthcheck");
        if (!(hc instanceof Map<?, ?> m) || !(m.get("Test") instanceof List<?> t) || t.isEmpty()) return;
        String kind = String.valueOf(t.getFirst());
        List<String> rest = t.subList(1, t.size()).stream().map(String::valueOf).toList();
        List<String> args;
        if (kind.equals("CMD")) {
            args = rest;
        } else if (kind.equals("CMD-SHELL")) {
            List<String> shell =
                    config.shell() == null || config.shell().isEmpty() ? List.of("/bin/sh", "-c") : config.shell();
            args = new ArrayList<>(shell);
            args.add(String.join(" ", rest));
        } else {
            return; // NONE
        }
        if (args.isEmpty()) return;
        int from = findings.size(), chainFrom = chain.size(), errorsFrom = errors();
        checkProgram(args);
        if (kind.equals("CMD-SHELL") && errors() == errorsFrom) shellCommand(args.getFirst(), String.join(" ", rest));
        for (int i = from; i < findings.size(); i++)
            findings.set(i, findings.get(i).in(Finding.Phase.HEALTHCHECK, "Healthcheck"));
        for (int i = chainFrom; i < chain.size(); i++) chain.set(i, "healthcheck: " + chain.get(i));
    }

    /** The first word of a shell command, looked up as the shell would: a builtin, a path, or a PATH search. */
    private void shellCommand(String shell, String command) throws IOException {
        String word = command.strip().split("[\s;&|<>()]", 2)[0];
        if (word.isEmpty()
                || word.contains("=")
                || word.contains("$")
                || word.contains("`")
                || word.contains("'")
                || word.contains("\"")
                || SHELL_WORDS.contains(word)) return;
        if (word.contains("/")) {
            checkExec(
                    word.startsWith("/") ? word : "/" + PathNames.clampToRoot(config.workingDirOrRoot() + "/" + word),
                    0,
                    word);
            return;
        }
        if (lookPath(word) != null) return;
        FileTree.Node sh = fs.stat(PathNames.clampToRoot(shell), true);
        String impl = sh == null ? "" : PathNames.baseName(sh.path());
        // each shell's own words: busybox ash, dash (with the line number), bash
        String error = impl.equals("dash")
                ? shell + ": 1: " + word + ": not found"
                : impl.startsWith("bash")
                        ? shell + ": line 1: " + word + ": command not found"
                        : shell + ": " + word + ": not found";
        findings.add(new Finding(
                Finding.Severity.ERROR,
                "NotInPath",
                word,
                error,
                127,
                "the health check runs \"" + command + "\" with " + shell + ", and no " + word + " is in PATH="
                        + path(),
                List.of(),
                List.of(
                        "install " + word + " in the final stage",
                        "HEALTHCHECK CMD [\"/app/prog\", \"--health\"] with a probe the image has "
                                + "(a subcommand of the program itself, or a small static probe binary)")));
    }

    /** Shell builtins and keywords (POSIX sh, busybox ash, dash, bash): no PATH search for these. */
    private static final Set<String> SHELL_WORDS = Set.of(
            "exit", "true", "false", "test", "[", "echo", "printf", "cd", "exec", "if", "for", "while", "until", "case",
            "!", "{", "read", "kill", "command", "type", ":", ".", "set", "export", "eval", "wait", "trap", "return",
            "shift", "ulimit", "umask", "local");

    // --------------------------------------------------------------------------------------------- context

    private List<String> dirHas(String dir, String prefix) {
        List<String> out = new ArrayList<>();
        FileTree.Node d = fs.stat(dir, true);
        if (d == null || !d.isDir()) return out;
        for (String c : fs.children(d.path())) if (c.startsWith(prefix)) out.add(c);
        return out;
    }

    /** Where a file came from: the layer's instruction, line and stage. */
    private List<String> origin(String path) {
        List<String> out = new ArrayList<>();
        MergedTree.Resolved r = fs.merged().resolve(path, true);
        if (r.node() == null) return out;
        int layer = r.node().layer();
        Provenance.Layer pl = provenance == null ? null : provenance.layer(layer);
        if (pl != null) {
            String src = pl.fromStage() != null
                    ? "built in stage \"" + pl.fromStage() + "\""
                            + (provenance.stageBases().containsKey(pl.fromStage())
                                    ? " (FROM " + provenance.stageBases().get(pl.fromStage()) + ")"
                                    : "")
                            + ", "
                    : "";
            out.add(src + "copied by " + pl.instruction() + " (" + provenance.dockerfile() + ":" + pl.line()
                    + ", stage \"" + pl.stage() + "\")");
        } else {
            List<ImageConfig.History> h =
                    config.history().stream().filter(x -> !x.emptyLayer()).toList();
            if (layer < h.size() && h.get(layer).createdBy() != null)
                out.add("added by layer " + (layer + 1) + ": " + h.get(layer).createdBy());
        }
        return out;
    }

    private String buildStage(String path) {
        MergedTree.Resolved r = fs.merged().resolve(path, true);
        if (r.node() != null && provenance != null) {
            Provenance.Layer pl = provenance.layer(r.node().layer());
            if (pl != null && pl.fromStage() != null) return pl.fromStage();
        }
        return "build";
    }

    private String finalBase() {
        if (provenance == null || provenance.layers().isEmpty()) return null;
        String stage = provenance.layers().getLast().stage();
        return provenance.stageBases().get(stage);
    }

    /** Where a binary for the wrong machine came from, and the architecture Go's build info says it was built for. */
    private List<String> wrongArchDetails(String path, GoBuildInfo go) {
        List<String> out = withGo(origin(path), go);
        if (go != null && go.setting("GOARCH") != null)
            out.add("Go build info: GOARCH=" + go.setting("GOARCH") + ", the image is " + config.architecture());
        return out;
    }

    private static List<String> withGo(List<String> details, GoBuildInfo go) {
        List<String> out = new ArrayList<>(details);
        if (go != null) {
            StringBuilder sb = new StringBuilder("Go " + go.goVersion().replaceFirst("^go", ""));
            if (go.path() != null) sb.append(", ").append(go.path());
            String cgo = go.setting("CGO_ENABLED");
            if (cgo != null) sb.append(", CGO_ENABLED=").append(cgo);
            if (go.setting("-ldflags") != null) sb.append(", -ldflags=").append(go.setting("-ldflags"));
            if (go.setting("-tags") != null) sb.append(", -tags=").append(go.setting("-tags"));
            if (go.setting("-buildmode") != null) sb.append(", -buildmode=").append(go.setting("-buildmode"));
            if (go.setting("CC") != null) sb.append(", CC=").append(go.setting("CC"));
            out.add(sb.toString());
        }
        return out;
    }

    static boolean contains(byte[] data, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + n.length <= data.length; i++) {
            if (data[i] != n[0]) continue;
            for (int j = 1; j < n.length; j++) if (data[i + j] != n[j]) continue outer;
            return true;
        }
        return false;
    }
}
