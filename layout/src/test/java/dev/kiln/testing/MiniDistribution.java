package dev.kiln.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An honest, in-memory registry of the distribution API (just enough for push, pull and copy) to put
 * behind a {@link HostileRegistry}, so a test scripts only the hostile part and lets this answer the
 * rest. Authentication is none, Basic, or Bearer with tokens from {@link #tokenServer} (which may run
 * on another {@code HostileRegistry}, standing for another host). Upload sessions carry an opaque
 * {@code _state}; {@link #uploadsAt} sends uploads to another host; {@link #redirectBlobsTo} answers
 * blob GETs with a redirect to another host. Several servers may share one instance.
 */
public final class MiniDistribution implements HostileRegistry.Handler {
    private static final Pattern BLOB = Pattern.compile("/v2/(.+)/blobs/(sha256:[0-9a-f]{64})");
    private static final Pattern UPLOAD = Pattern.compile("/v2/(.+)/blobs/uploads/([^/]*)");
    private static final Pattern MANIFEST = Pattern.compile("/v2/(.+)/manifests/([^/]+)");

    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final Set<String> linked = ConcurrentHashMap.newKeySet(); // repo@digest: which repository holds which blob
    private final Map<String, ByteArrayOutputStream> uploads = new ConcurrentHashMap<>();
    private final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
    private final Map<String, String> manifestTypes = new ConcurrentHashMap<>();
    private final Set<String> tokens = ConcurrentHashMap.newKeySet();
    private final Set<String> states = ConcurrentHashMap.newKeySet();
    private volatile String basic;
    private volatile String realm;
    private volatile String uploadBase;
    private volatile String blobRedirect;

    /** Asks for Basic credentials. */
    public MiniDistribution basic(String user, String password) {
        this.basic = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Asks for Bearer tokens from this realm (a {@link #tokenServer}). */
    public MiniDistribution bearer(String realmUrl) {
        this.realm = realmUrl;
        return this;
    }

    /** Upload sessions live at this base URL ({@code http://127.0.0.N:P}) instead of the registry's own. */
    public MiniDistribution uploadsAt(String baseUrl) {
        this.uploadBase = baseUrl;
        return this;
    }

    /** Blob GETs are answered with a 307 to this base URL (which must serve them, as another server on this instance). */
    public MiniDistribution redirectBlobsTo(String baseUrl) {
        this.blobRedirect = baseUrl;
        return this;
    }

    /**
     * A token server: {@code GET} with Basic credentials ({@code user:password}) or a {@code POST}
     * refresh-token grant with {@code refreshToken} gets a fresh random token; anything else is 401.
     */
    public HostileRegistry.Handler tokenServer(String user, String password, String refreshToken) {
        String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return ex -> {
            boolean ok = expected.equals(ex.request.authorization())
                    || ex.method().equals("POST") && refreshToken != null && ex.request.bodyText().contains("grant_type=refresh_token")
                    && ex.request.bodyText().contains("refresh_token=" + refreshToken);
            if (!ok) {
                ex.send(401, "{\"details\":\"bad credentials\"}", "Content-Type", "application/json");
                return;
            }
            String token = "tok-" + UUID.randomUUID() + "-" + UUID.randomUUID();
            tokens.add(token);
            ex.send(200, "{\"token\":\"" + token + "\",\"expires_in\":300}", "Content-Type", "application/json");
        };
    }

    /** True when the request may pass; else it has been answered 401 with the challenge. */
    private boolean authorized(HostileRegistry.Exchange ex, String scope) throws IOException {
        String auth = ex.request.authorization();
        if (basic != null) {
            if (basic.equals(auth)) {
                return true;
            }
            ex.send(401, error("UNAUTHORIZED", "authentication required"), "WWW-Authenticate", "Basic realm=\"mini\"");
            return false;
        }
        if (realm != null) {
            if (auth != null && auth.startsWith("Bearer ") && tokens.contains(auth.substring(7))) {
                return true;
            }
            ex.send(401, error("UNAUTHORIZED", "authentication required"), "WWW-Authenticate",
                    "Bearer realm=\"" + realm + "\",service=\"mini\"" + (scope == null ? "" : ",scope=\"" + scope + "\""));
            return false;
        }
        return true;
    }

    @Override
    public void handle(HostileRegistry.Exchange ex) throws IOException {
        String path = ex.path();
        String query = ex.request.uri().contains("?") ? ex.request.uri().substring(ex.request.uri().indexOf('?') + 1) : "";
        Matcher m;
        boolean isUpload = (m = UPLOAD.matcher(path)).matches();
        if (path.equals("/v2/") || path.equals("/v2")) {
            if (authorized(ex, null)) {
                ex.send(200, "{}", "Content-Type", "application/json");
            }
            return;
        }
        String repo = isUpload ? m.group(1) : repoOf(path);
        if (!authorized(ex, repo == null ? null : "repository:" + repo + ":pull,push")) {
            return;
        }
        if (isUpload) {
            upload(ex, m.group(1), m.group(2), query);
        } else if ((m = BLOB.matcher(path)).matches()) {
            blob(ex, m.group(1), m.group(2));
        } else if ((m = MANIFEST.matcher(path)).matches()) {
            manifest(ex, m.group(1), m.group(2));
        } else {
            ex.send(404, error("NAME_UNKNOWN", "no such path"));
        }
    }

    private static String repoOf(String path) {
        for (Pattern p : new Pattern[] {BLOB, MANIFEST}) {
            Matcher m = p.matcher(path);
            if (m.matches()) {
                return m.group(1);
            }
        }
        return null;
    }

    private void blob(HostileRegistry.Exchange ex, String repo, String digest) throws IOException {
        byte[] b = linked.contains(repo + "@" + digest) ? blobs.get(digest) : null;
        if (b == null) {
            ex.send(404, error("BLOB_UNKNOWN", "blob unknown"));
        } else if (ex.method().equals("GET") && blobRedirect != null && !ex.request.host().equals(hostOf(blobRedirect))) {
            ex.send(307, (String) null, "Location", blobRedirect + ex.path() + "?X-Signature=" + UUID.randomUUID());
        } else if (ex.method().equals("HEAD")) {
            ex.send(200, (byte[]) null, "Content-Length", Integer.toString(b.length), "Docker-Content-Digest", digest);
        } else {
            ex.send(200, b, "Docker-Content-Digest", digest, "Content-Type", "application/octet-stream");
        }
    }

    private static String hostOf(String url) {
        String h = url.substring(url.indexOf("://") + 3);
        return h.contains(":") ? h.substring(0, h.indexOf(':')) : h;
    }

    private void upload(HostileRegistry.Exchange ex, String repo, String id, String query) throws IOException {
        if (ex.method().equals("POST")) {
            String mount = param(query, "mount");
            String from = param(query, "from");
            if (mount != null && from != null && linked.contains(from + "@" + mount)) {
                linked.add(repo + "@" + mount);
                ex.send(201, (String) null, "Location", "/v2/" + repo + "/blobs/" + mount, "Docker-Content-Digest", mount);
                return;
            }
            String session = UUID.randomUUID().toString();
            uploads.put(session, new ByteArrayOutputStream());
            states.add(stateFor(session));
            String base = uploadBase != null ? uploadBase : "";
            ex.send(202, (String) null, "Location", base + "/v2/" + repo + "/blobs/uploads/" + session + "?_state=" + stateFor(session),
                    "Docker-Upload-UUID", session);
            return;
        }
        ByteArrayOutputStream buffer = uploads.get(id);
        if (buffer == null) {
            ex.send(404, error("BLOB_UPLOAD_UNKNOWN", "upload unknown"));
            return;
        }
        buffer.write(ex.request.body());
        String base = uploadBase != null ? uploadBase : "";
        if (ex.method().equals("PATCH")) {
            ex.send(202, (String) null, "Location", base + "/v2/" + repo + "/blobs/uploads/" + id + "?_state=" + stateFor(id),
                    "Range", "0-" + Math.max(0, buffer.size() - 1));
        } else if (ex.method().equals("PUT")) {
            String digest = param(query, "digest");
            byte[] bytes = buffer.toByteArray();
            if (digest == null || !digest.equals(sha256(bytes))) {
                ex.send(400, error("DIGEST_INVALID", "digest does not match"));
                return;
            }
            uploads.remove(id);
            blobs.put(digest, bytes);
            linked.add(repo + "@" + digest);
            ex.send(201, (String) null, "Location", "/v2/" + repo + "/blobs/" + digest, "Docker-Content-Digest", digest);
        } else {
            ex.send(204, (String) null, "Range", "0-" + Math.max(0, buffer.size() - 1));
        }
    }

    /** An opaque, secret-looking upload state, as Distribution signs its own. */
    private static String stateFor(String session) {
        return "st8-" + Base64.getUrlEncoder().withoutPadding().encodeToString(("state-of-" + session).getBytes(StandardCharsets.UTF_8));
    }

    private void manifest(HostileRegistry.Exchange ex, String repo, String ref) throws IOException {
        if (ex.method().equals("PUT")) {
            byte[] bytes = ex.request.body();
            String digest = sha256(bytes);
            String type = ex.request.header("Content-Type");
            for (String key : new String[] {repo + "@" + digest, repo + ":" + ref}) {
                manifests.put(key, bytes);
                manifestTypes.put(key, type);
            }
            ex.send(201, (String) null, "Docker-Content-Digest", digest, "Location", "/v2/" + repo + "/manifests/" + digest);
            return;
        }
        String key = repo + (ref.startsWith("sha256:") ? "@" : ":") + ref;
        byte[] bytes = manifests.get(key);
        if (bytes == null) {
            ex.send(404, error("MANIFEST_UNKNOWN", "manifest unknown"));
            return;
        }
        ex.send(200, bytes, "Content-Type", manifestTypes.get(key), "Docker-Content-Digest", sha256(bytes));
    }

    /** Stores a blob in a repository directly (as if pushed earlier); returns its digest. */
    public String putBlob(String repo, byte[] bytes) {
        String d = sha256(bytes);
        blobs.put(d, bytes);
        linked.add(repo + "@" + d);
        return d;
    }

    /**
     * What a storage host behind the registry answers, without asking for credentials (a signed URL
     * stands for them): blob GETs it was redirected to, and uploads at {@link #uploadsAt}.
     */
    public HostileRegistry.Handler storage() {
        return ex -> {
            String query = ex.request.uri().contains("?") ? ex.request.uri().substring(ex.request.uri().indexOf('?') + 1) : "";
            Matcher m;
            if ((m = UPLOAD.matcher(ex.path())).matches()) {
                upload(ex, m.group(1), m.group(2), query);
            } else if ((m = BLOB.matcher(ex.path())).matches()) {
                blob(ex, m.group(1), m.group(2));
            } else {
                ex.send(404, error("NAME_UNKNOWN", "no such path"));
            }
        };
    }

    /** The tokens the token server handed out so far. */
    public Set<String> issuedTokens() {
        return Set.copyOf(tokens);
    }

    /** The {@code _state} values of the upload sessions handed out so far. */
    public Set<String> uploadStates() {
        return Set.copyOf(states);
    }

    /** Stores a manifest under a repository and tag (and its digest); returns its digest. */
    public String putManifest(String repo, String tag, String mediaType, byte[] bytes) {
        String d = sha256(bytes);
        for (String key : new String[] {repo + "@" + d, repo + ":" + tag}) {
            manifests.put(key, bytes);
            manifestTypes.put(key, mediaType);
        }
        return d;
    }

    public boolean hasBlob(String repo, String digest) {
        return linked.contains(repo + "@" + digest);
    }

    public boolean hasManifest(String repo, String tag) {
        return manifests.containsKey(repo + ":" + tag);
    }

    private static String param(String query, String name) {
        for (String p : query.split("&")) {
            if (p.startsWith(name + "=")) {
                return URLDecoder.decode(p.substring(name.length() + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    public static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String error(String code, String message) {
        return "{\"errors\":[{\"code\":\"" + code + "\",\"message\":" + HostileRegistry.json(message) + "}]}";
    }
}
