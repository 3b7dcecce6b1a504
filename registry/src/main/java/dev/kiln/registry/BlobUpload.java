package dev.kiln.registry;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.transport.SeekableBlob;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Uploads one blob: {@code POST /v2/<name>/blobs/uploads/} opens a session; blobs up to the chunk
 * size then go in one {@code PUT <location>?digest=} with their exact length, bigger ones in
 * {@code PATCH} chunks ({@code Content-Range: start-end}, at least {@code OCI-Chunk-Min-Length})
 * closed by an empty {@code PUT ?digest=}. The chunk being sent is held in memory (never the whole
 * blob), so after a dropped connection, a 5xx/429 or a 416 the upload asks the registry how much it
 * has ({@code GET <location>}, {@code Range: 0-N}) and continues from there. A small blob whose PUT
 * fails is sent again in a fresh session. The content is hashed on the way; a stream that is not the
 * descriptor's bytes is refused before the upload is closed.
 */
final class BlobUpload {
    private static final String OCTETS = "application/octet-stream";
    private final RegistryClient client;
    private final HttpTransport t;
    private final String repository;
    private final Descriptor blob;
    private final ProgressListener progress;

    BlobUpload(RegistryClient client, String repository, Descriptor blob) {
        this.client = client;
        this.t = client.transport();
        this.repository = repository;
        this.blob = blob;
        this.progress = client.options().progress();
    }

    /** The upload; {@code session} is an upload URL already opened (by a refused mount), or null. */
    void upload(InputStream content, URI session, long minChunk) {
        progress.blobStarted(blob);
        try {
            if (blob.size() <= client.options().chunkSize()) {
                monolithic(content, session);
            } else {
                chunked(content, session, minChunk);
            }
        } catch (IOException e) {
            throw new RegistryException(prefix() + "reading the blob content failed: " + ConnectionProblems.describe(e), e);
        }
        progress.blobDone(blob);
    }

    /**
     * The upload of content that can be opened at any offset: up to the chunk size as a small blob,
     * else in one streamed {@code PATCH} (see {@link #streamed}).
     */
    void upload(SeekableBlob content, URI session, long minChunk) {
        progress.blobStarted(blob);
        if (blob.size() <= client.options().chunkSize()) {
            try (InputStream in = content.openAt(0)) {
                monolithic(in, session);
            } catch (IOException e) {
                throw new RegistryException(prefix() + "reading the blob content failed: " + ConnectionProblems.describe(e), e);
            }
        } else {
            streamed(content, session);
        }
        progress.blobDone(blob);
    }

    private String prefix() {
        return "registry " + t.registry() + ", repository " + repository + ": uploading blob " + blob.digest() + ": ";
    }

    private record Session(URI location, long minChunk) {
    }

    private Session start() {
        HttpCall call = new HttpCall("POST", client.uri("/v2/" + repository + "/blobs/uploads/"),
                "starting the upload of blob " + blob.digest()).repository(repository, client.scopes(repository)).repeatable(true);
        HttpAnswer r = t.send(call);
        if (r.status() != 202 || r.header("Location").isEmpty()) {
            throw t.failure(call, r, r.status() == 202 ? "the registry sent no Location for the upload" : null);
        }
        return new Session(t.location(call, r, null), minChunk(r));
    }

