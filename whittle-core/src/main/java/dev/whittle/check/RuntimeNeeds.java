package dev.whittle.check;

import dev.whittle.image.ImageConfig;
import dev.whittle.rootfs.FileTree;
import dev.whittle.rootfs.Users;
import dev.whittle.tar.PathNames;
import dev.whittle.tar.TarEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a program needs from the image once it has started, read from what it links: a Go program's function names
 * (pclntab, {@link GoSymbols}) and build info, a C program's dynamic imports. Each need is checked against the
 * image's files, environment and user: TLS roots, time zones, the user's passwd entry, a temp directory, the glibc
 * NSS modules name resolution and user lookups load with dlopen, and the volumes the user must write.
 *
 * <p>Levels: ERROR when the program certainly has the code path (the API that needs the file is linked and nothing
 * else in the binary explains it) and nothing in the image can satisfy it; WARNING when the program may not take the
 * path (a temp file may go to a directory of its own choosing; a volume may only be read).
 */
final class RuntimeNeeds {
    /** Go's crypto/x509 bundle files and directories on Linux (root_linux.go), in its order. */
    static final List<String> CERT_FILES = List.of(
            "/etc/ssl/certs/ca-certificates.crt",
            "/etc/pki/tls/certs/ca-bundle.crt",
            "/etc/ssl/ca-bundle.pem",
            "/etc/pki/tls/cacert.pem",
            "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
            "/etc/ssl/cert.pem");

    static final List<String> CERT_DIRS =
            List.of("/etc/ssl/certs", "/etc/pki/tls/certs", "/system/etc/security/cacerts");
    /** Go's time zone directories (zoneinfo_unix.go). */
    static final List<String> ZONE_DIRS =
            List.of("/usr/share/zoneinfo", "/usr/share/lib/zoneinfo", "/usr/lib/locale/TZ");

    /** The program being checked: its file, ELF, bytes, Go facts (null for C), libc flavour and its glibc, if any. */
    record Program(
            String path,
            Elf elf,
            byte[] data,
            GoBuildInfo go,
            String libc,
            Elf glibc,
            LibrarySearch search,
            LibrarySearch.Obj self) {}

    private final FileTree fs;
    private final ImageConfig config;
    private final Users.Id who;
    private final Finding.Phase phase;
    private final List<Finding> out = new ArrayList<>();

    private RuntimeNeeds(FileTree fs, ImageConfig config, Users.Id who, Finding.Phase phase) {
        this.fs = fs;
        this.config = config;
        this.who = who;
        this.phase = phase;
    }

    /** The findings about {@code p}; {@code who} is the container's user (null when USER cannot be resolved). */
    static List<Finding> check(FileTree fs, ImageConfig config, Users.Id who, Program p, Finding.Phase phase)
            throws IOException {
        RuntimeNeeds r = new RuntimeNeeds(fs, config, who, phase);
        GoSymbols sym = p.go() != null ? GoSymbols.read(p.elf()) : null;
        if (sym != null) r.go(p, sym);
        else if (p.go() == null) r.c(p);
        return r.out;
    }

    /** Volumes a non-root user cannot write (nothing in the binary says whether it writes them: a warning). */
    static List<Finding> volumes(FileTree fs, ImageConfig config, Users.Id who, Finding.Phase phase)
            throws IOException {
        RuntimeNeeds r = new RuntimeNeeds(fs, config, who, phase);
        if (who != null && who.uid() != 0 && config.config().get("Volumes") instanceof Map<?, ?> vols) {
            for (Object v : vols.keySet()) r.volume(String.valueOf(v));
        }
        return r.out;
    }

    // ------------------------------------------------------------------------------------------------------ Go

