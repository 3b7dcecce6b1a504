package dev.kiln.registry;

import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS context of a registry client: the JDK's trusted CAs plus the {@code *.crt} files of a
 * certs.d folder, and the {@code *.cert}/{@code *.key} pair there as client certificate (as Docker
 * reads {@code /etc/docker/certs.d/HOST/}). Verification (chain and host name) is on unless
 * {@code insecure} is asked for.
 */
final class TlsSettings {
    private TlsSettings() {
    }

    /**
     * Sets up TLS for an HTTP client: without a certs.d folder, the context is made when the first TLS
     * connection needs it (a loopback registry speaking plain HTTP never pays for the TLS stack), with
     * default parameters, which leave the JDK's protocols and cipher suites as they are.
     */
    static HttpClient.Builder configure(HttpClient.Builder builder, Path certDir, boolean insecure) {
        if (certDir != null) {
            return builder.sslContext(context(certDir, insecure)); // its files are checked now
        }
        return builder.sslContext(new OnFirstUse(() -> context(null, insecure))).sslParameters(new SSLParameters());
    }

    static SSLContext context(Path certDir, boolean insecure) {
        try {
            TrustManager[] trust = insecure ? new TrustManager[] {new TrustingEverything()} : trustManagers(certDir);
            KeyManager[] keys = certDir == null ? null : keyManagers(certDir);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keys, trust, new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new RegistryException("cannot set up TLS" + (certDir == null ? "" : " with " + certDir) + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new RegistryException("cannot read the certificates in " + certDir + ": " + e.getMessage(), e);
        }
    }

    private static TrustManager[] trustManagers(Path certDir) throws GeneralSecurityException, IOException {
        List<X509Certificate> extra = new ArrayList<>();
        if (certDir != null) {
            if (!Files.isDirectory(certDir)) {
                throw new RegistryException("certificate folder " + certDir + " does not exist");
            }
            for (Path crt : list(certDir, "*.crt")) {
                extra.addAll(Pem.certificates(crt));
            }
        }
        if (extra.isEmpty()) {
            // the JDK's default trust, loaded when a TLS connection first needs it: a loopback registry
            // that speaks plain HTTP never makes kiln parse the CA store
            return new TrustManager[] {new DefaultTrustOnFirstUse()};
        }
        TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        defaults.init((KeyStore) null);
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int i = 0;
        for (TrustManager tm : defaults.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                for (X509Certificate c : x.getAcceptedIssuers()) {
                    store.setCertificateEntry("system-" + i++, c);
                }
            }
        }
        for (X509Certificate c : extra) {
            store.setCertificateEntry("certdir-" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        return tmf.getTrustManagers();
    }

    private static KeyManager[] keyManagers(Path certDir) throws GeneralSecurityException, IOException {
        if (!Files.isDirectory(certDir)) {
            return null;
        }
        for (Path cert : list(certDir, "*.cert")) {
            String base = cert.getFileName().toString();
            base = base.substring(0, base.length() - ".cert".length());
            Path key = certDir.resolve(base + ".key");
            if (!Files.isRegularFile(key)) {
                throw new RegistryException(certDir + ": client certificate " + cert.getFileName() + " has no " + key.getFileName());
            }
            List<X509Certificate> chain = Pem.certificates(cert);
            PrivateKey pk = Pem.privateKey(key);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] none = new char[0];
            store.setKeyEntry("client", pk, none, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, none);
            return kmf.getKeyManagers();
        }
        for (Path key : list(certDir, "*.key")) {
            String base = key.getFileName().toString();
            base = base.substring(0, base.length() - ".key".length());
            if (!Files.isRegularFile(certDir.resolve(base + ".cert"))) {
                throw new RegistryException(certDir + ": client key " + key.getFileName() + " has no " + base + ".cert");
            }
        }
        return null;
    }

    private static List<Path> list(Path dir, String glob) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, glob)) {
            s.forEach(out::add);
        }
        out.sort(null);
        return out;
    }

    /** An SSLContext that makes the real one when it is first asked for an engine or factory. */
    private static final class OnFirstUse extends SSLContext {
        OnFirstUse(Supplier<SSLContext> make) {
            super(new Spi(make), null, "TLS");
        }

        private static final class Spi extends SSLContextSpi {
            private final Supplier<SSLContext> make;
            private volatile SSLContext real;

            Spi(Supplier<SSLContext> make) {
                this.make = make;
            }

            private SSLContext real() {
                SSLContext r = real;
                if (r == null) {
                    synchronized (this) {
                        if (real == null) {
                            real = make.get();
                        }
                        r = real;
                    }
                }
                return r;
            }

            @Override
            protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) {
                throw new UnsupportedOperationException("initialised when first used");
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

    /**
     * The JDK's default trust manager, made when a certificate is first checked; every check (chain,
     * host name, algorithm constraints) is the default one's.
     */
    private static final class DefaultTrustOnFirstUse extends X509ExtendedTrustManager {
        private volatile X509ExtendedTrustManager real;

        private X509ExtendedTrustManager real() throws CertificateException {
            X509ExtendedTrustManager r = real;
            if (r == null) {
                synchronized (this) {
                    if (real == null) {
                        try {
                            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                            tmf.init((KeyStore) null);
                            for (TrustManager tm : tmf.getTrustManagers()) {
                                if (tm instanceof X509ExtendedTrustManager x) {
                                    real = x;
                                    break;
                                }
                            }
                        } catch (GeneralSecurityException e) {
                            throw new CertificateException("cannot load the JDK's trusted certificates: " + e.getMessage(), e);
                        }
                        if (real == null) {
                            throw new CertificateException("the JDK has no X.509 trust manager");
                        }
                    }
                    r = real;
                }
            }
            return r;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            real().checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            real().checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            real().checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            real().checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            real().checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            real().checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            try {
                return real().getAcceptedIssuers();
            } catch (CertificateException e) {
                return new X509Certificate[0];
            }
        }
    }

    /** For {@code insecure} only: accepts any certificate for any host name. */
    private static final class TrustingEverything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