    static long minChunk(HttpAnswer r) {
        try {
            return r.header("OCI-Chunk-Min-Length").map(s -> Long.parseLong(s.trim())).orElse(0L);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    // ---- small blobs: one PUT with the whole content

    private void monolithic(InputStream content, URI session) throws IOException {
        int size = (int) blob.size();
        byte[] bytes = content.readNBytes(size);
        if (bytes.length < size) {
            throw new RegistryException(prefix() + "the content ended after " + bytes.length + " of " + size + " bytes");
        }
        if (content.read() != -1) {
            throw new RegistryException(prefix() + "the content is longer than the descriptor's " + size + " bytes");
        }
        if (!blob.digest().matches(bytes)) {
            throw new RegistryException(prefix() + "the content does not hash to the descriptor's digest; nothing was sent");
        }
        RetryPolicy policy = client.options().retry();
        URI location = session;
        for (int attempt = 1; ; attempt++) {
            if (location == null) {
                location = start().location();
            }
            HttpCall call = put(location).body(bytes, 0, size).header("Content-Type", OCTETS);
            String problem;
            Duration wait;
            try {
                HttpAnswer r = t.sendOnce(call);
                if (r.status() == 201 || r.status() == 204 || r.status() == 200) {
                    Digests.checkHeader(t, call, r, blob.digest());
                    progress.blobProgress(blob, size);
                    return;
                }
                if (!HttpTransport.isRetryableStatus(r.status()) && r.status() != 404 || attempt >= policy.maxAttempts()) {
                    throw t.failure(call, r, null);
                }
                problem = "HTTP " + r.status();
                wait = waitFor(r, attempt);
            } catch (IOException e) {
                if (attempt >= policy.maxAttempts()) {
                    throw t.connectionFailure(call, e, attempt);
                }
                problem = ConnectionProblems.describe(e);
                wait = policy.backoff(attempt);
            }
            if (client.hasBlob(repository, blob)) {
                return; // the PUT did arrive; only its answer was lost
            }
            pause(call, attempt, wait, problem);
            location = null; // the old session may hold part of the content: start afresh
        }
    }

    // ---- large blobs: PATCH chunk by chunk, resuming where the registry stands

    private void chunked(InputStream content, URI session, long minChunk) throws IOException {
        Session s = session != null ? new Session(session, minChunk) : start();
        long chunk = Math.max(client.options().chunkSize(), s.minChunk());
        if (chunk > Integer.MAX_VALUE - 64) {
            throw new RegistryException(prefix() + "the registry asks for chunks of at least " + s.minChunk() + " bytes, more than kiln can hold");
        }
        URI location = s.location();
        long size = blob.size();
        byte[] buffer = new byte[(int) Math.min(chunk, size)];
        MessageDigest md = blob.digest().newMessageDigest();
        long offset = 0;
        while (offset < size) {
            int want = (int) Math.min(buffer.length, size - offset);
            int n = content.readNBytes(buffer, 0, want);
            if (n < want) {
                cancel(client, repository, location);
                throw new RegistryException(prefix() + "the content ended after " + (offset + n) + " of " + size + " bytes");
            }
            md.update(buffer, 0, n);
            location = sendChunk(location, buffer, n, offset);
            offset += n;
            progress.blobProgress(blob, offset);
        }
        if (content.read() != -1) {
            cancel(client, repository, location);
            throw new RegistryException(prefix() + "the content is longer than the descriptor's " + size + " bytes");
        }
        Digest actual = Digest.of(blob.digest().algorithm(), md);
        if (!actual.equals(blob.digest())) {
            cancel(client, repository, location);
            throw new RegistryException(prefix() + "the content hashes to " + actual + "; the upload was cancelled");
        }
        finish(location);
    }

    // ---- large blobs from content that can be reopened: one streamed PATCH

    /**
     * Sends the whole blob in one {@code PATCH} with its exact length, read and hashed piece by piece
     * as it goes ({@link HashingBody}). After a dropped connection, a 5xx/429 or a 416 it asks the
     * registry how much it holds and goes on from there, opening the content at that offset; when the
     * registry no longer knows the session (Distribution refuses a session whose last request was cut
     * off half-way), it starts over in a new one. Content that does not hash to the descriptor's digest
     * is never closed with {@code PUT ?digest=}: the session is cancelled.
     */
    private void streamed(SeekableBlob content, URI session) {
        RetryPolicy policy = client.options().retry();
        long size = blob.size();
        URI location = session != null ? session : start().location();
        long offset = 0;
        MessageDigest hashed = blob.digest().newMessageDigest(); // the hash of bytes [0, offset)
        for (int failures = 1; ; failures++) {
            long from = offset;
            MessageDigest before = hashed;
            HashingBody[] body = new HashingBody[1];
            HttpCall call = new HttpCall("PATCH", location, "uploading blob " + blob.digest() + " bytes " + from + "-" + (size - 1))
                    .repository(repository, client.scopes(repository))
                    .repeatable(false)
                    .header("Content-Type", OCTETS)
                    .header("Content-Range", from + "-" + (size - 1))
                    .timeout(timeoutFor(size - from))
                    .body(() -> {
                        if (body[0] != null) {
                            body[0].close();
                        }
                        body[0] = new HashingBody(content, from, size - from, size, Digest.copyOf(before), n -> progress.blobProgress(blob, n));
                        return body[0];
                    });
            String problem;
            Duration wait;
            try {
                HttpAnswer r = t.sendOnce(call);
                refuseBadContent(body[0], location);
                if (r.status() == 202 || r.status() == 201 || r.status() == 204) {
                    URI next = t.location(call, r, location);
                    if (body[0] == null || body[0].sent() != size - from) {
                        cancel(client, repository, location);
                        throw new RegistryException(prefix() + "the registry accepted the upload before all of it was sent");
                    }
                    checkDigest(body[0].digest(), next);
                    finish(next);
                    return;
                }
                if (r.status() != 416 && !HttpTransport.isRetryableStatus(r.status())) {
                    cancel(client, repository, location);
                    throw t.failure(call, r, null);
                }
                problem = "HTTP " + r.status();
                wait = r.status() == 416 ? Duration.ZERO : waitFor(r, failures);
            } catch (IOException e) {
                refuseBadContent(body[0], location);
                problem = ConnectionProblems.describe(e);
                wait = policy.backoff(failures);
            } finally {
                if (body[0] != null) {
                    body[0].close();
                }
            }
            if (failures >= policy.maxAttempts()) {
                cancel(client, repository, location);
                throw new RegistryException(prefix() + "sending bytes " + from + "-" + (size - 1) + " failed " + failures
                        + " times, last: " + problem);
            }
            pause(call, failures, wait, problem + "; resuming");
            Optional<Status> status = resumable(location);
            if (status.isEmpty() || status.get().received() > size) {
                t.log("upload of blob " + blob.digest() + ": the registry cannot resume the session; starting over in a new one");
                cancel(client, repository, location);
                location = start().location();
                offset = 0;
                hashed = blob.digest().newMessageDigest();
                continue;
            }
            location = status.get().location();
            long have = status.get().received();
            // the registry holds bytes [0, have): hash them as the content has them, then send the rest
            hashed = have == from ? before
                    : have > from ? hashRange(content, Digest.copyOf(before), from, have)
                    : hashRange(content, blob.digest().newMessageDigest(), 0, have);
            offset = have;
            if (have == size) {
                checkDigest(hashed, location); // everything arrived; only the answer was lost
                finish(location);
                return;
            }
        }
    }

    /** A streamed body gets the request timeout for every chunk-size of bytes it carries. */
    private Duration timeoutFor(long bytes) {
        long chunks = Math.max(1, (bytes + client.options().chunkSize() - 1) / client.options().chunkSize());
        return client.options().requestTimeout().multipliedBy(chunks);
    }

    /** Content that was wrong (short, long, unreadable) fails the upload: trying again cannot help. */
    private void refuseBadContent(HashingBody body, URI location) {
        if (body != null && body.problem() != null) {
            cancel(client, repository, location);
            throw new RegistryException(prefix() + body.problem() + "; the upload was cancelled");
        }
    }

    private void checkDigest(MessageDigest md, URI location) {
        Digest actual = Digest.of(blob.digest().algorithm(), md);
        if (!actual.equals(blob.digest())) {
            cancel(client, repository, location);
            throw new RegistryException(prefix() + "the content hashes to " + actual + "; the upload was cancelled");
        }
    }

    /** Adds bytes {@code [from, to)} of the content to {@code md}. */
    private MessageDigest hashRange(SeekableBlob content, MessageDigest md, long from, long to) {
        try (InputStream in = content.openAt(from)) {
            byte[] buffer = new byte[HashingBody.PIECE];
            long left = to - from;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new RegistryException(prefix() + "the content ended after " + (to - left) + " of " + blob.size() + " bytes");
                }
                md.update(buffer, 0, n);
                left -= n;
            }
            return md;
        } catch (IOException e) {
            throw new RegistryException(prefix() + "reading the blob content failed: " + ConnectionProblems.describe(e), e);
        }
    }