    private void go(Program p, GoSymbols sym) throws IOException {
        String roots =
                sym.first("crypto/x509.loadSystemRoots", "crypto/x509.initSystemRoots", "crypto/x509.systemRootsPool");
        // a TLS client: net/http's transport, or crypto/tls.Client taken as a method value by Dial; a server alone
        // links
        // the verifier too (for client certificates), but only uses the system roots when ClientCAs is unset
        String client = sym.first(
                "net/http.(*Transport).roundTrip",
                "crypto/tls.(*Conn).clientHandshake-fm",
                "crypto/tls.Client",
                "crypto/tls.Dial",
                "crypto/tls.DialWithDialer",
                "crypto/tls.(*Dialer).DialContext");
        if (roots != null && client != null) tlsRoots(p, roots + " and " + client);
        if (sym.has("time.LoadLocation")) zoneinfo(p, sym);
        String current = sym.first("os/user.Current");
        boolean cgoUser = sym.hasPrefix("os/user._Cfunc_") || sym.hasPrefix("os/user._C2func_");
        if (current != null) currentUser(p, current, cgoUser);
        else if (sym.first("os/user.Lookup", "os/user.LookupId") != null)
            passwdFile(sym.first("os/user.Lookup", "os/user.LookupId"));
        String temp = sym.first("os.CreateTemp", "os.MkdirTemp", "io/ioutil.TempFile", "io/ioutil.TempDir");
        if (temp != null) tempDir(temp);
        // linked only when called (Go's linker drops what is unreachable): the program creates files somewhere
        String creates = sym.first("os.Create", "os.WriteFile", "os.Mkdir", "os.MkdirAll", "io/ioutil.WriteFile");
        if (creates != null) workingDir(creates);
        String cgoResolver = sym.first("net._C2func_getaddrinfo", "net._Cfunc_getaddrinfo");
        if (cgoResolver != null && "glibc".equals(p.libc()) && goUsesCgoResolver(p.go())) {
            nss(
                    p,
                    "hosts",
                    cgoResolver + " (Go's cgo resolver"
                            + (forcedCgo(p.go()) ? ", forced by " + forcedBy(p.go()) : ", chosen by /etc/nsswitch.conf")
                            + ")");
        }
        if (cgoUser && "glibc".equals(p.libc())) nss(p, "passwd", "os/user's cgo lookups (getpwuid_r)");
    }

    private void tlsRoots(Program p, String evidence) throws IOException {
        String file = config.envValue("SSL_CERT_FILE"), dir = config.envValue("SSL_CERT_DIR");
        List<String> files = file != null && !file.isEmpty() ? List.of(file) : CERT_FILES;
        List<String> dirs = dir != null && !dir.isEmpty() ? List.of(dir.split(":")) : CERT_DIRS;
        for (String f : files) if (readableFile(f)) return;
        for (String d : dirs) {
            FileTree.Node n = stat(d);
            if (n == null || !n.isDir() || !Access.allows(n, who(), Access.R)) continue;
            for (String c : fs.children(n.path())) if (readableFile("/" + n.path() + "/" + c)) return;
        }
        out.add(new Finding(
                Finding.Severity.ERROR,
                "NoCaCertificates",
                files.getFirst(),
                "x509: certificate signed by unknown authority",
                1,
                p.path() + " verifies TLS servers with the system roots (" + evidence
                        + "), and the image has no CA bundle "
                        + (file != null && !file.isEmpty()
                                ? "at SSL_CERT_FILE=" + file
                                : "(" + String.join(", ", CERT_FILES) + ")")
                        + " and no certificates in " + String.join(", ", dirs),
                List.of(),
                List.of(
                        "COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/",
                        "use a base with CA certificates (gcr.io/distroless/static, or apk add ca-certificates on alpine)",
                        "embed roots in the program (golang.org/x/crypto/x509roots/fallback)"),
                phase));
    }

    private void zoneinfo(Program p, GoSymbols sym) throws IOException {
        if (sym.has("time/tzdata.loadFromEmbeddedTZData") || sym.hasPrefix("time/tzdata.")) return;
        String zi = config.envValue("ZONEINFO");
        if (zi != null && !zi.isEmpty() && stat(zi) != null) return;
        for (String d : ZONE_DIRS) {
            FileTree.Node n = stat(d);
            if (n != null && n.isDir() && !fs.children(n.path()).isEmpty()) return;
        }
        // runtime.GOROOT(): $GOROOT, or the toolchain's directory recorded at link time (absent with -trimpath)
        String goroot = config.envValue("GOROOT");
        if (goroot != null && stat(goroot + "/lib/time/zoneinfo.zip") != null) return;
        for (String g : gorootCandidates()) {
            if (!"true".equals(p.go().setting("-trimpath")) && EntrypointCheck.contains(p.data(), g + "/src/runtime/"))
                return;
        }
        out.add(new Finding(
                Finding.Severity.ERROR,
                "NoZoneinfo",
                "/usr/share/zoneinfo",
                "unknown time zone <name>",
                1,
                p.path()
                        + " loads time zones by name (time.LoadLocation), does not embed them (no time/tzdata), and the image has no "
                        + String.join(", ", ZONE_DIRS)
                        + (zi != null ? " and ZONEINFO=" + zi + " is not in the image" : " and no ZONEINFO"),
                List.of(),
                List.of(
                        "import _ \"time/tzdata\" in the program's main package (or build with -tags timetzdata): +450 KB",
                        "COPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo",
                        "use a base with zoneinfo (gcr.io/distroless/static, or apk add tzdata on alpine)"),
                phase));
    }

