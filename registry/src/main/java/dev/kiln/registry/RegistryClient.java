package dev.kiln.registry;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.registry.auth.Authenticator;
import dev.kiln.registry.auth.BearerTokens;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A client of one registry speaking the OCI distribution spec v1.1 over the JDK's HTTP client.
 * {@link #connect} pings {@code /v2/} to choose HTTPS (or plain HTTP, for loopback registries and
 * with {@code insecure} only) and learn how the registry authenticates. Each endpoint has a small
 * class of its own ({@link BlobHead}, {@link BlobMount}, {@link BlobUpload}, {@link ManifestPut},
 * {@link ManifestGet}, {@link BlobGet}). Thread-safe: one client serves parallel uploads.
 *
 * <p>Transport security: HTTPS is verified unless {@code insecure}; for a loopback registry
 * (as Docker treats {@code 127.0.0.0/8}, {@code ::1} and {@code localhost}) the port is first asked
 * anonymously in plain HTTP, which is used when it answers as a registry (200 or 401 to
 * {@code /v2/}); otherwise HTTPS is tried and plain HTTP used only when the port does not speak TLS,
 * and a TLS registry on loopback is still verified. TLS is set up on first use only. Credentials
 * never travel over plain HTTP to a host that is not loopback.
 */
public final class RegistryClient {
    /** How long a loopback registry may take to answer the HTTPS probe before plain HTTP is tried. */
    private static final java.time.Duration LOOPBACK_PROBE = java.time.Duration.ofSeconds(3);
    /** Bytes the JDK client reads from a connection at a time (its default, 16 KiB, is set unless chosen otherwise). */
    static final int RECEIVE_BUFFER = 256 * 1024;

    static {
        // The JDK's client hands every buffer it reads to the reading thread on its own: with its
        // 16 KiB default a 130 MB layer is ~8000 hand-offs, and a pull spends about a fifth more CPU
        // than with 256 KiB buffers. The property is read once, when the first client is built; a
        // value given on the command line (-Djdk.httpclient.bufsize) wins.
        if (System.getProperty("jdk.httpclient.bufsize") == null) {
            System.setProperty("jdk.httpclient.bufsize", Integer.toString(RECEIVE_BUFFER));
        }
    }
    private final String registry;
    private final RegistryOptions options;
    private final HttpTransport transport;
    private final Set<String> pushRepositories = ConcurrentHashMap.newKeySet();

    private RegistryClient(String registry, RegistryOptions options, HttpTransport transport) {
        this.registry = registry;
        this.options = options;
        this.transport = transport;
    }

    /**
     * Connects to a registry named as in image names ({@code docker.io}, {@code ghcr.io},
     * {@code 127.0.0.1:5000}) and pings it.
     */
    public static RegistryClient connect(String registry, RegistryOptions options) {
        if (registry == null || registry.isBlank() || registry.contains("/") || registry.contains("@")) {
            throw new RegistryException("invalid registry host '" + registry + "'");
        }
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(options.connectTimeout());
        if (options.certDir() != null) {
            builder.sslContext(TlsSettings.context(options.certDir(), options.insecure())); // its problems show now
        } else {
            // set up on first use: a plain-HTTP loopback registry never needs it
            builder.sslContext(LazyTls.context(() -> TlsSettings.context(null, options.insecure())))
                    .sslParameters(LazyTls.parameters());
        }
        HttpClient http = builder.build();
        BearerTokens tokens = new BearerTokens(http, options.requestTimeout(), Hosts::mayCarryCredentials,
                options.debug() == null ? null : line -> options.debug().accept("registry " + registry + ": " + line),
                options.userAgent(), Clock.systemUTC());
        Authenticator auth = new Authenticator(registry, options.effectiveStore(), tokens);
        RegistryClient client = new RegistryClient(registry, options, new HttpTransport(registry, http, options, auth));
        client.ping();
        return client;
    }

    /** The registry as named ({@code docker.io}, {@code 127.0.0.1:5000}). */
    public String registry() {
        return registry;
    }

    /** {@code https://HOST[:PORT]} or {@code http://HOST[:PORT]}, as chosen by the ping. */
    public URI baseUri() {
        return transport.base();
    }

    public RegistryOptions options() {
        return options;
    }

