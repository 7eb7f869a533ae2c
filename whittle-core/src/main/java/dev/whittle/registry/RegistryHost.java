package dev.whittle.registry;

import dev.whittle.image.Descriptor;
import dev.whittle.image.Digest;
import dev.whittle.json.Json;
import dev.whittle.json.JsonObjects;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * The distribution API of one registry endpoint: manifests and blobs in, out and checked, with authorization,
 * redirects (credentials never sent to another host), retries with back-off on 5xx, 429 and broken connections,
 * resumed blob downloads, and errors that carry the registry's own code and message.
 */
public final class RegistryHost {
    /** Every manifest type whittle reads, as containerd sends them. */
    public static final String ACCEPT = String.join(
            ", ",
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.oci.image.index.v1+json",
            "*/*");

    static final int MAX_MANIFEST = 8 << 20;
    private static final int MAX_REDIRECTS = 10;
    private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);

    private final RegistryClient client;
    private final RegistryConfig.Endpoint endpoint;
    private final HttpClient http;
    private final boolean insecure;
    private final Authenticator auth;
    private volatile String scheme;

    RegistryHost(
            RegistryClient client,
            RegistryConfig.Endpoint endpoint,
            HttpClient http,
            boolean insecure,
            Authenticator auth) {
        this.client = client;
        this.endpoint = endpoint;
        this.http = http;
        this.insecure = insecure;
        this.auth = auth;
        this.scheme = endpoint.scheme();
    }

    public RegistryConfig.Endpoint endpoint() {
        return endpoint;
    }

    /** The host name, as messages show it. */
    public String name() {
        return endpoint.host();
    }

    /** The repository path on this endpoint (a mirror may add a prefix). */
    public String repository(String path) {
        return endpoint.repository(path);
    }

    private RegistryConfig config() {
        return client.config();
    }

    /** Checks that the registry answers and accepts the credentials (what docker login does). */
    public void ping() throws IOException {
        HttpResponse<InputStream> r = exchange(new Call("GET", "/v2/", null, Map.of(), List.of(), "login", true));
        if (r.statusCode() != 200) throw error(r, "login");
        r.body().close();
    }

    // ------------------------------------------------------------------------------------------------ manifests

    /** A manifest or index as the registry sent it, verified against its digest. */
    public record Fetched(byte[] body, String mediaType, Digest digest) {}

    /** Fetches a manifest by tag or digest; a digest reference, and any digest the registry states, are verified. */
    public Fetched manifest(String repo, String reference, String what) throws IOException {
        HttpResponse<InputStream> r = exchange(new Call(
                "GET",
                "/v2/" + repo + "/manifests/" + reference,
                null,
                Map.of("Accept", ACCEPT),
                pull(repo),
                what,
                true));
        if (r.statusCode() != 200) throw error(r, what);
        byte[] body;
        try (InputStream in = guarded(r.body())) {
            body = in.readNBytes(MAX_MANIFEST + 1);
        }
        if (body.length > MAX_MANIFEST)
            throw new RegistryException(name() + ": " + what + ": manifest larger than 8 MiB", "MANIFEST_INVALID", 200);
        Digest actual = Digest.sha256(body);
        if (Digest.isDigest(reference) && !Digest.parse(reference).equals(actual)) {
            throw new RegistryException(
                    name() + ": " + what + ": the registry sent a manifest whose digest is " + actual,
                    "DIGEST_INVALID",
                    200);
        }
        Optional<String> stated = r.headers().firstValue("Docker-Content-Digest");
        if (stated.isPresent()
                && stated.get().startsWith("sha256:")
                && !stated.get().equals(actual.toString())) {
            throw new RegistryException(
                    name() + ": " + what + ": Docker-Content-Digest " + stated.get()
                            + " does not match the manifest's digest " + actual,
                    "DIGEST_INVALID",
                    200);
        }
        String type = r.headers()
                .firstValue("Content-Type")
                .map(RegistryHost::bareType)
                .orElse("");
        return new Fetched(body, type, actual);
    }

    /** The digest a tag points at, from a HEAD (which registries do not count as a pull), if the registry says. */
    public Optional<Digest> manifestDigest(String repo, String reference, String what) throws IOException {
        HttpResponse<InputStream> r = exchange(new Call(
                "HEAD",
                "/v2/" + repo + "/manifests/" + reference,
                null,
                Map.of("Accept", ACCEPT),
                pull(repo),
                what,
                true));
        r.body().close();
        if (r.statusCode() == 404)
            throw new RegistryException(
                    name() + ": " + what + ": MANIFEST_UNKNOWN: manifest unknown", "MANIFEST_UNKNOWN", 404);
        if (r.statusCode() != 200) return Optional.empty();
        return r.headers()
                .firstValue("Docker-Content-Digest")
                .filter(Digest::isDigest)
                .map(Digest::parse);
    }

    /** Every tag of a repository, following the registry's pagination (the Link header's rel="next"). */
    public List<String> tags(String repo, String what) throws IOException {
        List<String> tags = new ArrayList<>();
        String target = "/v2/" + repo + "/tags/list?n=1000";
        for (int page = 0; target != null; page++) {
            if (page == 10_000)
                throw new RegistryException(name() + ": " + what + ": the tag list does not end", null, 200);
            HttpResponse<InputStream> r = exchange(
                    new Call("GET", target, null, Map.of("Accept", "application/json"), pull(repo), what, true));
            if (r.statusCode() != 200) throw error(r, what);
            byte[] body;
            try (InputStream in = guarded(r.body())) {
                body = in.readNBytes(MAX_MANIFEST + 1);
            }
            try {
                List<Object> page0 = JsonObjects.array(Json.parseObject(body), "tags");
                if (page0 != null) for (Object t : page0) if (t instanceof String s) tags.add(s);
            } catch (RuntimeException e) {
                throw new RegistryException(
                        name() + ": " + what + ": the registry sent an invalid tag list", null, 200);
            }
            target = nextPage(r);
        }
        return tags;
    }

    private static String nextPage(HttpResponse<?> r) {
        for (String link : r.headers().allValues("Link")) {
            int lt = link.indexOf('<'), gt = link.indexOf('>');
            if (lt >= 0 && gt > lt && link.substring(gt).contains("rel=\"next\""))
                return r.uri().resolve(link.substring(lt + 1, gt)).toString();
        }
        return null;
    }

    /** Stores a manifest under a tag or digest and returns the digest the registry gives it. */
    public Digest putManifest(String repo, String reference, String mediaType, byte[] body, String what)
            throws IOException {
        HttpResponse<InputStream> r = exchange(new Call(
                "PUT",
                "/v2/" + repo + "/manifests/" + reference,
                () -> HttpRequest.BodyPublishers.ofByteArray(body),
                Map.of("Content-Type", mediaType),
                push(repo),
                what,
                true));
        r.body().close();
        if (r.statusCode() != 201 && r.statusCode() != 200 && r.statusCode() != 202) throw error(r, what);
        Digest d = Digest.sha256(body);
        Optional<String> stated = r.headers().firstValue("Docker-Content-Digest");
        if (stated.isPresent()
                && stated.get().startsWith("sha256:")
                && !stated.get().equals(d.toString())) {
            throw new RegistryException(
                    name() + ": " + what + ": the registry stored the manifest as " + stated.get() + ", not as " + d
                            + " (it changed the bytes)",
                    "MANIFEST_INVALID",
                    r.statusCode());
        }
        return d;
    }

    // ------------------------------------------------------------------------------------------------ blobs

    public boolean hasBlob(String repo, Digest d, boolean forPush) throws IOException {
        String what = "blob " + d.shortHex() + " in " + repo;
        HttpResponse<InputStream> r = exchange(new Call(
                "HEAD", "/v2/" + repo + "/blobs/" + d, null, Map.of(), forPush ? push(repo) : pull(repo), what, true));
        r.body().close();
        if (r.statusCode() == 200) return true;
        if (r.statusCode() == 404) return false;
        throw error(r, what);
    }

    /**
     * Opens a blob for reading. Broken connections are resumed with a Range request from where they stopped (or
     * the already-read part is skipped when the registry ignores ranges); a stalled one is cut and resumed. More
     * bytes than the descriptor's size is an error. The caller verifies the digest.
     */
    public InputStream blob(String repo, Descriptor d, LongConsumer progress) throws IOException {
        BlobStream s = new BlobStream(repo, d, progress);
        s.open();
        return s;
    }

    private final class BlobStream extends InputStream {
        private final String repo;
        private final Descriptor d;
        private final LongConsumer progress;
        private final String what;
        private InputStream cur;
        private long pos;
        private int failures;

        BlobStream(String repo, Descriptor d, LongConsumer progress) {
            this.repo = repo;
            this.d = d;
            this.progress = progress;
            this.what = "blob " + d.digest().shortHex() + " of " + repo;
        }

        void open() throws IOException {
            Map<String, String> h = pos > 0 ? Map.of("Range", "bytes=" + pos + "-") : Map.of();
            HttpResponse<InputStream> r =
                    exchange(new Call("GET", "/v2/" + repo + "/blobs/" + d.digest(), null, h, pull(repo), what, true));
            InputStream body = r.body();
            if (r.statusCode() == 206) {
                String cr = r.headers().firstValue("Content-Range").orElse("");
                if (!cr.startsWith("bytes " + pos + "-")) {
                    body.close();
                    throw new RegistryException(
                            name() + ": " + what + ": asked to resume at byte " + pos + ", got range \"" + cr + "\"",
                            null,
                            206);
                }
            } else if (r.statusCode() == 200) {
                long skipped = 0;
                while (skipped < pos) {
                    long k = body.skip(pos - skipped);
                    if (k <= 0) {
                        if (body.read() < 0) throw new EOFException("connection closed before the resume point");
                        k = 1;
                    }
                    skipped += k;
                }
            } else {
                throw error(r, what);
            }
            cur = guarded(new BufferedInputStream(body, 1 << 17));
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (true) {
                try {
                    int n = cur.read(b, off, len);
                    if (n < 0) {
                        if (d.size() >= 0 && pos < d.size())
                            throw new EOFException("connection closed after " + pos + " of " + d.size() + " bytes");
                        return -1;
                    }
                    pos += n;
                    if (d.size() >= 0 && pos > d.size()) {
                        throw new RegistryException(
                                name() + ": " + what + ": the registry sent more than the " + d.size()
                                        + " bytes the manifest states",
                                "SIZE_INVALID",
                                200);
                    }
                    if (progress != null) progress.accept(pos);
                    return n;
                } catch (RegistryException | InterruptedIOException e) {
                    throw e;
                } catch (IOException e) {
                    resume(e);
                }
            }
        }

        private void resume(IOException cause) throws IOException {
            closeQuietly(cur);
            if (++failures > config().retries()) {
                throw new RegistryException(
                        name() + ": " + what + ": download failed after " + failures + " attempts: " + describe(cause),
                        cause);
            }
            pause(backoff(failures));
            open();
        }

        @Override
        public void close() throws IOException {
            if (cur != null) cur.close();
        }
    }

    /** What became of a blob on push. */
    public enum Upload {
        EXISTS,
        MOUNTED,
        PUSHED
    }

    /**
     * Uploads a blob from a file unless the repository has it or can mount it from {@code mountFrom} (a repository
     * on this registry that has it). Monolithic (POST, then PUT with the data) unless the configuration sets a chunk
     * size, then PATCHes with Content-Range. A failed attempt starts a new upload session.
     */
    public Upload upload(String repo, Descriptor d, Path file, String mountFrom, long chunkSize, LongConsumer progress)
            throws IOException {
        if (hasBlob(repo, d.digest(), true)) return Upload.EXISTS;
        String what = "blob " + d.digest().shortHex() + " to " + repo;
        boolean tryMount = mountFrom != null && !mountFrom.equals(repo);
        for (int attempt = 1; ; attempt++) {
            try {
                URI location;
                if (tryMount) {
                    tryMount = false;
                    HttpResponse<InputStream> r = postMount(repo, d, mountFrom, what);
                    if (r.statusCode() == 201) return Upload.MOUNTED;
                    if (r.statusCode() != 202) {
                        // a refused mount (no pull right on the source, say) is not an error: upload instead
                        location = startUpload(repo, what);
                    } else {
                        location = location(r, what);
                    }
                } else {
                    location = startUpload(repo, what);
                }
                if (chunkSize > 0 && d.size() > chunkSize)
                    uploadChunked(repo, d, file, location, chunkSize, progress, what);
                else uploadMonolithic(repo, d, file, location, progress, what);
                return Upload.PUSHED;
            } catch (IOException e) {
                if (!retriable(e) || attempt > config().retries()) {
                    // a connection that failed (status 0) is described from its cause; the registry's own answer says
                    // enough
                    IOException cause = e instanceof RegistryException r
                                    && r.status() == 0
                                    && r.getCause() instanceof IOException io
                            ? io
                            : e;
                    if (cause instanceof RegistryException) throw e;
                    throw new RegistryException(
                            name() + ": " + what + ": upload failed after " + attempt + " attempts: " + describe(cause)
                                    + "; check that the registry is up and accepts the upload (its log says why it dropped it; a proxy"
                                    + " in front of it may limit the size of requests), then push again",
                            cause);
                }
                if (progress != null) progress.accept(0);
                pause(backoff(attempt));
            }
        }
    }

    /**
     * Mounts a blob into {@code repo} from {@code mountFrom} (a repository of this registry) without sending it, for a
     * caller that would have to fetch the blob before it could upload it; false when the registry will not mount it
     * (the upload session it opens instead is cancelled).
     */
    public boolean mount(String repo, Descriptor d, String mountFrom) throws IOException {
        String what = "blob " + d.digest().shortHex() + " to " + repo;
        HttpResponse<InputStream> r = postMount(repo, d, mountFrom, what);
        if (r.statusCode() == 201) return true;
        if (r.statusCode() == 202) {
            try {
                exchange(new Call("DELETE", location(r, what).toString(), null, Map.of(), push(repo), what, true))
                        .body()
                        .close();
            } catch (IOException e) {
                // a session left open is the registry's to expire: the blob is uploaded through a new one anyway
            }
        }
        return false;
    }

    private HttpResponse<InputStream> postMount(String repo, Descriptor d, String mountFrom, String what)
            throws IOException {
        List<String> scopes = new ArrayList<>(push(repo));
        scopes.add("repository:" + mountFrom + ":pull");
        HttpResponse<InputStream> r = exchange(new Call(
                "POST",
                "/v2/" + repo + "/blobs/uploads/?mount=" + d.digest() + "&from=" + enc(mountFrom),
                HttpRequest.BodyPublishers::noBody,
                Map.of(),
                scopes,
                what,
                true));
        r.body().close();
        return r;
    }

    private static boolean retriable(IOException e) {
        if (e instanceof InterruptedIOException
                && !(e instanceof StallGuard.StalledException)
                && !(e instanceof HttpTimeoutException)) return false;
        if (e instanceof RegistryException r) {
            return r.status() == 0
                    || r.status() >= 500
                    || r.status() == 429
                    || "BLOB_UPLOAD_UNKNOWN".equals(r.code())
                    || "BLOB_UPLOAD_INVALID".equals(r.code())
                    || r.status() == 416;
        }
        return true;
    }

    private URI startUpload(String repo, String what) throws IOException {
        HttpResponse<InputStream> r = exchange(new Call(
                "POST",
                "/v2/" + repo + "/blobs/uploads/",
                HttpRequest.BodyPublishers::noBody,
                Map.of(),
                push(repo),
                what,
                true));
        r.body().close();
        if (r.statusCode() != 202) throw error(r, what);
        return location(r, what);
    }

    private void uploadMonolithic(
            String repo, Descriptor d, Path file, URI location, LongConsumer progress, String what) throws IOException {
        URI put = withDigest(location, d.digest());
        HttpResponse<InputStream> r = exchange(new Call(
                "PUT",
                put.toString(),
                () -> slice(file, 0, d.size(), progress),
                Map.of("Content-Type", "application/octet-stream"),
                push(repo),
                what,
                false,
                transferTimeout(d.size())));
        r.body().close();
        if (r.statusCode() != 201) throw error(r, what);
    }

    private void uploadChunked(
            String repo, Descriptor d, Path file, URI location, long chunkSize, LongConsumer progress, String what)
            throws IOException {
        long off = 0;
        URI loc = location;
        while (off < d.size()) {
            long len = Math.min(chunkSize, d.size() - off);
            final long start = off;
            LongConsumer p = progress == null ? null : n -> progress.accept(start + n);
            HttpResponse<InputStream> r = exchange(new Call(
                    "PATCH",
                    loc.toString(),
                    () -> slice(file, start, len, p),
                    Map.of(
                            "Content-Type",
                            "application/octet-stream",
                            "Content-Range",
                            start + "-" + (start + len - 1)),
                    push(repo),
                    what,
                    false,
                    transferTimeout(len)));
            r.body().close();
            if (r.statusCode() != 202 && r.statusCode() != 204) throw error(r, what);
            loc = location(r, what);
            off += len;
        }
        finishUpload(repo, loc, d.digest(), what);
    }

    /**
     * Starts an upload and sends {@code data} in one streamed PATCH (no length, no range), for a blob that is being
     * made while it is sent (compressed as it goes, as docker push does), so its digest is known only at the end.
     * Returns where to finish it with {@link #finishUpload}. Not retried: a streamed body cannot be sent twice, so
     * the caller keeps its own copy and falls back to {@link #upload} on any failure.
     */
    public URI streamUpload(String repo, InputStream data, long expectedBytes, String what) throws IOException {
        URI location = startUpload(repo, what);
        AtomicBoolean sent = new AtomicBoolean();
        HttpResponse<InputStream> r = exchange(new Call(
                "PATCH",
                location.toString(),
                () -> {
                    if (sent.getAndSet(true))
                        throw new UncheckedIOException(new IOException("a streamed upload cannot be sent again"));
                    return HttpRequest.BodyPublishers.ofInputStream(() -> data);
                },
                Map.of("Content-Type", "application/octet-stream"),
                push(repo),
                what,
                false,
                transferTimeout(expectedBytes)));
        r.body().close();
        if (r.statusCode() != 202 && r.statusCode() != 204) throw error(r, what);
        return location(r, what);
    }

    /** Ends an upload session: the registry checks the digest of what it received and makes the blob. */
    public void finishUpload(String repo, URI location, Digest digest, String what) throws IOException {
        HttpResponse<InputStream> r = exchange(new Call(
                "PUT",
                withDigest(location, digest).toString(),
                HttpRequest.BodyPublishers::noBody,
                Map.of("Content-Type", "application/octet-stream"),
                push(repo),
                what,
                false));
        r.body().close();
        if (r.statusCode() != 201) throw error(r, what);
    }

    /**
     * A request that carries a body must be answered within the configured timeout plus the time the body takes at
     * a slow 1 MiB/s: the timeout covers sending it too, and a big layer on a slow link is not a stalled registry.
     */
    private Duration transferTimeout(long bytes) {
        return config().timeout().plusSeconds(Math.max(0, bytes) >> 20);
    }

    private static HttpRequest.BodyPublisher slice(Path file, long off, long len, LongConsumer progress) {
        return HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> {
                    try {
                        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                        ch.position(off);
                        InputStream in = new BufferedInputStream(Channels.newInputStream(ch), 1 << 18);
                        return new CountingStream(in, len, progress);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }),
                len);
    }

    /** Reads at most {@code limit} bytes and reports the running count. */
    private static final class CountingStream extends FilterInputStream {
        private long left;
        private long done;
        private final LongConsumer progress;

        CountingStream(InputStream in, long limit, LongConsumer progress) {
            super(in);
            this.left = limit;
            this.progress = progress;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) return -1;
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
                done += n;
                if (progress != null) progress.accept(done);
            }
            return n;
        }
    }

    private static URI withDigest(URI location, Digest d) {
        String s = location.toString();
        return URI.create(s + (s.contains("?") ? "&" : "?") + "digest=" + enc(d.toString()));
    }

    private URI location(HttpResponse<?> r, String what) throws RegistryException {
        String loc = r.headers().firstValue("Location").orElse(null);
        if (loc == null || loc.isEmpty())
            throw new RegistryException(
                    name() + ": " + what + ": the registry gave no upload location", null, r.statusCode());
        return r.uri().resolve(loc);
    }

    // ------------------------------------------------------------------------------------------------ exchange

    /** One API call: the body is a supplier so that a retry can send it again. */
    private record Call(
            String method,
            String target,
            Supplier<HttpRequest.BodyPublisher> body,
            Map<String, String> headers,
            List<String> scopes,
            String what,
            boolean retryBroken,
            Duration timeout) {
        Call(
                String method,
                String target,
                Supplier<HttpRequest.BodyPublisher> body,
                Map<String, String> headers,
                List<String> scopes,
                String what,
                boolean retryBroken) {
            this(method, target, body, headers, scopes, what, retryBroken, null);
        }
    }

    private static List<String> pull(String repo) {
        return List.of("repository:" + repo + ":pull");
    }

    private static List<String> push(String repo) {
        return List.of("repository:" + repo + ":pull,push");
    }

    private URI base() throws IOException {
        String sc = scheme;
        if (sc == null) sc = probeScheme();
        return URI.create(sc + "://" + endpoint.host());
    }

    /**
     * docker's rule for insecure and loopback registries: HTTPS first, plain HTTP when TLS fails. Decided once, before
     * any other request, so parallel transfers never race on it. A loopback registry is asked over plain HTTP first:
     * the answer is the same (a port speaks one or the other, and an HTTPS server answers plain HTTP with 400), no
     * byte leaves the machine, and it spares the TLS handshake, a quarter of a second in a fresh JVM.
     */
    private synchronized String probeScheme() throws IOException {
        if (scheme != null) return scheme;
        config().checkAllowed(endpoint.host());
        if (!insecure) return scheme = "https";
        // a plain-HTTP server may never answer a TLS hello: a short wait, and any failure means "try HTTP", as docker
        // does
        Duration wait =
                config().timeout().compareTo(Duration.ofSeconds(5)) < 0 ? config().timeout() : Duration.ofSeconds(5);
        if (RegistryConfig.isLoopback(RegistryConfig.hostOnly(endpoint.host())) && answersPlainHttp(wait))
            return scheme = "http";
        HttpRequest req = HttpRequest.newBuilder(URI.create("https://" + endpoint.host() + "/v2/"))
                .timeout(wait)
                .GET()
                .build();
        try {
            http.send(req, HttpResponse.BodyHandlers.discarding());
            scheme = "https";
        } catch (ConnectException e) {
            throw new RegistryException(name() + ": " + describe(e), e);
        } catch (IOException e) {
            scheme = "http";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
        return scheme;
    }

    /** Whether the registry answers {@code GET /v2/} over plain HTTP as a registry does (200, or 401 with a challenge). */
    private boolean answersPlainHttp(Duration wait) throws IOException {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + endpoint.host() + "/v2/"))
                .timeout(wait)
                .GET()
                .build();
        try {
            HttpResponse<Void> r = http.send(req, HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200
                    || r.statusCode() == 401
                            && r.headers().firstValue("WWW-Authenticate").isPresent();
        } catch (ConnectException e) {
            throw new RegistryException(name() + ": " + describe(e), e);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    /**
     * Sends a call and returns the first response that is not a redirect, an authorization challenge it can answer,
     * or a transient failure. The caller owns the body.
     */
    private HttpResponse<InputStream> exchange(Call call) throws IOException {
        URI uri = call.target().startsWith("/") ? base().resolve(call.target()) : URI.create(call.target());
        boolean authRetried = false;
        int redirects = 0;
        int failures = 0;
        while (true) {
            config().checkAllowed(uri.getRawAuthority());
            boolean sameHost = uri.getRawAuthority().equals(endpoint.host());
            HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                    .timeout(call.timeout() != null ? call.timeout() : config().timeout())
                    .method(
                            call.method(),
                            call.body() == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : call.body().get());
            call.headers().forEach(b::header);
            if (sameHost) {
                String h = auth.header(call.scopes());
                if (h != null) b.header("Authorization", h);
            }
            HttpResponse<InputStream> r;
            try {
                r = http.send(b.build(), QueuedBody.handler());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            } catch (IOException e) {
                if (!call.retryBroken() || ++failures > config().retries()) {
                    throw new RegistryException(name() + ": " + call.what() + ": " + describe(e), e);
                }
                pause(backoff(failures));
                continue;
            }
            int s = r.statusCode();
            if (s == 301 || s == 302 || s == 303 || s == 307 || s == 308) {
                String loc = r.headers().firstValue("Location").orElse(null);
                r.body().close();
                if (loc == null || ++redirects > MAX_REDIRECTS)
                    throw new RegistryException(name() + ": " + call.what() + ": too many or empty redirects", null, s);
                uri = uri.resolve(loc);
                continue;
            }
            if (s == 401 && sameHost && !authRetried) {
                List<Challenge> challenges = Challenge.parse(r.headers().allValues("WWW-Authenticate"));
                if (auth.challenged(challenges, call.scopes())) {
                    r.body().close();
                    authRetried = true;
                    continue;
                }
            }
            if ((s == 429 || s == 500 || s == 502 || s == 503 || s == 504) && failures < config().retries()) {
                Duration wait = retryAfter(r).orElse(backoff(failures + 1));
                if (wait.compareTo(MAX_RETRY_AFTER) > 0) return r;
                failures++;
                r.body().close();
                pause(wait);
                continue;
            }
            return r;
        }
    }

    private Duration backoff(int attempt) {
        long ms = config().retryBase().toMillis() << Math.min(attempt - 1, 6);
        return Duration.ofMillis(Math.min(ms, 10_000));
    }

    private static void pause(Duration d) throws InterruptedIOException {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    private static Optional<Duration> retryAfter(HttpResponse<?> r) {
        Optional<String> v = r.headers().firstValue("Retry-After");
        if (v.isEmpty()) return Optional.empty();
        String s = v.get().trim();
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(s))));
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime t = ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(), t);
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (RuntimeException e2) {
                return Optional.empty();
            }
        }
    }

    private InputStream guarded(InputStream in) {
        return StallGuard.guard(in, config().timeout());
    }

    /** Turns an unsuccessful response into an error with the registry's code and message. */
    RegistryException error(HttpResponse<InputStream> r, String what) {
        byte[] body;
        try (InputStream in = r.body()) {
            body = in.readNBytes(64 << 10);
        } catch (IOException e) {
            body = new byte[0];
        }
        int s = r.statusCode();
        String code = null;
        String message = null;
        try {
            Map<String, Object> m = Json.parseObject(body);
            List<Object> errors = JsonObjects.array(m, "errors");
            if (errors != null && !errors.isEmpty() && errors.getFirst() instanceof Map<?, ?> first) {
                @SuppressWarnings("unchecked")
                Map<String, Object> e = (Map<String, Object>) first;
                code = JsonObjects.string(e, "code");
                message = JsonObjects.string(e, "message");
            }
        } catch (RuntimeException ignored) {
            // 4xx bodies may be HTML or text
        }
        if (code == null) {
            code = switch (s) {
                case 401 -> "UNAUTHORIZED";
                case 403 -> "DENIED";
                case 404 -> what.startsWith("manifest") ? "MANIFEST_UNKNOWN" : "NAME_UNKNOWN";
                case 429 -> "TOOMANYREQUESTS";
                default -> null;
            };
        }
        if (message == null) {
            String text = new String(body, StandardCharsets.UTF_8).strip();
            int nl = text.indexOf('\n');
            if (nl > 0) text = text.substring(0, nl);
            if (text.length() > 200) text = text.substring(0, 200) + "...";
            message = text.isEmpty() || text.startsWith("<") ? "HTTP " + s : text;
        }
        StringBuilder msg = new StringBuilder(name()).append(": ").append(what).append(": ");
        if (code != null) msg.append(code).append(": ");
        msg.append(message);
        if (s == 429)
            retryAfter(r)
                    .ifPresent(d -> msg.append(" (the registry asks to retry after ")
                            .append(d.toSeconds())
                            .append(" s)"));
        if (s == 401) msg.append(auth.hasChallenge() ? " (check the credentials: whittle login " + name() + ")" : "");
        return new RegistryException(msg.toString(), code, s);
    }

    /** A short, user-facing account of an I/O failure. */
    static String describe(IOException e) {
        return HttpFailures.describe(e, "the registry");
    }

    private static String bareType(String contentType) {
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static void closeQuietly(InputStream in) {
        if (in == null) return;
        try {
            in.close();
        } catch (IOException ignored) {
            // the connection is already broken
        }
    }
}