    /** GOROOTs in the image that have the zoneinfo.zip runtime.GOROOT() would find. */
    private List<String> gorootCandidates() throws IOException {
        List<String> out = new ArrayList<>();
        for (String g : List.of("/usr/local/go", "/usr/lib/go"))
            if (stat(g + "/lib/time/zoneinfo.zip") != null) out.add(g);
        FileTree.Node lib = stat("/usr/lib");
        if (lib != null && lib.isDir()) {
            for (String c : fs.children(lib.path())) {
                if (c.startsWith("go-") && stat("/usr/lib/" + c + "/lib/time/zoneinfo.zip") != null)
                    out.add("/usr/lib/" + c);
            }
        }
        return out;
    }

    private void currentUser(Program p, String evidence, boolean cgo) throws IOException {
        Users.Id w = who();
        if (hasPasswdEntry(w.uid())) return;
        String userEnv = config.envValue("USER");
        if (!cgo && userEnv != null && !userEnv.isEmpty())
            return; // pure Go falls back to $USER and $HOME (docker sets HOME)
        String err = cgo ? "user: unknown userid " + w.uid() : "user: Current requires cgo or $USER set in environment";
        out.add(new Finding(
                Finding.Severity.ERROR,
                "NoPasswdEntry",
                "/etc/passwd",
                err,
                1,
                p.path() + " looks up the current user (" + evidence
                        + (cgo ? ", through the C library" : ", in pure Go") + "), and uid "
                        + w.uid() + (config.user().isEmpty() ? " (no USER)" : " (USER " + config.user() + ")")
                        + " has no entry in "
                        + (stat("/etc/passwd") == null ? "the image, which has no /etc/passwd" : "/etc/passwd")
                        + (cgo ? "" : ", and no USER variable is set"),
                List.of(),
                cgo
                        ? List.of(
                                "add a passwd entry for uid " + w.uid()
                                        + " (COPY a passwd file, or use a base that has the user: distroless's nonroot is 65532)",
                                "USER a user the image's /etc/passwd has")
                        : List.of(
                                "add a passwd entry for uid " + w.uid()
                                        + " (COPY a passwd file, or use a base that has the user: distroless's nonroot is 65532)",
                                "ENV USER=<name> (pure-Go os/user falls back to $USER and $HOME)"),
                phase));
    }

    private void passwdFile(String evidence) throws IOException {
        if (stat("/etc/passwd") != null) return;
        out.add(new Finding(
                Finding.Severity.WARNING,
                "NoPasswdFile",
                "/etc/passwd",
                "user: unknown user <name>",
                1,
                "the program looks users up by name or id (" + evidence
                        + "), and the image has no /etc/passwd: every lookup fails",
                List.of(),
                List.of("COPY a passwd file with the users the program looks up", "use a base with /etc/passwd"),
                phase));
    }

    private void tempDir(String evidence) throws IOException {
        String tmp = config.envValue("TMPDIR");
        String dir = tmp == null || tmp.isEmpty() ? "/tmp" : tmp;
        FileTree.Node n = stat(dir);
        Users.Id w = who();
        String problem;
        String error;
        if (n == null || !n.isDir()) {
            problem = "the image has no " + dir;
            error = "open " + dir + "/<pattern>: no such file or directory";
        } else if (!Access.allows(n, w, Access.W | Access.X) || Access.unsearchable(fs, "/" + n.path(), w) != null) {
            problem = dir + " (" + Access.describe(n) + ") is not writable by " + Access.describe(w);
            error = "open " + dir + "/<pattern>: permission denied";
        } else {
            return;
        }
        out.add(new Finding(
                Finding.Severity.WARNING,
                "NoTempDir",
                dir,
                error,
                1,
                "the program creates temporary files (" + evidence
                        + ") in $TMPDIR or /tmp unless it names a directory, and " + problem,
                List.of(),
                List.of(
                        "give the image a /tmp writable by everyone: COPY --from=build --chmod=1777 /tmp /tmp (mode 1777)",
                        "ENV TMPDIR=<a directory the USER owns>"),
                phase));
    }