    /**
     * {@code GET /v2/}: chooses the scheme and learns the authentication challenge. Fails clearly when
     * the registry cannot be reached, its certificate is not trusted, or it is no registry.
     */
    public void ping() {
        String api = Hosts.apiHost(registry);
        URI https = URI.create("https://" + api + "/v2/");
        boolean loopback = Hosts.isLoopback(api);
        if (!options.insecure() && !loopback) {
            try {
                accept(pingOnce(https));
            } catch (RegistryException e) {
                if (e.getCause() instanceof javax.net.ssl.SSLException ssl && !(ssl instanceof javax.net.ssl.SSLHandshakeException)) {
                    // something answered, but not in TLS: most likely a plain-HTTP registry
                    throw new RegistryException(e.getMessage() + "; the registry seems to speak plain HTTP, which kiln uses"
                            + " only for loopback registries (as Docker does) or with --insecure", e.status(), e.errors(), ssl);
                }
                throw e;
            }
            return;
        }
        URI http = URI.create("http://" + api + "/v2/");
        if (loopback) {
            // a local registry mostly speaks plain HTTP: ask that first, anonymously, and set no TLS up
            // when it answers as a registry does (200 or 401); a TLS port refuses it (Go answers 400,
            // others drop it) and is then spoken to in verified HTTPS below, as before
            try {
                HttpAnswer plain = transport.probe(new HttpCall("GET", http, "ping " + http).anonymous(), LOOPBACK_PROBE);
                if (plain.status() == 200 || plain.status() == 401) {
                    transport.log("plain HTTP answered on this loopback registry; using it");
                    accept(plain);
                    return;
                }
            } catch (IOException e) {
                // not plain HTTP, or nothing listens: the HTTPS probe decides and reports
            }
        }
        // loopback or insecure: HTTPS first, once; plain HTTP when the port answers but not in TLS
        HttpCall probe = new HttpCall("GET", https, "ping " + https).anonymous();
        IOException tls;
        try {
            accept(transport.probe(probe, loopback ? LOOPBACK_PROBE : options.connectTimeout().plus(options.requestTimeout())));
            return;
        } catch (IOException e) {
            tls = e;
        }
        if (tls instanceof java.net.ConnectException || ConnectionProblems.isCertificateProblem(tls)) {
            throw transport.connectionFailure(probe, tls, 1); // nothing listens, or TLS with an untrusted certificate
        }
        HttpAnswer r;
        try {
            r = pingOnce(http);
        } catch (RegistryException e) {
            throw transport.connectionFailure(probe, tls, 1);
        }
        if (r.status() == 400) {
            throw transport.connectionFailure(probe, tls, 1); // a TLS server refusing plain HTTP
        }
        transport.log("HTTPS failed (" + ConnectionProblems.describe(tls) + "); using plain HTTP for this "
                + (loopback ? "loopback" : "insecure") + " registry");
        accept(r);
    }

    private HttpAnswer pingOnce(URI uri) {
        return transport.send(new HttpCall("GET", uri, "ping " + uri).anonymous());
    }

    private void accept(HttpAnswer r) {
        URI origin = URI.create(r.uri().getScheme() + "://" + r.uri().getRawAuthority());
        if (r.status() == 401) {
            transport.auth().learn(r.headers().allValues("WWW-Authenticate"));
        } else if (r.status() != 200) {
            HttpCall c = new HttpCall("GET", r.uri(), "ping /v2/");
            throw transport.failure(c, r, r.status() == 404 ? "is this an OCI registry? GET /v2/ must answer 200 or 401" : null);
        }
        transport.base(origin);
    }

    /** True when the blob is in the repository with the descriptor's size. */
    public boolean hasBlob(String repository, Descriptor blob) {
        return BlobHead.size(this, repository, blob.digest()).map(s -> s < 0 || s == blob.size()).orElse(false);
    }

    /** {@code HEAD} a blob: its size (-1 when the registry does not say), or empty when absent. */
    public Optional<Long> blobSize(String repository, Digest digest) {
        return BlobHead.size(this, repository, digest);
    }

    /** What {@link #pushBlob} did. */
    public enum BlobPushResult { UPLOADED, MOUNTED }

    /**
     * Sends a blob: first tries to mount it from each of {@code mountFrom} (repositories of the same
     * registry), else uploads the stream (one PUT for blobs up to the chunk size, else chunks that
     * resume after failures). The stream is not read when a mount succeeds; the caller closes it.
     */
    public BlobPushResult pushBlob(String repository, Descriptor blob, InputStream content, List<String> mountFrom) {
        markPush(repository);
        URI session = null;
        long minChunk = 0;
        for (String from : mountFrom) {
            if (from == null || from.equals(repository)) {
                continue;
            }
            BlobMount.Result m = BlobMount.mount(this, repository, blob, from);
            if (m.mounted()) {
                options.progress().blobMounted(blob, from);
                return BlobPushResult.MOUNTED;
            }
            if (m.session() != null) {
                session = m.session();
                minChunk = m.minChunk();
                break;
            }
        }
        new BlobUpload(this, repository, blob).upload(content, session, minChunk);
        return BlobPushResult.UPLOADED;
    }

    /** Tries one cross-repository mount; true when the registry linked the blob. */
    public boolean mountBlob(String repository, Descriptor blob, String fromRepository) {
        markPush(repository);
        BlobMount.Result m = BlobMount.mount(this, repository, blob, fromRepository);
        if (m.session() != null) {
            BlobUpload.cancel(this, repository, m.session());
        }
        return m.mounted();
    }

    /** PUTs a manifest or index under a tag or its digest, with its exact bytes. */
    public void putManifest(String repository, String reference, Descriptor manifest, byte[] bytes) {
        markPush(repository);
        ManifestPut.put(this, repository, reference, manifest, bytes);
    }

    /** GETs a manifest or index by tag or digest, accepting OCI and Docker types. */
    public RemoteManifest getManifest(String repository, String reference) {
        return ManifestGet.get(this, repository, reference);
    }

    /** Opens a blob as a stream that fails at its end unless its bytes match the descriptor. */
    public InputStream openBlob(String repository, Descriptor blob) {
        return BlobGet.open(this, repository, blob);
    }

    HttpTransport transport() {
        return transport;
    }

    /** Requests for this repository ask for push access from now on (so one token serves everything). */
    void markPush(String repository) {
        pushRepositories.add(repository);
    }

    Set<String> scopes(String repository) {
        return Set.of("repository:" + repository + (pushRepositories.contains(repository) ? ":pull,push" : ":pull"));
    }

    URI uri(String path) {
        URI base = transport.base();
        if (base == null) {
            throw new IllegalStateException("registry " + registry + " has not been pinged");
        }
        return URI.create(base + path);
    }

    @Override
    public String toString() {
        return "RegistryClient[" + registry + " at " + transport.base() + "]";
    }
}
