package dev.whittle.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A user's credentials for one registry: a user name and password, or an identity (refresh) token. The record's
 * text form never shows a secret, so credentials can not leak into a message or a log by accident.
 */
public record Credentials(String username, String password, String identityToken) {
    public static final Credentials NONE = new Credentials(null, null, null);

    public boolean isEmpty() {
        return (username == null || username.isEmpty()) && (identityToken == null || identityToken.isEmpty());
    }

    public boolean hasIdentityToken() {
        return identityToken != null && !identityToken.isEmpty();
    }

    public String basic() {
        String pair = (username == null ? "" : username) + ":" + (password == null ? "" : password);
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return isEmpty() ? "Credentials[anonymous]" : "Credentials[user=" + username + ", secret hidden]";
    }
}
