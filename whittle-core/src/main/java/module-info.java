/**
 * whittle's engine. Exported: the Java API ({@code dev.whittle.api}, docs/library.md) and the packages whose types
 * its signatures carry (javac's {@code -Xlint:exports} under {@code -Werror} holds that list complete). Inside stay
 * the archive formats, compression and hashing streams, JSON, Go's quoting, tracing and the native bindings.
 */
module dev.whittle.core {
    requires com.fasterxml.jackson.core;
    requires com.github.luben.zstd_jni;
    requires java.net.http;

    exports dev.whittle.api;
    exports dev.whittle.build;
    exports dev.whittle.cache;
    exports dev.whittle.check;
    exports dev.whittle.dockerfile;
    exports dev.whittle.image;
    exports dev.whittle.registry;
    exports dev.whittle.rootfs;
    exports dev.whittle.sandbox;
    exports dev.whittle.store;
    exports dev.whittle.tar;
}
