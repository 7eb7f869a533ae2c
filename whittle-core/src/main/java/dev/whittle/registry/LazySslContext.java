package dev.whittle.registry;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * An SSLContext that makes the real one on first use. The JDK's HTTP client wants its SSLContext when it is built,
 * and building one costs a young JVM ~60 ms (the JSSE provider, and for the default context the trust store) — paid
 * by every pull from a plain-HTTP loopback or insecure registry that never speaks TLS. Built with
 * {@link #parameters()} (so the client does not ask the context for its defaults), the client touches the real
 * context only when it opens a TLS connection. Hostname verification is the client's own and is unchanged.
 */
final class LazySslContext extends SSLContext {
    private LazySslContext(Callable<SSLContext> make) {
        super(new Spi(make), null, "TLS");
    }

    /** The JDK's default context (system trust store), made on first use. */
    static SSLContext systemDefault() {
        return new LazySslContext(SSLContext::getDefault);
    }

    /** A TLS context with these trust managers, made on first use. */
    static SSLContext trusting(TrustManager... trust) {
        return new LazySslContext(() -> {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, trust, null);
            return c;
        });
    }

    /** What to give the client with this context: empty parameters mean the engine's defaults. */
    static SSLParameters parameters() {
        return new SSLParameters();
    }

    private static final class Spi extends SSLContextSpi {
        private final Callable<SSLContext> make;
        private volatile SSLContext real;

        Spi(Callable<SSLContext> make) {
            this.make = make;
        }

        private SSLContext real() {
            SSLContext r = real;
            if (r != null) return r;
            synchronized (this) {
                if (real == null) {
                    try {
                        real = make.call();
                    } catch (GeneralSecurityException e) {
                        throw new IllegalStateException("TLS is not available: " + e.getMessage(), e);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
                return real;
            }
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) {
            throw new UnsupportedOperationException("a lazy SSLContext is initialised on first use");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return real().getSocketFactory();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return real().getServerSocketFactory();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return real().createSSLEngine();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return real().createSSLEngine(host, port);
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return real().getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return real().getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return real().getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return real().getSupportedSSLParameters();
        }
    }
}
