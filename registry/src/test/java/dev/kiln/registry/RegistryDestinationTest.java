package dev.kiln.registry;

import static dev.kiln.registry.FakeServer.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.spec.MediaTypes;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The destination's bounding, de-duplication and commit rules, against a small in-memory registry. */
class RegistryDestinationTest {
    final Map<String, byte[]> stored = new ConcurrentHashMap<>();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();
    final AtomicInteger uploads = new AtomicInteger();

    FakeServer registry() throws Exception {
        return new FakeServer((ex, body) -> {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (path.equals("/v2/")) {
                send(ex, 200, "{}");
            } else if (method.equals("HEAD")) {
                String digest = path.substring(path.lastIndexOf('/') + 1);
                byte[] b = stored.get(digest);
                if (b == null) {
                    send(ex, 404, null);
                } else {
                    send(ex, 200, null, "Content-Length", String.valueOf(b.length), "Docker-Content-Digest", digest);
                }
            } else if (method.equals("POST")) {
                send(ex, 202, null, "Location", "/v2/t/app/blobs/uploads/" + System.nanoTime());
            } else if (method.equals("PUT") && path.contains("/blobs/uploads/")) {
                int now = running.incrementAndGet();
                maxRunning.accumulateAndGet(now, Math::max);
                try {
                    Thread.sleep(100); // a slow upload, so parallel callers overlap
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                String digest = ex.getRequestURI().getQuery().replaceFirst(".*digest=", "");
                stored.put(digest, body);
                uploads.incrementAndGet();
                running.decrementAndGet();
                send(ex, 201, null, "Docker-Content-Digest", digest);
            } else if (method.equals("PUT")) {
                stored.put(path.substring(path.lastIndexOf('/') + 1), body);
                send(ex, 201, null);
            } else {
                send(ex, 405, null);
            }
        });
    }

    static Descriptor blob(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return new Descriptor(MediaTypes.OCI_LAYER_GZIP, Digest.sha256(b), b.length);
    }

    @Test
    void concurrentCallersUploadEachDigestOnceWithinTheJobLimit() throws Exception {
        try (FakeServer s = registry()) {
            RegistryClient client = RegistryClient.connect(s.address(), RegistryOptions.defaults().withJobs(2));
            RegistryDestination d = new RegistryDestination(client, "t/app", "v1", null, List.of());
            List<Descriptor> blobs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                blobs.add(blob("layer " + i));
            }
            ExecutorService pool = Executors.newFixedThreadPool(20);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int copy = 0; copy < 4; copy++) {
                for (int i = 0; i < blobs.size(); i++) {
                    Descriptor b = blobs.get(i);
                    byte[] bytes = ("layer " + i).getBytes(StandardCharsets.UTF_8);
                    futures.add(pool.submit(() -> {
                        go.await();
                        d.putBlob(b, new ByteArrayInputStream(bytes));
                        return null;
                    }));
                }
            }
            go.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
            pool.shutdown();
            assertEquals(5, uploads.get(), "each digest uploaded once");
            assertEquals(2, maxRunning.get(), "never more than -j uploads at once");
            assertEquals(1, s.count("GET", "/v2/"), "one ping");
        }
    }

    @Test
    void nothingIsTaggedBeforeTheRootAndEveryChildAreThere() throws Exception {
        try (FakeServer s = registry()) {
            RegistryClient client = RegistryClient.connect(s.address(), RegistryOptions.defaults());
            RegistryDestination d = new RegistryDestination(client, "t/app", "v1", null, List.of());
            Descriptor config = blob("{}").withMediaType(MediaTypes.OCI_CONFIG);
            byte[] manifest = new ImageManifest(MediaTypes.OCI_MANIFEST, config, List.of()).toBytes();
            Descriptor md = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256(manifest), manifest.length);
            byte[] index = new ImageIndex(MediaTypes.OCI_INDEX, List.of(md)).toBytes();
            Descriptor root = new Descriptor(MediaTypes.OCI_INDEX, Digest.sha256(index), index.length);

            RegistryException notPushed = assertThrows(RegistryException.class, () -> d.commit(root, List.of()));
            assertTrue(notPushed.getMessage().contains("was not pushed with putManifest; nothing was tagged"), notPushed.getMessage());

            d.putManifest(root, index); // a parent before its child: the registry here does not check
            RegistryException missingChild = assertThrows(RegistryException.class, () -> d.commit(root, List.of()));
            assertTrue(missingChild.getMessage().contains("lists " + md.digest() + ", which is not in the repository"), missingChild.getMessage());
            assertEquals(0, s.count("PUT", "/v2/t/app/manifests/v1"), "no tag written");

            d.putBlob(config, new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)));
            d.putManifest(md, manifest);
            d.commit(root, List.of("v1", "stable"));
            assertEquals(1, s.count("PUT", "/v2/t/app/manifests/v1"));
            assertEquals(1, s.count("PUT", "/v2/t/app/manifests/stable"));
            RegistryException badTag = assertThrows(RegistryException.class, () -> d.commit(root, List.of("no/slashes")));
            assertTrue(badTag.getMessage().contains("invalid tag 'no/slashes'"), badTag.getMessage());
        }
    }
}
