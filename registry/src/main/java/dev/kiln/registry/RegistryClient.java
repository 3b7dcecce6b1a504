package dev.kiln.registry;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.transport.SeekableBlob;
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
 * ({@link Hosts#isLoopback}: {@code 127.0.0.0/8}, {@code ::1}, IPv4-mapped loopback, and
 * {@code localhost} names that resolve to loopback only, as Docker treats them) plain HTTP is asked
 * first, and HTTPS when the port does not answer plain HTTP as a registry; a TLS registry on
 * loopback is still verified. With {@code insecure}, HTTPS is tried first and plain HTTP when the
 * port does not speak TLS. Credentials never travel over plain HTTP to a host that is not loopback.
 */
public final class RegistryClient {
    /** How long a loopback registry may take to answer a probe (plain HTTP, then HTTPS). */
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

    private final HttpClient http;

    private RegistryClient(String registry, RegistryOptions options, HttpTransport transport, HttpClient http) {
        this.registry = registry;
        this.options = options;
        this.transport = transport;
        this.http = http;
    }

    /**
     * Connects to a registry named as in image names ({@code docker.io}, {@code ghcr.io},
     * {@code 127.0.0.1:5000}) and pings it.
     */
    public static RegistryClient connect(String registry, RegistryOptions options) {
        if (registry == null || registry.isBlank() || registry.contains("/") || registry.contains("@")) {
            throw new RegistryException("invalid registry host '" + registry + "'");
        }
        HttpClient http = TlsSettings.configure(HttpClient.newBuilder(), options.certDir(), options.insecure())
                // HTTP/1.1 only: HashingBody reuses an upload array once the client has consumed its
                // buffer, which on HTTP/1.1 means written to the socket (or encrypted); HTTP/2 slices
                // buffers into frames and would still hold the bytes
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(options.connectTimeout())
                .build();
        BearerTokens tokens = new BearerTokens(http, options.requestTimeout(), Hosts::mayCarryCredentials,
                options.debug() == null ? null : line -> options.debug().accept("registry " + registry + ": " + line),
                options.userAgent(), Clock.systemUTC());
        Authenticator auth = new Authenticator(registry, options.effectiveStore(), tokens);
        RegistryClient client = new RegistryClient(registry, options, new HttpTransport(registry, http, options, auth), http);
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
        if (loopback) {
            pingLoopback(api, https);
            return;
        }
        // insecure: HTTPS first, once; plain HTTP when the port answers but not in TLS
        HttpCall probe = new HttpCall("GET", https, "ping " + https).anonymous().noBody();
        IOException tls;
        try {
            accept(transport.probe(probe, options.connectTimeout().plus(options.requestTimeout())));
            return;
        } catch (IOException e) {
            tls = e;
        }
        if (tls instanceof java.net.ConnectException || ConnectionProblems.isCertificateProblem(tls)) {
            throw transport.connectionFailure(probe, tls, 1); // nothing listens, or TLS with an untrusted certificate
        }
        URI http = URI.create("http://" + api + "/v2/");
        HttpAnswer r;
        try {
            r = pingOnce(http);
        } catch (RegistryException e) {
            throw transport.connectionFailure(probe, tls, 1);
        }
        if (r.status() == 400) {
            throw transport.connectionFailure(probe, tls, 1); // a TLS server refusing plain HTTP
        }
        transport.log("HTTPS failed (" + ConnectionProblems.describe(tls) + "); using plain HTTP for this insecure registry");
        accept(r);
    }

    /**
     * A loopback registry: plain HTTP first, as one port speaks one protocol. A registry's answer
     * there (200, or 401 with a challenge) settles it, and no TLS is set up at all; anything else (a
     * TLS port answers 400 or hangs up) means HTTPS, verified as for any other host. Loopback traffic
     * does not leave the machine, and plain HTTP to loopback is allowed anyway (as in Docker).
     */
    private void pingLoopback(String api, URI https) {
        URI http = URI.create("http://" + api + "/v2/");
        HttpCall plain = new HttpCall("GET", http, "ping " + http).anonymous().noBody();
        IOException notPlain = null;
        HttpAnswer plainAnswer = null;
        try {
            plainAnswer = transport.probe(plain, LOOPBACK_PROBE);
            if (plainAnswer.status() == 200 || plainAnswer.status() == 401) {
                transport.log("plain HTTP answers as a registry; using it for this loopback registry");
                accept(plainAnswer);
                return;
            }
        } catch (java.net.ConnectException e) {
            throw transport.connectionFailure(plain, e, 1); // nothing listens
        } catch (IOException e) {
            notPlain = e;
        }
        HttpCall probe = new HttpCall("GET", https, "ping " + https).anonymous().noBody();
        HttpAnswer r;
        try {
            r = transport.probe(probe, LOOPBACK_PROBE);
        } catch (IOException e) {
            if (plainAnswer != null && plainAnswer.status() != 400 && !ConnectionProblems.isCertificateProblem(e)) {
                accept(plainAnswer); // an HTTP server that is no registry: say what it answered
            }
            RegistryException failure = transport.connectionFailure(probe, e, 1);
            if (notPlain != null && !ConnectionProblems.isCertificateProblem(e)) {
                throw new RegistryException(failure.getMessage() + "; plain HTTP failed too: " + ConnectionProblems.describe(notPlain),
                        failure.status(), failure.errors(), e);
            }
            throw failure;
        }
        accept(r);
    }

    private HttpAnswer pingOnce(URI uri) {
        return transport.send(new HttpCall("GET", uri, "ping " + uri).anonymous().noBody());
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

    /**
     * Checks the credentials of the options, as {@code docker login} does: {@code GET /v2/} with them,
     * following a Bearer challenge to the token server, which must grant a token for them. Returns
     * true when the registry accepted them, false when it asks for no authentication at all (the ping
     * was answered 200 anonymously, so there is nothing to check); fails in one line when they are
     * refused or the registry cannot be asked.
     */
    public boolean authenticate() {
        if (transport.auth().scheme() == null) {
            return false;
        }
        if (transport.auth().credentials(null).isEmpty()) {
            throw new RegistryException("registry " + registry + ": no credentials to log in with");
        }
        HttpCall call = new HttpCall("GET", uri("/v2/"), "logging in").noBody();
        HttpAnswer r = transport.send(call);
        if (r.status() == 200) {
            return true;
        }
        throw transport.failure(call, r, null);
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
        BlobMount.Result m = mountFirst(repository, blob, mountFrom);
        if (m.mounted()) {
            return BlobPushResult.MOUNTED;
        }
        new BlobUpload(this, repository, blob).upload(content, m.session(), m.minChunk());
        return BlobPushResult.UPLOADED;
    }

    /**
     * As {@link #pushBlob(String, Descriptor, InputStream, List)}, for content that can be opened at
     * any offset (a file): a blob bigger than the chunk size goes in one streamed {@code PATCH}, which
     * after a dropped connection goes on from where the registry stands, or starts over in a new session.
     */
    public BlobPushResult pushBlob(String repository, Descriptor blob, SeekableBlob content, List<String> mountFrom) {
        BlobMount.Result m = mountFirst(repository, blob, mountFrom);
        if (m.mounted()) {
            return BlobPushResult.MOUNTED;
        }
        new BlobUpload(this, repository, blob).upload(content, m.session(), m.minChunk());
        return BlobPushResult.UPLOADED;
    }

    /** Tries the mounts in order: the first that links the blob, else the upload session a refused one opened (or none). */
    BlobMount.Result mountFirst(String repository, Descriptor blob, List<String> mountFrom) {
        markPush(repository);
        for (String from : mountFrom) {
            if (from == null || from.equals(repository)) {
                continue;
            }
            BlobMount.Result m = BlobMount.mount(this, repository, blob, from);
            if (m.mounted()) {
                options.progress().blobMounted(blob, from);
                return m;
            }
            if (m.session() != null) {
                return m;
            }
        }
        return new BlobMount.Result(false, null, 0);
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

    /**
     * Stops the HTTP client's selector thread; the client cannot be used afterwards. The JDK 17 client
     * has no {@code close}, and its selector thread waits in a system call, which holds up the JVM's
     * exit by about 300 ms (the VM waits that long for threads in native code). Best effort: the
     * thread is found by the name the JDK gives it ({@code HttpClient-<id>-SelectorManager}, the id
     * from the client's {@code toString}); nothing happens when that does not match.
     */
    public void close() {
        transport.markClosed();
        String text = http.toString();
        int open = text.lastIndexOf('(');
        if (open < 0 || !text.endsWith(")")) {
            return;
        }
        String name = "HttpClient-" + text.substring(open + 1, text.length() - 1) + "-SelectorManager";
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 16];
        int n = root.enumerate(threads, true);
        for (int i = 0; i < n; i++) {
            if (threads[i].getName().equals(name)) {
                threads[i].interrupt();
                try {
                    threads[i].join(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
        }
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
