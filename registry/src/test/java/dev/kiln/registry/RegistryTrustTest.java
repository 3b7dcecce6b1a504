package dev.kiln.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layout.transport.ImageReference;
import dev.kiln.testing.HostileRegistry;
import dev.kiln.testing.MiniDistribution;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where credentials go and which answers kiln follows, against hostile registries on 127.0.0.N (each
 * address standing for another host): no Authorization to another host on a redirect or an upload
 * Location, Locations and token realms kiln cannot use fail in one line naming the registry and the
 * request, IPv4-mapped loopback is loopback, names with {@code ..} never reach a registry.
 */
class RegistryTrustTest {
    final SecurityFixture f = new SecurityFixture();

    @Test
    void aRedirectToAnotherHostCarriesNoAuthorization() throws Exception {
        MiniDistribution mini = new MiniDistribution().basic(f.user, f.password);
        try (HostileRegistry storage = HostileRegistry.start(3, mini.storage());
             HostileRegistry registry = HostileRegistry.start(2, mini.redirectBlobsTo(storage.url()))) {
            mini.putBlob("team/app", f.layer);
            RegistryClient c = RegistryClient.connect(registry.address(), f.withCredentials());
            try (InputStream in = c.openBlob("team/app", f.layerDescriptor)) {
                assertEquals(f.layer.length, in.readAllBytes().length);
            }
            assertFalse(registry.authorized().isEmpty(), "the registry itself gets the credentials");
            assertFalse(storage.requests().isEmpty(), "the blob came from the storage host");
            assertEquals(List.of(), storage.authorized(), "no Authorization to the host redirected to");
        }
    }

    @Test
    void anUploadLocationOnAnotherHostCarriesNoAuthorization() throws Exception {
        MiniDistribution mini = new MiniDistribution().basic(f.user, f.password);
        try (HostileRegistry storage = HostileRegistry.start(3, mini.storage());
             HostileRegistry registry = HostileRegistry.start(2, mini.uploadsAt(storage.url()))) {
            RegistryClient c = RegistryClient.connect(registry.address(), f.withCredentials());
            assertEquals(RegistryClient.BlobPushResult.UPLOADED, f.pushLayer(c, "team/app"));
            assertTrue(mini.hasBlob("team/app", f.layerDescriptor.digest().toString()));
            assertTrue(storage.requests().stream().anyMatch(r -> r.method().equals("PUT")), SecurityFixture.requestsAt(storage));
            assertEquals(List.of(), storage.authorized(), "no Authorization to the upload host");
            assertFalse(registry.authorized().isEmpty());
        }
    }

    @Test
    void aLocationWithAnotherSchemeFailsInOneLineNamingTheRegistryAndTheRequest() {
        for (String location : List.of("file:///etc/passwd", "javascript:alert(1)", "http://127.1:5000/v2/x", "ftp://h/x")) {
            try (HostileRegistry registry = HostileRegistry.start(2, ex -> {
                if (ex.method().equals("POST")) {
                    ex.send(202, (String) null, "Location", location);
                } else {
                    ex.send(200, "{}");
                }
            })) {
                RegistryClient c = RegistryClient.connect(registry.address(), f.options());
                RegistryException e = assertThrows(RegistryException.class, () -> f.pushLayer(c, "team/app"), location);
                String m = e.getMessage();
                assertTrue(m.startsWith("registry " + registry.address() + ", repository team/app: starting the upload of blob "
                        + f.layerDescriptor.digest()), m);
                assertTrue(m.contains("Location header"), m);
                assertFalse(m.contains("\n"), m);
            }
        }
    }

    @Test
    void aRedirectToAFileUrlFailsAsTheRegistrysError() {
        MiniDistribution mini = new MiniDistribution();
        try (HostileRegistry registry = HostileRegistry.start(2, ex -> {
            if (ex.method().equals("GET") && ex.path().contains("/blobs/")) {
                ex.send(307, (String) null, "Location", "file:///etc/shadow");
            } else {
                mini.handle(ex);
            }
        })) {
            mini.putBlob("team/app", f.layer);
            RegistryClient c = RegistryClient.connect(registry.address(), f.options());
            RegistryException e = assertThrows(RegistryException.class, () -> c.openBlob("team/app", f.layerDescriptor));
            assertTrue(e.getMessage().contains("repository team/app: getting blob " + f.layerDescriptor.digest()), e.getMessage());
            assertTrue(e.getMessage().contains("unsupported scheme 'file'"), e.getMessage());
        }
    }

