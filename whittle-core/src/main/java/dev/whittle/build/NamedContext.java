package dev.whittle.build;

import dev.whittle.rootfs.ContextTree;
import java.nio.file.Path;

/**
 * A named build context ({@code --build-context NAME=…}): what {@code FROM NAME}, {@code COPY --from=NAME} and
 * {@code RUN --mount=from=NAME} then mean instead of an image or stage of that name.
 */
public sealed interface NamedContext {
    /** {@code docker-image://REF}: another image in the name's place. */
    record Image(String reference) implements NamedContext {}

    /** A local directory: a context of its own, read as the build context is (with its .dockerignore). */
    record Directory(ContextTree tree) implements NamedContext {}

    /** {@code oci-layout://DIR[:TAG|@DIGEST]}: an image from an OCI image layout on disk. */
    record OciLayout(Path dir, String tag, String digest) implements NamedContext {}
}
