package dev.whittle.build;

import dev.whittle.dockerfile.Instruction;
import dev.whittle.dockerfile.Scope;
import dev.whittle.image.Digest;
import dev.whittle.registry.HttpFailures;
import dev.whittle.tar.PathNames;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * ADD of a URL: the body fetched (redirects followed), checked against {@code --checksum}, named after the URL's last
 * path component, 0600, with the server's Last-Modified time, as BuildKit's http source does.
 */
final class UrlSource {
    private UrlSource() {}

    static CopySource.Content fetch(StepContext ctx, Instruction.Copy c, Scope scope, String url) throws IOException {
        URI uri = URI.create(url);
        String name = PathNames.baseName(uri.getPath() == null ? "" : uri.getPath());
        if (name.isEmpty()) name = "index.html";
        try (HttpClient client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30))
                .build()) {
            HttpResponse<byte[]> resp =
                    client.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (resp.statusCode() / 100 != 2)
                throw ctx.error(c.pos(), "ADD failed: GET " + url + " returned HTTP " + resp.statusCode());
            byte[] data = resp.body();
            var checksum = c.flag("checksum");
            Digest got = Digest.sha256(data);
            if (checksum.isPresent()) {
                String want = ctx.expand(checksum.get().valueWord(), scope);
                if (!got.toString().equals(want)) {
                    throw ctx.error(
                            checksum.get().pos(),
                            "ADD failed: digest mismatch for " + url + ": expected " + want + ", got " + got);
                }
            }
            long mtime = resp.headers()
                    .firstValue("Last-Modified")
                    .map(UrlSource::httpTime)
                    .orElse(0L);
            return new CopySource.Content(name, data, mtime, 0600, got.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while downloading " + url);
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            throw ctx.error(c.pos(), "ADD failed: cannot download " + url + ": " + downloadFailure(e, uri));
        }
    }

    private static long httpTime(String v) {
        try {
            return ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
        } catch (RuntimeException e) {
            return 0L;
        }
    }

    /** What went wrong with a download and what to do, in one line (the JDK's own message is often null). */
    private static String downloadFailure(IOException e, URI uri) {
        String what = HttpFailures.describe(e, "the server");
        if (e instanceof ConnectException && what.equals("connection refused")) {
            int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
            what += ": nothing accepts connections on " + uri.getHost() + ":" + port;
        }
        return what + "; check the URL and that the server is up and reachable from this machine";
    }
}
