package dev.whittle.registry;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import javax.net.ssl.SSLException;

/**
 * What a failed HTTP exchange means, in a user's words. The JDK client's own messages are often null (a refused
 * connection) or its parser's ("HTTP/1.1 header parser received no bytes": the server closed the connection before
 * answering), so the failure is named from its type and those known messages instead.
 */
public final class HttpFailures {
    private HttpFailures() {}

    /** A short account of {@code e}; {@code server} names the other side ("the registry", "the server"). */
    public static String describe(IOException e, String server) {
        if (e instanceof RegistryException) return e.getMessage();
        if (e instanceof HttpConnectTimeoutException) return "connection timed out";
        if (e instanceof HttpTimeoutException) return "no answer in time (" + e.getMessage() + ")";
        if (e instanceof ConnectException)
            return e.getCause() instanceof UnresolvedAddressException ? "unknown host" : "connection refused";
        if (e instanceof SSLException) return "TLS failed: " + e.getMessage();
        if (e instanceof StallGuard.StalledException) return e.getMessage();
        if (e instanceof EOFException) return "connection closed by " + server + " (" + e.getMessage() + ")";
        String m = e.getMessage();
        if (m == null || m.isEmpty()) return e.getClass().getSimpleName();
        if (m.contains("header parser received no bytes"))
            return "connection closed by " + server + " without an answer";
        // "fixed content-length: N, bytes received: M": the JDK client's word for a body cut short
        if (m.contains("EOF reached") || m.contains("closed") || m.contains("reset") || m.contains("bytes received")) {
            return "connection closed by " + server + " (" + m + ")";
        }
        return m;
    }
}