    /**
     * A non-root USER whose working directory it cannot write: a relative path the program creates fails there. Where
     * the program writes is not in the binary, so this is a note, not a warning.
     */
    private void workingDir(String evidence) throws IOException {
        Users.Id w = who();
        if (w == null || w.uid() == 0) return;
        String cwd = config.workingDirOrRoot();
        FileTree.Node n = stat(cwd);
        // a root no layer names (FROM scratch) is what the runtime makes of it: root's, mode 755
        if (n == null && PathNames.clampToRoot(cwd).isEmpty())
            n = new FileTree.Node("", TarEntry.Type.DIR, 0755, 0, 0, 0, 0, null, null);
        if (n == null || !n.isDir()) return; // runc creates a missing WORKDIR owned by root; EntrypointCheck says so
        if (Access.allows(n, w, Access.W | Access.X) && Access.unsearchable(fs, "/" + n.path(), w) == null) return;
        out.add(new Finding(
                Finding.Severity.NOTE,
                "WorkdirNotWritable",
                cwd,
                "open <relative path>: permission denied",
                1,
                "the program creates files (" + evidence + "), and its working directory " + cwd + " ("
                        + Access.describe(n) + ") is not writable by " + Access.describe(w)
                        + ": a relative path it creates fails; absolute paths elsewhere may be fine",
                List.of(),
                List.of(
                        "WORKDIR a directory the USER owns: COPY --chown=" + w.uid() + ":" + w.gid()
                                + " ... <dir>, then WORKDIR <dir>",
                        "have the program write under a directory it owns (a VOLUME or $HOME)"),
                phase));
    }

    private void volume(String path) throws IOException {
        FileTree.Node n = stat(path);
        Users.Id w = who;
        if (n != null && n.isDir() && Access.allows(n, w, Access.W | Access.X)) return;
        String what = n == null
                ? "is not in the image, so docker creates it owned by root (mode 755)"
                : "is " + Access.describe(n);
        out.add(new Finding(
                Finding.Severity.WARNING,
                "VolumeNotWritable",
                path,
                "open " + path + "/<file>: permission denied",
                1,
                "VOLUME " + path + " " + what + ", and the container runs as " + Access.describe(w)
                        + ": a new volume copies that ownership, so the program cannot create files in it",
                List.of(),
                List.of("create it owned by the user before VOLUME: COPY --chown=" + w.uid() + ":" + w.gid() + " ... "
                        + path + " or RUN mkdir -p " + path + " && chown " + w.uid() + " " + path),
                phase));
    }

    // ------------------------------------------------------------------------------------------------------- C

    private void c(Program p) throws IOException {
        if (!"glibc".equals(p.libc())) return; // musl reads /etc/hosts, /etc/resolv.conf and /etc/passwd itself
        Set<String> imports = p.elf().dynamicImports();
        String hosts =
                first(imports, "getaddrinfo", "gethostbyname", "gethostbyname_r", "gethostbyname2_r", "getnameinfo");
        if (hosts != null) nss(p, "hosts", hosts);
        String users = first(imports, "getpwnam", "getpwnam_r", "getpwuid", "getpwuid_r", "getpwent");
        if (users != null) nss(p, "passwd", users);
    }

    private static String first(Set<String> s, String... names) {
        for (String n : names) if (s.contains(n)) return n;
        return null;
    }

    // ----------------------------------------------------------------------------------------------------- NSS