    @Test
    void aTokenRealmKilnCannotUseIsRefusedByName() {
        for (String realm : List.of("file:///etc/passwd", "http://127.1:5000/token", "javascript:alert(1)", "https://u:p@127.0.0.3/t")) {
            try (HostileRegistry registry = HostileRegistry.start(2, ex -> ex.send(401,
                    MiniDistribution.error("UNAUTHORIZED", "auth"), "WWW-Authenticate", "Bearer realm=\"" + realm + "\",service=\"x\""))) {
                RegistryClient c = RegistryClient.connect(registry.address(), f.options());
                RegistryException e = assertThrows(RegistryException.class, () -> c.getManifest("team/app", "1"), realm);
                String m = e.getMessage();
                assertTrue(m.contains("registry " + registry.address() + ", repository team/app: getting manifest 1"), m);
                if (!realm.contains("@")) {
                    assertTrue(m.contains("token realm '" + realm + "' refused"), m);
                } else {
                    assertTrue(m.contains("refused: it holds a user name or password"), m);
                }
            }
        }
    }

    @Test
    void anIpv4MappedLoopbackAddressIsLoopback() {
        MiniDistribution mini = new MiniDistribution();
        try (HostileRegistry registry = HostileRegistry.start(2, mini)) {
            int port = Integer.parseInt(registry.address().substring(registry.address().indexOf(':') + 1));
            // ::ffff:7f00:2 is 127.0.0.2: plain HTTP, as for any loopback registry
            RegistryClient c = RegistryClient.connect("[::ffff:7f00:2]:" + port, f.options());
            assertEquals("http", c.baseUri().getScheme());
            assertTrue(Hosts.isLoopback("[::ffff:127.0.0.1]:5000"));
            assertTrue(Hosts.mayCarryCredentials(java.net.URI.create("http://[::ffff:7f00:1]:5000/v2/")));
        }
    }

    @Test
    void aNameWithDotDotNeverReachesARegistry() {
        try (HostileRegistry registry = HostileRegistry.start(2, new MiniDistribution())) {
            for (String name : List.of("../etc", "team/../../etc", "a/./b", "..")) {
                ImageReference ref = ImageReference.parse("docker://" + registry.address() + "/" + name + ":1");
                RegistryException e = assertThrows(RegistryException.class, () -> RegistrySource.open(ref, f.options()), name);
                assertTrue(e.getMessage().contains("invalid registry reference"), e.getMessage());
            }
            assertEquals(List.of(), registry.requests(), "nothing was asked of the registry");
        }
    }

    @Test
    void localhostNamesAreLoopbackOnlyWhenTheyResolveToLoopbackOnly() throws Exception {
        java.net.InetAddress lo = java.net.InetAddress.getByName("127.0.0.1");
        java.net.InetAddress lo6 = java.net.InetAddress.getByName("::1");
        java.net.InetAddress other = java.net.InetAddress.getByName("192.0.2.7");
        assertTrue(Hosts.isLoopback("app.localhost:5000", n -> new java.net.InetAddress[] {lo, lo6}));
        assertFalse(Hosts.isLoopback("app.localhost:5000", n -> new java.net.InetAddress[] {lo, other}));
        assertFalse(Hosts.isLoopback("localhost", n -> new java.net.InetAddress[] {other}));
        assertFalse(Hosts.isLoopback("app.localhost", n -> {
            throw new java.net.UnknownHostException(n);
        }));
        // other names are never resolved: a name that resolves to 127.0.0.1 is not loopback
        assertFalse(Hosts.isLoopback("registry.example", n -> new java.net.InetAddress[] {lo}));
    }
}
