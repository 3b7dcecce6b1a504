package dev.kiln.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.transport.ImageReference;
import dev.kiln.layout.transport.LayoutDestination;
import dev.kiln.layout.transport.LayoutSource;
import dev.kiln.registry.auth.Credentials;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real registry with TLS (self-signed, trusted through a certs.d folder) and Basic auth, and one
 * requiring client certificates (mutual TLS) with RSA PKCS#8, RSA PKCS#1 and EC SEC1 keys.
 */
class TlsIT {
    static final String PASSWORD = "Tls-" + Long.toHexString(System.nanoTime());
    static TestRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        TestRegistry.requireTools("openssl");
        registry = TestRegistry.start("--tls", "--htpasswd", "bob:" + PASSWORD);
    }

    @AfterAll
    static void stop() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    RegistryOptions options() {
        return RegistryOptions.defaults().withCredentials(new Credentials("bob", PASSWORD))
                .withRetry(new RetryPolicy(2, Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofSeconds(1)));
    }

    ImageReference ref(String address, String repoTag) {
        return ImageReference.parse("docker://" + address + "/" + repoTag);
    }

    @Test
    void pushesAndPullsOverVerifiedTlsWithACertDir(@TempDir Path tmp) throws Exception {
        TestImage image = TestImage.build(tmp.resolve("src"), "latest", 0, "tls");
        RegistryOptions o = options().withCertDir(registry.certDir);
        try (RegistryDestination d = RegistryDestination.open(ref(registry.address, "tls/app:1"), o)) {
            assertEquals("https://" + registry.address, d.client().baseUri().toString());
            MiniCopy.copy(new LayoutSource(image.layout, "latest", "oci:src"), d, List.of(), 4);
        }
        byte[] raw = Cmd.check("skopeo", "inspect", "--raw", "--cert-dir", registry.certDir.toString(), "--creds", "bob:" + PASSWORD,
                "docker://" + registry.address + "/tls/app:1");
        assertEquals(image.index.digest(), Digest.sha256(raw));
        OciLayout pulled = OciLayout.openOrCreate(tmp.resolve("pulled"));
        try (RegistrySource s = RegistrySource.open(ref(registry.address, "tls/app:1"), o);
             LayoutDestination ld = new LayoutDestination(pulled, "1", "oci:pulled")) {
            MiniCopy.copy(s, ld, List.of(), 4);
        }
        assertEquals(PushPullIT.digests(image.layout, image.index), PushPullIT.digests(pulled, pulled.resolve("1")));
    }

    @Test
    void anUntrustedCertificateIsAClearErrorEvenOnLoopback() {
        RegistryException e = assertThrows(RegistryException.class, () -> RegistryClient.connect(registry.address, options()));
        String m = e.getMessage();
        assertTrue(m.contains("TLS certificate not trusted") && m.contains("--cert-dir") && m.contains(registry.address), m);
        assertFalse(m.contains(PASSWORD) || m.contains("\n"), m);
    }

    @Test
    void insecureSkipsVerification(@TempDir Path tmp) throws Exception {
        TestImage image = TestImage.build(tmp.resolve("src"), "latest", 0, "insecure");
        try (RegistryDestination d = RegistryDestination.open(ref(registry.address, "tls/insecure:1"), options().withInsecure(true))) {
            assertEquals("https://" + registry.address, d.client().baseUri().toString());
            MiniCopy.copy(new LayoutSource(image.layout, "latest", "oci:src"), d, List.of(), 4);
        }
        assertEquals(image.index.digest(), Digest.sha256(Cmd.check("skopeo", "inspect", "--raw", "--tls-verify=false",
                "--creds", "bob:" + PASSWORD, "docker://" + registry.address + "/tls/insecure:1")));
    }

    @Test
    void aBigBlobStreamsOverTlsInOnePatch(@TempDir Path tmp) throws Exception {
        StreamedUploadIT.FileBlob blob = StreamedUploadIT.FileBlob.random(tmp.resolve("blob"), (9L << 20) + 3, 7);
        java.util.Queue<String> log = new java.util.concurrent.ConcurrentLinkedQueue<>();
        RegistryClient client = RegistryClient.connect(registry.address, options().withInsecure(true).withChunkSize(4L << 20).withDebug(log::add));
        assertEquals("https://" + registry.address, client.baseUri().toString());
        client.pushBlob("tls/streamed", blob.descriptor, blob, List.of());
        assertEquals(1, log.stream().filter(l -> l.contains("> PATCH ")).count(), String.join("\n", log));
        assertEquals(List.of(0L), blob.opened);
        Path copy = tmp.resolve("copy");
        try (java.io.InputStream in = client.openBlob("tls/streamed", blob.descriptor)) {
            Files.copy(in, copy);
        }
        assertEquals(Files.mismatch(blob.file, copy), -1L, "the registry holds the file's bytes");
    }

    @Test
    void mutualTlsWithClientCertificatesInEachKeyFormat(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("mtls");
        Files.createDirectories(dir.resolve("data"));
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", "server.key", "-out", "server.crt");
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "1", "-subj", "/CN=kiln test client CA",
                "-keyout", "clientca.key", "-out", "clientca.crt");
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=kiln-client", "-keyout", "client-pkcs8.key", "-out", "client.csr");
        openssl(dir, "x509", "-req", "-in", "client.csr", "-CA", "clientca.crt", "-CAkey", "clientca.key", "-CAcreateserial",
                "-days", "1", "-out", "client.cert");
        openssl(dir, "rsa", "-in", "client-pkcs8.key", "-traditional", "-out", "client-pkcs1.key");
        openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "client-ec.key");
        openssl(dir, "req", "-new", "-key", "client-ec.key", "-subj", "/CN=kiln-ec-client", "-out", "client-ec.csr");
        openssl(dir, "x509", "-req", "-in", "client-ec.csr", "-CA", "clientca.crt", "-CAkey", "clientca.key", "-CAcreateserial",
                "-days", "1", "-out", "client-ec.cert");
        assertTrue(Files.readString(dir.resolve("client-pkcs8.key")).contains("BEGIN PRIVATE KEY"));
        assertTrue(Files.readString(dir.resolve("client-pkcs1.key")).contains("BEGIN RSA PRIVATE KEY"));
        assertTrue(Files.readString(dir.resolve("client-ec.key")).contains("BEGIN EC PRIVATE KEY"));

        Path pkcs8 = certDir(tmp, "pkcs8", dir, "client.cert", "client-pkcs8.key");
        Path pkcs1 = certDir(tmp, "pkcs1", dir, "client.cert", "client-pkcs1.key");
        Path ec = certDir(tmp, "ec", dir, "client-ec.cert", "client-ec.key");
        Path caOnly = certDir(tmp, "ca-only", dir, null, null);

        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %1$s/data
                http:
                  addr: 127.0.0.1:%2$d
                  secret: kiln-test-%2$d
                  tls:
                    certificate: %1$s/server.crt
                    key: %1$s/server.key
                    clientcas:
                      - %1$s/clientca.crt
                """.formatted(dir, port));
        Process registry = new ProcessBuilder("docker-registry", "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        Thread hook = new Thread(registry::destroyForcibly, "stop-mtls-registry");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            String address = "127.0.0.1:" + port;
            RegistryOptions o = RegistryOptions.defaults().withCertDir(pkcs8);
            waitUntilUp(address, o, registry, dir);
            TestImage image = TestImage.build(tmp.resolve("src"), "latest", 0, "mtls");
            for (Path certDir : List.of(pkcs8, pkcs1, ec)) {
                try (RegistryDestination d = RegistryDestination.open(ref(address, "mtls/app:" + certDir.getFileName()),
                        RegistryOptions.defaults().withCertDir(certDir))) {
                    MiniCopy.copy(new LayoutSource(image.layout, "latest", "oci:src"), d, List.of(), 4);
                }
                try (RegistrySource s = RegistrySource.open(ref(address, "mtls/app:" + certDir.getFileName()),
                        RegistryOptions.defaults().withCertDir(certDir))) {
                    assertEquals(image.index.digest(), s.root().digest());
                }
            }
            RegistryException e = assertThrows(RegistryException.class, () -> RegistryClient.connect(address,
                    RegistryOptions.defaults().withCertDir(caOnly).withRetry(RetryPolicy.none())));
            assertTrue(e.getMessage().contains("registry " + address) && e.getMessage().contains("TLS"), e.getMessage());
        } finally {
            registry.destroy();
            if (!registry.waitFor(10, TimeUnit.SECONDS)) {
                registry.destroyForcibly();
            }
            Runtime.getRuntime().removeShutdownHook(hook);
        }
    }

    private static Path certDir(Path tmp, String name, Path dir, String cert, String key) throws IOException {
        Path d = Files.createDirectories(tmp.resolve("certs-" + name));
        Files.copy(dir.resolve("server.crt"), d.resolve("ca.crt"));
        if (cert != null) {
            Files.copy(dir.resolve(cert), d.resolve("client.cert"));
            Files.copy(dir.resolve(key), d.resolve("client.key"));
        }
        return d;
    }

    private static void waitUntilUp(String address, RegistryOptions o, Process registry, Path dir) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        RegistryException last = null;
        while (System.nanoTime() < deadline) {
            if (!registry.isAlive()) {
                throw new IllegalStateException("docker-registry exited: " + Files.readString(dir.resolve("registry.log")));
            }
            try {
                RegistryClient.connect(address, o.withRetry(RetryPolicy.none()));
                return;
            } catch (RegistryException e) {
                last = e;
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("the mutual-TLS registry did not come up: " + (last == null ? "" : last.getMessage()));
    }

    private static void openssl(Path dir, String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "openssl";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("openssl " + String.join(" ", args) + " failed: " + out);
        }
    }
}