    /** The upload status, or empty when the registry no longer knows the session (404, or a 400/416 about it). */
    private Optional<Status> resumable(URI location) {
        HttpCall call = new HttpCall("GET", location, "asking the upload status of blob " + blob.digest())
                .repository(repository, client.scopes(repository)).noBody();
        HttpAnswer r = t.send(call);
        if (r.status() == 404 || r.status() == 400 || r.status() == 416) {
            return Optional.empty();
        }
        if (r.status() != 204 && r.status() != 200) {
            throw t.failure(call, r, "the registry cannot resume this upload");
        }
        URI next = t.location(call, r, location);
        try {
            return Optional.of(new Status(next, parseRange(r.header("Range"))));
        } catch (RegistryException e) {
            throw new RegistryException(prefix() + e.getMessage(), r.status(), List.of(), null); // the registry's wrong answer
        }
    }

    /** PATCHes bytes {@code [0, n)} of the buffer, which sit at {@code offset} of the blob; returns the next location. */
    private URI sendChunk(URI location, byte[] buffer, int n, long offset) {
        RetryPolicy policy = client.options().retry();
        int pos = 0;
        for (int failures = 1; ; failures++) {
            long start = offset + pos;
            HttpCall call = new HttpCall("PATCH", location, "uploading blob " + blob.digest()
                    + " bytes " + start + "-" + (offset + n - 1)).repository(repository, client.scopes(repository))
                    .repeatable(false)
                    .header("Content-Type", OCTETS)
                    .header("Content-Range", start + "-" + (offset + n - 1))
                    .body(buffer, pos, n - pos);
            String problem;
            Duration wait;
            try {
                HttpAnswer r = t.sendOnce(call);
                if (r.status() == 202 || r.status() == 201 || r.status() == 204) {
                    return t.location(call, r, location);
                }
                if (r.status() != 416 && !HttpTransport.isRetryableStatus(r.status())) {
                    throw t.failure(call, r, null);
                }
                problem = "HTTP " + r.status();
                wait = r.status() == 416 ? Duration.ZERO : waitFor(r, failures);
            } catch (IOException e) {
                problem = ConnectionProblems.describe(e);
                wait = policy.backoff(failures);
            }
            if (failures >= policy.maxAttempts()) {
                throw new RegistryException(prefix() + "sending bytes " + start + "-" + (offset + n - 1) + " failed " + failures
                        + " times, last: " + problem);
            }
            pause(call, failures, wait, problem + "; resuming");
            Status status = resumable(location).orElseThrow(() -> new RegistryException(prefix()
                    + "cannot resume: the registry no longer knows the upload session"));
            location = status.location();
            long have = status.received();
            if (have < offset || have > offset + n) {
                throw new RegistryException(prefix() + "cannot resume: the registry holds " + have
                        + " bytes of the upload, but the chunk being sent covers bytes " + offset + "-" + (offset + n - 1));
            }
            pos = (int) (have - offset);
            if (pos == n) {
                return location; // the chunk arrived; only the answer was lost
            }
        }
    }

