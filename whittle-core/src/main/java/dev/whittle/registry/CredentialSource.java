package dev.whittle.registry;

import java.io.IOException;

/** Looks up a registry host's credentials, when the registry first asks for them. */
@FunctionalInterface
public interface CredentialSource {
    Credentials lookup(String host) throws IOException;
}
