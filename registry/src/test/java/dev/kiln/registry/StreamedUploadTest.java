package dev.kiln.registry;

import static dev.kiln.registry.FakeServer.send;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.layout.spec.Descriptor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resume of a streamed upload at the offset a registry reports, which Distribution (the real
 * registry of the ITs) never reports after a cut-off request: a scripted registry that says it kept
 * the first 5 MiB of a failed PATCH.
 */
class StreamedUploadTest {
    static final long MIB = 1 << 20;

    @Test
    void aStreamedUploadGoesOnFromTheRangeTheRegistryHolds(@TempDir Path tmp) throws Exception {
        StreamedUploadIT.FileBlob blob = StreamedUploadIT.FileBlob.random(tmp.resolve("blob"), 11 * MIB + 7, 9);
        Descriptor d = blob.descriptor;
        long kept = 5 * MIB;
        AtomicInteger patches = new AtomicInteger();
        try (FakeServer s = new FakeServer((ex, body) -> {
            String path = ex.getRequestURI().getPath();
            switch (ex.getRequestMethod() + " " + path) {
                case "GET /v2/" -> send(ex, 200, "{}");
                case "POST /v2/team/app/blobs/uploads/" -> send(ex, 202, null, "Location", "/v2/team/app/blobs/uploads/u1");
                case "PATCH /v2/team/app/blobs/uploads/u1" -> {
                    if (patches.incrementAndGet() == 1) {
                        send(ex, 503, FakeServer.error("UNAVAILABLE", "try again")); // it kept 5 MiB, it says below
                    } else {
                        send(ex, 202, null, "Location", "/v2/team/app/blobs/uploads/u1?part=2", "Range", "0-" + (d.size() - 1));
                    }
                }
                case "GET /v2/team/app/blobs/uploads/u1" -> send(ex, 204, null, "Location", "/v2/team/app/blobs/uploads/u1?part=1",
                        "Range", "0-" + (kept - 1));
                case "PUT /v2/team/app/blobs/uploads/u1" -> send(ex, 201, null, "Docker-Content-Digest", d.digest().toString());
                default -> send(ex, 404, FakeServer.error("NOT_FOUND", path));
            }
        })) {
            RegistryClient c = RegistryClient.connect(s.address(), RegistryOptions.defaults().withChunkSize(4 * MIB)
                    .withRetry(new RetryPolicy(5, Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofSeconds(5))));
            c.pushBlob("team/app", d, blob, List.of());
            List<FakeServer.Seen> sent = s.seen.stream().filter(x -> x.method().equals("PATCH")).toList();
            assertEquals(2, sent.size());
            assertEquals("0-" + (d.size() - 1), sent.get(0).header("Content-Range"));
            assertEquals(kept + "-" + (d.size() - 1), sent.get(1).header("Content-Range"));
            assertEquals(d.size() - kept, sent.get(1).bodyLength(), "only the rest was sent again");
            // opened at 0 to send, at 0 to hash what the registry kept, at 5 MiB to send the rest
            assertEquals(List.of(0L, 0L, kept), blob.opened);
            FakeServer.Seen put = s.seen.stream().filter(x -> x.method().equals("PUT")).findFirst().orElseThrow();
            assertEquals("/v2/team/app/blobs/uploads/u1?part=2&digest=" + d.digest(), put.uri());
        }
    }

    @Test
    void anUploadStatusWithAnInvalidRangeIsTheRegistrysErrorNamingItAndTheBlob(@TempDir Path tmp) throws Exception {
        StreamedUploadIT.FileBlob blob = StreamedUploadIT.FileBlob.random(tmp.resolve("blob"), 5 * MIB, 3);
        Descriptor d = blob.descriptor;
        try (FakeServer s = new FakeServer((ex, body) -> {
            String path = ex.getRequestURI().getPath();
            switch (ex.getRequestMethod() + " " + path) {
                case "GET /v2/" -> send(ex, 200, "{}");
                case "POST /v2/team/app/blobs/uploads/" -> send(ex, 202, null, "Location", "/v2/team/app/blobs/uploads/u1");
                case "PATCH /v2/team/app/blobs/uploads/u1" -> send(ex, 503, FakeServer.error("UNAVAILABLE", "try again"));
                case "GET /v2/team/app/blobs/uploads/u1" -> send(ex, 204, null, "Range", "bytes=oops");
                default -> send(ex, 404, FakeServer.error("NOT_FOUND", path));
            }
        })) {
            RegistryClient c = RegistryClient.connect(s.address(), RegistryOptions.defaults().withChunkSize(4 * MIB)
                    .withRetry(new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofSeconds(5))));
            RegistryException e = org.junit.jupiter.api.Assertions.assertThrows(RegistryException.class, () -> c.pushBlob("team/app", d, blob, List.of()));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("registry " + s.address() + ", repository team/app: uploading blob "
                    + d.digest() + ": invalid Range header 'oops' in an upload status"), e.getMessage());
        }
    }
}