    private record Status(URI location, long received) {
    }

    /** {@code 0-N} means N+1 bytes received; no header means none. */
    static long parseRange(Optional<String> range) {
        if (range.isEmpty() || range.get().isBlank()) {
            return 0;
        }
        String v = range.get().trim();
        if (v.startsWith("bytes=")) {
            v = v.substring("bytes=".length());
        }
        int dash = v.indexOf('-');
        if (dash < 0) {
            throw new RegistryException("invalid Range header '" + RegistryError.clean(v) + "' in an upload status");
        }
        try {
            long end = Long.parseLong(v.substring(dash + 1).trim());
            long first = Long.parseLong(v.substring(0, dash).trim());
            if (first != 0 || end < 0) {
                throw new RegistryException("invalid Range header '" + RegistryError.clean(v) + "' in an upload status");
            }
            // Distribution answers 0-0 for an empty upload as well as for one byte; treat it as empty
            return end == 0 ? 0 : end + 1;
        } catch (NumberFormatException e) {
            throw new RegistryException("invalid Range header '" + RegistryError.clean(v) + "' in an upload status");
        }
    }

    /** Closes the upload: an empty {@code PUT <location>?digest=}. */
    private void finish(URI location) {
        RetryPolicy policy = client.options().retry();
        for (int attempt = 1; ; attempt++) {
            HttpCall call = put(location).body(new byte[0], 0, 0);
            String problem;
            Duration wait;
            try {
                HttpAnswer r = t.sendOnce(call);
                if (r.status() == 201 || r.status() == 204 || r.status() == 200) {
                    Digests.checkHeader(t, call, r, blob.digest());
                    return;
                }
                if (r.status() == 404 && client.hasBlob(repository, blob)) {
                    return; // an earlier PUT completed; its answer was lost
                }
                if (!HttpTransport.isRetryableStatus(r.status()) || attempt >= policy.maxAttempts()) {
                    throw t.failure(call, r, null);
                }
                problem = "HTTP " + r.status();
                wait = waitFor(r, attempt);
            } catch (IOException e) {
                if (client.hasBlob(repository, blob)) {
                    return;
                }
                if (attempt >= policy.maxAttempts()) {
                    throw t.connectionFailure(call, e, attempt);
                }
                problem = ConnectionProblems.describe(e);
                wait = policy.backoff(attempt);
            }
            pause(call, attempt, wait, problem);
        }
    }

    private HttpCall put(URI location) {
        return new HttpCall("PUT", Locations.withQuery(location, "digest", blob.digest().toString()),
                "completing the upload of blob " + blob.digest()).repository(repository, client.scopes(repository))
                .repeatable(false);
    }

    private void pause(HttpCall call, int attempt, Duration wait, String problem) {
        try {
            t.pause(call, attempt, wait, problem);
        } catch (InterruptedIOException e) {
            throw new RegistryException(prefix() + "interrupted", e);
        }
    }

    private Duration waitFor(HttpAnswer r, int attempt) {
        Duration asked = RetryAfter.parse(r.header("Retry-After").orElse(null), Instant.now()).orElse(null);
        return client.options().retry().waitFor(asked, attempt);
    }

    /** Best-effort {@code DELETE} of an upload session nobody will finish. */
    static void cancel(RegistryClient client, String repository, URI location) {
        try {
            client.transport().sendOnce(new HttpCall("DELETE", location, "cancelling an upload")
                    .repository(repository, client.scopes(repository)));
        } catch (IOException | RuntimeException e) {
            // the registry expires abandoned sessions itself
        }
    }
}