    /**
     * glibc loads the modules of /etc/nsswitch.conf's line for {@code db} with dlopen; a module it cannot load is
     * skipped. Since glibc 2.34 {@code files} and {@code dns} are built into libc.so.6.
     */
    private void nss(Program p, String db, String evidence) throws IOException {
        List<String> sources = nsswitch(db);
        boolean builtin = p.glibc() != null && p.glibc().versionsDefined.contains("GLIBC_2.34");
        List<String> missing = new ArrayList<>();
        int available = 0;
        for (String s : sources) {
            if (builtin && (s.equals("files") || s.equals("dns"))) {
                available++;
                continue;
            }
            LibrarySearch.Obj m = p.search() == null ? null : p.search().find("libnss_" + s + ".so.2", p.self());
            if (m != null) available++;
            else missing.add("libnss_" + s + ".so.2");
        }
        if (missing.isEmpty()) return;
        boolean none = available == 0;
        String line = db + ": " + String.join(" ", sources);
        // glibc answers with whatever errno its failed dlopen left (EBUSY, ENOENT…): the message names the host, not a
        // cause
        String err = db.equals("hosts") ? "lookup <host>: <error>" : "user: unknown userid " + who().uid();
        out.add(new Finding(
                none ? Finding.Severity.ERROR : Finding.Severity.WARNING,
                "MissingNssModule",
                "/etc/nsswitch.conf",
                err,
                1,
                p.path() + " resolves " + (db.equals("hosts") ? "host names" : "users") + " through glibc's NSS ("
                        + evidence + "); "
                        + (stat("/etc/nsswitch.conf") == null
                                ? "without /etc/nsswitch.conf glibc uses \"" + line + "\""
                                : "/etc/nsswitch.conf says \"" + line + "\"")
                        + ", and the image lacks " + String.join(", ", missing)
                        + (none
                                ? ": no source can answer, so every lookup fails"
                                : ": lookups only those modules answer fail"),
                List.of(),
                List.of(
                        "install the modules (libnss_"
                                + String.join(
                                        ", libnss_",
                                        missing.stream()
                                                .map(x -> x.substring(7, x.length() - 5))
                                                .toList())
                                + ") in the final stage, or use a glibc base that has them (gcr.io/distroless/base)",
                        "list only sources the image has in /etc/nsswitch.conf (for example \"" + db + ": files dns\")",
                        p.go() != null
                                ? "build with -tags netgo,osusergo (and CGO_ENABLED=0 if the program has no C code): Go then resolves by itself"
                                : "link against musl, whose resolver needs no modules"),
                phase));
    }

    /** The sources of {@code db} in /etc/nsswitch.conf (actions in brackets dropped), or glibc's defaults. */
    private List<String> nsswitch(String db) throws IOException {
        byte[] b = fs.readSmall("etc/nsswitch.conf", 1 << 20);
        if (b != null) {
            for (String line : new String(b, StandardCharsets.UTF_8).split("\n")) {
                String l = line.replaceFirst("#.*", "").trim();
                if (!l.startsWith(db + ":") && !l.startsWith(db + " ") && !l.startsWith(db + "\t")) continue;
                String rest = l.substring(l.indexOf(':') + 1)
                        .replaceAll("\\[[^]]*]", " ")
                        .trim();
                if (!l.contains(":")) continue;
                List<String> out = new ArrayList<>();
                for (String s : rest.split("\\s+")) if (!s.isEmpty()) out.add(s);
                if (!out.isEmpty()) return out;
            }
        }
        return db.equals("hosts") ? List.of("dns", "files") : List.of("files");
    }

    /** Go 1.19's conf.go: the cgo resolver runs when forced or when nsswitch.conf lists a source Go cannot follow itself. */
    private boolean goUsesCgoResolver(GoBuildInfo go) throws IOException {
        if (forcedCgo(go)) return true;
        String tags = go.setting("-tags");
        if (tags != null && List.of(tags.split(",")).contains("netgo")) return false;
        if (fs.readSmall("etc/nsswitch.conf", 1 << 20) == null) return false;
        for (String s : nsswitch("hosts")) if (!s.equals("files") && !s.equals("dns")) return true;
        return false;
    }

    private boolean forcedCgo(GoBuildInfo go) {
        return forcedBy(go) != null;
    }

    private String forcedBy(GoBuildInfo go) {
        String tags = go.setting("-tags");
        if (tags != null && List.of(tags.split(",")).contains("netcgo")) return "-tags netcgo";
        String debug = config.envValue("GODEBUG");
        if (debug != null && debug.matches(".*\\bnetdns=([0-9]*\\+)?cgo\\b.*")) return "GODEBUG=" + debug;
        return null;
    }

    // ---------------------------------------------------------------------------------------------------- files

    private Users.Id who() {
        return who != null ? who : new Users.Id(0, 0, List.of());
    }

    private boolean hasPasswdEntry(long uid) throws IOException {
        byte[] b = fs.readSmall("etc/passwd", 4 << 20);
        if (b == null) return false;
        for (String line : new String(b, StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.split(":", -1);
            if (f.length >= 4 && f[2].equals(Long.toString(uid))) return true;
        }
        return false;
    }

    private FileTree.Node stat(String path) throws IOException {
        return fs.stat(PathNames.clampToRoot(path), true);
    }

    private boolean readableFile(String path) throws IOException {
        FileTree.Node n = stat(path);
        return n != null
                && n.type() == TarEntry.Type.FILE
                && n.size() > 0
                && Access.allows(n, who(), Access.R)
                && Access.unsearchable(fs, "/" + n.path(), who()) == null;
    }
}
